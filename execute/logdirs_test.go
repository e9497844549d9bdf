package execute

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// newDirFake is sixPartitions with log directories: every broker has
// /data/a and /data/b, and replicas live in /data/a unless placed or moved.
func newDirFake() *kafka.Fake {
	return sixPartitionsWith(kafka.FakeOptions{LogDirs: []string{"/data/a", "/data/b"}})
}

// dirMove is one MoveLogDirs call, with the number of Reassign calls made
// before it.
type dirMove struct {
	plan          []cluster.PartitionAssignment
	afterReassign int
}

func dirMoves(f *kafka.Fake) []dirMove {
	var moves []dirMove
	reassigns := 0
	for _, c := range f.Calls("Reassign", "MoveLogDirs") {
		if c.Method == "Reassign" {
			reassigns++
			continue
		}
		moves = append(moves, dirMove{c.Plan, reassigns})
	}
	return moves
}

func TestLogDirMovesFollowTheReassignment(t *testing.T) {
	f := newDirFake()
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","any"]},` +
		`{"topic":"t","partition":1,"replicas":[3,4],"log_dirs":["/data/b","/data/b"]}]}`
	r := runExecute(t, context.Background(), testOptions(t), f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	// t-0 only moves a directory: before any reassignment. t-1's replicas
	// on 3 and 4 only exist once its reassignment is submitted.
	moves := dirMoves(f)
	if len(moves) != 2 || moves[0].afterReassign != 0 || moves[0].plan[0].TP() != (cluster.TopicPartition{Topic: "t", Partition: 0}) ||
		moves[1].afterReassign != 1 || moves[1].plan[0].TP() != (cluster.TopicPartition{Topic: "t", Partition: 1}) {
		t.Errorf("moves = %+v", moves)
	}
	if r.out != plan {
		t.Errorf("stdout = %q", r.out)
	}
}

func TestLogDirMovesAlreadyDoneAreSkipped(t *testing.T) {
	f := newDirFake()
	f.PlaceReplica(1, cluster.TopicPartition{Topic: "t", Partition: 0}, "/data/b", "")
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","any"]}]}`
	o := testOptions(t)
	o.LogDirThrottle = 1000
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(f.Changes()) != 0 {
		t.Errorf("changes %+v; the replica is in /data/b already", f.Changes())
	}
	if !strings.Contains(r.errw, "nothing to do") {
		t.Errorf("stderr does not say there is nothing to do")
	}
	// A second replica not yet in place: moved (and throttled).
	plan = `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","/data/b"]}]}`
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	if moves := dirMoves(f); len(moves) != 1 || len(f.Calls("AlterConfigs", "AlterConfigOps")) == 0 {
		t.Errorf("moves %+v, changes %+v; want the move, throttled", moves, f.Changes())
	}
}

func TestWrongLogDirChangesNothing(t *testing.T) {
	f := newDirFake()
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4],"log_dirs":["/data/c","any"]},` +
		`{"topic":"t","partition":1,"replicas":[1,2],"log_dirs":["any","/data/b"]}]}`
	o := testOptions(t)
	o.Throttle = 1000
	r := runExecute(t, context.Background(), o, f, plan)
	var pe *PlanError
	if !cluster.IsInvalid(r.err) || !errors.As(r.err, &pe) {
		t.Fatalf("err = %v, want a plan error", r.err)
	}
	if !strings.Contains(r.err.Error(), "partitions[0] (t-0): log dir /data/c is not an online log directory of broker 3 (it has [/data/a /data/b])") {
		t.Errorf("err = %v", r.err)
	}
	if len(f.Changes()) != 0 || r.out != "" {
		t.Errorf("changed the cluster: changes %+v, out %q", f.Changes(), r.out)
	}
}

func TestLogDirMovesInBatches(t *testing.T) {
	f := newDirFake()
	f.CompleteAfterFirstRead()
	o := testOptions(t)
	o.MaxPartitionMovements = 1
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4],"log_dirs":["/data/b","any"]},` +
		`{"topic":"t","partition":1,"replicas":[5,6],"log_dirs":["any","/data/b"]}]}`
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	if moves := dirMoves(f); len(moves) != 2 || moves[0].afterReassign != 1 || moves[1].afterReassign != 2 {
		t.Errorf("moves = %+v, want each batch's moves right after its submission", moves)
	}
}

func TestSettleLogDirs(t *testing.T) {
	pa := cluster.PartitionAssignment{Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"/b", "any"}}
	items := []Item{{Plan: pa, Status: LogDirs}, {Plan: pa, Status: Pending}}
	in := func(dir string) map[int32]kafka.BrokerLogDirs {
		return map[int32]kafka.BrokerLogDirs{1: {Dirs: map[string]error{"/b": nil}, Replicas: map[cluster.TopicPartition]kafka.ReplicaLogDir{pa.TP(): {Dir: dir}}}}
	}
	if got := settleLogDirs(items, in("/b")); got[0].Status != Done || got[1].Status != Pending || items[0].Status != LogDirs {
		t.Errorf("in place: %v %v (input %v)", got[0].Status, got[1].Status, items[0].Status)
	}
	if got := settleLogDirs(items, in("/a")); got[0].Status != LogDirs {
		t.Errorf("elsewhere: %v", got[0].Status)
	}
	if got := settleLogDirs(items, nil); got[0].Status != LogDirs {
		t.Errorf("no describer: %v", got[0].Status)
	}
}
