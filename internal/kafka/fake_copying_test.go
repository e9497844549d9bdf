package kafka

import (
	"context"
	"fmt"
	"slices"
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
