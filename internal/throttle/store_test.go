package throttle

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
)

// storeConformance checks the Store contract on any implementation.
func storeConformance(t *testing.T, s Store) {
	ctx := context.Background()
	if rec, err := s.Load(ctx, "plan-none"); rec != nil || err != nil {
		t.Fatalf("Load of a missing record = %v, %v; want nil, nil", rec, err)
	}
	if ids, err := s.List(ctx); len(ids) != 0 || err != nil {
		t.Fatalf("List of an empty store = %v, %v", ids, err)
	}
	rec := &Record{Version: 1, PlanID: "plan-a", Rate: 10, Updated: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Configs: []ConfigRecord{{Kind: kafka.BrokerEntity, Name: "1", Key: lRate, Before: ptr(""), Set: "10"}}}
	for range 2 { // create, then replace
		if err := s.Save(ctx, rec); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx, "plan-a")
		if err != nil || !reflect.DeepEqual(got, rec) {
			t.Fatalf("Load = %+v, %v; want %+v", got, err, rec)
		}
		rec.Rate = 20
	}
	if err := s.Save(ctx, &Record{PlanID: "plan-0", Cluster: "c1", Uses: []Use{{Kind: kafka.TopicEntity, Name: "orders", Key: lList, Entries: []string{"0:1"}}}}); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.List(ctx); !reflect.DeepEqual(ids, []string{"plan-0", "plan-a"}) || err != nil {
		t.Fatalf("List = %v, %v; want [plan-0 plan-a]", ids, err)
	}
	if got, err := s.Load(ctx, "plan-0"); err != nil || got.Cluster != "c1" || len(got.Uses) != 1 || got.Uses[0].Entries[0] != "0:1" {
		t.Fatalf("Load of a record with uses = %+v, %v", got, err)
	}
	if err := s.Delete(ctx, "plan-0"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Delete(ctx, "plan-a"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if got, _ := s.Load(ctx, "plan-a"); got != nil {
		t.Error("record still there after Delete")
	}
	if err := s.Save(ctx, &Record{PlanID: "../escape"}); err == nil {
		t.Error("a plan id with a path in it was accepted")
	}
}

func TestFileStore(t *testing.T) {
	s, err := OpenStore(context.Background(), StoreOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	storeConformance(t, s)
}

func TestZooKeeperStore(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	ctx := context.Background()
	conn := testenv.ConnectZooKeeper(t, fmt.Sprintf("%s/t%d", z.Addr, time.Now().UnixNano()))
	s, err := OpenStore(ctx, StoreOptions{ZooKeeper: conn})
	if err != nil {
		t.Fatal(err)
	}
	storeConformance(t, s)
	if err := s.Save(ctx, &Record{PlanID: "plan-b"}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := conn.Exists(context.Background(), ZNode+"/plan-b"); !ok {
		t.Errorf("record not at %s/plan-b", ZNode)
	}
}

// tempStore is a throttle record store in a state directory of the test's
// own.
func tempStore(t *testing.T) Store {
	t.Helper()
	s, err := OpenStore(context.Background(), StoreOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
