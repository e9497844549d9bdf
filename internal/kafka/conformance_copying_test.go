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
	caps := tgt.c.Capabilities() // with log directory capabilities (see conformance)
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

// conformanceOffsets: every path reads offsets (progress in messages
// relies on them where sizes are unknown): the leader's log start and log
// end offsets, and a follower's own log end offset, which Kafka gives
// only to the debugging replica id (a consumer's ListOffsets fails on a
// follower); a broker that holds no replica of the partition is left out,
// without an error. The topic is empty: every offset is 0.
func conformanceOffsets(t *testing.T, ctx context.Context, tgt conformanceTarget, all []int32,
	partition func(*testing.T, int32) cluster.PartitionState, eventually func(*testing.T, string, func() (bool, string))) {
	offsets := tgt.c.Capabilities().Offsets
	if offsets == nil {
		t.Fatal("no offsets on this path")
	}
	var p cluster.PartitionState
	eventually(t, "partition 1 settled with a leader", func() (bool, string) {
		p = partition(t, 1)
		return !p.Reassigning() && p.Leader >= 0 && len(p.ISR) == len(p.Replicas), fmt.Sprintf("%+v", p)
	})
	tp := p.TP()
	follower := p.Replicas[slices.IndexFunc(p.Replicas, func(b int32) bool { return b != p.Leader })]
	outside := all[slices.IndexFunc(all, func(b int32) bool { return !slices.Contains(p.Replicas, b) })]
	o, err := offsets.ReplicaOffsets(ctx, map[cluster.TopicPartition]int32{tp: p.Leader},
		map[cluster.TopicPartition][]int32{tp: {follower, outside}})
	if err != nil {
		t.Fatal(err)
	}
	if start, ok := o.Start[tp]; !ok || start != 0 {
		t.Errorf("log start offset %d (reported %v), want 0", start, ok)
	}
	want := map[int32]int64{p.Leader: 0, follower: 0}
	if !maps.Equal(o.End[tp], want) {
		t.Errorf("log end offsets %v, want %v (leader %d, follower %d, %d holding none)", o.End[tp], want, p.Leader, follower, outside)
	}
}
