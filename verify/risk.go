package verify

import (
	"fmt"
	"maps"
	"slices"

	"github.com/fdud/fdud/cluster"
)

// DimensionName is the name of a dimension in reports and metrics labels.
func DimensionName(d cluster.Dimension) string {
	switch d {
	case cluster.FaultDomainDim:
		return "fault_domain"
	case cluster.UpdateDomainDim:
		return "update_domain"
	}
	return "zone"
}

// SpreadViolation is a partition whose replicas break the placement rules.
type SpreadViolation struct {
	TP       cluster.TopicPartition
	Replicas []int32
	Reasons  []string
	// Dimensions the partition violates; empty when only broker-level rules
	// (a replica on a dead broker, or one without a domain) are broken.
	Dimensions []cluster.Dimension
}

// DomainRisk is the what-if for one domain: what happens to the partitions
// in scope if every broker in it went down at once.
type DomainRisk struct {
	Dimension cluster.Dimension
	Domain    string  // the dimension's value, as cluster.Dimension.Value renders it ("FD0", "UD3")
	Brokers   []int32 // brokers known to be in the domain
	// Offline: every live replica is in the domain.
	Offline []cluster.TopicPartition
	// BelowMinISR: fewer live replicas than min.insync.replicas would remain,
	// so producers with acks=all would fail.
	BelowMinISR []cluster.TopicPartition
}

// Replication is a partition whose ISR lacks some of its replicas now.
type Replication struct {
	TP          cluster.TopicPartition
	Replicas    []int32
	ISR         []int32
	MinISR      int
	BelowMinISR bool // ISR smaller than min.insync.replicas
	Offline     bool // no leader
}

// Risk is the spread and what-if assessment of a set of partitions.
type Risk struct {
	Scope      string // "plan" or "all"
	Partitions int    // partitions assessed
	// Dimensions assessed: fault and update domains, and zones when the
	// brokers sit in more than one zone.
	Dimensions      []cluster.Dimension
	Violations      []SpreadViolation
	WhatIf          []DomainRisk
	UnderReplicated []Replication // includes partitions offline now
	// NoDomain lists brokers holding replicas in scope that the domains
	// document does not place; the what-if counts their replicas as
	// surviving any domain's loss, which may be optimistic.
	NoDomain []int32
	// AtRisk is, per dimension, the number of partitions that violate the
	// spread in it or would go offline or below min ISR if one of its
	// domains failed.
	AtRisk map[cluster.Dimension]int
	// AtRiskTotal counts distinct partitions with any problem: a violation,
	// a what-if finding, or under-replication now.
	AtRiskTotal int
}

// AssessInput is what Assess needs; all of it is read beforehand.
type AssessInput struct {
	Scope      string
	Partitions []cluster.PartitionState // the partitions to assess
	Live       []int32                  // live broker ids
	Domains    map[int32]cluster.Domain // nil: no domains known, only replication is assessed
	// MinISR returns the min.insync.replicas of a topic.
	MinISR func(topic string) int
}

