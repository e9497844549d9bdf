package kafka

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// The Fake copies data as brokers do: the replica a reassignment adds, and
// the future replica of a log-dir move, show on their broker with what was
// copied so far, grow by Copy or by a step per State read, and take over
// once full (the reassignment completes, the move finishes); a cancel drops
// the adding replica, Complete fills everything.
func TestFakeCopies(t *testing.T) {
	ctx := context.Background()
	tp0, tp1 := cluster.TopicPartition{Topic: "t", Partition: 0}, cluster.TopicPartition{Topic: "t", Partition: 1}
	setup := func(t *testing.T) *Fake {
		f := NewFakeWith(FakeOptions{LogDirs: []string{"/a", "/b"}}, "", cluster.Broker{ID: 1}, cluster.Broker{ID: 2}, cluster.Broker{ID: 3})
		if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}, {1, 2}}, nil); err != nil {
			t.Fatal(err)
		}
		f.SetSize(tp0, 1000)
		f.SetSize(tp1, 600)
		// t-0 gains a replica on 3 (in /b), t-1's replica on 2 moves to /b.
		plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{1, 3}, LogDirs: []string{"any", "/b"}}}
		if err := f.Reassign(ctx, plan); err != nil {
			t.Fatal(err)
		}
		moves := append(plan, cluster.PartitionAssignment{Topic: "t", Partition: 1, Replicas: []int32{1, 2}, LogDirs: []string{"any", "/b"}})
		if err := f.MoveLogDirs(ctx, moves); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// show is what ReplicaSizes says of the replicas being copied:
	// t-0 on 3, t-1's future replica on 2, and whether t-0 is reassigning.
	show := func(t *testing.T, f *Fake) string {
		l, err := f.ReplicaSizes(ctx, []int32{1, 2, 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		find := func(tp cluster.TopicPartition, b int32, future bool) string {
			i := slices.IndexFunc(l.Replicas[tp], func(r sizes.Replica) bool { return r.Broker == b && r.Future == future })
			if i < 0 {
				return "-"
			}
			r := l.Replicas[tp][i]
			return fmt.Sprintf("%d in %s", r.Size, r.Dir)
		}
		moving := slices.ContainsFunc(f.Partitions(), func(p cluster.PartitionState) bool { return p.TP() == tp0 && p.Reassigning() })
		return fmt.Sprintf("t-0 on 3: %s (reassigning %v); t-1 on 2: %s, future %s", find(tp0, 3, false), moving,
			find(tp1, 2, false), find(tp1, 2, true))
	}
	read := func(t *testing.T, f *Fake) {
		if _, err := f.State(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		steps func(t *testing.T, f *Fake)
		want  string
	}{
		{"nothing copied yet", func(*testing.T, *Fake) {},
			"t-0 on 3: 0 in /b (reassigning true); t-1 on 2: 600 in /a, future 0 in /b"},
		{"reads copy nothing unless asked", func(t *testing.T, f *Fake) { read(t, f) },
			"t-0 on 3: 0 in /b (reassigning true); t-1 on 2: 600 in /a, future 0 in /b"},
		{"a copy call", func(_ *testing.T, f *Fake) { f.Copy(400) },
			"t-0 on 3: 400 in /b (reassigning true); t-1 on 2: 600 in /a, future 400 in /b"},
		{"a step per read; the move finishes when full", func(t *testing.T, f *Fake) { f.CopyPerRead(400); read(t, f); read(t, f) },
			"t-0 on 3: 800 in /b (reassigning true); t-1 on 2: 600 in /b, future -"},
		{"the reassignment completes when full", func(t *testing.T, f *Fake) { f.CopyPerRead(400); read(t, f); read(t, f); read(t, f) },
			"t-0 on 3: 1000 in /b (reassigning false); t-1 on 2: 600 in /b, future -"},
		{"Complete fills everything", func(_ *testing.T, f *Fake) { f.Copy(100); f.Complete() },
			"t-0 on 3: 1000 in /b (reassigning false); t-1 on 2: 600 in /b, future -"},
		{"a cancel drops the adding replica", func(t *testing.T, f *Fake) {
			f.Copy(100)
			if err := f.CancelReassignments(ctx, []cluster.TopicPartition{tp0}); err != nil {
				t.Fatal(err)
			}
		}, "t-0 on 3: - (reassigning false); t-1 on 2: 600 in /a, future 100 in /b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t)
			c.steps(t, f)
			if got := show(t, f); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestFakeOffsets: on the ZooKeeper path too, the Fake's replicas report
// log end offsets of their bytes over FakeMessageBytes, an adding replica's
// growing with what was copied; a replica not held, or on a broker down,
// is left out.
func TestFakeOffsets(t *testing.T) {
	ctx := context.Background()
	tp := cluster.TopicPartition{Topic: "t", Partition: 0}
	f := NewFakeWith(FakeOptions{ZooKeeper: true, Release: "0.9.0.1"}, "", cluster.Broker{ID: 1}, cluster.Broker{ID: 2}, cluster.Broker{ID: 3}, cluster.Broker{ID: 4})
	if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}}, nil); err != nil {
		t.Fatal(err)
	}
	f.SetSize(tp, 1000)
	if err := f.Reassign(ctx, []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{1, 3}}}); err != nil {
		t.Fatal(err)
	}
	if f.Capabilities().Offsets == nil {
		t.Fatal("no offsets on the ZooKeeper path")
	}
	show := func() string {
		o, err := f.ReplicaOffsets(ctx, map[cluster.TopicPartition]int32{tp: 1}, map[cluster.TopicPartition][]int32{tp: {2, 3, 4}})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("start %d, ends %v", o.Start[tp], o.End[tp])
	}
	if got, want := show(), "start 0, ends map[1:10 2:10 3:0]"; got != want {
		t.Errorf("before copying: %s, want %s", got, want)
	}
	f.Copy(450)
	if got, want := show(), "start 0, ends map[1:10 2:10 3:4]"; got != want {
		t.Errorf("450 bytes copied: %s, want %s", got, want)
	}
	f.SetBrokers(cluster.Broker{ID: 1}, cluster.Broker{ID: 2}, cluster.Broker{ID: 4})
	if _, err := f.ReplicaOffsets(ctx, nil, map[cluster.TopicPartition][]int32{tp: {3}}); err == nil || !strings.Contains(err.Error(), "broker 3") {
		t.Errorf("broker 3 down: err %v", err)
	}
}
