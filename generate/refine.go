package generate

import (
	"math"
	"math/bits"
)

// Balance within fault domains at no extra movement.
//
// With moves fixed at the lower bound the planner still chooses, for each
// partition it changes, which of its replicas leave and which brokers
// receive the new ones; these choices decide how even the replica counts
// are within each fault domain (per-FD spread: the largest minus the
// smallest count among the brokers of one FD that may receive replicas;
// the worst FD is what matters). The repair makes them one partition at a
// time with the loads it has seen so far. refine then re-plans changed
// partitions, one at a time and in pairs, among the options that move no
// more replicas than they already do, judged on the final loads. It aims
// at the brokers at the top and at the bottom of the worst fault domains,
// and accepts a change only if it lowers the potential (worst spread, then
// brokers at the extremes of the worst groups, then the sum of squared
// loads), so it ends; a budget of options evaluated bounds its time.

// Budget of options evaluated: per partition in scope plus a constant, so
// that planning time stays proportional to the input.
const (
	refineBudgetPerPartition = 4
	refineBudgetBase         = 1 << 18
	pairTries                = 64   // second partitions tried per first one in the pairwise step
	coldScan                 = 4096 // changed partitions scanned for a bottom broker to receive in
)

// potential orders balance states; lower is better.
type potential struct {
	worst   int32 // worst group spread
	extreme int32 // brokers at the top or bottom of a group whose spread is worst
	squares int64 // sum of squared loads of brokers that may receive
}

func (a potential) less(b potential) bool {
	if a.worst != b.worst {
		return a.worst < b.worst
	}
	if a.extreme != b.extreme {
		return a.extreme < b.extreme
	}
	return a.squares < b.squares
}

// refiner holds the state of one refine run.
type refiner struct {
	p     *planner
	group []int32   // per broker: its (zone, FD) group if it may receive, else -1
	gmax  []int32   // per group: highest load
	gmin  []int32   // per group: lowest load
	on    [][]int32 // per broker: changed partitions whose planned list held it
	drop  [][]int32 // per broker: changed partitions that let it go
	work  int       // options left to evaluate
	pot   potential // of the current plan

	// The option being built and the best one found, for one partition.
	trial, best    []int32
	bestCost       int64
	limitW         int32
	without, with_ int32
	saved          []int32
	cursor         []int // per broker: where balance's next search starts
}

// refine runs the balancing post-pass over the changed partitions.
func (p *planner) refine() {
	if r, changed := p.newRefiner(); changed > 0 {
		r.run()
	}
}

// newRefiner returns a refiner over the plan so far, and how many
// partitions it may re-plan.
func (p *planner) newRefiner() (*refiner, int) {
	t := p.t
	r := &refiner{p: p, group: make([]int32, len(t.brokers))}
	ngroups := t.fdGroups(r.group)
	r.gmax = make([]int32, ngroups)
	r.gmin = make([]int32, ngroups)
	// The lists share two backing arrays, sized by a first count: a
	// million partitions must not cost a million allocations.
	nOn, nDrop := make([]int32, len(t.brokers)), make([]int32, len(t.brokers))
	changed := r.each(func(_, b int32, held bool) {
		if held {
			nOn[b]++
		} else {
			nDrop[b]++
		}
	})
	r.on, r.drop = carve(nOn), carve(nDrop)
	r.each(func(i, b int32, held bool) {
		if held {
			r.on[b] = append(r.on[b], i)
		} else {
			r.drop[b] = append(r.drop[b], i)
		}
	})
	r.work = refineBudgetBase + refineBudgetPerPartition*len(p.src)
	return r, changed
}

// each calls visit for every broker of a changeable partition's planned
// list (held) and every current replica it lets go, and returns how many
// partitions are changeable.
func (r *refiner) each(visit func(i, b int32, held bool)) int {
	p := r.p
	changed := 0
	for i := range p.src {
		if !r.changeable(i) {
			continue
		}
		changed++
		cur, fin := p.curOf(i), p.final(i)
		for _, b := range fin {
			visit(int32(i), b, true)
		}
		for _, b := range cur {
			if !contains(fin, b) {
				visit(int32(i), b, false)
			}
		}
	}
	return changed
}

