package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/throttle"
)

// storeThrottles is the CLI's adapter of package throttle's record.
type storeThrottles struct {
	cl     kafka.Cluster
	store  throttle.Store
	planID string
}

func (s storeThrottles) Entities(ctx context.Context) (int, error) {
	rec, err := s.store.Load(ctx, s.planID)
	if err != nil || rec == nil {
		return 0, err
	}
	return len(rec.Entities()), nil
}

func (s storeThrottles) Remove(ctx context.Context) (ThrottleRemoval, error) {
	rm, err := throttle.Cleanup(ctx, s.cl, s.store, s.planID, nil)
	return ThrottleRemoval{Removed: rm.Removed, Left: rm.Warnings}, err
}

// Regression, against a real ZooKeeper: while a batching fdud execute holds
// the cluster lock (/fdud/lock, written by package clusterlock as execute
// writes it), verify keeps the plan's throttle record even though nothing is
// in flight, names the holder and reports the plan in progress. Once execute
// lets go, verify removes the record and gives the lock back.
func TestRunClusterLockZooKeeper(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	ctx := context.Background()
	addr := fmt.Sprintf("%s/verifylock%d", z.Addr, time.Now().UnixNano())
	execConn, verifyConn := testenv.ConnectZooKeeper(t, addr), testenv.ConnectZooKeeper(t, addr)

	thePlan := plan(pa("a", 0, 1, 2))
	id := throttle.PlanID(thePlan)
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: verifyConn})
	if err != nil {
		t.Fatal(err)
	}
	// The record names no configs: the fake cluster has none to restore.
	if err := store.Save(ctx, &throttle.Record{Version: 1, PlanID: id, Updated: time.Now()}); err != nil {
		t.Fatal(err)
	}
	held, err := clusterlock.Acquire(ctx, clusterlock.Options{ZooKeeper: execConn, Plan: id, Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatal(err)
	}

	fc := scripted(t, &cluster.State{Brokers: brokers(1, 2), Partitions: []cluster.PartitionState{part("a", 0, 1, 2)}})
	verifyOnce := func() (*Result, string, error) {
		var stderr bytes.Buffer
		res, err := runWritten(ctx, Options{Plan: thePlan}, fc, Env{Stderr: &stderr,
			Throttles: storeThrottles{cl: fc, store: store, planID: id},
			Lock:      ClusterLock{ZooKeeper: verifyConn, PlanID: id}})
		return res, stderr.String(), err
	}

	res, stderr, err := verifyOnce()
	if !errors.Is(err, cluster.ErrInProgress) {
		t.Fatalf("verify while execute holds the lock: %v, want ErrInProgress (exit 3)\n%s", err, stderr)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("fdud execute (pid %d, host %s) still holds the cluster lock: throttles kept; run verify again when it finishes.", os.Getpid(), host)
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if res.LockHolder == nil || !res.LockHolder.ThisPlan {
		t.Errorf("Result.LockHolder = %+v, want execute of this plan", res.LockHolder)
	}
	if rec, err := store.Load(ctx, id); err != nil || rec == nil {
		t.Fatalf("throttle record removed while execute holds the lock (%v, %v)", rec, err)
	}
	if err := held.Check(ctx); err != nil {
		t.Errorf("execute's lock disturbed by verify: %v", err)
	}

	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	res, stderr, err = verifyOnce()
	if err != nil || !res.Throttles.Removed {
		t.Fatalf("verify once the lock is free: %v, throttles %+v\n%s", err, res.Throttles, stderr)
	}
	if rec, err := store.Load(ctx, id); err != nil || rec != nil {
		t.Errorf("throttle record still there (%v, %v)", rec, err)
	}
	// verify gave the lock back: the next execute gets it.
	l, err := clusterlock.Acquire(ctx, clusterlock.Options{ZooKeeper: execConn, Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatalf("lock not released by verify: %v", err)
	}
	l.Release()
}
