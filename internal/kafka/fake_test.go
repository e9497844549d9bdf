package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// The Fake's own behaviour, beyond the conformance suite: what tests
// script with it.

// The Fake keeps reassignments in flight until Complete, reporting them as
// the real paths do (original replicas, the target, what is added and
// removed), applies a pure reordering at once, and cancels.
func TestFakeInFlight(t *testing.T) {
	ctx := context.Background()
	f := NewFake("", cluster.Broker{ID: 1}, cluster.Broker{ID: 2}, cluster.Broker{ID: 3})
	if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}, {2, 3}}, map[string]string{"retention.ms": "1"}); err != nil {
		t.Fatal(err)
	}
	err := f.Reassign(ctx, []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{3, 2}}, {Topic: "t", Partition: 1, Replicas: []int32{3, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.State(ctx, nil)
	got := map[string]string{}
	for _, p := range st.Partitions {
		got[p.TP().String()] = fmt.Sprintf("%v->%v +%v -%v", p.Replicas, p.Target, p.Adding, p.Removing)
	}
	want := map[string]string{"t-0": "[1 2]->[3 2] +[3] -[1]", "t-1": "[3 2]->[] +[] -[]"}
	if !maps.Equal(got, want) {
		t.Errorf("in flight: %v, want %v", got, want)
	}
	if err := f.CancelReassignments(ctx, []cluster.TopicPartition{{Topic: "t", Partition: 0}}); err != nil {
		t.Fatal(err)
	}
	st, _ = f.State(ctx, []string{"t"})
	if p := st.Partitions[0]; p.Reassigning() || !slices.Equal(p.Replicas, []int32{1, 2}) {
		t.Errorf("after cancel: %+v", p)
	}
	cfg, _ := f.DescribeConfigs(ctx, TopicEntity, []string{"t"})
	if cfg["t"]["retention.ms"] != "1" {
		t.Errorf("topic configs %v", cfg)
	}
	zk := NewFakeWith(FakeOptions{ZooKeeper: true}, "", cluster.Broker{ID: 1}, cluster.Broker{ID: 2}, cluster.Broker{ID: 3})
	zk.SetState(st)
	if err := zk.Reassign(ctx, []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{3, 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := zk.Reassign(ctx, []cluster.PartitionAssignment{{Topic: "t", Partition: 1, Replicas: []int32{1, 2}}}); !errors.Is(err, cluster.ErrBusy) {
		t.Errorf("second batch on the ZooKeeper path: %v, want ErrBusy", err)
	}
	if err := zk.CancelReassignments(ctx, []cluster.TopicPartition{{Topic: "t", Partition: 0}}); !errors.Is(err, ErrCancelUnsupported) {
		t.Errorf("cancel on the ZooKeeper path: %v, want ErrCancelUnsupported", err)
	}
}

// The Fake's test hooks: calls are recorded, Fail injects an error, the
// BeforeState hook runs before each read, and log directory moves finish
// on Complete, also for a replica a reassignment was adding (which its
// broker holds from the start).
func TestFakeScript(t *testing.T) {
	ctx := context.Background()
	f := NewFakeWith(FakeOptions{LogDirs: []string{"/a", "/b"}}, "", cluster.Broker{ID: 1}, cluster.Broker{ID: 2}, cluster.Broker{ID: 3})
	if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}}, nil); err != nil {
		t.Fatal(err)
	}
	down := errors.New("down")
	f.Fail("Reassign", down)
	plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{3, 2}, LogDirs: []string{"/b", "/b"}}}
	if err := f.Reassign(ctx, plan); !errors.Is(err, down) {
		t.Fatalf("Reassign with an injected error: %v", err)
	}
	f.Fail("Reassign", nil)
	if err := f.Reassign(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if err := f.MoveLogDirs(ctx, plan); err != nil {
		t.Fatal(err)
	}
	tp := cluster.TopicPartition{Topic: "t", Partition: 0}
	dirs, _ := f.DescribeLogDirs(ctx, []int32{2, 3}, nil)
	if got := dirs[2].Replicas[tp]; got != (ReplicaLogDir{Dir: "/a", Future: "/b"}) {
		t.Errorf("broker 2 before Complete: %+v", got)
	}
	// The broker a reassignment adds holds the replica from the start, in
	// the directory asked for it.
	if got := dirs[3].Replicas[tp]; got != (ReplicaLogDir{Dir: "/b"}) {
		t.Errorf("broker 3 before Complete: %+v", got)
	}
	var reads []int
	f.BeforeState(func(read int) error {
		reads = append(reads, read)
		if read == 2 {
			return down
		}
		f.Complete()
		return nil
	})
	if _, err := f.State(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.State(ctx, nil); !errors.Is(err, down) {
		t.Errorf("second read: %v, want the hook's error", err)
	}
	dirs, _ = f.DescribeLogDirs(ctx, []int32{2, 3}, nil)
	if dirs[2].Replicas[tp] != (ReplicaLogDir{Dir: "/b"}) || dirs[3].Replicas[tp] != (ReplicaLogDir{Dir: "/b"}) {
		t.Errorf("after Complete: %+v", dirs)
	}
	var methods []string
	for _, c := range f.Changes() {
		methods = append(methods, c.Method)
	}
	if want := []string{"CreateTopic", "Reassign", "Reassign", "MoveLogDirs"}; !slices.Equal(methods, want) || !slices.Equal(reads, []int{1, 2}) {
		t.Errorf("changes %v, reads %v; want %v, [1 2]", methods, reads, want)
	}
	if f.MaxInFlight() != 1 || len(f.Reassigned()) != 2 {
		t.Errorf("max in flight %d, reassigned %v", f.MaxInFlight(), f.Reassigned())
	}
}

// The Fake shows config changes late as scripted: with a lag, the config
// from before the first change not yet shown, for that many reads; with
// ShowStale, the given config. A Before hook runs ahead of the call and
// can fail it.
func TestFakeConfigsShowLate(t *testing.T) {
	ctx := context.Background()
	f := NewFake("")
	f.SetConfig(TopicEntity, "t", map[string]string{"a": "0"})
	f.SetConfigLag(2)
	for _, v := range []string{"1", "2"} {
		if err := f.AlterConfigs(ctx, TopicEntity, "t", map[string]string{"a": v}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var reads []string
	for range 3 {
		got, err := f.DescribeConfigs(ctx, TopicEntity, []string{"t"})
		if err != nil {
			t.Fatal(err)
		}
		reads = append(reads, got["t"]["a"])
		if len(reads) == 2 && !f.ConfigsShown() {
			t.Errorf("not shown after the lag")
		}
	}
	if want := []string{"0", "0", "2"}; !slices.Equal(reads, want) || f.Configs(TopicEntity)["t"]["a"] != "2" {
		t.Errorf("reads %v, want %v; config %v", reads, want, f.Configs(TopicEntity))
	}
	f.ShowStale(TopicEntity, "t", map[string]string{"a": "x"}, 1)
	if f.ConfigsShown() {
		t.Error("shown while stale")
	}
	boom := errors.New("boom")
	f.Before("DescribeConfigs", func(c FakeCall) error {
		if c.Names[0] == "t" {
			return boom
		}
		return nil
	})
	if _, err := f.DescribeConfigs(ctx, TopicEntity, []string{"t"}); !errors.Is(err, boom) {
		t.Errorf("DescribeConfigs with a failing hook: %v", err)
	}
	f.Before("DescribeConfigs", nil)
	got, _ := f.DescribeConfigs(ctx, TopicEntity, []string{"t"})
	if got["t"]["a"] != "x" {
		t.Errorf("stale read %v, want a=x", got)
	}
	if calls := f.Calls("DescribeConfigs"); len(calls) != 5 || !errors.Is(calls[3].Err, boom) {
		t.Errorf("calls %+v", calls)
	}
}
