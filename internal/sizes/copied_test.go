package sizes

import (
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestCopyProgress(t *testing.T) {
	tp := func(p int32) cluster.TopicPartition { return cluster.TopicPartition{Topic: "t", Partition: p} }
	// t-0 on 1 (leader, 1000 B), 3 has 400 B so far, 4 nothing yet;
	// t-1 on 1 (500 B); 5 holds a stale 900 B copy (counted up to the size)
	// and 6 a future replica of a log-dir move (never counted).
	var l LogDirs
	l.AddReplica(tp(0), Replica{Broker: 1, Size: 1000})
	l.AddReplica(tp(0), Replica{Broker: 3, Size: 400})
	l.AddReplica(tp(1), Replica{Broker: 1, Size: 500})
	l.AddReplica(tp(1), Replica{Broker: 5, Size: 900})
	l.AddReplica(tp(1), Replica{Broker: 6, Size: 300, Future: true})
	for _, c := range []struct {
		name  string
		parts []Copying
		want  Copied
	}{
		{"nothing to copy", nil, Copied{}},
		{"an order change copies nothing", []Copying{{TP: tp(0), Leader: 1}}, Copied{}},
		{"partly copied", []Copying{{TP: tp(0), Adding: []int32{3, 4}, Leader: 1}}, Copied{Done: 400, Total: 2000, Counted: 1}},
		{"complete counts in full", []Copying{{TP: tp(0), Adding: []int32{3, 4}, Leader: 1, Complete: true}}, Copied{Done: 2000, Total: 2000, Counted: 1}},
		{"no more than the size, no future replica", []Copying{{TP: tp(1), Adding: []int32{5, 6}, Leader: 1}}, Copied{Done: 500, Total: 1000, Counted: 1}},
		{"leader unknown: largest in sync", []Copying{{TP: tp(0), Adding: []int32{4}, Leader: -1, ISR: []int32{1, 3}}}, Copied{Done: 0, Total: 1000, Counted: 1}},
		{"unknown size not counted", []Copying{{TP: tp(0), Adding: []int32{3}, Leader: 1}, {TP: tp(9), Adding: []int32{2}, Leader: 1}},
			Copied{Done: 400, Total: 1000, Unknown: 1, Counted: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := CopyProgress(c.parts, l)
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
			if got.Remaining() != c.want.Total-c.want.Done {
				t.Errorf("remaining %d", got.Remaining())
			}
		})
	}
}

func TestAdding(t *testing.T) {
	for _, c := range []struct{ planned, original, want []int32 }{
		{[]int32{3, 4}, []int32{1, 2}, []int32{3, 4}},
		{[]int32{2, 1}, []int32{1, 2}, nil},
		{[]int32{1, 3}, []int32{1, 2}, []int32{3}},
		{[]int32{1, 2}, nil, []int32{1, 2}},
	} {
		if got := Adding(c.planned, c.original); !slices.Equal(got, c.want) {
			t.Errorf("Adding(%v, %v) = %v, want %v", c.planned, c.original, got, c.want)
		}
	}
}
