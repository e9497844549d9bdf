package kafka

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// conformanceCopying is what the brokers show of data being copied, which
// progress in bytes relies on (sizes.CopyProgress) and the Fake models
// (fake_copying.go): a replica a reassignment adds is a current replica on
// its new broker, never a future one, and once the reassignment is over
// the partition is on the target brokers alone; a log-dir move's future
// replica is on the replica's own broker, in the directory asked for, and
// takes over, leaving no future replica. The topic is empty, so what can
// be seen half-way on real brokers is what was copied, not how much: the
// Fake's unit tests check the bytes (TestFakeCopies).
func conformanceCopying(t *testing.T, ctx context.Context, tgt conformanceTarget, all []int32,
	partition func(*testing.T, int32) cluster.PartitionState, eventually func(*testing.T, string, func() (bool, string))) {
	caps := tgt.c.Capabilities()
	if caps.LogDirDescriber == nil || caps.LogDirMover == nil || caps.Sizer == nil {
		t.Skip("no log directory capabilities on this path")
	}
	replicas := func(t *testing.T, tp cluster.TopicPartition) []sizes.Replica {
		t.Helper()
		l, err := caps.Sizer.ReplicaSizes(ctx, all, []cluster.TopicPartition{tp})
		if err != nil {
			t.Fatal(err)
		}
		return l.Replicas[tp]
	}
	t.Run("a reassignment's new replica", func(t *testing.T) {
		tp := cluster.TopicPartition{Topic: tgt.topic, Partition: 1}
		p := partition(t, 1)
		add := slices.IndexFunc(all, func(b int32) bool { return !slices.Contains(p.Replicas, b) })
		target := []int32{p.Replicas[0], all[add]}
		if err := tgt.c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: tgt.topic, Partition: 1, Replicas: target}}); err != nil {
			t.Fatal(err)
		}
		// However soon the brokers are asked, the new replica is a current
		// one (what CopyProgress counts), not a log-dir move's future one.
		for _, r := range replicas(t, tp) {
			if r.Future {
				t.Errorf("%s: future replica %+v while a reassignment adds broker %d", tp, r, all[add])
			}
		}
		eventually(t, "the replicas on the target brokers", func() (bool, string) {
			var on []int32
			for _, r := range replicas(t, tp) {
				if !r.Future {
					on = append(on, r.Broker)
				}
			}
			slices.Sort(on)
			q := partition(t, 1)
			return !q.Reassigning() && slices.Equal(q.Replicas, target) && slices.Equal(on, slices.Sorted(slices.Values(target))),
				fmt.Sprintf("replicas %v (target %v), reported on %v", q.Replicas, q.Target, on)
		})
	})
	t.Run("a log-dir move's future replica", func(t *testing.T) {
		tp := cluster.TopicPartition{Topic: tgt.topic, Partition: 0}
		p := partition(t, 0)
		b := p.Replicas[0]
		got, err := caps.LogDirDescriber.DescribeLogDirs(ctx, []int32{b}, []cluster.TopicPartition{tp})
		if err != nil {
			t.Fatal(err)
		}
		from := got[b].Replicas[tp].Dir
		var to string
		for _, d := range slices.Sorted(maps.Keys(got[b].Dirs)) {
			if got[b].Dirs[d] == nil && !sameDir(d, from) {
				to = d
				break
			}
		}
		if to == "" {
			t.Skipf("broker %d has one online log directory (%s)", b, from)
		}
		dirs := make([]string, len(p.Replicas))
		for i := range dirs {
			dirs[i] = cluster.AnyLogDir
		}
		dirs[0] = to
		if err := caps.LogDirMover.MoveLogDirs(ctx, []cluster.PartitionAssignment{{Topic: tgt.topic, Partition: 0, Replicas: p.Replicas, LogDirs: dirs}}); err != nil {
			t.Fatal(err)
		}
		for _, r := range replicas(t, tp) {
			if r.Future && (r.Broker != b || !sameDir(r.Dir, to)) {
				t.Errorf("%s: future replica %+v, want none but on broker %d in %s", tp, r, b, to)
			}
		}
		eventually(t, "the move", func() (bool, string) {
			var on []string
			for _, r := range replicas(t, tp) {
				if r.Broker == b {
					on = append(on, fmt.Sprintf("%s (future %v)", r.Dir, r.Future))
				}
			}
			got, err := caps.LogDirDescriber.DescribeLogDirs(ctx, []int32{b}, []cluster.TopicPartition{tp})
			if err != nil {
				t.Fatal(err)
			}
			r := got[b].Replicas[tp]
			return sameDir(r.Dir, to) && r.Future == "" && slices.Equal(on, []string{fmt.Sprintf("%s (future false)", r.Dir)}),
				fmt.Sprintf("described %+v, sizes of %v", r, on)
		})
	})
}
