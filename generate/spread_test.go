package generate

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// fdSpread is the balance measure of issue 10, computed independently of
// the planner: per fault domain, the largest minus the smallest replica
// count among its brokers that may receive replicas, after the plan; the
// worst fault domain.
func fdSpread(in Input, opts Options, plan cluster.Assignment) int {
	load := map[int32]int{}
	for _, reps := range afterMap(in.Current, plan) {
		for _, b := range reps {
			load[b]++
		}
	}
	lo, hi := map[string]int{}, map[string]int{}
	for _, id := range eligibleIDs(in, opts) {
		d := in.Domains[id]
		fd := d.Zone + "/" + fmt.Sprint(d.FaultDomain)
		l := load[id]
		if _, ok := lo[fd]; !ok || l < lo[fd] {
			lo[fd] = l
		}
		if _, ok := hi[fd]; !ok || l > hi[fd] {
			hi[fd] = l
		}
	}
	worst := 0
	for fd := range lo {
		worst = max(worst, hi[fd]-lo[fd])
	}
	return worst
}

func afterMap(cur, plan cluster.Assignment) map[cluster.TopicPartition][]int32 {
	m := map[cluster.TopicPartition][]int32{}
	for _, p := range cur.Partitions {
		m[p.TP()] = p.Replicas
	}
	for _, p := range plan.Partitions {
		m[p.TP()] = p.Replicas
	}
	return m
}

// driftCluster is issue 10's first shape: 24 brokers on 3 FDs x 8 UDs, one
// per cell (ids 1..24, FD-major), 3,000 RF-3 partitions each valid (one
// replica per FD, distinct UDs), then the VM of the broker in FD0/UD6 moves
// to FD1/UD1.
func driftCluster(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 10))
	const fds, uds = 3, 8
	doms := fullGrid(fds, uds)
	at := func(fd, ud int) int32 { return int32(fd*uds + ud + 1) }
	var a cluster.Assignment
	for p := range 3000 {
		perm := rng.Perm(uds)
		fdOrder := rng.Perm(fds)
		reps := make([]int32, fds)
		for j, fd := range fdOrder {
			reps[j] = at(fd, perm[j])
		}
		a.Partitions = append(a.Partitions, cluster.PartitionAssignment{Topic: fmt.Sprintf("t%d", p/100), Partition: int32(p % 100), Replicas: reps})
	}
	doms[at(0, 6)] = cluster.Domain{FaultDomain: 1, UpdateDomain: 1}
	return Input{Current: a, Domains: doms}
}

// randomCluster places parts partitions of rf replicas on distinct brokers
// chosen at random, ignoring domains.
func randomCluster(seed uint64, doms map[int32]cluster.Domain, parts, rf int) Input {
	rng := rand.New(rand.NewPCG(seed, 11))
	ids := slices.Sorted(maps.Keys(doms))
	var a cluster.Assignment
	for p := range parts {
		perm := rng.Perm(len(ids))
		reps := make([]int32, rf)
		for j := range rf {
			reps[j] = ids[perm[j]]
		}
		a.Partitions = append(a.Partitions, cluster.PartitionAssignment{Topic: fmt.Sprintf("t%d", p/100), Partition: int32(p % 100), Replicas: reps})
	}
	return Input{Current: a, Domains: doms}
}

// availabilitySet places n brokers as an Azure availability set does:
// broker i (id i+1) in FD i%fds and UD i%uds.
func availabilitySet(n, fds, uds int) map[int32]cluster.Domain {
	m := map[int32]cluster.Domain{}
	for i := range n {
		m[int32(i+1)] = cluster.Domain{FaultDomain: i % fds, UpdateDomain: i % uds}
	}
	return m
}

