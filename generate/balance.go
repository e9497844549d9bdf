package generate

import (
	"math"
	"slices"
)

const (
	// balanceGrant is the options a paid move lets the search for the next
	// one evaluate; balanceRefine those it lets refine evaluate after it.
	balanceGrant  = 2048
	balanceRefine = 256
	// balanceScan bounds the partitions one search for a paid move tries
	// per broker, from where the last search left off.
	balanceScan = 64
)

// balance spends extra moves (at most MaxMoves; 0: no limit) where they
// help most. Each one re-plans a partition that keeps a replica on a broker
// at the top of the worst fault domain (then of any group, most loaded
// first): it lets that replica go and places the partition anew with one
// more move than before, the best way for the potential refine uses (worst
// per-FD spread, brokers at its extremes, sum of squared loads), if that
// lowers it. refine then re-plans the free choices around it. It stops when
// no such move helps, or when the search has spent its budget (a constant,
// plus a grant for each move it made).
func (p *planner) balance() {
	r, _ := p.newRefiner()
	// Every partition placed by the rules may give up a replica it keeps.
	held := make([][]int32, len(p.t.brokers))
	for i := range p.src {
		if p.out[i] == outInfeasible || p.out[i] == outCompromised || len(p.final(i)) > 64 {
			continue
		}
		for _, b := range p.final(i) {
			if contains(p.curOf(i), b) {
				held[b] = append(held[b], int32(i))
			}
		}
	}
	p.smallFirst(held)
	r.cursor = make([]int, len(p.t.brokers))
	r.pot = r.measure()
	search := refineBudgetBase // options the search for paid moves may evaluate
	moves := 0
	for p.opts.MaxMoves == 0 || moves < p.opts.MaxMoves {
		r.work = search
		found := r.payOne(held)
		search = r.work
		if !found {
			break
		}
		moves++
		search += balanceGrant
		r.work = balanceRefine
		r.run()
	}
}

// payOne makes one extra move that lowers the potential, and reports
// whether it found one.
func (r *refiner) payOne(held [][]int32) bool {
	t := r.p.t
	hot, _ := r.extremes()
	for _, h := range hot {
		if r.payFrom(h, held) {
			return true
		}
	}
	// Then every other broker that may receive, most loaded first.
	var rest []int32
	for b, g := range r.group {
		if g >= 0 && !contains(hot, int32(b)) {
			rest = append(rest, int32(b))
		}
	}
	slices.SortFunc(rest, func(a, b int32) int {
		if t.less(b, a) {
			return -1
		}
		if t.less(a, b) {
			return 1
		}
		return 0
	})
	for _, h := range rest {
		if r.work <= 0 {
			break
		}
		if r.payFrom(h, held) {
			return true
		}
	}
	return false
}

// payFrom tries the partitions keeping a replica on broker h, from where the
// last try left off, and makes the first paid move that lowers the
// potential.
func (r *refiner) payFrom(h int32, held [][]int32) bool {
	p := r.p
	l := held[h]
	for n := 0; n < min(len(l), balanceScan); n++ {
		if r.work <= 0 {
			return false
		}
		k := (r.cursor[h] + n) % len(l)
		i := int(l[k])
		cur, fin := p.curOf(i), p.final(i)
		if !contains(fin, h) {
			continue // moved off by an earlier move: refine's business now
		}
		kept := 0
		for _, b := range fin {
			if contains(cur, b) {
				kept++
			}
		}
		if _, ok := r.bestKeeping(i, kept-1, r.pot.worst, h, -1, math.MaxInt64); !ok {
			continue
		}
		r.saved = append(r.saved[:0], fin...)
		r.apply(i, r.best)
		if pot := r.measure(); pot.less(r.pot) {
			r.pot = pot
			r.cursor[h] = k + 1
			if p.out[i] == outUntouched {
				p.out[i] = outRepaired
			}
			return true
		}
		r.undo(i, r.saved)
		r.measure()
	}
	if len(l) > 0 {
		r.cursor[h] = (r.cursor[h] + balanceScan) % len(l)
	}
	return false
}
