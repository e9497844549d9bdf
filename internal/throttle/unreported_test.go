package throttle

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/kafka"
)

// Pins the real Kafka 2.4.1 failure: its DescribeConfigs leaves the broker
// throttle rates out, so fdud read the rates it had just set as unset,
// waited in vain for them to show, took them for changed by someone else in
// the clean-up and left every broker throttled. A rate that cannot be read
// is unknown: Apply sets it (saying it cannot see an operator's rate), the
// clean-up removes it as the record says, and neither waits for a change it
// cannot see.
func TestRatesTheBrokerDoesNotReport(t *testing.T) {
	ctx := context.Background()
	before := configs{topic("orders"): {"cleanup.policy": "compact"}}
	cl := newFakeWith(kafka.FakeOptions{Release: "2.4.1"}, "", before)
	store := tempStore(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	rec, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1]}, log)
	if err != nil || rec == nil {
		t.Fatalf("Apply: %v, %v", rec, err)
	}
	for _, b := range []Entity{broker(1), broker(2), broker(3)} {
		if got := configsOf(cl)[b]; got[lRate] != "1000" || got[fRate] != "1000" {
			t.Errorf("%v after Apply: %v, want both rates 1000", b, got)
		}
	}
	if !strings.Contains(logs.String(), "does not report") {
		t.Errorf("Apply does not say it cannot see the rates:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "does not show") {
		t.Errorf("Apply waited for changes it cannot see:\n%s", logs.String())
	}
	// A re-run of the same plan keeps its rates.
	if _, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1]}, log); err != nil {
		t.Fatal(err)
	}
	for _, b := range []Entity{broker(1), broker(2), broker(3)} {
		if got := configsOf(cl)[b]; got[lRate] != "1000" || got[fRate] != "1000" {
			t.Errorf("%v after a re-run: %v, want both rates 1000", b, got)
		}
	}
	// A re-run with a new --throttle takes the new rate (real 2.4.1: it
	// set the old rate again while saying it set the new one).
	rec, err = Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 5000, Moves: ordersMoves[:1]}, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Entity{broker(1), broker(2), broker(3)} {
		if got := configsOf(cl)[b]; got[lRate] != "5000" || got[fRate] != "5000" {
			t.Errorf("%v after a re-run at 5000: %v, want both rates 5000", b, got)
		}
	}
	for _, c := range rec.Configs {
		if !isListKey(c.Key) && c.Set != "5000" {
			t.Errorf("record after a re-run at 5000: %s %s %s set to %s", c.Kind, c.Name, c.Key, c.Set)
		}
	}
	logs.Reset()
	rm, err := Cleanup(ctx, cl, store, "plan-1", log)
	if err != nil || !rm.Removed {
		t.Fatalf("Cleanup: %+v, %v", rm, err)
	}
	if len(rm.Warnings) > 0 {
		t.Errorf("clean-up left values alone: %v", rm.Warnings)
	}
	if !reflect.DeepEqual(configsOf(cl), before) {
		t.Errorf("after clean-up: %v, want %v", configsOf(cl), before)
	}
	if strings.Contains(logs.String(), "does not show") {
		t.Errorf("clean-up waited for changes it cannot see:\n%s", logs.String())
	}
}

// Real Kafka 2.4.1: a second plan run beside the first could not see the
// first plan's rate of 1 and raised it to its own 2. The other plan's
// record says what the rate is.
func TestUnreportedRatesOfAnotherPlan(t *testing.T) {
	ctx := context.Background()
	cl := newFakeWith(kafka.FakeOptions{Release: "2.4.1"}, "cluster-1", configs{})
	store := tempStore(t)
	if _, err := Apply(ctx, cl, store, Request{PlanID: "first", Rate: 1, Moves: ordersMoves[:1]}, nil); err != nil {
		t.Fatal(err)
	}
	second := []Move{{TP: tp("other", 0), Current: []int32{1, 2}, Target: []int32{3, 2}}}
	if _, err := Apply(ctx, cl, store, Request{PlanID: "second", Rate: 2, Moves: second}, nil); err != nil {
		t.Fatal(err)
	}
	for _, b := range []Entity{broker(1), broker(2), broker(3)} {
		if got := configsOf(cl)[b]; got[lRate] != "1" || got[fRate] != "1" {
			t.Errorf("%v with both plans: %v, want the first plan's lower rate 1 kept", b, got)
		}
	}
	for _, id := range []string{"first", "second"} {
		if _, err := Cleanup(ctx, cl, store, id, nil); err != nil {
			t.Fatal(err)
		}
		if id == "first" {
			if got := configsOf(cl)[broker(3)]; got[lRate] != "1" {
				t.Errorf("after the first plan's clean-up broker 3 has %v: the second plan still relies on rate 1", got)
			}
		}
	}
	for e, kv := range configsOf(cl) {
		if e.Kind == "brokers" && len(kv) > 0 {
			t.Errorf("after both clean-ups %v still has %v", e, kv)
		}
	}
}