// spreadLowerBound is a lower bound on the per-FD spread any plan at the
// minimal movement can reach, computed by brute force independently of the
// planner: each broker's load lies between what every minimal-move option
// of the partitions gives it and what some option can; a fault domain's
// spread is at least its highest floor minus its lowest ceiling.
func spreadLowerBound(in Input, opts Options) int {
	bb := newBruteBound(in, opts)
	lo, hi := map[int32]int{}, map[int32]int{}
	for _, p := range in.Current.Partitions {
		cur := p.Replicas
		r := len(cur)
		if bb.valid(cur) {
			for _, b := range cur {
				lo[b]++
				hi[b]++
			}
			continue
		}
		keep := bb.maxKeep(cur, r)
		every, some := map[int32]int{}, map[int32]bool{}
		options := 0
		var held []int32
		for _, b := range cur {
			if slices.Contains(bb.holders, b) {
				held = append(held, b)
			}
		}
		var rest []int32
		for _, b := range bb.eligible {
			if !slices.Contains(cur, b) {
				rest = append(rest, b)
			}
		}
		// A changed partition keeps as few replicas on down brokers as it can.
		downKept := func(set []int32) int {
			n := 0
			for _, b := range set {
				if !slices.Contains(bb.eligible, b) {
					n++
				}
			}
			return n
		}
		fewestDown := len(cur) + 1
		for mask := 0; mask < 1<<len(held); mask++ {
			var set []int32
			for j, b := range held {
				if mask&(1<<j) != 0 {
					set = append(set, b)
				}
			}
			if len(set) == keep && bb.completable(set, r) {
				fewestDown = min(fewestDown, downKept(set))
			}
		}
		for mask := 0; mask < 1<<len(held); mask++ {
			var set []int32
			for j, b := range held {
				if mask&(1<<j) != 0 {
					set = append(set, b)
				}
			}
			if len(set) != keep || downKept(set) != fewestDown {
				continue
			}
			var rec func(start int, acc []int32)
			rec = func(start int, acc []int32) {
				if len(acc) == r {
					if bb.valid(acc) {
						options++
						for _, b := range acc {
							every[b]++
							some[b] = true
						}
					}
					return
				}
				for k := start; k < len(rest); k++ {
					rec(k+1, append(slices.Clone(acc), rest[k]))
				}
			}
			rec(0, set)
		}
		for b := range some {
			hi[b]++
			if every[b] == options {
				lo[b]++
			}
		}
	}
	fdLo, fdHi := map[int]int{}, map[int]int{}
	for _, id := range eligibleIDs(in, opts) {
		fd := in.Domains[id].FaultDomain
		if v, ok := fdLo[fd]; !ok || lo[id] > v {
			fdLo[fd] = lo[id]
		}
		if v, ok := fdHi[fd]; !ok || hi[id] < v {
			fdHi[fd] = hi[id]
		}
	}
	bound := 0
	for fd := range fdLo {
		bound = max(bound, fdLo[fd]-fdHi[fd])
	}
	return bound
}

// driftFD1Bound is a lower bound for driftCluster: the exact optimum of
// fault domain 1's spread alone. Only the partitions of the moved broker B
// break; each keeps B or its FD1 replica x (x only if its FD2 replica is
// not in B's new UD1). So B ends with as many replicas as there are x let
// go, each x with its load less those, and a window [m, M] of final loads
// is reachable if and only if the sums fit.
func driftFD1Bound(in Input) int {
	const uds = 8
	B := int32(0*uds + 6 + 1)
	load := map[int32]int{}
	for _, p := range in.Current.Partitions {
		for _, b := range p.Replicas {
			load[b]++
		}
	}
	var fd1 []int32
	for id, d := range in.Domains {
		if d.FaultDomain == 1 && id != B {
			fd1 = append(fd1, id)
		}
	}
	cap := map[int32]int{}
	for _, p := range in.Current.Partitions {
		if !slices.Contains(p.Replicas, B) {
			continue
		}
		var x, y int32
		for _, b := range p.Replicas {
			if b == B {
				continue
			}
			if in.Domains[b].FaultDomain == 1 {
				x = b
			} else {
				y = b
			}
		}
		if in.Domains[y].UpdateDomain != 1 {
			cap[x]++
		}
	}
	best := 1 << 30
	for m := 0; m <= 600; m++ {
		for M := m; M <= 600 && M-m < best; M++ {
			lo, hi := 0, 0
			ok := true
			for _, j := range fd1 {
				l := max(0, load[j]-M)
				h := min(cap[j], load[j]-m)
				if l > h {
					// an x with no B partitions: load fixed
					ok = false
					break
				}
				lo += l
				hi += h
			}
			if ok && max(lo, m) <= min(hi, M) {
				best = M - m
			}
		}
	}
	return best
}

