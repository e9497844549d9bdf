package verify

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
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
	// CatchingUp are replicas a reassignment is adding that are not in sync
	// yet. Replicas then lists them too, as kafka-topics.sh
	// --under-replicated-partitions counts them; when the original replicas
	// are all in sync this is progress, not risk.
	CatchingUp []int32
}

// OnlyCatchingUp reports whether the partition is under-replicated only
// because replicas being added are not in sync yet.
func (r Replication) OnlyCatchingUp() bool {
	return len(r.CatchingUp) > 0 && !r.Offline && len(r.ISR) >= len(r.Replicas)-len(r.CatchingUp)
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
	// AtRiskTotal counts distinct partitions with any problem a plan could
	// fix: a violation, a what-if finding the best placement would avoid,
	// or under-replication now.
	AtRiskTotal int
	// Structural counts, per dimension, the partitions whose what-if
	// finding no placement can avoid: they are spread as well as the
	// cluster's domains allow, with every replica live, and still the loss
	// of one domain would take them offline or below min.insync.replicas
	// (replication factor 3, min.insync.replicas 2, two fault domains).
	// They are not in AtRisk: the fix is the cluster's shape, not a plan.
	Structural map[cluster.Dimension]int
	// StructuralTotal counts distinct partitions with structural risk.
	StructuralTotal int
	// StructuralGroups describes the structural risk by its cause, with the fix.
	StructuralGroups []StructuralRisk
}

// StructuralRisk is structural risk of one shape: partitions of replication
// factor R and min.insync.replicas MinISR over Domains domains of a dimension.
type StructuralRisk struct {
	Dimension  cluster.Dimension
	Domains    int // domains the dimension has
	RF         int
	MinISR     int
	Partitions int
	Offline    bool // a domain's loss takes them offline, not only below min ISR
	// NeedDomains, NeedRF and MaxMinISR are the smallest changes that would
	// remove the risk (0: that change cannot).
	NeedDomains, NeedRF, MaxMinISR int
}

// Fix says what would remove the risk, e.g. "add a fault domain (3 in all),
// or use replication factor 4, or lower min.insync.replicas to 1".
func (s StructuralRisk) Fix() string {
	var fixes []string
	if s.NeedDomains > 0 {
		n := s.NeedDomains - s.Domains
		what := "a " + s.Dimension.String()
		if n > 1 {
			what = fmt.Sprintf("%d %ss", n, s.Dimension)
		}
		fixes = append(fixes, fmt.Sprintf("add %s (%d in all)", what, s.NeedDomains))
	}
	if s.NeedRF > 0 {
		fixes = append(fixes, fmt.Sprintf("use replication factor %d", s.NeedRF))
	}
	if s.MaxMinISR > 0 {
		fixes = append(fixes, fmt.Sprintf("lower min.insync.replicas to %d", s.MaxMinISR))
	}
	if len(fixes) == 0 {
		return "no change of domains, replication factor or min.insync.replicas alone avoids it"
	}
	return strings.Join(fixes, ", or ")
}

// survivors is how many replicas of a partition of replication factor r,
// spread as evenly as n domains allow, outlive the loss of the fullest one.
func survivors(r, n int) int {
	if n <= 0 {
		return r
	}
	return r - (r+n-1)/n
}

// unavoidable reports whether losing one of n domains leaves a partition of
// replication factor r, spread as well as possible, offline or below minISR.
func unavoidable(r, n, minISR int) bool {
	s := survivors(r, n)
	return s == 0 || s < minISR
}

// newStructuralRisk works out the fixes for one shape.
func newStructuralRisk(d cluster.Dimension, n, r, minISR int) StructuralRisk {
	s := StructuralRisk{Dimension: d, Domains: n, RF: r, MinISR: minISR, Offline: survivors(r, n) == 0}
	for m := n + 1; m <= r; m++ {
		if !unavoidable(r, m, minISR) {
			s.NeedDomains = m
			break
		}
	}
	for rf := r + 1; rf <= r+2*n*max(minISR, 1)+2 && rf <= 255; rf++ {
		if !unavoidable(rf, n, minISR) {
			s.NeedRF = rf
			break
		}
	}
	if sv := survivors(r, n); sv > 0 && sv < minISR {
		s.MaxMinISR = sv
	}
	return s
}

