package generate

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCheckSmallIsCheckAll pins check's short-list path to the plain one:
// on generated clusters (zones, dead and excluded brokers, empty cells),
// every level and replication factor, and random replica lists of up to
// maxSmallCheck brokers with duplicates and brokers that may not hold
// replicas, checkSmall and checkAll return the same violations.
func TestCheckSmallIsCheckAll(t *testing.T) {
	shapes := []shape{
		{fds: 3, uds: 20, perCell: 2, topics: 6, maxRF: 3},
		{fds: 2, uds: 7, perCell: 2, emptyCell: 0.2, dead: 2, topics: 5, maxRF: 4},
		{fds: 2, uds: 3, zones: 2, perCell: 1, emptyCell: 0.2, topics: 4, maxRF: 4},
		{fds: 3, uds: 4, perCell: 3, emptyCell: 0.5, dead: 3, topics: 5, maxRF: 5},
	}
	rng := rand.New(rand.NewPCG(10, 10))
	for _, sh := range shapes {
		for _, evacuate := range []bool{false, true} {
			in := genCluster(rng, sh)
			ids := slices.Sorted(maps.Keys(in.Domains))
			opts := Options{EvacuateDownBrokers: evacuate, ExcludeBrokers: []int32{ids[rng.IntN(len(ids))]}}
			tp := newTopology(&in, &opts)
			p := &planner{t: tp, in: &in, opts: &opts}
			if err := p.scope(); err != nil {
				t.Fatal(err)
			}
			tp.formCells(p.heldAfter())
			reps := make([]int32, 0, maxSmallCheck)
			for range 3000 {
				reps = reps[:0]
				for range rng.IntN(maxSmallCheck + 1) {
					reps = append(reps, int32(rng.IntN(len(tp.brokers))))
				}
				r, level := 1+rng.IntN(maxSmallCheck), rng.IntN(numLevels)
				lim := p.limits(r, level)
				if got, want := tp.checkSmall(reps, lim), tp.checkAll(reps, lim); got != want {
					t.Fatalf("%+v: replicas %v, r %d, level %d: checkSmall %04b, checkAll %04b", sh, reps, r, level, got, want)
				}
			}
		}
	}
}
