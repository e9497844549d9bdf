package throttle

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
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
	cl := newConfigCluster(before)
	cl.ratesUnreported = true
	store, err := OpenStore(ctx, StoreOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	rec, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1]}, log)
	if err != nil || rec == nil {
		t.Fatalf("Apply: %v, %v", rec, err)
	}
	for _, b := range []Entity{broker(1), broker(2), broker(3)} {
		if got := cl.configs[b]; got[lRate] != "1000" || got[fRate] != "1000" {
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
	logs.Reset()
	rm, err := Cleanup(ctx, cl, store, "plan-1", log)
	if err != nil || !rm.Removed {
		t.Fatalf("Cleanup: %+v, %v", rm, err)
	}
	if len(rm.Warnings) > 0 {
		t.Errorf("clean-up left values alone: %v", rm.Warnings)
	}
	if !reflect.DeepEqual(cl.configs, before) {
		t.Errorf("after clean-up: %v, want %v", cl.configs, before)
	}
	if strings.Contains(logs.String(), "does not show") {
		t.Errorf("clean-up waited for changes it cannot see:\n%s", logs.String())
	}
}
