package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/compat"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/throttle"
)

// Regression: --verify goes through verify's throttle clean-up, which must
// not remove the throttles while a batching fdud execute of the plan holds
// the cluster lock (nothing in flight between two batches). Real Kafka 0.9
// through the ZooKeeper path; the lock is ZooKeeper's /fdud/lock.
func TestVerifyKeepsThrottlesWhileExecuteHoldsLock(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 1})
	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1}})
	ctx := context.Background()
	planJSON := `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1]}]}`
	planFile := writeFile(t, "plan.json", planJSON+"\n")
	plan, err := cluster.ParseAssignment([]byte(planJSON))
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
	held, err := clusterlock.Acquire(ctx, clusterlock.Options{ZooKeeper: k.ZK(t), Plan: id, Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()

	out, errText, err := compatRun(t, "--zookeeper", k.ZooKeeperConnect, "--verify", "--reassignment-json-file", planFile)
	if !errors.Is(err, cluster.ErrInProgress) {
		t.Errorf("--verify while execute holds the lock: %v, want %v (exit 3)", err, cluster.ErrInProgress)
	}
	if kerr := kafkaExit(compat.Verify, err); kerr != nil {
		t.Errorf("with --kafka-exit-codes: %v, want exit 0", kerr)
	}
	if !strings.Contains(out, "Reassignment of partition [orders,0] completed successfully") {
		t.Errorf("--verify's Kafka lines:\n%s", out)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("fdud execute (pid %d, host %s) still holds the cluster lock: throttles kept", os.Getpid(), host)
	if !strings.Contains(errText, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errText)
	}
	if rec, err := store.Load(ctx, id); err != nil || rec == nil {
		t.Fatalf("throttle record removed while execute holds the lock (%v, %v)", rec, err)
	}

	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	if _, errText, err := compatRun(t, "--zookeeper", k.ZooKeeperConnect, "--verify", "--reassignment-json-file", planFile); err != nil {
		t.Fatalf("--verify once the lock is free: %v\n%s", err, errText)
	}
	if rec, err := store.Load(ctx, id); err != nil || rec != nil {
		t.Errorf("throttle record still there (%v, %v)", rec, err)
	}
}