// AssessInput is what Assess needs; all of it is read beforehand.
type AssessInput struct {
	Scope      string
	Partitions []cluster.PartitionState // the partitions to assess
	Live       []int32                  // live broker ids
	Domains    map[int32]cluster.Domain // nil: no domains known, only replication is assessed
	// Cluster is every partition of the cluster (nil: Partitions). A broker
	// that is not live still counts in its domains while it holds a replica
	// of any of them, as generate counts a down broker that keeps its
	// replicas: the rules are judged over the same domains by both.
	Cluster []cluster.PartitionState
	// MinISR returns the min.insync.replicas of a topic.
	MinISR func(topic string) int
}

// Assess checks the spread of each partition's replicas, runs the what-if
// for every domain, and lists the partitions under-replicated now. For a
// partition being reassigned it looks at the original replicas: the new ones
// may not have caught up yet, so they cannot be counted on. It is pure.
func Assess(in AssessInput) Risk {
	r := Risk{Scope: in.Scope, Partitions: len(in.Partitions), AtRisk: map[cluster.Dimension]int{},
		Structural: map[cluster.Dimension]int{}}
	// The maps are made here rather than in a constructor so that the
	// compiler can keep their headers off the heap.
	a := assessment{domains: in.Domains, minISR: in.MinISR, live: make(map[int32]bool, len(in.Live))}
	if a.minISR == nil {
		a.minISR = func(string) int { return 1 }
	}
	for _, id := range in.Live {
		a.live[id] = true
	}
	a.parts = slices.Clone(in.Partitions)
	slices.SortFunc(a.parts, func(a, b cluster.PartitionState) int { return a.TP().Compare(b.TP()) })
	a.risky = newMarks(len(a.parts))

	r.UnderReplicated = a.underReplicated()
	if in.Domains == nil {
		r.AtRiskTotal = a.risky.n
		return r
	}
	holding := in.Cluster
	if holding == nil {
		holding = a.parts
	}
	topo := cluster.NewTopology(in.Domains, a.eligible(in.Live, holding))
	r.Dimensions = dimensions(topo)
	a.dims = r.Dimensions
	a.riskyIn = map[cluster.Dimension]*marks{}
	a.structuralIn = map[cluster.Dimension]*marks{}
	a.structural = newMarks(len(a.parts))
	a.shapes = map[StructuralRisk]*marks{}
	a.values = map[cluster.Dimension]int{}
	for _, d := range r.Dimensions {
		a.riskyIn[d] = newMarks(len(a.parts))
		a.structuralIn[d] = newMarks(len(a.parts))
		a.values[d] = topo.Values(d)
	}
	relevant := map[int32]bool{} // brokers whose domains the what-if covers
	for _, id := range in.Live {
		relevant[id] = true
	}
	r.Violations, r.NoDomain = a.violations(topo, relevant)
	for _, d := range r.Dimensions {
		r.WhatIf = a.appendWhatIf(r.WhatIf, d, relevant)
	}
	for d, m := range a.riskyIn {
		r.AtRisk[d] = m.n
	}
	r.AtRiskTotal = a.risky.n
	for d, m := range a.structuralIn {
		r.Structural[d] = m.n
	}
	r.StructuralTotal = a.structural.n
	for shape, m := range a.shapes {
		g := newStructuralRisk(shape.Dimension, shape.Domains, shape.RF, shape.MinISR)
		g.Partitions = m.n
		r.StructuralGroups = append(r.StructuralGroups, g)
	}
	slices.SortFunc(r.StructuralGroups, func(x, y StructuralRisk) int {
		return cmp.Or(cmp.Compare(slices.Index(r.Dimensions, x.Dimension), slices.Index(r.Dimensions, y.Dimension)),
			cmp.Compare(x.RF, y.RF), cmp.Compare(x.MinISR, y.MinISR))
	})
	return r
}

