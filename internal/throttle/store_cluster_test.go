package throttle

import (
	"context"
	"reflect"
	"testing"

	"github.com/fdud/fdud/internal/clusterstate"
)

// A plan executed by an fdud that kept its record in the state directory
// is cleaned up by one that keeps records in the cluster.
func TestClusterStoreFindsLocalRecords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	local, err := OpenStore(ctx, StoreOptions{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Save(ctx, &Record{Version: 1, PlanID: "old-plan", Rate: 1000}); err != nil {
		t.Fatal(err)
	}
	mem := clusterstate.NewMemTopic()
	s, err := OpenStore(ctx, StoreOptions{StateDir: dir, Kafka: mem})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, &Record{Version: 1, PlanID: "new-plan"}); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.List(ctx); err != nil || !reflect.DeepEqual(ids, []string{"new-plan", "old-plan"}) {
		t.Errorf("List = %v, %v", ids, err)
	}
	rec, err := s.Load(ctx, "old-plan")
	if err != nil || rec == nil || rec.Rate != 1000 {
		t.Fatalf("Load of the local record = %+v, %v", rec, err)
	}
	// Saving moves it to the cluster.
	if err := s.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if r, err := local.Load(ctx, "old-plan"); err != nil || r != nil {
		t.Errorf("local copy after Save: %+v, %v", r, err)
	}
	other, err := OpenStore(ctx, StoreOptions{StateDir: t.TempDir(), Kafka: mem}) // another host
	if err != nil {
		t.Fatal(err)
	}
	if r, err := other.Load(ctx, "old-plan"); err != nil || r == nil || r.Rate != 1000 {
		t.Errorf("another host loads %+v, %v", r, err)
	}
	if err := other.Delete(ctx, "old-plan"); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Load(ctx, "old-plan"); err != nil || r != nil {
		t.Errorf("after Delete: %+v, %v", r, err)
	}
}
