package throttle

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/kafka"
)

// Issue 9 (real Kafka 0.9): a failed --throttle left a record of throttles
// that never existed, and every later verify of the plan failed on it. The
// record now describes only what was set: here nothing, so there is none.
func TestApplyOnBrokersWithoutDynamicConfigs(t *testing.T) {
	ctx := context.Background()
	before := configs{topic("orders"): {"cleanup.policy": "compact"}}
	cl := newFakeWith(kafka.FakeOptions{ZooKeeper: true, Release: "0.9.0.1"}, "", before)
	store := tempStore(t)
	_, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1]}, nil)
	if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "nothing was set") {
		t.Fatalf("Apply: %v, want the broker's refusal and nothing set", err)
	}
	if rec, err := store.Load(ctx, "plan-1"); rec != nil || err != nil {
		t.Errorf("record left behind: %+v, %v", rec, err)
	}
	if !reflect.DeepEqual(configsOf(cl), before) {
		t.Errorf("configs changed: %v", configsOf(cl))
	}
}

// A stale record an older fdud left (broker rates it meant to set on Kafka
// 0.9) no longer fails every clean-up: the clean-up drops it, saying so.
func TestCleanupDropsAStaleRecord(t *testing.T) {
	ctx := context.Background()
	store := tempStore(t)
	applied := newFake(configs{})
	if _, err := Apply(ctx, applied, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1]}, nil); err != nil {
		t.Fatal(err)
	}
	// The cluster turns out to run Kafka 0.9, whose brokers hold no dynamic
	// configs (an older fdud recorded rates it meant to set): what the
	// record says of them is stale. Its topics keep fdud's throttles.
	topics := configs{topic("orders"): configsOf(applied)[topic("orders")]}
	cl := newFakeWith(kafka.FakeOptions{ZooKeeper: true, Release: "0.9.0.1"}, "", topics)
	rm, err := Cleanup(ctx, cl, store, "plan-1", nil)
	if err != nil || !rm.Removed {
		t.Fatalf("Cleanup: %+v, %v", rm, err)
	}
	if len(rm.Warnings) == 0 || !strings.Contains(strings.Join(rm.Warnings, "\n"), "stale") {
		t.Errorf("no word of the stale record: %v", rm.Warnings)
	}
	if rec, _ := store.Load(ctx, "plan-1"); rec != nil {
		t.Error("the stale record is still there")
	}
	if got := configsOf(cl)[topic("orders")]; len(got) != 0 {
		t.Errorf("topic throttles left: %v", got)
	}
}
