package verify

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// whatIf flattens a risk's what-if into "FD0: offline a-0; below b-1" lines
// for the domains that lose something.
func whatIf(k Risk) []string {
	var out []string
	for _, d := range k.WhatIf {
		if len(d.Offline)+len(d.BelowMinISR) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s: offline %s; below %s", d.Domain, names(d.Offline), names(d.BelowMinISR)))
	}
	return out
}

func TestAssess(t *testing.T) {
	all9 := []int32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	underRep := part("u", 0, 1, 5, 9)
	underRep.ISR = r(1, 5)
	offlineNow := part("x", 0, 1, 4)
	offlineNow.ISR, offlineNow.Leader = nil, -1
	twoFD := &cluster.Domains{Brokers: []cluster.BrokerDomain{
		{ID: 1, FaultDomain: 0, UpdateDomain: 0}, {ID: 2, FaultDomain: 1, UpdateDomain: 1},
		{ID: 3, FaultDomain: 0, UpdateDomain: 2}, {ID: 4, FaultDomain: 1, UpdateDomain: 3},
	}}
	zones := &cluster.Domains{Brokers: []cluster.BrokerDomain{
		{ID: 1, Zone: "1", FaultDomain: 0, UpdateDomain: 0}, {ID: 2, Zone: "1", FaultDomain: 1, UpdateDomain: 1},
		{ID: 3, Zone: "2", FaultDomain: 0, UpdateDomain: 2}, {ID: 4, Zone: "2", FaultDomain: 1, UpdateDomain: 3},
	}}
	cases := []struct {
		name       string
		parts      []cluster.PartitionState
		live       []int32
		domains    *cluster.Domains
		minISR     map[string]int
		violations []string // "tp: reason; reason"
		whatIf     []string
		under      []string
		atRisk     map[string]int // by dimension name
		total      int
		structural map[string]int // by dimension name; nil: none in any
		fixes      []string       // "dimension: partitions at RF r over n, min ISR m: fix"
	}{
		{name: "spread", parts: []cluster.PartitionState{part("a", 0, 1, 5, 9), part("a", 1, 2, 6, 7)},
			live: all9, domains: grid3x3(), atRisk: map[string]int{"fault_domain": 0, "update_domain": 0}},
		{name: "all in one fault domain", parts: []cluster.PartitionState{part("a", 0, 1, 4, 7), part("a", 1, 2, 6, 7)},
			live: all9, domains: grid3x3(),
			violations: []string{"a-0: 3 replicas in FD0 (at most 1 allowed); replicas span 1 of 3 fault domains (each must hold at least 1)"},
			whatIf:     []string{"FD0: offline [a-0]; below []"},
			atRisk:     map[string]int{"fault_domain": 1, "update_domain": 0}, total: 1},
		{name: "all in one update domain", parts: []cluster.PartitionState{part("a", 0, 1, 2, 3)},
			live: all9, domains: grid3x3(),
			violations: []string{"a-0: 3 replicas in UD0 (at most 1 allowed); replicas span 1 of 3 update domains (each must hold at least 1)"},
			whatIf:     []string{"UD0: offline [a-0]; below []"},
			atRisk:     map[string]int{"fault_domain": 0, "update_domain": 1}, total: 1},
		// min.insync.replicas=2 with R=3 over 3 FDs survives any one FD.
		{name: "min ISR met", parts: []cluster.PartitionState{part("a", 0, 1, 5, 9)}, minISR: map[string]int{"a": 2},
			live: all9, domains: grid3x3(), atRisk: map[string]int{"fault_domain": 0, "update_domain": 0}},
		// Two fault domains: R=3 spreads 2+1, which the rules allow, but
		// losing the FD with two leaves one replica, below min ISR 2. No
		// placement avoids it (issue 9): structural risk, not at risk.
		{name: "below min ISR with two fault domains", parts: []cluster.PartitionState{part("a", 0, 1, 2, 3)},
			minISR: map[string]int{"a": 2}, live: r(1, 2, 3, 4), domains: twoFD,
			whatIf: []string{"FD0: offline []; below [a-0]"},
			atRisk: map[string]int{"fault_domain": 0, "update_domain": 0}, total: 0,
			structural: map[string]int{"fault_domain": 1, "update_domain": 0},
			fixes:      []string{"fault domain: 1 at RF 3 over 2, min ISR 2: add a fault domain (3 in all), or use replication factor 4, or lower min.insync.replicas to 1"}},
		// The same shape placed badly (all in FD0) is a placement problem: at risk.
		{name: "two fault domains, placed badly", parts: []cluster.PartitionState{part("a", 0, 1, 3, 5)},
			minISR: map[string]int{"a": 2}, live: r(1, 2, 3, 4, 5), domains: &cluster.Domains{Brokers: append(slices.Clone(twoFD.Brokers),
				cluster.BrokerDomain{ID: 5, FaultDomain: 0, UpdateDomain: 4})},
			violations: []string{"a-0: 3 replicas in FD0 (at most 2 allowed); replicas span 1 of 2 fault domains (each must hold at least 1)"},
			whatIf:     []string{"FD0: offline [a-0]; below []"},
			atRisk:     map[string]int{"fault_domain": 1, "update_domain": 0}, total: 1},
		// A dead replica is no shape of the cluster: at risk.
		{name: "two fault domains, a replica down", parts: []cluster.PartitionState{part("a", 0, 1, 2, 3)},
			minISR: map[string]int{"a": 2}, live: r(1, 3, 4), domains: twoFD,
			violations: []string{"a-0: broker 2 is not live"},
			whatIf:     []string{"FD0: offline [a-0]; below []", "UD0: offline []; below [a-0]", "UD2: offline []; below [a-0]"},
			atRisk:     map[string]int{"fault_domain": 1, "update_domain": 1}, total: 1},
		// RF 2 over two FDs with min ISR 2: any FD's loss leaves 1.
		{name: "replication factor 2, min ISR 2", parts: []cluster.PartitionState{part("a", 0, 1, 2)},
			minISR: map[string]int{"a": 2}, live: r(1, 2, 3, 4), domains: twoFD,
			whatIf: []string{"FD0: offline []; below [a-0]", "FD1: offline []; below [a-0]", "UD0: offline []; below [a-0]", "UD1: offline []; below [a-0]"},
			atRisk: map[string]int{"fault_domain": 0, "update_domain": 0}, total: 0,
			structural: map[string]int{"fault_domain": 1, "update_domain": 1},
			fixes: []string{"fault domain: 1 at RF 2 over 2, min ISR 2: use replication factor 4, or lower min.insync.replicas to 1",
				"update domain: 1 at RF 2 over 4, min ISR 2: use replication factor 3, or lower min.insync.replicas to 1"}},
		{name: "default min ISR is 1", parts: []cluster.PartitionState{part("a", 0, 1, 2, 3)},
			live: r(1, 2, 3, 4), domains: twoFD, atRisk: map[string]int{"fault_domain": 0, "update_domain": 0}},
		// Broker 5 is dead: its replica cannot save a-0 when FD0 or UD0 fails.
		{name: "dead broker", parts: []cluster.PartitionState{part("a", 0, 1, 5)},
			live: r(1, 2, 3, 4, 6, 7, 8, 9), domains: grid3x3(),
			violations: []string{"a-0: broker 5 is not live"},
			whatIf:     []string{"FD0: offline [a-0]; below []", "UD0: offline [a-0]; below []"},
			atRisk:     map[string]int{"fault_domain": 1, "update_domain": 1}, total: 1},
		{name: "under-replicated and offline now", parts: []cluster.PartitionState{underRep, offlineNow},
			live: all9, domains: grid3x3(),
			violations: []string{"x-0: 2 replicas in FD0 (at most 1 allowed)"},
			whatIf:     []string{"FD0: offline [x-0]; below []"},
			under:      []string{"u-0 isr [1 5] below=false offline=false", "x-0 isr [] below=true offline=true"},
			atRisk:     map[string]int{"fault_domain": 1, "update_domain": 0}, total: 2},
		{name: "no domains: replication only", parts: []cluster.PartitionState{underRep, part("a", 0, 1, 4, 7)},
			live: all9, under: []string{"u-0 isr [1 5] below=false offline=false"}, atRisk: map[string]int{}, total: 1},
		{name: "zones", parts: []cluster.PartitionState{part("a", 0, 1, 2), part("a", 1, 1, 4)},
			live: r(1, 2, 3, 4), domains: zones,
			violations: []string{`a-0: 2 replicas in zone "1" (at most 1 allowed); replicas span 1 of 2 zones (each must hold at least 1)`},
			whatIf:     []string{`zone "1": offline [a-0]; below []`},
			atRisk:     map[string]int{"zone": 1, "fault_domain": 0, "update_domain": 0}, total: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := AssessInput{Scope: "plan", Partitions: tc.parts, Live: tc.live,
				MinISR: func(topic string) int {
					if n, ok := tc.minISR[topic]; ok {
						return n
					}
					return 1
				}}
			if tc.domains != nil {
				in.Domains = tc.domains.Map()
			}
			k := Assess(in)
			var vs []string
			for _, v := range k.Violations {
				vs = append(vs, v.TP.String()+": "+strings.Join(v.Reasons, "; "))
			}
			if !slices.Equal(vs, tc.violations) {
				t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(vs, "\n"), strings.Join(tc.violations, "\n"))
			}
			if got := whatIf(k); !slices.Equal(got, tc.whatIf) {
				t.Errorf("what-if:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.whatIf, "\n"))
			}
			var under []string
			for _, u := range k.UnderReplicated {
				under = append(under, fmt.Sprintf("%s isr %v below=%t offline=%t", u.TP, ids(u.ISR), u.BelowMinISR, u.Offline))
			}
			if !slices.Equal(under, tc.under) {
				t.Errorf("under-replicated %q, want %q", under, tc.under)
			}
			got := map[string]int{}
			for d, n := range k.AtRisk {
				got[DimensionName(d)] = n
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.atRisk) {
				t.Errorf("at risk %v, want %v", got, tc.atRisk)
			}
			if k.AtRiskTotal != tc.total {
				t.Errorf("at risk total %d, want %d", k.AtRiskTotal, tc.total)
			}
			structural := map[string]int{}
			for d, n := range k.Structural {
				if n > 0 || tc.structural != nil {
					structural[DimensionName(d)] = n
				}
			}
			if want := tc.structural; fmt.Sprint(structural) != fmt.Sprint(want) && !(len(want) == 0 && len(structural) == 0) {
				t.Errorf("structural %v, want %v", structural, want)
			}
			var fixes []string
			for _, g := range k.StructuralGroups {
				fixes = append(fixes, fmt.Sprintf("%s: %d at RF %d over %d, min ISR %d: %s", g.Dimension, g.Partitions, g.RF, g.Domains, g.MinISR, g.Fix()))
			}
			if !slices.Equal(fixes, tc.fixes) {
				t.Errorf("structural risk:\n%s\nwant:\n%s", strings.Join(fixes, "\n"), strings.Join(tc.fixes, "\n"))
			}
		})
	}
}

