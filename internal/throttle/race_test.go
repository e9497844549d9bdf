package throttle

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// Pins the reviewed bug: Apply and clean-up read a topic's throttled-replica
// lists, changed them and wrote them back whole (a SET on the Admin API
// path), so an entry an operator added between fdud's read and its write was
// lost. The lists are now edited with append and subtract, which the cluster
// applies to the list as it is when fdud writes.
func TestOperatorEntriesAddedBetweenReadAndWriteSurvive(t *testing.T) {
	ctx := context.Background()
	cl := newFake(configs{topic("orders"): {lList: "7:7", "retention.ms": "1"}})
	store := tempStore(t)
	// The operator adds entries to the topic's lists just before fdud's
	// first write of the topic's config, after fdud read it.
	operator := func(leader, follower string) (ran func() bool) {
		return beforeAlter(cl, func(e Entity) bool {
			if e != topic("orders") {
				return false
			}
			cfg := configsOf(cl)[e]
			cfg[lList] = appendEntry(cfg[lList], leader)
			cfg[fList] = appendEntry(cfg[fList], follower)
			cl.SetConfig(e.Kind, e.Name, cfg)
			return true
		})
	}

	ran := operator("9:9", "9:8")
	if _, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves, Settle: fast}, nil); err != nil {
		t.Fatal(err)
	}
	if !ran() {
		t.Fatal("Apply did not write the topic's config")
	}
	got := configsOf(cl)[topic("orders")]
	for key, want := range map[string][]string{lList: {"7:7", "9:9", "0:1", "0:2"}, fList: {"9:8", "0:3"}} {
		if !cluster.SameMembers(parseList(got[key]), want) {
			t.Errorf("after Apply: %s = %q, want the entries %v", key, got[key], want)
		}
	}

	// The follower list is one fdud created: with the operator's entry in
	// it, clean-up must not delete it.
	ran = operator("6:6", "6:5")
	r, err := CleanupSettle(ctx, cl, store, "plan-1", nil, fast)
	if err != nil || !r.Removed {
		t.Fatalf("clean-up: %+v, %v", r, err)
	}
	if !ran() {
		t.Fatal("clean-up did not write the topic's config")
	}
	want := configs{topic("orders"): {lList: "7:7,9:9,6:6", fList: "9:8,6:5", "retention.ms": "1"}}
	if !reflect.DeepEqual(configsOf(cl), want) {
		t.Errorf("after clean-up:\n got %v\nwant %v", configsOf(cl), want)
	}
}

// An operator who sets a list to "*" between fdud's read and its write:
// fdud never appends to "*", so Apply fails without changing the topic (the
// record stays for clean-up), and clean-up leaves "*" alone.
func TestOperatorWildcardBetweenReadAndWrite(t *testing.T) {
	ctx := context.Background()
	before := configs{topic("orders"): {lList: "7:7"}}
	cl := newFake(before)
	store := tempStore(t)
	beforeAlter(cl, func(e Entity) bool {
		if e != topic("orders") {
			return false
		}
		cl.SetConfig(e.Kind, e.Name, map[string]string{lList: "*"})
		return true
	})
	_, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves, Settle: fast}, nil)
	if !errors.Is(err, kafka.ErrWildcardList) || !strings.Contains(err.Error(), "record plan-1 kept") {
		t.Fatalf("Apply: %v", err)
	}
	if got := configsOf(cl)[topic("orders")]; !reflect.DeepEqual(got, map[string]string{lList: "*"}) {
		t.Errorf("topic config after the failed Apply: %v", got)
	}
	r, err := CleanupSettle(ctx, cl, store, "plan-1", nil, fast)
	if err != nil || !r.Removed {
		t.Fatalf("clean-up: %+v, %v", r, err)
	}
	if !slices.Equal(r.Warnings, []string{`topic orders: leader.replication.throttled.replicas is "*" (set by someone else since): leaving it`}) {
		t.Errorf("warnings %q", r.Warnings)
	}
	if want := (configs{topic("orders"): {lList: "*"}}); !reflect.DeepEqual(configsOf(cl), want) {
		t.Errorf("after clean-up:\n got %v\nwant %v", configsOf(cl), want)
	}
}

func appendEntry(list, e string) string {
	es := parseList(list)
	if slices.Contains(es, e) {
		return list
	}
	return formatList(append(es, e))
}
