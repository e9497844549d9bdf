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

// TestCandidateByBestIsScan pins fill's short scan to the full one: on
// generated clusters, after random load changes (which addLoad must keep
// byBest sorted through), for random partial placements and tried cells,
// candidateByBest returns what candidateScan does at full enforcement.
func TestCandidateByBestIsScan(t *testing.T) {
	shapes := []shape{
		{fds: 3, uds: 20, perCell: 4, topics: 6, maxRF: 3},
		{fds: 2, uds: 7, perCell: 3, emptyCell: 0.2, dead: 2, topics: 5, maxRF: 4},
		{fds: 2, uds: 3, zones: 2, perCell: 2, emptyCell: 0.2, topics: 4, maxRF: 4},
		{fds: 3, uds: 4, perCell: 5, emptyCell: 0.5, dead: 3, topics: 5, maxRF: 5},
	}
	rng := rand.New(rand.NewPCG(11, 11))
	for _, sh := range shapes {
		in := genCluster(rng, sh)
		opts := Options{Seed: rng.Uint64()}
		tp := newTopology(&in, &opts)
		p := &planner{t: tp, in: &in, opts: &opts}
		if err := p.scope(); err != nil {
			t.Fatal(err)
		}
		tp.formCells(p.heldAfter())
		p.s, p.tried = newSearcher(tp), make([]uint32, len(tp.cells))
		for round := range 2000 {
			for range 1 + rng.IntN(20) {
				b := int32(rng.IntN(len(tp.brokers)))
				if tp.load[b] > 0 && rng.IntN(2) == 0 {
					tp.addLoad(b, -1)
				} else {
					tp.addLoad(b, 1)
				}
			}
			checkByBest(t, tp)
			r := 1 + rng.IntN(sh.maxRF)
			lim := p.limits(r, levelAll)
			p.s.begin(lim)
			var planned []int32
			for range rng.IntN(r) {
				b := int32(rng.IntN(len(tp.brokers)))
				if c := tp.brokers[b].cell; c >= 0 && !contains(planned, b) && p.s.fits(c) {
					p.s.push(c)
					planned = append(planned, b)
				}
			}
			p.epoch++
			for c := range p.tried {
				if rng.IntN(4) == 0 {
					p.tried[c] = p.epoch
				}
			}
			var cur []int32
			for range rng.IntN(4) {
				cur = append(cur, int32(rng.IntN(len(tp.brokers))))
			}
			left := r - len(planned)
			gc, gb := p.candidateByBest(cur, planned, left)
			wc, wb := p.candidateScan(cur, planned, left, lim)
			if gc != wc || gb != wb {
				t.Fatalf("%+v round %d: candidateByBest (cell %d, broker %d), candidateScan (cell %d, broker %d)", sh, round, gc, gb, wc, wb)
			}
		}
	}
}

// checkByBest fails unless byBest lists exactly the receiving cells in
// order of their best broker, with each cell's best its least loaded member
// and bestKey and bestPos current.
func checkByBest(t *testing.T, tp *topology) {
	t.Helper()
	n := 0
	for c, cell := range tp.cells {
		for _, m := range cell.members {
			if tp.less(m, cell.best) {
				t.Fatalf("cell %d: best %d, but %d is less loaded", c, cell.best, m)
			}
		}
		if !cell.recv {
			if tp.bestPos[c] != -1 {
				t.Fatalf("cell %d receives nothing but is at %d in byBest", c, tp.bestPos[c])
			}
			continue
		}
		n++
		if i := tp.bestPos[c]; tp.byBest[i] != int32(c) || tp.bestKey[i] != tp.key(cell.best) {
			t.Fatalf("cell %d: bestPos %d, byBest there %d, key %d, want %d", c, i, tp.byBest[i], tp.bestKey[i], tp.key(cell.best))
		}
	}
	if n != len(tp.byBest) {
		t.Fatalf("byBest has %d cells, %d receive", len(tp.byBest), n)
	}
	for i := 1; i < len(tp.byBest); i++ {
		if !tp.less(tp.cells[tp.byBest[i-1]].best, tp.cells[tp.byBest[i]].best) {
			t.Fatalf("byBest out of order at %d", i)
		}
	}
}

// TestKeepSetsCacheIsSearch pins bestSubset's cache of keepable sets per
// shape: over random current replica lists, replication factors, levels
// and loads on generated clusters, the cached answer is the one a fresh
// search gives, with a cache of the normal size and with one of four
// slots, where shapes keep taking each other's slots.
func TestKeepSetsCacheIsSearch(t *testing.T) {
	for _, bits := range []uint8{keepSlotBits, 2} {
		testKeepSets(t, bits)
	}
}

func testKeepSets(t *testing.T, bits uint8) {
	shapes := []shape{
		{fds: 3, uds: 20, perCell: 2, topics: 6, maxRF: 4},
		{fds: 2, uds: 7, perCell: 3, emptyCell: 0.2, dead: 3, topics: 5, maxRF: 5},
		{fds: 2, uds: 3, zones: 2, perCell: 2, emptyCell: 0.2, topics: 4, maxRF: 6},
	}
	rng := rand.New(rand.NewPCG(12, 12))
	for _, sh := range shapes {
		in := genCluster(rng, sh)
		opts := Options{}
		tp := newTopology(&in, &opts)
		p := &planner{t: tp, in: &in, opts: &opts}
		if err := p.scope(); err != nil {
			t.Fatal(err)
		}
		tp.formCells(p.heldAfter())
		p.s, p.keep = newSearcher(tp), newKeepSets(bits)
		var holders []int32
		for b := range tp.brokers {
			if tp.holds(int32(b)) {
				holders = append(holders, int32(b))
			}
		}
		// Lists drawn from a few brokers, so that shapes repeat and share
		// their first cells.
		rng.Shuffle(len(holders), func(i, j int) { holders[i], holders[j] = holders[j], holders[i] })
		pool := holders[:min(len(holders), 9)]
		for round := range 20000 {
			tp.addLoad(holders[rng.IntN(len(holders))], 1)
			var cur, elig []int32
			for j := range rng.IntN(7) {
				if b := pool[rng.IntN(len(pool))]; !contains(cur, b) {
					cur = append(cur, b)
					elig = append(elig, int32(j))
				}
			}
			for j := range elig {
				elig[j] = int32(j)
			}
			lim := p.limits(1+rng.IntN(sh.maxRF), rng.IntN(numLevels))
			gotMask, gotOK := p.bestSubset(cur, elig, lim)
			wantMask, wantOK := p.judge(cur, elig, p.keepable(cur, elig, lim, nil))
			if gotMask != wantMask || gotOK != wantOK {
				t.Fatalf("%+v, %d slots, round %d: replicas %v, r %d, level %d: cached %b %v, searched %b %v",
					sh, len(p.keep.slots), round, cur, lim.r, lim.level, gotMask, gotOK, wantMask, wantOK)
			}
		}
	}
}
