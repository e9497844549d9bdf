package cluster

import (
	"fmt"
	"maps"
	"slices"
)

// BrokerDomain is one entry of the domains document: where a broker runs.
type BrokerDomain struct {
	ID           int32  `json:"id"`
	FaultDomain  int    `json:"fault_domain"`
	UpdateDomain int    `json:"update_domain"`
	Zone         string `json:"zone,omitempty"`
	Host         string `json:"host,omitempty"`
}

// Domain returns the entry's placement.
func (b BrokerDomain) Domain() Domain {
	return Domain{FaultDomain: b.FaultDomain, UpdateDomain: b.UpdateDomain, Zone: b.Zone}
}

// Domains is fdud's domains document: broker id -> fault domain, update
// domain, optional zone and host. It is what `fdud domains` writes and what
// generate and verify read.
type Domains struct {
	Version int            `json:"version"`
	Brokers []BrokerDomain `json:"brokers"`
}

// Map returns broker id -> domain.
func (d Domains) Map() map[int32]Domain {
	m := make(map[int32]Domain, len(d.Brokers))
	for _, b := range d.Brokers {
		m[b.ID] = b.Domain()
	}
	return m
}

// Lookup returns the entry for broker id.
func (d Domains) Lookup(id int32) (BrokerDomain, bool) {
	for _, b := range d.Brokers {
		if b.ID == id {
			return b, true
		}
	}
	return BrokerDomain{}, false
}

// Sort orders the brokers by id.
func (d *Domains) Sort() {
	slices.SortFunc(d.Brokers, func(a, b BrokerDomain) int { return int(a.ID) - int(b.ID) })
}

// Merge returns d overlaid with later: a broker present in later replaces the
// one in d. The result is sorted by broker id.
func (d Domains) Merge(later Domains) Domains {
	byID := make(map[int32]BrokerDomain, len(d.Brokers)+len(later.Brokers))
	for _, b := range d.Brokers {
		byID[b.ID] = b
	}
	for _, b := range later.Brokers {
		byID[b.ID] = b
	}
	out := Domains{Version: 1}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out.Brokers = append(out.Brokers, byID[id])
	}
	return out
}

// Check reports entries that cannot describe a real placement: duplicate ids,
// negative ids or domains.
func (d Domains) Check() error {
	seen := make(map[int32]bool, len(d.Brokers))
	for i, b := range d.Brokers {
		switch {
		case b.ID < 0:
			return Invalidf("domains: brokers[%d]: broker id %d is negative", i, b.ID)
		case b.FaultDomain < 0 || b.UpdateDomain < 0:
			return Invalidf("domains: brokers[%d] (broker %d): fault and update domains must be >= 0, got FD%d UD%d",
				i, b.ID, b.FaultDomain, b.UpdateDomain)
		case seen[b.ID]:
			return Invalidf("domains: brokers[%d]: broker %d appears more than once", i, b.ID)
		}
		seen[b.ID] = true
	}
	return nil
}

// FormatFDUD renders a domain in the ZooKeeper / broker.rack convention, "FD<n>UD<m>".
func FormatFDUD(d Domain) string { return fmt.Sprintf("FD%dUD%d", d.FaultDomain, d.UpdateDomain) }
