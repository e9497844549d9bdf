package throttle

import (
	"context"
	"reflect"
	"testing"
)

// Brokers apply config changes asynchronously: for a moment after
// IncrementalAlterConfigs (or a ZooKeeper config write), DescribeConfigs may
// still show the old value. These tests run Apply and Cleanup against a
// configCluster that does the same.

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
	cl := newConfigCluster(before)
	store, err := OpenStore(ctx, StoreOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves}, nil)
	if err != nil || rec == nil {
		t.Fatalf("Apply: %v, %v", rec, err)
	}
	// The broker clean-up asks has not applied any of it yet.
	old := configs{}
	for _, e := range rec.Entities() {
		old[e] = before[e]
	}
	cl.stale(old, 1)

	r, err := Cleanup(ctx, cl, store, "plan-1", nil)
	if err != nil || !r.Removed {
		t.Fatalf("Cleanup: %+v, %v", r, err)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
	if !reflect.DeepEqual(cl.configs, before) {
		t.Errorf("after clean-up:\n got %v\nwant %v", cl.configs, before)
	}
}