// Assess checks the spread of each partition's replicas, runs the what-if
// for every domain, and lists the partitions under-replicated now. For a
// partition being reassigned it looks at the original replicas: the new ones
// may not have caught up yet, so they cannot be counted on. It is pure.
func Assess(in AssessInput) Risk {
	r := Risk{Scope: in.Scope, Partitions: len(in.Partitions), AtRisk: map[cluster.Dimension]int{}}
	minISR := in.MinISR
	if minISR == nil {
		minISR = func(string) int { return 1 }
	}
	live := make(map[int32]bool, len(in.Live))
	for _, id := range in.Live {
		live[id] = true
	}
	parts := slices.Clone(in.Partitions)
	slices.SortFunc(parts, func(a, b cluster.PartitionState) int { return a.TP().Compare(b.TP()) })

	risky := map[cluster.TopicPartition]bool{}
	for _, p := range parts {
		if p.Leader < 0 || !inSync(p.Replicas, p.ISR) {
			m := minISR(p.Topic)
			r.UnderReplicated = append(r.UnderReplicated, Replication{TP: p.TP(), Replicas: slices.Clone(p.Replicas),
				ISR: slices.Clone(p.ISR), MinISR: m, BelowMinISR: len(p.ISR) < m, Offline: p.Leader < 0})
			risky[p.TP()] = true
		}
	}
	if in.Domains == nil {
		r.AtRiskTotal = len(risky)
		return r
	}

	// The rules are judged against every domain the cluster uses: the live
	// brokers and the dead ones still holding replicas. Judged against the
	// live brokers only (as generate must, to place replicas), a dead
	// broker's domain would vanish and with it the violations it exposes.
	eligible := slices.Clone(in.Live)
	for _, p := range parts {
		for _, id := range p.Replicas {
			if !live[id] && !slices.Contains(eligible, id) {
				eligible = append(eligible, id)
			}
		}
	}
	topo := cluster.NewTopology(in.Domains, eligible)
	r.Dimensions = []cluster.Dimension{cluster.FaultDomainDim, cluster.UpdateDomainDim}
	if topo.Values(cluster.ZoneDim) > 1 {
		r.Dimensions = append([]cluster.Dimension{cluster.ZoneDim}, r.Dimensions...)
	}
	riskyIn := map[cluster.Dimension]map[cluster.TopicPartition]bool{}
	for _, d := range r.Dimensions {
		riskyIn[d] = map[cluster.TopicPartition]bool{}
	}

	noDomain := map[int32]bool{}
	relevant := map[int32]bool{} // brokers whose domains the what-if covers
	for _, id := range in.Live {
		relevant[id] = true
	}
	for _, p := range parts {
		for _, id := range p.Replicas {
			relevant[id] = true
			if _, ok := in.Domains[id]; !ok {
				noDomain[id] = true
			}
		}
		vs := topo.Check(p.Replicas)
		for _, id := range p.Replicas {
			if !live[id] {
				vs = append(vs, cluster.Violation{Broker: id, Reason: fmt.Sprintf("broker %d is not live", id)})
			}
		}
		if len(vs) == 0 {
			continue
		}
		sv := SpreadViolation{TP: p.TP(), Replicas: slices.Clone(p.Replicas)}
		for _, v := range vs {
			if _, placed := in.Domains[v.Broker]; v.Broker >= 0 && !placed {
				v.Reason = fmt.Sprintf("broker %d has no domain", v.Broker)
			}
			sv.Reasons = append(sv.Reasons, v.Reason)
			if v.Broker == -1 && slices.Contains(r.Dimensions, v.Dimension) && !slices.Contains(sv.Dimensions, v.Dimension) {
				sv.Dimensions = append(sv.Dimensions, v.Dimension)
				riskyIn[v.Dimension][p.TP()] = true
			}
		}
		r.Violations = append(r.Violations, sv)
		risky[p.TP()] = true
	}
	r.NoDomain = slices.Sorted(maps.Keys(noDomain))

	for _, d := range r.Dimensions {
		members := map[string][]int32{}
		for id := range relevant {
			if dom, ok := in.Domains[id]; ok {
				v := d.Value(dom)
				members[v] = append(members[v], id)
			}
		}
		for _, v := range slices.Sorted(maps.Keys(members)) {
			dr := DomainRisk{Dimension: d, Domain: v, Brokers: members[v]}
			slices.Sort(dr.Brokers)
			for _, p := range parts {
				hit, survive := 0, 0
				for _, id := range p.Replicas {
					if !live[id] {
						continue
					}
					if dom, ok := in.Domains[id]; ok && d.Value(dom) == v {
						hit++
					} else {
						survive++
					}
				}
				if hit == 0 {
					continue // losing this domain changes nothing for p
				}
				switch {
				case survive == 0:
					dr.Offline = append(dr.Offline, p.TP())
				case survive < minISR(p.Topic):
					dr.BelowMinISR = append(dr.BelowMinISR, p.TP())
				default:
					continue
				}
				riskyIn[d][p.TP()] = true
				risky[p.TP()] = true
			}
			r.WhatIf = append(r.WhatIf, dr)
		}
	}
	for d, m := range riskyIn {
		r.AtRisk[d] = len(m)
	}
	r.AtRiskTotal = len(risky)
	return r
}

// inSync reports whether every replica is in the ISR.
func inSync(replicas, isr []int32) bool {
	for _, id := range replicas {
		if !slices.Contains(isr, id) {
			return false
		}
	}
	return true
}