// carve returns empty slices with the given capacities over one array.
func carve(caps []int32) [][]int32 {
	total := 0
	for _, c := range caps {
		total += int(c)
	}
	backing := make([]int32, total)
	out := make([][]int32, len(caps))
	for b, c := range caps {
		out[b] = backing[:0:c]
		backing = backing[c:]
	}
	return out
}

// changeable reports whether partition i is one refine may re-plan: changed
// by the plan and placed by the rules.
func (r *refiner) changeable(i int) bool {
	o := r.p.out[i]
	return (o == outRepaired || o == outNew) && len(r.p.final(i)) <= 64
}

// measure recomputes each group's highest and lowest load and the potential.
func (r *refiner) measure() potential {
	t := r.p.t
	for g := range r.gmax {
		r.gmax[g], r.gmin[g] = -1, -1
	}
	var pot potential
	for b, g := range r.group {
		if g < 0 {
			continue
		}
		l := t.load[b]
		pot.squares += int64(l) * int64(l)
		if r.gmax[g] < 0 || l > r.gmax[g] {
			r.gmax[g] = l
		}
		if r.gmin[g] < 0 || l < r.gmin[g] {
			r.gmin[g] = l
		}
	}
	for g := range r.gmax {
		pot.worst = max(pot.worst, r.gmax[g]-r.gmin[g])
	}
	for b, g := range r.group {
		if g >= 0 && r.gmax[g]-r.gmin[g] == pot.worst && (t.load[b] == r.gmax[g] || t.load[b] == r.gmin[g]) {
			pot.extreme++
		}
	}
	return pot
}

// run improves the worst groups until no single or pairwise change helps
// or the budget is spent.
func (r *refiner) run() {
	r.pot = r.measure()
	floor, capped := r.floor(), false
	for r.work > 0 && r.pot.worst > 0 {
		if !capped && r.pot.worst <= floor {
			// Spread 0 is not likely to be reachable: try for it briefly.
			r.work, capped = min(r.work, refineBudgetBase/4), true
		}
		if !r.improveExtremes() && !r.improvePairs() && !r.scanCold() {
			return
		}
	}
}

// floor is the spread refine expects to reach at best: 1 when some group's
// replicas cannot be shared evenly among its brokers (spread 0 is then out
// of reach unless replicas change group), else 0.
func (r *refiner) floor() int32 {
	t := r.p.t
	total := make([]int64, len(r.gmax))
	size := make([]int64, len(r.gmax))
	for b, g := range r.group {
		if g >= 0 {
			total[g] += int64(t.load[b])
			size[g]++
		}
	}
	for g := range total {
		if size[g] > 0 && total[g]%size[g] != 0 {
			return 1
		}
	}
	return 0
}

// extremes returns the brokers at the top and at the bottom of the groups
// whose spread is the worst.
func (r *refiner) extremes() (hot, cold []int32) {
	t := r.p.t
	for b, g := range r.group {
		if g < 0 || r.gmax[g]-r.gmin[g] != r.pot.worst {
			continue
		}
		switch t.load[b] {
		case r.gmax[g]:
			hot = append(hot, int32(b))
		case r.gmin[g]:
			cold = append(cold, int32(b))
		}
	}
	return hot, cold
}

// improveExtremes re-plans one partition so that a broker at the top of a
// worst group loses a replica or one at the bottom gains one, if that
// lowers the potential.
func (r *refiner) improveExtremes() bool {
	hot, cold := r.extremes()
	for _, h := range hot {
		if r.tryList(h, r.on, true, h, -1) {
			return true
		}
	}
	for _, c := range cold {
		if r.tryList(c, r.drop, false, -1, c) {
			return true
		}
	}
	return false
}

// scanCold looks, among a bounded number of changed partitions, for one
// where a broker at the bottom of a worst group may receive a replica
// another broker receives now.
func (r *refiner) scanCold() bool {
	p := r.p
	_, cold := r.extremes()
	for _, c := range cold {
		scanned := 0
		for i := range p.src {
			if scanned >= coldScan || r.work <= 0 {
				break
			}
			if !r.changeable(i) || contains(p.final(i), c) || contains(p.curOf(i), c) {
				continue
			}
			scanned++
			if r.try(i, -1, c) {
				return true
			}
		}
	}
	return false
}

