package generate

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// TestPlanProperties runs the planner over many generated clusters and
// checks, against independent code, that: the rules hold after the plan
// (cluster.Topology.Check), each repaired partition moves exactly the
// brute-force lower bound, untouched partitions keep their replicas, no
// partition is lost or gains/loses replicas, infeasible partitions really
// have no valid placement, and equal input and seed give equal plans.
func TestPlanProperties(t *testing.T) {
	shapes := []shape{
		{fds: 2, uds: 3, perCell: 1, topics: 4, maxRF: 3},
		{fds: 3, uds: 3, perCell: 2, topics: 4, maxRF: 4},
		{fds: 3, uds: 5, perCell: 2, emptyCell: 0.3, topics: 5, maxRF: 5},
		{fds: 2, uds: 7, perCell: 2, emptyCell: 0.2, dead: 2, topics: 5, maxRF: 4},
		{fds: 3, uds: 20, perCell: 1, emptyCell: 0.6, dead: 1, topics: 5, maxRF: 3},
		{fds: 3, uds: 4, perCell: 3, emptyCell: 0.5, dead: 3, topics: 5, maxRF: 5},
		{fds: 2, uds: 3, zones: 2, perCell: 1, emptyCell: 0.2, topics: 4, maxRF: 4},
		{fds: 3, uds: 10, perCell: 1, emptyCell: 0.3, dead: 2, topics: 5, maxRF: 6},
		{fds: 3, uds: 3, perCell: 1, emptyCell: 0.5, dead: 1, topics: 4, maxRF: 4}, // often infeasible
	}
	type variant struct {
		name string
		opts func(rng *rand.Rand, in Input) Options
	}
	variants := []variant{
		{"default", func(*rand.Rand, Input) Options { return Options{} }},
		{"exclude", func(rng *rand.Rand, in Input) Options {
			ids := slices.Sorted(maps.Keys(in.Domains))
			return Options{ExcludeBrokers: []int32{ids[rng.IntN(len(ids))]}}
		}},
		{"broker-ids", func(rng *rand.Rand, in Input) Options {
			ids := slices.Sorted(maps.Keys(in.Domains))
			return Options{BrokerIDs: []int32{ids[rng.IntN(len(ids))]}}
		}},
		{"rf", func(rng *rand.Rand, in Input) Options {
			return Options{ReplicationFactor: 1 + rng.IntN(4), Topics: []string{"t0", "t1"}}
		}},
		{"evacuate", func(*rand.Rand, Input) Options { return Options{EvacuateDownBrokers: true} }},
		{"evacuate-topic", func(*rand.Rand, Input) Options {
			return Options{EvacuateDownBrokers: true, Topics: []string{"t0", "t2"}}
		}},
		{"no-leader-balance", func(*rand.Rand, Input) Options { return Options{NoLeaderBalance: true} }},
		{"force", func(*rand.Rand, Input) Options { return Options{Force: true} }},
		{"balance", func(*rand.Rand, Input) Options { return Options{Balance: true} }},
		{"new-topic", func(rng *rand.Rand, in Input) Options {
			return Options{NewTopic: "fresh", NewPartitions: 1 + rng.IntN(8), ReplicationFactor: 1 + rng.IntN(3)}
		}},
	}
	const casesPerShape = 6
	for si, sh := range shapes {
		for _, v := range variants {
			for c := range casesPerShape {
				name := fmt.Sprintf("shape%d/%s/%d", si, v.name, c)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					rng := rand.New(rand.NewPCG(uint64(si), uint64(c*100+len(v.name))))
					in := genCluster(rng, sh)
					opts := v.opts(rng, in)
					opts.Seed = uint64(c)
					checkPlan(t, in, opts)
				})
			}
		}
	}
}