// Every domain of every dimension appears in the what-if, with its brokers,
// so the metrics have a series per domain even when it is zero.
func TestAssessListsEveryDomain(t *testing.T) {
	k := Assess(AssessInput{Partitions: []cluster.PartitionState{part("a", 0, 1, 5, 9)},
		Live: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9}, Domains: grid3x3().Map()})
	var got []string
	for _, d := range k.WhatIf {
		got = append(got, fmt.Sprintf("%s%v", d.Domain, d.Brokers))
	}
	want := []string{"FD0[1 4 7]", "FD1[2 5 8]", "FD2[3 6 9]", "UD0[1 2 3]", "UD1[4 5 6]", "UD2[7 8 9]"}
	if !slices.Equal(got, want) {
		t.Errorf("what-if domains %v, want %v", got, want)
	}
}

// A replica on a broker the domains document does not place is counted as
// surviving every domain's loss, and the broker is named.
func TestAssessBrokerWithoutDomain(t *testing.T) {
	k := Assess(AssessInput{Partitions: []cluster.PartitionState{part("a", 0, 1, 10)},
		Live: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Domains: grid3x3().Map()})
	if !slices.Equal(k.NoDomain, []int32{10}) {
		t.Errorf("no domain %v, want [10]", k.NoDomain)
	}
	if got := whatIf(k); len(got) != 0 {
		t.Errorf("what-if %v, want nothing lost", got)
	}
	if len(k.Violations) != 1 || !slices.Contains(k.Violations[0].Reasons, "broker 10 has no domain") {
		t.Errorf("violations %+v, want broker 10 named as without a domain", k.Violations)
	}
	// Down as well (--domains rack during a reboot knows only live
	// brokers): both are said, once each ("broker 10 has no domain" was
	// said twice, and "not live" not at all).
	k = Assess(AssessInput{Partitions: []cluster.PartitionState{part("a", 0, 1, 10)},
		Live: []int32{1, 2, 3, 4, 5, 6, 7, 8, 9}, Domains: grid3x3().Map()})
	if len(k.Violations) != 1 || !slices.Equal(k.Violations[0].Reasons, []string{"broker 10 has no domain", "broker 10 is not live"}) {
		t.Errorf("violations %+v, want broker 10 without a domain and not live, once each", k.Violations)
	}
}