// tryList tries the partitions listed under broker b, dropping entries
// that no longer apply (b must be held when held is set, else let go).
func (r *refiner) tryList(b int32, lists [][]int32, held bool, without, with int32) bool {
	p := r.p
	l := lists[b]
	for k := 0; k < len(l); k++ {
		i := int(l[k])
		if contains(p.final(i), b) != held {
			l[k] = l[len(l)-1]
			l = l[:len(l)-1]
			lists[b] = l
			k--
			continue
		}
		if r.work <= 0 {
			return false
		}
		if r.try(i, without, with) {
			return true
		}
	}
	return false
}

// try re-plans partition i with its best option without broker without and
// with broker with (-1: either way) and keeps it if the potential falls.
func (r *refiner) try(i int, without, with int32) bool {
	if _, ok := r.bestOption(i, r.pot.worst, without, with, math.MaxInt64); !ok {
		return false
	}
	r.saved = append(r.saved[:0], r.p.final(i)...)
	if slicesEqual(r.saved, r.best) {
		return false
	}
	r.work -= len(r.group) / 8 // measuring costs too
	r.apply(i, r.best)
	if pot := r.measure(); pot.less(r.pot) {
		r.pot = pot
		return true
	}
	r.undo(i, r.saved)
	r.measure()
	return false
}

// appendNew appends i to l unless it is there already.
func appendNew(l []int32, i int32) []int32 {
	if contains(l, i) {
		return l
	}
	return append(l, i)
}

