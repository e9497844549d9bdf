package generate

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// shape describes a generated cluster.
type shape struct {
	fds, uds  int
	zones     int     // 0 or 1: no zones
	perCell   int     // most brokers per cell
	emptyCell float64 // probability a cell has no broker
	dead      int     // brokers not alive
	topics    int
	maxRF     int
}

// genCluster builds domains, live brokers and a random (domain-unaware)
// assignment. Some replicas land on dead brokers, as they would.
func genCluster(rng *rand.Rand, sh shape) Input {
	doms := map[int32]cluster.Domain{}
	id := int32(1)
	zones := max(sh.zones, 1)
	for z := range zones {
		for f := range sh.fds {
			for u := range sh.uds {
				if rng.Float64() < sh.emptyCell {
					continue
				}
				n := 1 + rng.IntN(sh.perCell)
				for range n {
					d := cluster.Domain{FaultDomain: f, UpdateDomain: u}
					if sh.zones > 1 {
						d.Zone = fmt.Sprintf("z%d", z+1)
					}
					doms[id] = d
					id += int32(1 + rng.IntN(2)) // ids with gaps
				}
			}
		}
	}
	ids := slices.Sorted(maps.Keys(doms))
	var live []int32
	if sh.dead > 0 {
		dead := map[int32]bool{}
		for range sh.dead {
			dead[ids[rng.IntN(len(ids))]] = true
		}
		for _, b := range ids {
			if !dead[b] {
				live = append(live, b)
			}
		}
	}
	var a cluster.Assignment
	for t := range sh.topics {
		rf := 1 + rng.IntN(sh.maxRF)
		rf = min(rf, len(ids))
		parts := 1 + rng.IntN(6)
		for p := range parts {
			perm := rng.Perm(len(ids))
			reps := make([]int32, rf)
			for j := range rf {
				reps[j] = ids[perm[j]]
			}
			a.Partitions = append(a.Partitions, cluster.PartitionAssignment{
				Topic: fmt.Sprintf("t%d", t), Partition: int32(p), Replicas: reps})
		}
	}
	return Input{Current: a, Domains: doms, Live: live}
}

// eligibleIDs lists the brokers that may receive replicas, by the options.
func eligibleIDs(in Input, o Options) []int32 {
	var out []int32
	for _, id := range slices.Sorted(maps.Keys(in.Domains)) {
		if alive(in, id) && allowed(o, id) {
			out = append(out, id)
		}
	}
	return out
}

func alive(in Input, id int32) bool { return in.Live == nil || slices.Contains(in.Live, id) }

func allowed(o Options, id int32) bool {
	return !slices.Contains(o.ExcludeBrokers, id) && (len(o.BrokerList) == 0 || slices.Contains(o.BrokerList, id))
}

// holderIDs lists the brokers that may hold replicas: those that may receive
// them, and down brokers with a domain that keep theirs.
func holderIDs(in Input, o Options) []int32 {
	var out []int32
	for _, id := range slices.Sorted(maps.Keys(in.Domains)) {
		if allowed(o, id) && (alive(in, id) || !o.EvacuateDownBrokers) {
			out = append(out, id)
		}
	}
	return out
}

// judgedIDs lists the brokers whose domains the rules are judged over, as
// verify judges them: brokers with a domain that are alive or hold replicas
// after the plan (a down broker keeps its own; one whose replicas move off
// keeps those of partitions out of scope).
func judgedIDs(in Input, o Options) []int32 {
	scope := inScope(in, o)
	holders := holderIDs(in, o)
	var out []int32
	for _, id := range slices.Sorted(maps.Keys(in.Domains)) {
		if alive(in, id) {
			out = append(out, id)
			continue
		}
		for _, p := range in.Current.Partitions {
			if slices.Contains(p.Replicas, id) && (slices.Contains(holders, id) || !scope[p.TP()]) {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// bruteBound computes, independently of the planner, the largest number of
// current replicas that can stay: the largest subset S of the current
// replicas that may stay such that some set of brokers that may receive
// replicas completes S to r replicas that cluster.Topology.Check accepts
// (judged over the domains the cluster has). -1: no valid placement.
type bruteBound struct {
	topo     cluster.Topology
	eligible []int32 // may receive
	holders  []int32 // may hold
	memo     map[string]bool
}

func newBruteBound(in Input, o Options) *bruteBound {
	return &bruteBound{topo: cluster.NewTopology(in.Domains, judgedIDs(in, o)),
		eligible: eligibleIDs(in, o), holders: holderIDs(in, o), memo: map[string]bool{}}
}

// valid reports whether reps meets the rules: on distinct brokers that may
// hold replicas, spread as the topology requires.
func (bb *bruteBound) valid(reps []int32) bool {
	for i, b := range reps {
		if !slices.Contains(bb.holders, b) || slices.Index(reps, b) != i {
			return false
		}
	}
	return len(bb.topo.Check(reps)) == 0
}

func (bb *bruteBound) completable(s []int32, r int) bool {
	key := fmt.Sprint(slices.Sorted(slices.Values(s)), r)
	if v, ok := bb.memo[key]; ok {
		return v
	}
	var rest []int32
	for _, b := range bb.eligible {
		if !slices.Contains(s, b) {
			rest = append(rest, b)
		}
	}
	need := r - len(s)
	found := false
	var rec func(start int, acc []int32)
	rec = func(start int, acc []int32) {
		if found {
			return
		}
		if len(acc) == r {
			found = bb.valid(acc)
			return
		}
		for i := start; i <= len(rest)-(r-len(acc)); i++ {
			rec(i+1, append(acc, rest[i]))
		}
	}
	if need >= 0 {
		rec(0, slices.Clone(s))
	}
	bb.memo[key] = found
	return found
}

func (bb *bruteBound) maxKeep(cur []int32, r int) int {
	var el []int32
	for _, b := range cur {
		if slices.Contains(bb.holders, b) && !slices.Contains(el, b) {
			el = append(el, b)
		}
	}
	best := -1
	for mask := 0; mask < 1<<len(el); mask++ {
		var s []int32
		for j := range el {
			if mask&(1<<j) != 0 {
				s = append(s, el[j])
			}
		}
		if len(s) > r || len(s) <= best {
			continue
		}
		if bb.completable(s, r) {
			best = len(s)
		}
	}
	return best
}

// after applies a plan to the current assignment.
func after(t *testing.T, cur cluster.Assignment, plan cluster.Assignment) map[cluster.TopicPartition][]int32 {
	t.Helper()
	m := map[cluster.TopicPartition][]int32{}
	for _, p := range cur.Partitions {
		m[p.TP()] = p.Replicas
	}
	seen := map[cluster.TopicPartition]bool{}
	for _, p := range plan.Partitions {
		if seen[p.TP()] {
			t.Fatalf("plan lists %s twice", p.TP())
		}
		seen[p.TP()] = true
		m[p.TP()] = p.Replicas
	}
	return m
}

func moved(cur, next []int32) int {
	n := 0
	for _, b := range next {
		if !slices.Contains(cur, b) {
			n++
		}
	}
	return n
}
