package throttle

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/kafka"
)

// eventsMoves shares brokers 1 and 3 with ordersMoves (another topic).
var eventsMoves = []Move{{TP: tp("events", 0), Current: []int32{1, 4}, Target: []int32{3, 4}}}

// rig runs plans' throttles against one kafka.Fake and one store.
type rig struct {
	t     *testing.T
	cl    *kafka.Fake
	store Store
}

func newRig(t *testing.T, id string, before configs) *rig {
	t.Helper()
	store, err := OpenStore(context.Background(), StoreOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cl := newFakeWith(kafka.FakeOptions{}, id, before)
	return &rig{t: t, cl: cl, store: store}
}

func (r *rig) apply(plan string, rate int64, moves []Move) {
	r.t.Helper()
	if _, err := Apply(context.Background(), r.cl, r.store, Request{PlanID: plan, Rate: rate, Moves: moves, Settle: fast}, nil); err != nil {
		r.t.Fatalf("apply %s: %v", plan, err)
	}
}

func (r *rig) cleanup(plan string) Removal {
	r.t.Helper()
	rm, err := CleanupSettle(context.Background(), r.cl, r.store, plan, nil, fast)
	if err != nil || !rm.Removed {
		r.t.Fatalf("clean up %s: %+v, %v", plan, rm, err)
	}
	if len(rm.Warnings) > 0 {
		r.t.Errorf("clean up %s: warnings %q", plan, rm.Warnings)
	}
	return rm
}

func (r *rig) load(plan string) *Record {
	r.t.Helper()
	rec, err := r.store.Load(context.Background(), plan)
	if err != nil {
		r.t.Fatal(err)
	}
	return rec
}

func (r *rig) want(when string, want configs) {
	r.t.Helper()
	if !reflect.DeepEqual(configsOf(r.cl), want) {
		r.t.Errorf("%s:\n got %v\nwant %v", when, configsOf(r.cl), want)
	}
}

// Two plans of fdud throttle the same brokers (the second run with
// --additional). Whichever is cleaned up first, the other keeps what it
// relies on, and once both are done the cluster is as it was: no throttle
// of fdud's is left behind, none an operator set is lost.
func TestCleanupHandsOverWhatAnotherPlanRelies(t *testing.T) {
	operator := configs{broker(1): {lRate: "5000"}, topic("orders"): {"retention.ms": "1"}}
	tests := []struct {
		name         string
		rateA, rateB int64
		first        string // plan cleaned up first
		afterFirst   configs
	}{
		{
			name: "the second plan relies on the first one's lower rates", rateA: 1000, rateB: 2000, first: "a",
			afterFirst: configs{
				// brokers 1 and 3 keep plan a's rate for plan b; broker 2 was plan a's only
				broker(1): {lRate: "1000", fRate: "1000"}, broker(3): {lRate: "1000", fRate: "1000"},
				broker(4):       {lRate: "2000", fRate: "2000"},
				topic("orders"): {"retention.ms": "1"},
				topic("events"): {lList: "0:1,0:4", fList: "0:3"},
			},
		},
		{
			name: "the second plan lowered the first one's rates", rateA: 2000, rateB: 1000, first: "a",
			afterFirst: configs{
				broker(1): {lRate: "1000", fRate: "1000"}, broker(3): {lRate: "1000", fRate: "1000"},
				broker(4):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {"retention.ms": "1"},
				topic("events"): {lList: "0:1,0:4", fList: "0:3"},
			},
		},
		{
			name: "the second plan is cleaned up first, relying", rateA: 1000, rateB: 2000, first: "b",
			afterFirst: configs{
				broker(1): {lRate: "1000", fRate: "1000"}, broker(2): {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {"retention.ms": "1", lList: "0:1,0:2", fList: "0:3"},
			},
		},
		{
			name: "the second plan is cleaned up first, lowered", rateA: 2000, rateB: 1000, first: "b",
			afterFirst: configs{
				broker(1): {lRate: "2000", fRate: "2000"}, broker(2): {lRate: "2000", fRate: "2000"},
				broker(3):       {lRate: "2000", fRate: "2000"},
				topic("orders"): {"retention.ms": "1", lList: "0:1,0:2", fList: "0:3"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, "cluster-1", operator)
			r.apply("a", tc.rateA, ordersMoves)
			r.apply("b", tc.rateB, eventsMoves)
			second := map[string]string{"a": "b", "b": "a"}[tc.first]
			rm := r.cleanup(tc.first)
			r.want("after the first clean-up", tc.afterFirst)
			if tc.first == "a" && len(rm.Changes) == 0 {
				t.Error("the first clean-up removed nothing of plan a's own")
			}
			r.cleanup(second)
			r.want("after both clean-ups", operator)
		})
	}
}

// The same partition in two plans: the replica-list entries the first plan
// added stay for the second, and the lists fdud created go with the last.
func TestCleanupHandsOverListEntries(t *testing.T) {
	r := newRig(t, "cluster-1", nil)
	r.apply("a", 1000, ordersMoves)
	r.apply("b", 1000, ordersMoves[:1])
	r.cleanup("a")
	r.want("after plan a's clean-up", configs{
		broker(1): {lRate: "1000", fRate: "1000"}, broker(2): {lRate: "1000", fRate: "1000"},
		broker(3):       {lRate: "1000", fRate: "1000"},
		topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
	})
	b := r.load("b")
	if c := b.find(topic("orders"), lList); c == nil || c.Before != nil || !reflect.DeepEqual(c.Added, []string{"0:1", "0:2"}) {
		t.Errorf("plan b's record of the leader list: %+v", c)
	}
	r.cleanup("b")
	r.want("after both clean-ups", configs{})
}

// The second plan also added entries of its own to a list an operator
// started: after both clean-ups the operator's list is as it was, and no
// clean-up mistakes fdud's entries for somebody else's.
func TestCleanupHandsOverEntriesOfAnOperatorList(t *testing.T) {
	operator := configs{topic("orders"): {lList: "5:9"}}
	r := newRig(t, "cluster-1", operator)
	r.apply("a", 1000, ordersMoves)
	r.apply("b", 1000, append(ordersMoves[:1:1], Move{TP: tp("orders", 2), Current: []int32{2, 3}, Target: []int32{4, 3}}))
	r.cleanup("a")
	if got := configsOf(r.cl)[topic("orders")][lList]; got != "5:9,0:1,0:2,2:2,2:3" {
		t.Errorf("leader list after plan a's clean-up: %q", got)
	}
	r.cleanup("b")
	r.want("after both clean-ups", operator)
}

// A clean-up interrupted after it handed over (and before it changed the
// cluster) is run again: nothing is handed over twice.
func TestHandoverIsIdempotent(t *testing.T) {
	r := newRig(t, "cluster-1", configs{broker(1): {lRate: "5000"}})
	r.apply("a", 2000, ordersMoves)
	r.apply("b", 1000, eventsMoves)
	r.apply("c", 3000, eventsMoves)
	recA := r.load("a")
	if _, err := handOver(context.Background(), r.store, recA, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	b1, c1 := r.load("b"), r.load("c")
	rest, changed, _ := Handover(recA, []*Record{b1, c1})
	b2, c2 := r.load("b"), r.load("c")
	for _, h := range changed {
		if h.PlanID == "b" {
			b2 = h
		} else {
			c2 = h
		}
	}
	if !reflect.DeepEqual(b1, b2) || !reflect.DeepEqual(c1, c2) {
		t.Errorf("second hand-over changed the heirs:\nb %+v\n  %+v\nc %+v\n  %+v", b1, b2, c1, c2)
	}
	for _, c := range rest.Configs {
		if c.Kind == broker(1).Kind && (c.Name == "1" || c.Name == "3") {
			t.Errorf("plan a would still undo %+v", c)
		}
	}
	r.cleanup("a")
	r.cleanup("b")
	r.cleanup("c")
	r.want("after every clean-up", configs{broker(1): {lRate: "5000"}})
}

// Records of another cluster in the same store are neither heirs nor
// usable: the same plan run against two clusters from one machine.
func TestRecordsOfAnotherCluster(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "cluster-1", nil)
	other := newFakeWith(kafka.FakeOptions{}, "cluster-2", nil)
	if _, err := Apply(ctx, other, r.store, Request{PlanID: "b", Rate: 1000, Moves: eventsMoves, Settle: fast}, nil); err != nil {
		t.Fatal(err)
	}
	r.apply("a", 1000, ordersMoves)
	bBefore := r.load("b")
	r.cleanup("a")
	r.want("plan a's clean-up on cluster-1", configs{})
	if b := r.load("b"); !reflect.DeepEqual(b, bBefore) {
		t.Errorf("cluster-2's record changed:\n%+v\n%+v", bBefore, b)
	}

	_, err := Apply(ctx, r.cl, r.store, Request{PlanID: "b", Rate: 1000, Moves: eventsMoves, Settle: fast}, nil)
	if err == nil || !strings.Contains(err.Error(), "belongs to cluster cluster-2") {
		t.Errorf("apply over another cluster's record: %v", err)
	}
	if _, err := Cleanup(ctx, r.cl, r.store, "b", nil); err == nil || !strings.Contains(err.Error(), "belongs to cluster cluster-2") {
		t.Errorf("clean-up of another cluster's record: %v", err)
	}
	r.want("cluster-1 after the refusals", configs{})
	if _, err := Cleanup(ctx, other, r.store, "b", nil); err != nil {
		t.Fatal(err)
	}
	if len(configsOf(other)) != 0 {
		t.Errorf("cluster-2 after its clean-up: %v", configsOf(other))
	}
}

// Without a cluster id (Kafka before 0.10.1, or a cluster that cannot say)
// nothing is handed over: clean-up undoes the plan's own throttles, as
// before hand-over existed.
func TestHandoverNeedsAClusterID(t *testing.T) {
	a := &Record{PlanID: "a", Configs: []ConfigRecord{{Kind: broker(1).Kind, Name: "1", Key: lRate, Set: "1000"}}}
	b := &Record{PlanID: "b", Uses: []Use{{Kind: broker(1).Kind, Name: "1", Key: lRate}}}
	rest, changed, notes := Handover(a, []*Record{b})
	if !reflect.DeepEqual(rest.Configs, a.Configs) || changed != nil || notes != nil {
		t.Errorf("rest %+v, changed %v, notes %q", rest, changed, notes)
	}
	a.Cluster, b.Cluster = "c", "c"
	rest, changed, notes = Handover(a, []*Record{b})
	if len(rest.Configs) != 0 || len(changed) != 1 || len(notes) != 1 || len(b.Configs) != 1 {
		t.Errorf("with a cluster id: rest %+v, changed %v, notes %q, heir %+v", rest, changed, notes, b)
	}
}
