package throttle

import (
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

const (
	lRate = kafka.LeaderThrottledRate
	fRate = kafka.FollowerThrottledRate
	dRate = kafka.LogDirsThrottledRate
	lList = kafka.LeaderThrottledReplicas
	fList = kafka.FollowerThrottledReplicas
)

type configs = map[Entity]map[string]string

// orders-0 moves from [1,2] to [3,2]; orders-1 only changes its leader.
var ordersMoves = []Move{
	{TP: tp("orders", 0), Current: []int32{1, 2}, Target: []int32{3, 2}},
	{TP: tp("orders", 1), Current: []int32{1, 2}, Target: []int32{2, 1}},
}

// restoredConfigs returns the configuration after clean-up's two steps:
// Restore's changes, then Tidy's on what they give.
func restoredConfigs(t *testing.T, rec *Record, current configs) (configs, []Change, []string) {
	t.Helper()
	changes, warnings := Restore(rec, current)
	got := appliedConfigs(t, current, changes)
	return appliedConfigs(t, got, Tidy(rec, got)), changes, warnings
}

// appliedConfigs returns the configuration after applying changes.
func appliedConfigs(t *testing.T, before configs, changes []Change) configs {
	t.Helper()
	cl := newFake(before)
	if err := apply(context.Background(), cl, changes, slog.New(slog.DiscardHandler), "test"); err != nil {
		t.Fatal(err)
	}
	return configsOf(cl)
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name     string
		req      Request
		current  configs
		prev     *Record
		want     configs // configuration after applying the changes
		warnings []string
	}{
		{
			name: "nothing set before: Kafka's semantics",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves},
			want: configs{
				broker(1):       {lRate: "1000", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
		},
		{
			name: "no rate: nothing",
			req:  Request{PlanID: "p", Moves: ordersMoves},
			want: configs{},
		},
		{
			name: "operator lists are extended, not overwritten",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves},
			current: configs{
				topic("orders"): {lList: "5:9,0:1", fList: "5:8", "retention.ms": "1"},
			},
			want: configs{
				broker(1):       {lRate: "1000", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "5:9,0:1,0:2", fList: "5:8,0:3", "retention.ms": "1"},
			},
		},
		{
			name: "wildcard covers everything",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{
				topic("orders"): {lList: "*", fList: " * "},
			},
			want: configs{
				broker(1):       {lRate: "1000", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "*", fList: " * "},
			},
		},
		{
			name: "operator's lower rate is never raised, a higher one is lowered",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{
				broker(1): {lRate: "500", fRate: "5000"},
				broker(2): {lRate: "1000"},
			},
			want: configs{
				broker(1):       {lRate: "500", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
		},
		// Pin bug 2: a cluster-wide default rate (kafka-configs --entity-type
		// brokers --entity-default) was taken for unset, and fdud set
		// per-broker rates above it.
		{
			name: "operator's cluster-wide default at or below the request: no per-broker rate",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{
				clusterDefault: {lRate: "500", fRate: "1000"},
			},
			want: configs{
				clusterDefault:  {lRate: "500", fRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
		},
		{
			name: "operator's cluster-wide default above the request: lowered per broker, default untouched",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{
				clusterDefault: {lRate: "5000"},
			},
			want: configs{
				clusterDefault:  {lRate: "5000"},
				broker(1):       {lRate: "1000", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
		},
		{
			name: "a broker's own rate overrides the cluster-wide default",
			req:  Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{
				clusterDefault: {lRate: "500"},
				broker(1):      {lRate: "2000"},
				broker(2):      {lRate: "800"},
			},
			want: configs{
				clusterDefault:  {lRate: "500"},
				broker(1):       {lRate: "1000", fRate: "1000"},
				broker(2):       {lRate: "800", fRate: "1000"},
				broker(3):       {fRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
		},
		{
			name: "re-run with a higher rate stays within the cluster-wide default",
			req:  Request{PlanID: "p", Rate: 3000, Moves: ordersMoves[:0]},
			current: configs{
				clusterDefault: {lRate: "2000"},
				broker(1):      {lRate: "1000", fRate: "1000"},
			},
			prev: &Record{PlanID: "p", Rate: 1000, Configs: []ConfigRecord{
				{Kind: kafka.BrokerEntity, Name: "1", Key: lRate, Set: "1000"},
				{Kind: kafka.BrokerEntity, Name: "1", Key: fRate, Set: "1000"},
			}},
			want: configs{
				clusterDefault: {lRate: "2000"},
				broker(1):      {lRate: "2000", fRate: "3000"},
			},
		},
		{
			name:    "unreadable cluster-wide default: no per-broker rate",
			req:     Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{clusterDefault: {fRate: "fast"}},
			want: configs{
				clusterDefault:  {fRate: "fast"},
				broker(1):       {lRate: "1000"},
				broker(2):       {lRate: "1000"},
				broker(3):       {lRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
			warnings: []string{
				`broker 1: follower.replication.throttled.rate: the cluster-wide default is "fast", not a number: leaving it`,
				`broker 2: follower.replication.throttled.rate: the cluster-wide default is "fast", not a number: leaving it`,
				`broker 3: follower.replication.throttled.rate: the cluster-wide default is "fast", not a number: leaving it`,
			},
		},
		{
			name:    "unreadable rate is left alone",
			req:     Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{broker(1): {lRate: "fast"}},
			want: configs{
				broker(1):       {lRate: "fast", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "0:1,0:2", fList: "0:3"},
			},
			warnings: []string{`broker 1: leader.replication.throttled.rate is "fast", not a number: leaving it`},
		},
		{
			name: "log dir moves get the log dir rate on their brokers only",
			req: Request{PlanID: "p", LogDirRate: 77, Moves: []Move{
				{TP: tp("orders", 2), Current: []int32{1, 2}, Target: []int32{1, 2}, LogDirBrokers: []int32{2}},
			}},
			want: configs{broker(2): {dRate: "77"}},
		},
		{
			name: "re-run with a new rate updates every rate fdud set, within the operator's",
			req:  Request{PlanID: "p", Rate: 2000, Moves: ordersMoves[:0]},
			current: configs{
				broker(1): {lRate: "1000", fRate: "1000"},
				broker(2): {lRate: "1000", fRate: "1000"},
			},
			prev: &Record{PlanID: "p", Rate: 1000, Configs: []ConfigRecord{
				{Kind: kafka.BrokerEntity, Name: "1", Key: lRate, Set: "1000"},
				{Kind: kafka.BrokerEntity, Name: "1", Key: fRate, Set: "1000", Before: ptr("1500")},
				{Kind: kafka.BrokerEntity, Name: "2", Key: lRate, Set: "1000", Before: ptr("3000")},
				{Kind: kafka.BrokerEntity, Name: "2", Key: fRate, Set: "900"},
			}},
			want: configs{
				broker(1): {lRate: "2000", fRate: "1500"},
				broker(2): {lRate: "2000", fRate: "1000"},
			},
			warnings: []string{"broker 2: follower.replication.throttled.rate is \"1000\", not the 900 fdud set: changed by someone else since, leaving it"},
		},
		{
			name:    "re-run after a crash between record and change",
			req:     Request{PlanID: "p", Rate: 1000, Moves: ordersMoves[:1]},
			current: configs{topic("orders"): {lList: "7:7"}},
			prev: &Record{PlanID: "p", Rate: 1000, Configs: []ConfigRecord{
				{Kind: kafka.TopicEntity, Name: "orders", Key: lList, Before: ptr("7:7"), Set: "7:7,0:1,0:2", Added: []string{"0:1", "0:2"}},
				{Kind: kafka.BrokerEntity, Name: "1", Key: lRate, Set: "1000"},
			}},
			want: configs{
				broker(1):       {lRate: "1000", fRate: "1000"},
				broker(2):       {lRate: "1000", fRate: "1000"},
				broker(3):       {lRate: "1000", fRate: "1000"},
				topic("orders"): {lList: "7:7,0:1,0:2", fList: "0:3"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Merge(tt.req, tt.current, tt.prev)
			got := appliedConfigs(t, tt.current, m.Changes)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("configs after merge:\n got %v\nwant %v", got, tt.want)
			}
			if !slices.Equal(m.Warnings, tt.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", m.Warnings, tt.warnings)
			}
			// Restoring right away gives back the configuration we started from
			// (except what someone else changed, which is left as found).
			if m.Record != nil {
				back, _, _ := restoredConfigs(t, m.Record, got)
				if tt.prev == nil && !reflect.DeepEqual(back, nonEmpty(tt.current)) {
					t.Errorf("restore:\n got %v\nwant %v", back, tt.current)
				}
			}
		})
	}
}

func nonEmpty(c configs) configs {
	out := configs{}
	for e, kv := range c {
		if len(kv) > 0 {
			out[e] = maps.Clone(kv)
		}
	}
	return out
}

func TestRestore(t *testing.T) {
	rec := &Record{PlanID: "p", Configs: []ConfigRecord{
		{Kind: kafka.BrokerEntity, Name: "1", Key: lRate, Set: "1000"},
		{Kind: kafka.BrokerEntity, Name: "1", Key: fRate, Set: "1000", Before: ptr("5000")},
		{Kind: kafka.TopicEntity, Name: "orders", Key: lList, Set: "0:1,0:2", Added: []string{"0:1", "0:2"}},
		{Kind: kafka.TopicEntity, Name: "orders", Key: fList, Before: ptr("5:8"), Set: "5:8,0:3", Added: []string{"0:3"}},
	}}
	tests := []struct {
		name     string
		current  configs
		want     configs
		warnings []string
		rewrites []string // the changes, when they only write values again
	}{
		{
			name: "untouched since: everything restored",
			current: configs{
				broker(1):       {lRate: "1000", fRate: "1000", "other": "x"},
				topic("orders"): {lList: "0:1,0:2", fList: "5:8,0:3"},
			},
			want: configs{
				broker(1):       {fRate: "5000", "other": "x"},
				topic("orders"): {fList: "5:8"},
			},
		},
		{
			name: "already restored, or a stale read of the values before: restored again, no warning",
			// fdud's entries are subtracted all the same: the read may be stale.
			current: configs{
				broker(1):       {fRate: "5000"},
				topic("orders"): {fList: "5:8"},
			},
			want: configs{
				broker(1):       {fRate: "5000"},
				topic("orders"): {fList: "5:8"},
			},
			rewrites: []string{
				"broker 1: set follower.replication.throttled.rate=5000, delete leader.replication.throttled.rate",
				"topic orders: remove 0:3 from follower.replication.throttled.replicas, delete leader.replication.throttled.replicas",
			},
		},
		{
			name: "half restored (a stale read of one key): both restored",
			current: configs{
				broker(1):       {lRate: "1000", fRate: "5000"},
				topic("orders"): {lList: "0:1,0:2", fList: "5:8"},
			},
			want: configs{
				broker(1):       {fRate: "5000"},
				topic("orders"): {fList: "5:8"},
			},
		},
		{
			name: "changed by someone since: rates left, only fdud's list entries removed",
			current: configs{
				broker(1):       {lRate: "42", fRate: "1000"},
				topic("orders"): {lList: "0:1,9:9,0:2", fList: "*"},
			},
			want: configs{
				broker(1):       {lRate: "42", fRate: "5000"},
				topic("orders"): {lList: "9:9", fList: "*"},
			},
			warnings: []string{
				`broker 1: leader.replication.throttled.rate is "42", not the 1000 fdud set: changed by someone else since, leaving it`,
				`topic orders: leader.replication.throttled.replicas was changed by someone else since: removed only fdud's entries, keeping 9:9`,
				`topic orders: follower.replication.throttled.replicas is "*" (set by someone else since): leaving it`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changes, warnings := restoredConfigs(t, rec, tt.current)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("configs after restore:\n got %v\nwant %v", got, tt.want)
			}
			if !slices.Equal(warnings, tt.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", warnings, tt.warnings)
			}
			if tt.rewrites != nil {
				var got []string
				for _, c := range changes {
					got = append(got, c.String())
				}
				if !slices.Equal(got, tt.rewrites) {
					t.Errorf("changes:\n got %q\nwant %q", got, tt.rewrites)
				}
			}
			// A second pass writes the same values again, changing nothing.
			if back, _, _ := restoredConfigs(t, rec, got); !reflect.DeepEqual(back, got) {
				t.Errorf("restore is not idempotent: second pass gives %v, first %v", back, got)
			}
		})
	}
}

func TestApplyAndRemove(t *testing.T) {
	ctx := context.Background()
	before := configs{
		broker(1):       {fRate: "5000"},
		topic("orders"): {fList: "5:8", "cleanup.policy": "compact"},
	}
	fake := newFake(before)
	var cl Cluster = fake
	store := tempStore(t)
	req := Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves}
	rec, err := Apply(ctx, cl, store, req, nil)
	if err != nil || rec == nil {
		t.Fatalf("Apply: %v, %v", rec, err)
	}
	if got := configsOf(fake)[topic("orders")][fList]; got != "5:8,0:3" {
		t.Errorf("follower list = %q", got)
	}
	saved, err := store.Load(ctx, "plan-1")
	if err != nil || saved == nil || len(saved.Configs) != len(rec.Configs) {
		t.Fatalf("record not saved: %v %v", saved, err)
	}
	// A new rate for the same plan updates the rates.
	req.Rate = 800
	if _, err := Apply(ctx, cl, store, req, nil); err != nil {
		t.Fatal(err)
	}
	if got := configsOf(fake)[broker(3)][lRate]; got != "800" {
		t.Errorf("rate after re-run = %q, want 800", got)
	}
	for i := range 2 {
		removed, err := Remove(ctx, cl, store, "plan-1")
		if err != nil {
			t.Fatal(err)
		}
		if removed != (i == 0) {
			t.Errorf("Remove #%d: removed = %v", i+1, removed)
		}
		if !reflect.DeepEqual(configsOf(fake), before) {
			t.Errorf("after Remove #%d: %v, want %v", i+1, configsOf(fake), before)
		}
	}
	if rec, _ := store.Load(ctx, "plan-1"); rec != nil {
		t.Error("record still there after Remove")
	}
}

// Pins bug 2 through Apply: it did not read the cluster-wide default at all.
func TestApplyRespectsTheClusterDefault(t *testing.T) {
	ctx := context.Background()
	before := configs{clusterDefault: {lRate: "500", fRate: "5000"}}
	cl := newFake(before)
	store := tempStore(t)
	if _, err := Apply(ctx, cl, store, Request{PlanID: "plan-1", Rate: 1000, Moves: ordersMoves[:1]}, nil); err != nil {
		t.Fatal(err)
	}
	for _, b := range []Entity{broker(1), broker(2), broker(3)} {
		if got := configsOf(cl)[b]; !reflect.DeepEqual(got, map[string]string{fRate: "1000"}) {
			t.Errorf("%v: %v, want only %s=1000 (the default leader rate 500 is lower)", b, got, fRate)
		}
	}
	if _, err := Remove(ctx, cl, store, "plan-1"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(configsOf(cl), before) {
		t.Errorf("after Remove: %v, want %v", configsOf(cl), before)
	}
}

func TestPlanID(t *testing.T) {
	a := cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		{Topic: "t", Partition: 0, Replicas: []int32{1, 2}},
		{Topic: "t", Partition: 1, Replicas: []int32{2, 3}, LogDirs: []string{"any", "any"}},
	}}
	b := cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		{Topic: "t", Partition: 1, Replicas: []int32{2, 3}},
		{Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"any", "any"}},
	}}
	c := cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		{Topic: "t", Partition: 1, Replicas: []int32{3, 2}},
		{Topic: "t", Partition: 0, Replicas: []int32{1, 2}},
	}}
	if PlanID(a) != PlanID(b) {
		t.Errorf("order or log_dirs spelling changes the id: %s vs %s", PlanID(a), PlanID(b))
	}
	if PlanID(a) == PlanID(c) {
		t.Error("different replica order gives the same id")
	}
	if err := checkID(PlanID(a)); err != nil || !strings.HasPrefix(PlanID(a), "plan-") {
		t.Errorf("id %q: %v", PlanID(a), err)
	}
}
