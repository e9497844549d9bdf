package throttle

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/kafka"
)

// fast polls at once; the timeout is only reached when a test fails.
var fast = Settle{Timeout: time.Minute, Interval: time.Microsecond}

// Brokers apply config changes asynchronously: for a moment after
// IncrementalAlterConfigs (or a ZooKeeper config write), DescribeConfigs may
// still show the old value. These tests run Apply and Cleanup against a
// kafka.Fake that does the same (SetConfigLag, ShowStale).

// Pins bug 1(a): clean-up read keys that still showed their value from
// before fdud (the broker had not applied fdud's change yet), counted them
// as already restored and deleted the record, so fdud's throttles stayed on
// the cluster for good (execute | verify --wait with small partitions that
// finish at once).
func TestCleanupRestoresKeysThatStillReadAsBefore(t *testing.T) {
	ctx := context.Background()
	before := configs{
		broker(1):       {fRate: "5000"},
		topic("orders"): {fList: "5:8", "cleanup.policy": "compact"},
	}
	cl := newFake(before)
	store := tempStore(t)
	rec, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves}, nil)
	if err != nil || rec == nil {
		t.Fatalf("Apply: %v, %v", rec, err)
	}
	// The broker clean-up asks has not applied any of it yet.
	old := configs{}
	for _, e := range rec.Entities() {
		old[e] = before[e]
	}
	showStale(cl, old, 1)

	r, err := Cleanup(ctx, cl, store, "plan-1", nil)
	if err != nil || !r.Removed {
		t.Fatalf("Cleanup: %+v, %v", r, err)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
	if !reflect.DeepEqual(configsOf(cl), before) {
		t.Errorf("after clean-up:\n got %v\nwant %v", configsOf(cl), before)
	}
}

// Pins bug 1(b): an execute re-run right after a clean-up read fdud's own
// rate, which the broker still showed, recorded it as the operator's value
// from before, and its clean-up then put fdud's old rate back for good.
func TestRerunRightAfterCleanupSeesTheCleanedUpValues(t *testing.T) {
	ctx := context.Background()
	before := configs{broker(1): {fRate: "5000"}}
	cl := newFake(before)
	store := tempStore(t)
	req := Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves, Settle: fast}
	if _, err := Apply(ctx, cl, store, req, nil); err != nil {
		t.Fatal(err)
	}
	cl.SetConfigLag(2) // from here on, brokers show each change two reads late
	if _, err := CleanupSettle(ctx, cl, store, "plan-1", nil, fast); err != nil {
		t.Fatal(err)
	}
	req.Rate = 500
	rec, err := Apply(ctx, cl, store, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Configs {
		if c.Kind == broker(1).Kind && c.Name == "1" {
			want := map[string]*string{lRate: nil, fRate: ptr("5000")}[c.Key]
			if !reflect.DeepEqual(c.Before, want) {
				t.Errorf("re-run recorded broker 1 %s as %s before fdud, want %s", c.Key, show(deref(c.Before)), show(deref(want)))
			}
		}
	}
	if _, err := CleanupSettle(ctx, cl, store, "plan-1", nil, fast); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(configsOf(cl), before) {
		t.Errorf("after the second clean-up:\n got %v\nwant %v", configsOf(cl), before)
	}
}

func TestApplyAndCleanupWaitForBrokersToShowTheirChanges(t *testing.T) {
	ctx := context.Background()
	cl := newFake(configs{broker(1): {fRate: "5000"}})
	cl.SetConfigLag(3)
	store := tempStore(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if _, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves, Settle: fast}, log); err != nil {
		t.Fatal(err)
	}
	if !cl.ConfigsShown() {
		t.Error("Apply returned before DescribeConfigs showed its changes")
	}
	if _, err := CleanupSettle(ctx, cl, store, "plan-1", log, fast); err != nil {
		t.Fatal(err)
	}
	if !cl.ConfigsShown() {
		t.Error("Cleanup returned before DescribeConfigs showed its changes")
	}
	if strings.Contains(logs.String(), "does not show") {
		t.Errorf("warned although the changes showed:\n%s", logs.String())
	}
}

func TestSettleTimeoutIsAWarningNotAnError(t *testing.T) {
	ctx := context.Background()
	before := configs{broker(1): {fRate: "5000"}}
	cl := newFake(before)
	cl.SetConfigLag(1 << 30) // never shows
	store := tempStore(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	short := Settle{Timeout: 20 * time.Millisecond, Interval: time.Millisecond}
	rec, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1], Settle: short}, log)
	if err != nil || rec == nil {
		t.Fatalf("Apply: %v, %v", rec, err)
	}
	if !strings.Contains(logs.String(), "throttle: broker 1: DescribeConfigs does not show follower.replication.throttled.rate=1000, leader.replication.throttled.rate=1000 yet after 20ms") {
		t.Errorf("no warning about broker 1:\n%s", logs.String())
	}
	logs.Reset()
	cl.SetConfigLag(0)
	freeze(cl) // shows fdud's throttles from now on
	r, err := CleanupSettle(ctx, cl, store, "plan-1", log, short)
	if err != nil || !r.Removed {
		t.Fatalf("Cleanup: %+v, %v", r, err)
	}
	if !strings.Contains(logs.String(), "throttle clean-up: broker 1: DescribeConfigs does not show follower.replication.throttled.rate=5000, leader.replication.throttled.rate deleted yet") {
		t.Errorf("no warning about broker 1:\n%s", logs.String())
	}
	if rec, _ := store.Load(ctx, "plan-1"); rec != nil {
		t.Error("record kept although the changes were made")
	}
	if !reflect.DeepEqual(configsOf(cl), before) {
		t.Errorf("after clean-up %v, want %v", configsOf(cl), before)
	}
}

func TestSettleStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cl := newFake(nil)
	store := tempStore(t)
	if _, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1], Settle: fast}, nil); err != nil {
		t.Fatal(err)
	}
	freeze(cl)
	reads := 0
	cl.Before("DescribeConfigs", func(kafka.FakeCall) error {
		if reads++; reads == 3 {
			cancel()
		}
		return nil
	})
	_, err := CleanupSettle(ctx, cl, store, "plan-1", nil, Settle{Timeout: time.Hour, Interval: time.Millisecond})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "record kept") {
		t.Errorf("got %v, want the context's error", err)
	}
	if rec, _ := store.Load(context.Background(), "plan-1"); rec == nil {
		t.Error("record deleted by an interrupted clean-up")
	}
}
