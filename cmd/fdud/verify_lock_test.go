package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/schemas"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Regression: between two batches of `fdud execute --max-partition-movements`
// nothing of the plan is in flight, and verify (from cron, or another shell)
// used to remove the throttles then, leaving the remaining batches
// unthrottled. With execute holding the cluster lock (/fdud/lock in the
// cluster's ZooKeeper), verify keeps the throttle record, names the holder
// and exits 3; verify --wait waits for the lock, then cleans up. Real Kafka
// 0.9 through the ZooKeeper path.
func TestVerifyCommandKeepsThrottlesWhileExecuteHoldsLock(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 1})
	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1}, {1}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	complete := `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1]},{"topic":"orders","partition":1,"replicas":[1]}]}`
	plan, err := cluster.ParseAssignment([]byte(complete))
	if err != nil {
		t.Fatal(err)
	}
	id := throttle.PlanID(plan)
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: k.ZK(t)})
	if err != nil {
		t.Fatal(err)
	}
	// The record names no configs: Kafka 0.9 predates throttles.
	if err := store.Save(ctx, &throttle.Record{Version: 1, PlanID: id, Updated: time.Now()}); err != nil {
		t.Fatal(err)
	}
	recordKept := func(when string) {
		t.Helper()
		if rec, err := store.Load(ctx, id); err != nil || rec == nil {
			t.Fatalf("%s: throttle record gone (%v, %v)", when, rec, err)
		}
	}
	// execute's lock, as execute takes it (its own ZooKeeper session).
	held, err := clusterlock.Acquire(ctx, clusterlock.Options{ZooKeeper: k.ZK(t), Plan: id, Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()

	code, stdout, stderr := runFdud(t, complete, "verify", "--zookeeper", k.ZooKeeperConnect, "--format", "json")
	if code != exitInProgress {
		t.Errorf("verify while execute holds the lock: exit %d, want %d\n%s", code, exitInProgress, stderr)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("fdud execute (pid %d, host %s) still holds the cluster lock: throttles kept; run verify again when it finishes.", os.Getpid(), host)
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if err := schemas.Validate(schemas.VerifyReport, []byte(stdout)); err != nil {
		t.Errorf("report: %v\n%s", err, stdout)
	}
	var rep struct {
		Outcome    string `json:"outcome"`
		LockHolder *struct {
			ThisPlan bool `json:"executing_this_plan"`
		} `json:"lock_holder"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Outcome != "in_progress" || rep.LockHolder == nil || !rep.LockHolder.ThisPlan {
		t.Errorf("report: %+v (%v), want in_progress with execute of this plan holding the lock\n%s", rep, err, stdout)
	}
	recordKept("after verify")

	// --preserve-throttles leaves the lock alone: the plan is complete.
	if code, _, stderr := runFdud(t, complete, "verify", "--zookeeper", k.ZooKeeperConnect, "--preserve-throttles"); code != exitOK {
		t.Errorf("verify --preserve-throttles: exit %d, want 0\n%s", code, stderr)
	}
	recordKept("after verify --preserve-throttles")

	// --wait keeps waiting while the lock is held; execute lets go once
	// verify says it is waiting for it.
	errw := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fdud", "verify", "--zookeeper", k.ZooKeeperConnect, "--wait", "--timeout", "90s",
			"--poll-interval", "100ms"}, strings.NewReader(complete), io.Discard, errw)
	}()
	for !strings.Contains(errw.String(), "holds the cluster lock: waiting for it to finish") {
		select {
		case code := <-done:
			t.Fatalf("verify --wait returned (exit %d) without waiting for the lock:\n%s", code, errw)
		case <-ctx.Done():
			t.Fatalf("verify --wait never said it waits for the lock:\n%s", errw)
		case <-time.After(20 * time.Millisecond):
		}
	}
	recordKept("while verify --wait waits")
	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != exitOK {
		t.Errorf("verify --wait once the lock is free: exit %d, want 0\n%s", code, errw)
	}
	if !strings.Contains(errw.String(), "Throttles: removed") {
		t.Errorf("verify --wait did not remove the throttles:\n%s", errw)
	}
	if rec, err := store.Load(ctx, id); err != nil || rec != nil {
		t.Errorf("throttle record still there (%v, %v)", rec, err)
	}
	// verify gave the lock back.
	l, err := clusterlock.Acquire(ctx, clusterlock.Options{ZooKeeper: k.ZK(t), Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatalf("lock not released by verify: %v", err)
	}
	l.Release()
}
