package verify

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
)

// TestGeneratedPlansPassVerify pins issue 9 (generate and verify judge a plan
// the same way): on generated clusters (uneven cells, down brokers, R above
// the number of FDs, excluded brokers, whole fault domains excluded), every
// plan generate accepts passes verify's spread checker on the same cluster,
// and generate's before and after counts per dimension are the ones verify
// reports. On main, excluding every broker of a fault domain gave "fault
// domain spread 0 -> 0" and exit 0, and verify then found every partition
// at risk.
func TestGeneratedPlansPassVerify(t *testing.T) {
	type variant struct {
		name string
		opts func(rng *rand.Rand, doms map[int32]cluster.Domain) generate.Options
	}
	variants := []variant{
		{"default", func(*rand.Rand, map[int32]cluster.Domain) generate.Options { return generate.Options{} }},
		{"force", func(*rand.Rand, map[int32]cluster.Domain) generate.Options { return generate.Options{Force: true} }},
		{"evacuate", func(*rand.Rand, map[int32]cluster.Domain) generate.Options {
			return generate.Options{EvacuateDownBrokers: true}
		}},
		{"exclude", func(rng *rand.Rand, doms map[int32]cluster.Domain) generate.Options {
			ids := slices.Sorted(maps.Keys(doms))
			return generate.Options{ExcludeBrokers: []int32{ids[rng.IntN(len(ids))]}}
		}},
		{"exclude-fd", func(rng *rand.Rand, doms map[int32]cluster.Domain) generate.Options {
			fd := rng.IntN(2)
			var ex []int32
			for _, id := range slices.Sorted(maps.Keys(doms)) {
				if doms[id].FaultDomain == fd {
					ex = append(ex, id)
				}
			}
			return generate.Options{ExcludeBrokers: ex, Force: rng.IntN(2) == 0}
		}},
		{"balance", func(*rand.Rand, map[int32]cluster.Domain) generate.Options { return generate.Options{Balance: true} }},
	}
	accepted := 0
	for c := range 60 {
		for _, v := range variants {
			t.Run(fmt.Sprintf("%s/%d", v.name, c), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(c), 9))
				doms, live, cur := genJudgeCluster(rng)
				opts := v.opts(rng, doms)
				opts.Seed = uint64(c)
				res, err := generate.Plan(generate.Input{Current: cur, Domains: doms, Live: live}, opts)
				if errors.Is(err, cluster.ErrAtRisk) || cluster.IsInvalid(err) {
					return // refused: nothing to compare
				}
				if err != nil {
					t.Fatal(err)
				}
				accepted++
				before := judge(cur, live, doms)
				after := judge(apply(cur, res.Plan), live, doms)
				rep := res.Report
				if len(rep.Compromises) == 0 {
					for _, sv := range after.Violations {
						if len(sv.Dimensions) > 0 {
							t.Errorf("generate accepted %s -> %v, verify finds %v", sv.TP, sv.Replicas, sv.Reasons)
						}
					}
				}
				// Generate counts a replica on a broker it moves off as gone;
				// verify, which knows nothing of --exclude-brokers, counts it.
				// So before counts agree when nothing is moved off a holder.
				if len(opts.ExcludeBrokers) == 0 && !opts.EvacuateDownBrokers {
					checkCounts(t, "before", rep.ViolationsBefore, before)
				}
				// A forced plan that leaves a partition as it is may leave a
				// replica on a dead broker generate expected to empty; verify
				// then still counts that broker's domains.
				if !slices.ContainsFunc(rep.Compromises, func(is generate.Issue) bool { return strings.HasPrefix(is.Reason, "left as it is") }) {
					checkCounts(t, "after", rep.ViolationsAfter, after)
				}
			})
		}
	}
	if accepted < 100 {
		t.Errorf("only %d plans accepted: the test checks too little", accepted)
	}
}

// checkCounts compares generate's partitions breaking a spread rule, per
// dimension, with verify's.
func checkCounts(t *testing.T, when string, g generate.Violations, r Risk) {
	t.Helper()
	v := map[cluster.Dimension]int{}
	for _, sv := range r.Violations {
		for _, d := range sv.Dimensions {
			v[d]++
		}
	}
	if g.FaultDomain != v[cluster.FaultDomainDim] || g.UpdateDomain != v[cluster.UpdateDomainDim] || g.Zone != v[cluster.ZoneDim] {
		t.Errorf("%s: generate counts FD %d, UD %d, zone %d partitions breaking the spread; verify %d, %d, %d",
			when, g.FaultDomain, g.UpdateDomain, g.Zone, v[cluster.FaultDomainDim], v[cluster.UpdateDomainDim], v[cluster.ZoneDim])
	}
}

// judge is verify's spread assessment of a whole cluster.
func judge(a cluster.Assignment, live []int32, doms map[int32]cluster.Domain) Risk {
	parts := make([]cluster.PartitionState, len(a.Partitions))
	for i, p := range a.Partitions {
		parts[i] = cluster.PartitionState{Topic: p.Topic, Partition: p.Partition, Replicas: p.Replicas, ISR: p.Replicas, Leader: p.Replicas[0]}
	}
	return Assess(AssessInput{Scope: "all", Partitions: parts, Cluster: parts, Live: live, Domains: doms})
}

func apply(cur, plan cluster.Assignment) cluster.Assignment {
	next := cluster.Assignment{Version: 1}
	idx := plan.Index()
	for _, p := range cur.Partitions {
		if i, ok := idx[p.TP()]; ok {
			p = plan.Partitions[i]
		}
		next.Partitions = append(next.Partitions, p)
	}
	return next
}

// genJudgeCluster makes 2 or 3 FDs by 2 to 6 UDs with uneven (some empty)
// cells, a few down brokers, and random replica lists of 1 to 5 replicas.
func genJudgeCluster(rng *rand.Rand) (map[int32]cluster.Domain, []int32, cluster.Assignment) {
	fds, uds := 2+rng.IntN(2), 2+rng.IntN(5)
	doms := map[int32]cluster.Domain{}
	id := int32(1)
	for f := range fds {
		for u := range uds {
			if rng.Float64() < 0.25 {
				continue
			}
			for range 1 + rng.IntN(2) {
				doms[id] = cluster.Domain{FaultDomain: f, UpdateDomain: u}
				id++
			}
		}
	}
	ids := slices.Sorted(maps.Keys(doms))
	if len(ids) < 2 {
		doms[id], doms[id+1] = cluster.Domain{}, cluster.Domain{FaultDomain: 1, UpdateDomain: 1}
		ids = slices.Sorted(maps.Keys(doms))
	}
	var live []int32
	for _, b := range ids {
		if rng.Float64() > 0.15 {
			live = append(live, b)
		}
	}
	var a cluster.Assignment
	for p := range 12 {
		rf := min(1+rng.IntN(5), len(ids))
		perm := rng.Perm(len(ids))
		reps := make([]int32, rf)
		for j := range rf {
			reps[j] = ids[perm[j]]
		}
		a.Partitions = append(a.Partitions, cluster.PartitionAssignment{Topic: "t", Partition: int32(p), Replicas: reps})
	}
	return doms, live, a
}