// TestSpreadAtOptimum pins issue 10: with moves fixed at the lower bound,
// the per-FD spread reaches the optimum on the shapes of the issue, where a
// brute-force lower bound proves it (classic, 2x4 RF 4, the drift seeds
// marked proven), and stays within the figure measured when this was
// written elsewhere (the lower bound there is not tight enough to tell).
func TestSpreadAtOptimum(t *testing.T) {
	classic := Input{Domains: fullGrid(2, 3), Current: assignment("orders", []int32{1, 2}, []int32{4, 5}, []int32{3, 6})}
	shapes := []struct {
		name   string
		in     Input
		opts   Options
		want   int  // the spread must not exceed this
		proven bool // want is the brute-force lower bound: the optimum
	}{
		{"classic/seed0", classic, Options{Seed: 0}, 0, true},
		{"classic/seed1", classic, Options{Seed: 1}, 0, true},
		{"classic/seed5", classic, Options{Seed: 5}, 0, true},
		{"2x4-rf4/0", randomCluster(0, fullGrid(2, 4), 400, 4), Options{}, 0, true},
		{"2x4-rf4/2", randomCluster(2, fullGrid(2, 4), 400, 4), Options{Seed: 2}, 0, true},
		{"2x4-rf4/6", randomCluster(6, fullGrid(2, 4), 400, 4), Options{Seed: 6}, 0, true},
		{"3x20/1", randomCluster(1, availabilitySet(20, 3, 20), 2000, 3), Options{Seed: 1}, 1, false},
		{"drift/0", driftCluster(0), Options{Seed: 0}, 71, true},
		{"drift/1", driftCluster(1), Options{Seed: 1}, 112, true},
		{"drift/2", driftCluster(2), Options{Seed: 2}, 61, true},
		{"drift/3", driftCluster(3), Options{Seed: 3}, 80, true},
		{"drift/4", driftCluster(4), Options{Seed: 4}, 76, true},
		{"drift/5", driftCluster(5), Options{Seed: 5}, 101, true},
		{"drift/7", driftCluster(7), Options{Seed: 7}, 86, true},
		// FD0 and FD1 trade here (B leaving feeds FD0's UD1 broker and
		// empties B); the bounds give 65.
		{"drift/6", driftCluster(6), Options{Seed: 6}, 69, false},
		// Uneven cells (3x5, some empty, up to 3 per cell), R above the number
		// of FDs, an excluded broker, down brokers keeping their replicas.
		// UD2 has only brokers 6 (FD0) and 12 (FD1): at RF 5 on 5 UDs they
		// share every partition's UD2 replica, 300 between them.
		{"uneven-rf5", randomCluster(3, unevenCells(3, 5, 3), 300, 5), Options{}, 103, false},
		{"uneven-exclude", randomCluster(4, unevenCells(3, 4, 3), 300, 3), Options{ExcludeBrokers: []int32{2}}, 7, false},
		// A changed partition lets go of a replica on a down broker where it
		// can (so that Kafka can complete it now); that costs balance here.
		{"uneven-down", withDown(randomCluster(5, unevenCells(2, 5, 2), 300, 3), 3, 8), Options{}, 5, false},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			res, err := Plan(sh.in, sh.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Report.ReplicasMoved != res.Report.MoveLowerBound {
				t.Fatalf("moved %d, lower bound %d", res.Report.ReplicasMoved, res.Report.MoveLowerBound)
			}
			got := fdSpread(sh.in, sh.opts, res.Plan)
			if got != res.Report.FDSpreadAfter || got != res.Report.FDSpreadRepair {
				t.Errorf("report says spread %d after the repair, %d after the plan; measured %d",
					res.Report.FDSpreadRepair, res.Report.FDSpreadAfter, got)
			}
			if got > sh.want {
				t.Errorf("per-FD spread %d, want at most %d", got, sh.want)
			}
			if sh.proven {
				lb := spreadLowerBound(sh.in, sh.opts)
				if strings.HasPrefix(sh.name, "drift/") {
					lb = max(lb, driftFD1Bound(sh.in))
				}
				if lb != sh.want {
					t.Errorf("lower bound %d, test says %d", lb, sh.want)
				}
			}
		})
	}
}

// TestBalanceBuysSpread pins issue 10's --balance: extra moves go where
// they lower the worst fault domain's spread, and the report says how much
// they bought.
func TestBalanceBuysSpread(t *testing.T) {
	in := driftCluster(0)
	for _, c := range []struct{ moves, want int }{{19, 50}, {77, 22}, {0, 1}} {
		res, err := Plan(in, Options{Balance: true, MaxMoves: c.moves})
		if err != nil {
			t.Fatal(err)
		}
		r := res.Report
		if c.moves > 0 && r.BalanceMoves != c.moves || r.ReplicasMoved != r.MoveLowerBound+r.BalanceMoves {
			t.Errorf("--max-moves %d: %d balance moves, %d moved, bound %d", c.moves, r.BalanceMoves, r.ReplicasMoved, r.MoveLowerBound)
		}
		if got := fdSpread(in, Options{}, res.Plan); got != r.FDSpreadAfter || got > c.want || r.FDSpreadRepair != 71 {
			t.Errorf("--max-moves %d: spread %d after the repair, %d after (measured %d), want at most %d",
				c.moves, r.FDSpreadRepair, r.FDSpreadAfter, got, c.want)
		}
	}
}

// unevenCells places up to perCell brokers (at least one) in each cell of
// fds x uds, a seeded few cells left empty.
func unevenCells(fds, uds, perCell int) map[int32]cluster.Domain {
	rng := rand.New(rand.NewPCG(uint64(fds*100+uds), 12))
	m := map[int32]cluster.Domain{}
	id := int32(1)
	for f := range fds {
		for u := range uds {
			if rng.IntN(5) == 0 {
				continue
			}
			for range 1 + rng.IntN(perCell) {
				m[id] = cluster.Domain{FaultDomain: f, UpdateDomain: u}
				id++
			}
		}
	}
	return m
}

// withDown marks brokers down as not alive.
func withDown(in Input, down ...int32) Input {
	for _, id := range slices.Sorted(maps.Keys(in.Domains)) {
		if !slices.Contains(down, id) {
			in.Live = append(in.Live, id)
		}
	}
	return in
}
