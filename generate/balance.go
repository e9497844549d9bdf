package generate

import "slices"

// balanceTries bounds the receivers tried for one replica.
const (
	balanceTries  = 8
	balanceRefine = 4096 // options refine may evaluate after each extra move
)

// balance spends extra moves (at most MaxMoves; 0: no limit) where they
// help most: each one takes a replica that stays off a broker at the top of
// the worst fault domain and gives it to the least loaded broker that keeps
// the rules, if that lowers the potential refine uses (worst per-FD spread,
// brokers at its extremes, sum of squared loads); refine then re-plans the
// free choices around it. It stops when no move helps.
func (p *planner) balance() {
	r, _ := p.newRefiner()
	// Every partition placed by the rules may give up a replica it keeps.
	held := make([][]int32, len(p.t.brokers))
	for i := range p.src {
		if p.out[i] == outInfeasible || p.out[i] == outCompromised {
			continue
		}
		for _, b := range p.final(i) {
			held[b] = append(held[b], int32(i))
		}
	}
	byLoad := make([]int32, 0, len(p.t.brokers))
	for b := range p.t.brokers {
		if r.group[b] >= 0 {
			byLoad = append(byLoad, int32(b))
		}
	}
	r.pot = r.measure()
	moves := 0
	for p.opts.MaxMoves == 0 || moves < p.opts.MaxMoves {
		if !r.payOne(held, byLoad) {
			break
		}
		moves++
		r.work = max(r.work, balanceRefine) // each paid move earns some free re-planning
		r.run()
	}
}

// payOne makes one extra move that lowers the potential: a replica a
// partition keeps moves from a broker at the top of a worst group (or,
// failing that, of any group) to the least loaded broker that keeps the
// rules. It reports whether it found one.
func (r *refiner) payOne(held [][]int32, byLoad []int32) bool {
	p := r.p
	t := p.t
	slices.SortFunc(byLoad, func(a, b int32) int {
		if t.less(a, b) {
			return -1
		}
		if t.less(b, a) {
			return 1
		}
		return 0
	})
	hot, _ := r.extremes()
	// Then the other brokers, most loaded first.
	for k := len(byLoad) - 1; k >= 0; k-- {
		if !contains(hot, byLoad[k]) {
			hot = append(hot, byLoad[k])
		}
	}
	for _, h := range hot {
		for _, i32 := range held[h] {
			i := int(i32)
			fin := p.final(i)
			at := index(fin, h)
			if at < 0 || !contains(p.curOf(i), h) {
				continue // gone, or placed by the plan: moving it is refine's (free) business
			}
			if r.payFrom(i, at, byLoad, held) {
				return true
			}
		}
	}
	return false
}

// payFrom moves replica at of partition i to one of the least loaded
// brokers that keep the rules, if the potential falls.
func (r *refiner) payFrom(i, at int, byLoad []int32, held [][]int32) bool {
	p := r.p
	t := p.t
	fin := p.final(i)
	h := fin[at]
	lim := p.limits(len(fin), levelAll)
	tries := 0
	for _, b := range byLoad {
		if t.load[b] >= t.load[h]-1 || tries >= balanceTries {
			return false
		}
		if contains(fin, b) || contains(p.curOf(i), b) {
			continue
		}
		fin[at] = b
		ok := t.check(fin, lim) == 0
		fin[at] = h
		if !ok {
			continue
		}
		tries++
		r.saved = append(r.saved[:0], fin...)
		next := append([]int32(nil), fin...)
		next[at] = b
		r.apply(i, next)
		if pot := r.measure(); pot.less(r.pot) {
			r.pot = pot
			held[b] = append(held[b], int32(i))
			if p.out[i] == outUntouched {
				p.out[i] = outRepaired
			}
			return true
		}
		r.undo(i, r.saved)
		r.measure()
	}
	return false
}
