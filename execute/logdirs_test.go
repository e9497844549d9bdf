package execute

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// dirFake is a cluster that moves and describes log directories: every
// broker has /data/a and /data/b, and replicas live where dirs says
// (/data/a when not listed). A move is recorded, with the number of
// Reassign calls made before it, and completes at once.
type dirFake struct {
	*fakeCluster
	dirs  map[int32]map[cluster.TopicPartition]string
	moves []dirMove
}

type dirMove struct {
	plan          []cluster.PartitionAssignment
	afterReassign int
}

func newDirFake() *dirFake {
	return &dirFake{fakeCluster: sixPartitions(), dirs: map[int32]map[cluster.TopicPartition]string{}}
}

func (d *dirFake) Capabilities() kafka.Capabilities {
	c := d.fakeCluster.Capabilities()
	c.LogDirMover, c.LogDirDescriber = d, d
	return c
}

func (d *dirFake) MoveLogDirs(ctx context.Context, plan []cluster.PartitionAssignment) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.moves = append(d.moves, dirMove{plan, len(d.reassigned)})
	for _, p := range plan {
		for i, dir := range p.LogDirs {
			if dir != cluster.AnyLogDir {
				b := p.Replicas[i]
				if d.dirs[b] == nil {
					d.dirs[b] = map[cluster.TopicPartition]string{}
				}
				d.dirs[b][p.TP()] = dir
			}
		}
	}
	return nil
}

func (d *dirFake) DescribeLogDirs(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (map[int32]kafka.BrokerLogDirs, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[int32]kafka.BrokerLogDirs{}
	for _, b := range brokers {
		bd := kafka.BrokerLogDirs{Dirs: map[string]error{"/data/a": nil, "/data/b": nil}, Replicas: map[cluster.TopicPartition]kafka.ReplicaLogDir{}}
		for _, tp := range tps {
			p, ok := d.parts[tp]
			if !ok || !contains(p.Replicas, b) {
				continue
			}
			dir := d.dirs[b][tp]
			if dir == "" {
				dir = "/data/a"
			}
			bd.Replicas[tp] = kafka.ReplicaLogDir{Dir: dir}
		}
		out[b] = bd
	}
	return out, nil
}

func contains(s []int32, x int32) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
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
	if len(f.moves) != 2 || f.moves[0].afterReassign != 0 || f.moves[0].plan[0].TP() != (cluster.TopicPartition{Topic: "t", Partition: 0}) ||
		f.moves[1].afterReassign != 1 || f.moves[1].plan[0].TP() != (cluster.TopicPartition{Topic: "t", Partition: 1}) {
		t.Errorf("moves = %+v", f.moves)
	}
	if r.out != plan {
		t.Errorf("stdout = %q", r.out)
	}
}

func TestLogDirMovesAlreadyDoneAreSkipped(t *testing.T) {
	f := newDirFake()
	f.dirs[1] = map[cluster.TopicPartition]string{{Topic: "t", Partition: 0}: "/data/b"}
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","any"]}]}`
	o := testOptions(t)
	o.LogDirThrottle = 1000
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(f.moves) != 0 || f.mutations != 0 {
		t.Errorf("moves %+v, %d changes; the replica is in /data/b already", f.moves, f.mutations)
	}
	if !strings.Contains(r.errw, "nothing to do") {
		t.Errorf("stderr does not say there is nothing to do")
	}
	// A second replica not yet in place: moved (and throttled).
	plan = `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","/data/b"]}]}`
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	if len(f.moves) != 1 || f.mutations == 0 {
		t.Errorf("moves %+v, %d changes", f.moves, f.mutations)
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
	if f.mutations != 0 || len(f.moves) != 0 || r.out != "" {
		t.Errorf("changed the cluster: %d changes, moves %+v, out %q", f.mutations, f.moves, r.out)
	}
}

func TestLogDirMovesInBatches(t *testing.T) {
	f := newDirFake()
	f.autoComplete = true
	o := testOptions(t)
	o.MaxPartitionMovements = 1
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4],"log_dirs":["/data/b","any"]},` +
		`{"topic":"t","partition":1,"replicas":[5,6],"log_dirs":["any","/data/b"]}]}`
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	if len(f.moves) != 2 || f.moves[0].afterReassign != 1 || f.moves[1].afterReassign != 2 {
		t.Errorf("moves = %+v, want each batch's moves right after its submission", f.moves)
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