// assessment is what Assess's passes over the partitions share.
type assessment struct {
	domains map[int32]cluster.Domain
	minISR  func(topic string) int
	live    map[int32]bool
	parts   []cluster.PartitionState // the input's partitions in partition order
	dims    []cluster.Dimension      // the dimensions assessed
	// Partitions are marked by their index in parts: cheaper than hashing
	// names, which matters at a million partitions.
	risky   *marks                       // any problem a plan could fix
	riskyIn map[cluster.Dimension]*marks // such a problem in one dimension
	// Structural risk: what no placement avoids (see Risk.Structural), in
	// all, per dimension, and per shape (only the shape's key fields set).
	structural   *marks
	structuralIn map[cluster.Dimension]*marks
	shapes       map[StructuralRisk]*marks
	values       map[cluster.Dimension]int // domains per dimension
}

// underReplicated lists the partitions whose ISR lacks a replica or that
// have no leader now.
func (a *assessment) underReplicated() []Replication {
	var under []Replication
	for i, p := range a.parts {
		replicas := slices.Clone(p.Replicas)
		var adding []int32
		for _, id := range p.Target {
			if !slices.Contains(replicas, id) {
				replicas = append(replicas, id)
				if !slices.Contains(p.ISR, id) {
					adding = append(adding, id)
				}
			}
		}
		original := p.Leader >= 0 && inSync(p.Replicas, p.ISR)
		if original && len(adding) == 0 {
			continue
		}
		m := a.minISR(p.Topic)
		under = append(under, Replication{TP: p.TP(), Replicas: replicas, ISR: slices.Clone(p.ISR), MinISR: m,
			BelowMinISR: len(p.ISR) < m, Offline: p.Leader < 0, CatchingUp: adding})
		if !original {
			a.risky.mark(i)
		}
	}
	return under
}

// eligible returns the brokers whose domains the rules are judged against:
// the live brokers and the dead ones still holding replicas of a partition
// in holding. Judged against the live brokers only, a down broker's domain
// would vanish and with it the violations it exposes. generate judges over
// the same brokers.
func (a *assessment) eligible(live []int32, holding []cluster.PartitionState) []int32 {
	eligible := slices.Clone(live)
	for _, p := range holding {
		for _, id := range p.Replicas {
			if !a.live[id] && !slices.Contains(eligible, id) {
				eligible = append(eligible, id)
			}
		}
	}
	return eligible
}

// dimensions returns the dimensions to assess: fault and update domains
// always, and zones only when the brokers sit in more than one.
func dimensions(topo cluster.Topology) []cluster.Dimension {
	ds := []cluster.Dimension{cluster.FaultDomainDim, cluster.UpdateDomainDim}
	if topo.Values(cluster.ZoneDim) > 1 {
		ds = append([]cluster.Dimension{cluster.ZoneDim}, ds...)
	}
	return ds
}

// violations lists the partitions whose replicas break the placement rules,
// and the brokers holding replicas that have no domain. It also adds every
// broker holding a replica to relevant: collected here so that the
// partitions are walked once.
func (a *assessment) violations(topo cluster.Topology, relevant map[int32]bool) ([]SpreadViolation, []int32) {
	var svs []SpreadViolation
	noDomain := map[int32]bool{}
	for i, p := range a.parts {
		for _, id := range p.Replicas {
			relevant[id] = true
			if _, ok := a.domains[id]; !ok {
				noDomain[id] = true
			}
		}
		vs := topo.Check(p.Replicas)
		for j, v := range vs {
			// The checker's "not eligible" is, here, a missing domain.
			if _, placed := a.domains[v.Broker]; v.Broker >= 0 && !placed {
				vs[j].Reason = fmt.Sprintf("broker %d has no domain", v.Broker)
			}
		}
		for _, id := range p.Replicas {
			if !a.live[id] {
				vs = append(vs, cluster.Violation{Broker: id, Reason: fmt.Sprintf("broker %d is not live", id)})
			}
		}
		if len(vs) > 0 {
			svs = append(svs, a.spreadViolation(i, p, vs))
		}
	}
	return svs, slices.Sorted(maps.Keys(noDomain))
}

