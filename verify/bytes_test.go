package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

func TestBytesRemaining(t *testing.T) {
	tp := func(p int32) cluster.TopicPartition { return cluster.TopicPartition{Topic: "t", Partition: p} }
	var l sizes.LogDirs
	add := func(p int32, b int32, size int64) { l.AddReplica(tp(p), sizes.Replica{Broker: b, Size: size}) }
	add(0, 1, 1000) // t-0: 1 -> 3, 3 has 400 so far
	add(0, 3, 400)
	add(1, 1, 500) // t-1: not started, [1] -> [2,4]
	add(2, 1, 700) // t-2: complete
	add(2, 2, 700)
	// t-3: 1's replica moves from /a into /b, 300 of 800 B copied.
	l.AddReplica(tp(3), sizes.Replica{Broker: 1, Dir: "/a", Size: 800})
	l.AddReplica(tp(3), sizes.Replica{Broker: 1, Dir: "/b", Size: 300, Future: true})
	statuses := []PartitionStatus{
		{TP: tp(0), Planned: []int32{3}, Current: []int32{1}, Leader: 1, ISR: []int32{1}},
		{TP: tp(1), Planned: []int32{2, 4}, Current: []int32{1}, Leader: 1, ISR: []int32{1}},
		{TP: tp(2), Planned: []int32{1, 2}, Current: []int32{1, 2}, Leader: 1, ISR: []int32{1, 2}},
		{TP: tp(3), Planned: []int32{1}, PlannedLogDirs: []string{"/b"}, Current: []int32{1}, Leader: 1, ISR: []int32{1}},
	}
	n, ok := bytesRemaining(statuses, l)
	if !ok || n != 600+2*500+500 {
		t.Fatalf("remaining %d, %v; want 2100", n, ok)
	}
	// A partition complete in its planned directories has nothing left to
	// copy, and needs no size.
	statuses = append(statuses, PartitionStatus{TP: tp(4), Status: Complete, Planned: []int32{1},
		PlannedLogDirs: []string{"/b"}, Current: []int32{1}, Leader: 1})
	if n, ok := bytesRemaining(statuses, l); !ok || n != 2100 {
		t.Errorf("with a complete partition of unknown size: remaining %d, %v; want 2100", n, ok)
	}
	statuses = append(statuses, PartitionStatus{TP: tp(9), Planned: []int32{5}, Current: []int32{1}, Leader: 1})
	if _, ok := bytesRemaining(statuses, l); ok {
		t.Error("a partition without a size still to copy, yet the total is known")
	}
	r := &Result{Counts: Counts{Partitions: 4, Complete: 1, InProgress: 3}, BytesRemaining: &n}
	var metrics, text bytes.Buffer
	if err := RenderMetrics(&metrics, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(metrics.String(), "\nfdud_bytes_remaining 2100\n") {
		t.Errorf("metrics lack fdud_bytes_remaining:\n%s", metrics.String())
	}
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "; 2.1 KiB still to copy.") {
		t.Errorf("summary lacks the bytes:\n%s", text.String())
	}
	if rep := NewReport(r); rep.BytesRemaining == nil || *rep.BytesRemaining != 2100 {
		t.Errorf("report bytes_remaining = %v", rep.BytesRemaining)
	}
}