func checkPlan(t *testing.T, in Input, opts Options) {
	t.Helper()
	res, err := Plan(in, opts)
	bb := newBruteBound(in, opts)
	if err != nil {
		if !errors.Is(err, cluster.ErrAtRisk) {
			if cluster.IsInvalid(err) && len(eligibleIDs(in, opts)) == 0 {
				return
			}
			t.Fatalf("Plan: %v", err)
		}
		if opts.Force {
			t.Fatalf("Plan with Force returned %v", err)
		}
		if len(res.Report.Infeasible) == 0 {
			t.Fatalf("at-risk error without infeasible partitions: %v", err)
		}
		for _, is := range res.Report.Infeasible {
			r := rfOf(in, opts, is)
			if bb.maxKeep(curOf(in, is), r) >= 0 {
				t.Errorf("%s reported infeasible (%s), but brute force finds a placement", is, is.Reason)
			}
		}
		return
	}
	// Extra moves never leave the worst fault domain less even than the
	// repair alone did.
	if res.Report.FDSpreadAfter > res.Report.FDSpreadRepair && len(res.Report.Compromises) == 0 {
		t.Errorf("per-FD spread %d after the plan, %d after the repair alone", res.Report.FDSpreadAfter, res.Report.FDSpreadRepair)
	}
	// Determinism.
	again, err := Plan(in, opts)
	if err != nil || !reflect.DeepEqual(again.Plan, res.Plan) || !reflect.DeepEqual(again.Report, res.Report) {
		t.Fatalf("second run differs (err %v)", err)
	}

	scope := inScope(in, opts)
	next := after(t, in.Current, res.Plan)
	curByTP := map[cluster.TopicPartition][]int32{}
	for _, p := range in.Current.Partitions {
		curByTP[p.TP()] = p.Replicas
	}
	compromised := map[cluster.TopicPartition]bool{}
	for _, is := range res.Report.Compromises {
		compromised[cluster.TopicPartition{Topic: is.Topic, Partition: is.Partition}] = true
	}
	rollback := map[cluster.TopicPartition][]int32{}
	for _, p := range res.Rollback.Partitions {
		rollback[p.TP()] = p.Replicas
	}
	totalMoved, bound := 0, 0
	for _, p := range res.Plan.Partitions {
		tp := p.TP()
		cur, existed := curByTP[tp]
		if !existed {
			if tp.Topic != opts.NewTopic {
				t.Fatalf("plan invents partition %s", tp)
			}
			continue
		}
		if !scope[tp] {
			t.Errorf("plan changes %s, which is out of scope", tp)
		}
		if !slices.Equal(rollback[tp], cur) {
			t.Errorf("rollback of %s is %v, current is %v", tp, rollback[tp], cur)
		}
		if slices.Equal(p.Replicas, cur) {
			t.Errorf("plan lists %s without a change", tp)
		}
	}
	if len(res.Rollback.Partitions) != len(res.Plan.Partitions)-countTopic(res.Plan, opts.NewTopic) {
		t.Errorf("rollback has %d partitions, plan %d", len(res.Rollback.Partitions), len(res.Plan.Partitions))
	}
	for tp, cur := range curByTP {
		got := next[tp]
		if !scope[tp] {
			continue
		}
		r := len(cur)
		if opts.ReplicationFactor > 0 {
			r = opts.ReplicationFactor
		}
		if compromised[tp] {
			if len(got) != r && !slices.Equal(got, cur) {
				t.Errorf("%s: compromise has %d replicas, want %d", tp, len(got), r)
			}
			continue
		}
		if len(got) != r {
			t.Errorf("%s: %d replicas, want %d", tp, len(got), r)
		}
		if !bb.valid(got) {
			t.Errorf("%s: %v breaks the rules after the plan: %v", tp, got, bb.topo.Check(got))
		}
		for _, b := range got {
			if !slices.Contains(cur, b) && !slices.Contains(bb.eligible, b) {
				t.Errorf("%s: %v -> %v places a replica on broker %d, which may not receive one", tp, cur, got, b)
			}
		}
		if len(got) == len(cur) && bb.valid(cur) && !opts.Balance && !cluster.SameMembers(got, cur) {
			t.Errorf("%s: already valid as %v, but the plan moves it to %v", tp, cur, got)
		}
		keep := bb.maxKeep(cur, r)
		lb := r - keep
		if len(got) == len(cur) && bb.valid(cur) {
			lb = 0
		}
		m := moved(cur, got)
		totalMoved += m
		bound += lb
		if !opts.Balance && m != lb {
			t.Errorf("%s: %v -> %v moves %d replicas, lower bound %d", tp, cur, got, m, lb)
		}
		if opts.Balance && m < lb {
			t.Errorf("%s: moves %d replicas, below the lower bound %d?", tp, m, lb)
		}
	}
	if len(compromised) == 0 {
		if res.Report.ReplicasMoved != totalMoved || res.Report.MoveLowerBound != bound {
			t.Errorf("report says %d moved / bound %d; independent count %d / %d",
				res.Report.ReplicasMoved, res.Report.MoveLowerBound, totalMoved, bound)
		}
		if res.Report.ViolationsAfter.Partitions != 0 {
			t.Errorf("report counts %d violating partitions after the plan", res.Report.ViolationsAfter.Partitions)
		}
	}
	for k := range opts.NewPartitions {
		tp := cluster.TopicPartition{Topic: opts.NewTopic, Partition: int32(k)}
		got := next[tp]
		if compromised[tp] {
			continue
		}
		if len(got) != opts.ReplicationFactor || !bb.valid(got) {
			t.Errorf("new partition %s: %v (violations %v)", tp, got, bb.topo.Check(got))
		}
	}
}

func inScope(in Input, o Options) map[cluster.TopicPartition]bool {
	m := map[cluster.TopicPartition]bool{}
	if o.NewTopic != "" {
		return m // a new topic is planned on its own
	}
	for _, p := range in.Current.Partitions {
		if len(o.Topics) > 0 && !slices.Contains(o.Topics, p.Topic) {
			continue
		}
		if len(o.BrokerIDs) > 0 && !slices.ContainsFunc(p.Replicas, func(b int32) bool { return slices.Contains(o.BrokerIDs, b) }) {
			continue
		}
		m[p.TP()] = true
	}
	return m
}

func rfOf(in Input, o Options, is Issue) int {
	if o.ReplicationFactor > 0 {
		return o.ReplicationFactor
	}
	for _, p := range in.Current.Partitions {
		if p.Topic == is.Topic && p.Partition == is.Partition {
			return len(p.Replicas)
		}
	}
	return 0
}

func curOf(in Input, is Issue) []int32 {
	for _, p := range in.Current.Partitions {
		if p.Topic == is.Topic && p.Partition == is.Partition {
			return p.Replicas
		}
	}
	return nil
}
