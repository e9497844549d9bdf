package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Dimension is one axis along which replicas must be spread.
type Dimension int

const (
	ZoneDim Dimension = iota
	FaultDomainDim
	UpdateDomainDim
)

// Dimensions lists every dimension, outermost first.
var Dimensions = [...]Dimension{ZoneDim, FaultDomainDim, UpdateDomainDim}

func (d Dimension) String() string {
	switch d {
	case ZoneDim:
		return "zone"
	case FaultDomainDim:
		return "fault domain"
	case UpdateDomainDim:
		return "update domain"
	}
	return "dimension(" + strconv.Itoa(int(d)) + ")"
}

// Short is the dimension's abbreviation: "zone", "FD" or "UD".
func (d Dimension) Short() string {
	switch d {
	case FaultDomainDim:
		return "FD"
	case UpdateDomainDim:
		return "UD"
	}
	return "zone"
}

// Value returns the domain's value along d as a label ("FD2", "UD7", "zone 1").
func (d Dimension) Value(dom Domain) string {
	switch d {
	case FaultDomainDim:
		return "FD" + strconv.Itoa(dom.FaultDomain)
	case UpdateDomainDim:
		return "UD" + strconv.Itoa(dom.UpdateDomain)
	}
	return "zone " + strconv.Quote(dom.Zone)
}

// Topology is the set of domains a partition may use: the domains of the
// brokers eligible to hold its replicas. The spread rules are relative to it:
// with two fault domains populated, a replication factor of 3 may put two
// replicas in one of them, but no more.
type Topology struct {
	domains map[int32]Domain
	values  [len(Dimensions)]int // distinct values per dimension
}

// NewTopology builds the topology of the eligible brokers. Brokers without a
// domain are ignored: they cannot be placed with confidence.
func NewTopology(domains map[int32]Domain, eligible []int32) Topology {
	t := Topology{domains: make(map[int32]Domain, len(eligible))}
	seen := [len(Dimensions)]map[string]bool{{}, {}, {}}
	for _, id := range eligible {
		d, ok := domains[id]
		if !ok {
			continue
		}
		t.domains[id] = d
		for _, dim := range Dimensions {
			seen[dim][dim.Value(d)] = true
		}
	}
	for _, dim := range Dimensions {
		t.values[dim] = len(seen[dim])
	}
	return t
}

// Values returns how many distinct values dimension d has among the eligible brokers.
func (t Topology) Values(d Dimension) int { return t.values[d] }

// Eligible reports whether broker id may hold replicas.
func (t Topology) Eligible(id int32) bool { _, ok := t.domains[id]; return ok }

// Domain returns the domain of an eligible broker.
func (t Topology) Domain(id int32) (Domain, bool) { d, ok := t.domains[id]; return d, ok }

// Limits returns the fewest and the most replicas of a partition with
// replication factor r that any one value of d may hold: each value holds
// floor(r/n) or ceil(r/n), where n is the number of values populated.
func (t Topology) Limits(d Dimension, r int) (lo, hi int) {
	n := t.values[d]
	if n <= 1 {
		return r, r
	}
	return r / n, (r + n - 1) / n
}

// Violation is one way a partition's replicas break the placement rules.
type Violation struct {
	Dimension Dimension // meaningful when Broker is -1
	Value     string    // the domain value over or under its limit
	Count     int       // replicas it holds
	Broker    int32     // the offending broker for broker-level rules, else -1
	Reason    string
}

func (v Violation) String() string { return v.Reason }

// Check returns every rule the replica list breaks; nil means the partition
// is highly available in this topology.
func (t Topology) Check(replicas []int32) []Violation {
	var out []Violation
	r := len(replicas)
	for i, id := range replicas {
		if slices.Index(replicas, id) != i {
			out = append(out, Violation{Broker: id, Reason: fmt.Sprintf("broker %d holds more than one replica", id)})
		} else if !t.Eligible(id) {
			out = append(out, Violation{Broker: id, Reason: fmt.Sprintf("broker %d is not eligible (dead, excluded or without a domain)", id)})
		}
	}
	for _, dim := range Dimensions {
		n := t.values[dim]
		if n <= 1 {
			continue
		}
		lo, hi := t.Limits(dim, r)
		counts := make(map[string]int, r)
		for _, id := range replicas {
			if d, ok := t.domains[id]; ok {
				counts[dim.Value(d)]++
			}
		}
		for _, v := range slices.Sorted(maps.Keys(counts)) {
			if c := counts[v]; c > hi {
				out = append(out, Violation{Dimension: dim, Value: v, Count: c, Broker: -1,
					Reason: fmt.Sprintf("%d replicas in %s (at most %d allowed)", c, v, hi)})
			}
		}
		if lo > 0 && len(counts) < n {
			out = append(out, Violation{Dimension: dim, Count: 0, Broker: -1,
				Reason: fmt.Sprintf("replicas span %d of %d %ss (each must hold at least %d)", len(counts), n, dim, lo)})
		} else if lo > 0 {
			for _, v := range slices.Sorted(maps.Keys(counts)) {
				if c := counts[v]; c < lo {
					out = append(out, Violation{Dimension: dim, Value: v, Count: c, Broker: -1,
						Reason: fmt.Sprintf("%d replicas in %s (at least %d required)", c, v, lo)})
				}
			}
		}
	}
	return out
}