func slicesEqual(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// apply replaces partition i's planned list with reps (same length) and
// notes the change under the brokers it concerns. undo replaces it back
// without noting: the lists still hold the partition.
func (r *refiner) apply(i int, reps []int32) { r.set(i, reps, true) }

func (r *refiner) undo(i int, reps []int32) { r.set(i, reps, false) }

func (r *refiner) set(i int, reps []int32, note bool) {
	p := r.p
	t := p.t
	fin := p.final(i)
	cur := p.curOf(i)
	for _, b := range fin {
		if !contains(reps, b) {
			t.addLoad(b, -1)
			if note && contains(cur, b) {
				r.drop[b] = appendNew(r.drop[b], int32(i))
			}
		}
	}
	for _, b := range reps {
		if !contains(fin, b) {
			t.addLoad(b, 1)
			if note {
				r.on[b] = appendNew(r.on[b], int32(i))
			}
		}
	}
	copy(fin, reps)
}

// bestOption searches partition i's placements that keep as many current
// replicas as it keeps now, do not use broker without and do use broker
// with (-1: no such condition), and keep every group's spread within w
// (judged conservatively). It returns the lowest change in the sum of
// squared loads below below, and leaves the placement in r.best; false
// when there is none.
func (r *refiner) bestOption(i int, w int32, without, with int32, below int64) (int64, bool) {
	p := r.p
	cur, fin := p.curOf(i), p.final(i)
	kept := 0
	for _, b := range fin {
		if contains(cur, b) {
			kept++
		}
	}
	return r.bestKeeping(i, kept, w, without, with, below)
}

// bestKeeping is bestOption for placements that keep kept current replicas.
func (r *refiner) bestKeeping(i, kept int, w int32, without, with int32, below int64) (int64, bool) {
	p := r.p
	t := p.t
	cur, fin := p.curOf(i), p.final(i)
	n := len(fin)
	lim := p.limits(n, levelAll)
	var elig [64]int32
	k := 0
	for j, b := range cur {
		// A replica on a down broker stays only where the plan keeps it
		// already: a changed partition lets go of it if it can.
		keepable := t.eligible(b) || t.holds(b) && contains(fin, b)
		if keepable && !contains(cur[:j], b) && b != without && k < len(elig) {
			elig[k] = int32(j)
			k++
		}
	}
	if kept > k || kept < 0 {
		return 0, false
	}
	// Removing the whole planned list saves this much.
	var base int64
	for _, b := range fin {
		if r.group[b] >= 0 {
			base += 2*int64(t.load[b]) - 1
		}
	}
	r.bestCost = below
	r.limitW, r.without, r.with_ = w, without, with
	found := false
	try := func(mask uint64) {
		s := p.s
		s.begin(lim)
		r.trial = r.trial[:0]
		var cost int64
		for m := mask; m != 0; m &= m - 1 {
			b := cur[elig[bits.TrailingZeros64(m)]]
			c := t.brokers[b].cell
			if !s.fits(c) {
				return
			}
			s.push(c)
			r.trial = append(r.trial, b)
			cost += r.addCost(b, fin)
		}
		if !s.complete(n - kept) {
			return
		}
		if r.fill(i, n-kept, 0, cost-base, fin) {
			found = true
		}
	}
	if kept == 0 {
		try(0)
	} else {
		for m := uint64(1)<<kept - 1; m < 1<<k; {
			try(m)
			c := m & -m
			x := m + c
			m = (((x ^ m) >> 2) / c) | x
		}
	}
	return r.bestCost, found
}

// addCost is what adding broker b to the partition costs in the sum of
// squared loads, with the partition's planned list fin removed first.
// Brokers that may not receive (down ones keeping theirs) cost nothing.
func (r *refiner) addCost(b int32, fin []int32) int64 {
	if r.group[b] < 0 {
		return 0
	}
	l := int64(r.p.t.load[b])
	if contains(fin, b) {
		l--
	}
	return 2*l + 1
}

// fill places m more replicas, cell by cell from cell start on (each
// multiset of cells once), and records the cheapest complete placement.
func (r *refiner) fill(i, m int, start int32, cost int64, fin []int32) bool {
	p := r.p
	s, t := p.s, p.t
	if m == 0 {
		r.work--
		if cost < r.bestCost && (r.with_ < 0 || contains(r.trial, r.with_)) && r.withinSpread(fin) {
			r.bestCost = cost
			r.best = append(r.best[:0], r.trial...)
			return true
		}
		return false
	}
	found := false
	cur := p.curOf(i)
	for c := start; c < int32(len(t.cells)); c++ {
		if !t.cells[c].recv || !s.fits(c) || !s.covers(c, m) {
			continue
		}
		b := r.cheapest(c, cur, fin)
		if b < 0 {
			continue
		}
		s.push(c)
		if s.deficitOK(m - 1) {
			r.trial = append(r.trial, b)
			if r.fill(i, m-1, c, cost+r.addCost(b, fin), fin) {
				found = true
			}
			r.trial = r.trial[:len(r.trial)-1]
		}
		s.pop()
	}
	return found
}

// cheapest returns the member of cell c to receive a replica: broker with
// when it is a member, else the one with the lowest load (with the
// partition's planned list removed), not a current replica, not already in
// the trial and not without; -1 if none.
func (r *refiner) cheapest(c int32, cur, fin []int32) int32 {
	t := r.p.t
	best, bestL := int32(-1), int32(0)
	for _, b := range t.cells[c].members {
		if b == r.without || contains(cur, b) || contains(r.trial, b) {
			continue
		}
		if b == r.with_ {
			return b
		}
		l := t.load[b]
		if contains(fin, b) {
			l--
		}
		if best < 0 || l < bestL || l == bestL && t.brokers[b].rank < t.brokers[best].rank {
			best, bestL = b, l
		}
	}
	return best
}

// withinSpread reports whether replacing fin with r.trial keeps every
// group's spread within r.limitW, judged conservatively: a group's top can
// only rise by what its brokers gain, its bottom only fall by what they
// lose.
func (r *refiner) withinSpread(fin []int32) bool {
	t := r.p.t
	for _, b := range r.trial {
		if g := r.group[b]; g >= 0 && !contains(fin, b) && t.load[b]+1-r.gmin[g] > r.limitW {
			return false
		}
	}
	for _, b := range fin {
		if g := r.group[b]; g >= 0 && !contains(r.trial, b) && r.gmax[g]-(t.load[b]-1) > r.limitW {
			return false
		}
	}
	return true
}

// improvePairs re-plans two partitions together. The first takes a
// replica off a broker at the top of a worst group, or gives one to a
// broker at the bottom, at whatever cost (a spread may grow by one
// meanwhile); the second, re-planned after it, takes a replica off a broker
// the first one raised or gives one to a broker it lowered. It keeps the
// first pair that lowers the potential.
func (r *refiner) improvePairs() bool {
	hot, cold := r.extremes()
	for _, h := range hot {
		if r.pairFrom(h, r.on, true, h, -1) {
			return true
		}
	}
	for _, c := range cold {
		if r.pairFrom(c, r.drop, false, -1, c) {
			return true
		}
	}
	return false
}

// pairFrom tries, as first partitions, those listed under broker b (held
// or let go, as in tryList).
func (r *refiner) pairFrom(b int32, lists [][]int32, held bool, without, with int32) bool {
	p := r.p
	var saved []int32
	for _, i32 := range lists[b] {
		i := int(i32)
		if r.work <= 0 {
			return false
		}
		if contains(p.final(i), b) != held {
			continue
		}
		if _, ok := r.bestOption(i, r.pot.worst+1, without, with, math.MaxInt64); !ok {
			continue
		}
		saved = append(saved[:0], p.final(i)...)
		r.apply(i, r.best)
		r.measure()
		if r.partner(i, saved) {
			return true
		}
		r.undo(i, saved)
		r.measure()
	}
	return false
}

// partner looks for a second partition whose re-plan, after the first
// one's (which replaced before), takes a replica off a broker the first
// one raised to the top of its group or gives one to a broker it lowered
// to the bottom, and keeps it if the potential falls.
func (r *refiner) partner(first int, before []int32) bool {
	p := r.p
	t := p.t
	fin := p.final(first)
	for _, g := range fin {
		if contains(before, g) || r.group[g] < 0 || t.load[g] < r.gmax[r.group[g]] {
			continue
		}
		if r.partnerFrom(first, g, r.on, true, g, -1) {
			return true
		}
	}
	for _, l := range before {
		if contains(fin, l) || r.group[l] < 0 || t.load[l] > r.gmin[r.group[l]] {
			continue
		}
		if r.partnerFrom(first, l, r.drop, false, -1, l) {
			return true
		}
	}
	return false
}

// partnerFrom tries as second partitions those listed under broker b.
func (r *refiner) partnerFrom(first int, b int32, lists [][]int32, held bool, without, with int32) bool {
	p := r.p
	tried := 0
	for _, j32 := range lists[b] {
		j := int(j32)
		if j == first || contains(p.final(j), b) != held {
			continue
		}
		if tried++; tried > pairTries || r.work <= 0 {
			return false
		}
		if r.try(j, without, with) {
			return true
		}
	}
	return false
}

// fdGroups sets, per broker, its (zone, FD) group if it may receive
// replicas, else -1, and returns the number of groups.
func (t *topology) fdGroups(group []int32) int32 {
	nfd := int32(len(t.fds))
	n := int32(0)
	for b := range t.brokers {
		group[b] = -1
		if t.eligible(int32(b)) {
			bi := &t.brokers[b]
			group[b] = bi.val[dimZone]*nfd + bi.val[dimFD]
			n = max(n, group[b]+1)
		}
	}
	return n
}

// fdSpread returns the worst per-FD spread of the loads: the largest minus
// the smallest count among the brokers of one (zone, FD) that may receive
// replicas.
func (t *topology) fdSpread(load []int32) int {
	group := make([]int32, len(t.brokers))
	n := t.fdGroups(group)
	hi, lo := make([]int32, n), make([]int32, n)
	seen := make([]bool, n)
	for b, g := range group {
		if g < 0 {
			continue
		}
		if !seen[g] {
			seen[g], hi[g], lo[g] = true, load[b], load[b]
		}
		hi[g], lo[g] = max(hi[g], load[b]), min(lo[g], load[b])
	}
	worst := int32(0)
	for g := range hi {
		worst = max(worst, hi[g]-lo[g])
	}
	return int(worst)
}
