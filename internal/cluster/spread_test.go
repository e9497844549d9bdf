package cluster

import (
	"strings"
	"testing"
)

func TestTopologyCheck(t *testing.T) {
	// 3 FDs x 3 UDs, one broker per cell: id = 1 + 3*FD + UD.
	doms := map[int32]Domain{}
	var all []int32
	for f := range 3 {
		for u := range 3 {
			id := int32(1 + 3*f + u)
			doms[id] = Domain{FaultDomain: f, UpdateDomain: u}
			all = append(all, id)
		}
	}
	full := NewTopology(doms, all)
	twoFD := NewTopology(doms, []int32{1, 2, 3, 4, 5, 6}) // FD2 not eligible
	tests := []struct {
		name     string
		topo     Topology
		replicas []int32
		want     []string // substrings, one per violation; nil: valid
	}{
		{"spread", full, []int32{1, 5, 9}, nil},
		{"same FD", full, []int32{1, 2}, []string{"2 replicas in FD0 (at most 1 allowed)"}},
		{"same UD", full, []int32{1, 4}, []string{"2 replicas in UD0 (at most 1 allowed)"}},
		{"duplicate broker", full, []int32{1, 1}, []string{"broker 1 holds more than one replica", "2 replicas in FD0", "2 replicas in UD0"}},
		{"ineligible broker", twoFD, []int32{1, 9}, []string{"broker 9 is not eligible", "replicas span 1 of 2 fault domains"}},
		{"RF 4 over 3 FDs: 2+1+1", full, []int32{1, 2, 6, 7}, []string{"2 replicas in UD0 (at most 2"}[:0]},
		{"RF 4 over 3 FDs: 2+2+0", full, []int32{1, 2, 5, 6}, []string{"replicas span 2 of 3 fault domains"}},
		{"RF 3 over 2 FDs", twoFD, []int32{1, 2, 6}, nil},
		{"RF 3 over 2 FDs, all in one", twoFD, []int32{1, 2, 3}, []string{"3 replicas in FD0 (at most 2 allowed)", "replicas span 1 of 2 fault domains"}},
		{"single UD dimension is not a rule", NewTopology(doms, []int32{1, 4}), []int32{1, 4}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.topo.Check(tc.replicas)
			if len(got) != len(tc.want) {
				t.Fatalf("Check(%v) = %v, want %d violations %v", tc.replicas, got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i].Reason, w) {
					t.Errorf("violation %d = %q, want %q", i, got[i].Reason, w)
				}
			}
		})
	}
}

func TestTopologyZones(t *testing.T) {
	doms := map[int32]Domain{
		1: {Zone: "1", FaultDomain: 0, UpdateDomain: 0},
		2: {Zone: "1", FaultDomain: 1, UpdateDomain: 1},
		3: {Zone: "2", FaultDomain: 0, UpdateDomain: 2},
		4: {Zone: "2", FaultDomain: 1, UpdateDomain: 0},
	}
	topo := NewTopology(doms, []int32{1, 2, 3, 4})
	for _, tc := range []struct {
		reps []int32
		dim  Dimension
	}{{[]int32{1, 2}, ZoneDim}, {[]int32{1, 3}, FaultDomainDim}, {[]int32{1, 4}, UpdateDomainDim}} {
		v := topo.Check(tc.reps)
		if len(v) == 0 {
			t.Fatalf("Check(%v): no violation, want %s", tc.reps, tc.dim)
		}
		for _, x := range v {
			if x.Dimension != tc.dim {
				t.Errorf("Check(%v): %v, want only %s violations", tc.reps, v, tc.dim)
			}
		}
	}
	if v := topo.Check([]int32{2, 3}); v != nil {
		t.Fatalf("valid pair: %v", v)
	}
	if lo, hi := topo.Limits(FaultDomainDim, 5); lo != 2 || hi != 3 {
		t.Fatalf("Limits(FD, 5) = %d, %d", lo, hi)
	}
}
