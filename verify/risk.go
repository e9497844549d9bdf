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

	// Partitions are marked by their index in parts: cheaper than hashing
	// names, which matters at a million partitions.
	risky := newMarks(len(parts))
	for i, p := range parts {
		if p.Leader < 0 || !inSync(p.Replicas, p.ISR) {
			m := minISR(p.Topic)
			r.UnderReplicated = append(r.UnderReplicated, Replication{TP: p.TP(), Replicas: slices.Clone(p.Replicas),
				ISR: slices.Clone(p.ISR), MinISR: m, BelowMinISR: len(p.ISR) < m, Offline: p.Leader < 0})
			risky.mark(i)
		}
	}
	if in.Domains == nil {
		r.AtRiskTotal = risky.n
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
	riskyIn := map[cluster.Dimension]*marks{}
	for _, d := range r.Dimensions {
		riskyIn[d] = newMarks(len(parts))
	}

	noDomain := map[int32]bool{}
	relevant := map[int32]bool{} // brokers whose domains the what-if covers
	for _, id := range in.Live {
		relevant[id] = true
	}
	for i, p := range parts {
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
				riskyIn[v.Dimension].mark(i)
			}
		}
		r.Violations = append(r.Violations, sv)
		risky.mark(i)
	}
	r.NoDomain = slices.Sorted(maps.Keys(noDomain))

	for _, d := range r.Dimensions {
		// Each broker's value along d, computed once: the loop below runs
		// over every replica of every partition.
		value := make(map[int32]string, len(relevant))
		members := map[string][]int32{}
		for id := range relevant {
			if dom, ok := in.Domains[id]; ok {
				v := d.Value(dom)
				value[id] = v
				members[v] = append(members[v], id)
			}
		}
		byValue := make(map[string]*DomainRisk, len(members))
		for v, ids := range members {
			slices.Sort(ids)
			byValue[v] = &DomainRisk{Dimension: d, Domain: v, Brokers: ids}
		}
		type hit struct {
			v string
			n int
		}
		var hits []hit
		for i, p := range parts {
			// A domain's loss leaves the live replicas outside it.
			alive := 0
			hits = hits[:0]
			for _, id := range p.Replicas {
				if !live[id] {
					continue
				}
				alive++
				v, ok := value[id]
				if !ok {
					continue // no domain: assumed to survive
				}
				if i := slices.IndexFunc(hits, func(h hit) bool { return h.v == v }); i >= 0 {
					hits[i].n++
				} else {
					hits = append(hits, hit{v, 1})
				}
			}
			for _, h := range hits {
				dr, survive := byValue[h.v], alive-h.n
				switch {
				case survive == 0:
					dr.Offline = append(dr.Offline, p.TP())
				case survive < minISR(p.Topic):
					dr.BelowMinISR = append(dr.BelowMinISR, p.TP())
				default:
					continue
				}
				riskyIn[d].mark(i)
				risky.mark(i)
			}
		}
		for _, v := range slices.Sorted(maps.Keys(byValue)) {
			r.WhatIf = append(r.WhatIf, *byValue[v])
		}
	}
	for d, m := range riskyIn {
		r.AtRisk[d] = m.n
	}
	r.AtRiskTotal = risky.n
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

// marks is a set of partition indexes that counts its members.
type marks struct {
	set []bool
	n   int
}

func newMarks(n int) *marks { return &marks{set: make([]bool, n)} }

func (m *marks) mark(i int) {
	if !m.set[i] {
		m.set[i] = true
		m.n++
	}
}