// spreadViolation describes partition i's violations and marks it at risk,
// and at risk in every assessed dimension it breaks.
func (a *assessment) spreadViolation(i int, p cluster.PartitionState, vs []cluster.Violation) SpreadViolation {
	sv := SpreadViolation{TP: p.TP(), Replicas: slices.Clone(p.Replicas)}
	for _, v := range vs {
		sv.Reasons = append(sv.Reasons, v.Reason)
		if v.Broker == -1 && slices.Contains(a.dims, v.Dimension) && !slices.Contains(sv.Dimensions, v.Dimension) {
			sv.Dimensions = append(sv.Dimensions, v.Dimension)
			a.riskyIn[v.Dimension].mark(i)
		}
	}
	a.risky.mark(i)
	return sv
}

// appendWhatIf appends to whatIf, in domain order, what would happen to the
// partitions if all the brokers of one domain along d failed at once.
func (a *assessment) appendWhatIf(whatIf []DomainRisk, d cluster.Dimension, relevant map[int32]bool) []DomainRisk {
	// Each broker's value along d, computed once: the loop below runs over
	// every replica of every partition. (Made here, not in a helper, so
	// that the maps stay off the heap.)
	value := make(map[int32]string, len(relevant))
	members := map[string][]int32{}
	for id := range relevant {
		if dom, ok := a.domains[id]; ok {
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

	var hits []domainHit
	for i, p := range a.parts {
		var alive int
		alive, hits = a.liveReplicasByDomain(p, value, hits[:0])
		minISR := a.minISR(p.Topic)
		// Spread as well as the domains allow, every replica live, and
		// still at risk: the cluster's shape, not the placement, is the cause.
		structural := alive == len(p.Replicas) && !a.riskyIn[d].set[i] && unavoidable(len(p.Replicas), a.values[d], minISR)
		for _, h := range hits {
			dr, survive := byValue[h.v], alive-h.n
			switch {
			case survive == 0:
				dr.Offline = append(dr.Offline, p.TP())
			case survive < minISR:
				dr.BelowMinISR = append(dr.BelowMinISR, p.TP())
			default:
				continue
			}
			if structural {
				a.markStructural(i, d, len(p.Replicas), minISR)
				continue
			}
			a.riskyIn[d].mark(i)
			a.risky.mark(i)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(byValue)) {
		whatIf = append(whatIf, *byValue[v])
	}
	return whatIf
}

// markStructural records partition i's structural risk along d.
func (a *assessment) markStructural(i int, d cluster.Dimension, rf, minISR int) {
	a.structural.mark(i)
	a.structuralIn[d].mark(i)
	key := StructuralRisk{Dimension: d, Domains: a.values[d], RF: rf, MinISR: minISR}
	m := a.shapes[key]
	if m == nil {
		m = newMarks(len(a.parts))
		a.shapes[key] = m
	}
	m.mark(i)
}

// domainHit counts a partition's live replicas in one domain.
type domainHit struct {
	v string
	n int
}

// liveReplicasByDomain counts p's live replicas, and appends to hits how
// many of them each domain holds. A domain's loss leaves the live replicas
// outside it; a replica on a broker without a domain is assumed to survive.
func (a *assessment) liveReplicasByDomain(p cluster.PartitionState, value map[int32]string, hits []domainHit) (int, []domainHit) {
	alive := 0
	for _, id := range p.Replicas {
		if !a.live[id] {
			continue
		}
		alive++
		v, ok := value[id]
		if !ok {
			continue
		}
		if i := slices.IndexFunc(hits, func(h domainHit) bool { return h.v == v }); i >= 0 {
			hits[i].n++
		} else {
			hits = append(hits, domainHit{v, 1})
		}
	}
	return alive, hits
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
