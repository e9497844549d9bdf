package generate

import (
	"fmt"
	"math/bits"
	"strings"
)

// repairAll places every partition in scope, in order. Loads are updated as
// it goes, so later partitions see the effect of earlier ones.
func (p *planner) repairAll() {
	var elig []int32
	for i := range p.src {
		elig = p.repairOne(i, elig[:0])
	}
}

// repairOne plans partition i. A partition that meets the rules keeps its
// replicas. Otherwise the largest subset of its current replicas that can be
// completed to a valid placement stays, and the rest is filled with the
// least-loaded brokers that keep the placement completable.
func (p *planner) repairOne(i int, elig []int32) []int32 {
	cur := p.curOf(i)
	r := p.targetRF(i)
	out := p.nw[p.newOff[i]:p.newOff[i+1]]
	if r == len(cur) && r > 0 {
		v := p.t.check(cur, p.limits(r, levelAll))
		p.before[i] = 1 + v
		if v == 0 {
			copy(out, cur)
			p.nlen[i] = uint8(r)
			p.out[i] = outUntouched
			return elig
		}
	}
	// Current replicas that may stay, by position (first occurrence only).
	for j, b := range cur {
		if p.t.holds(b) && !contains(cur[:j], b) {
			elig = append(elig, int32(j))
		}
	}
	last := levelAll
	if p.opts.Force {
		last = levelNone
	}
	for level := levelAll; level <= last; level++ {
		lim := p.limits(r, level)
		keep, ok := p.bestSubset(cur, elig, lim)
		if !ok {
			continue
		}
		n := p.fill(cur, elig, keep, lim, out)
		if n < r { // cannot happen: the subset was completable; keep the partition as it is
			p.unfill(cur, out[:n])
			break
		}
		p.nlen[i] = uint8(r)
		p.commit(cur, out[:r]) // out is the slot reserved, which may be longer (a lower replication factor)
		kept := bits.OnesCount64(keep)
		if p.src[i] >= 0 {
			p.rep.MoveLowerBound += r - kept
		}
		switch {
		case p.src[i] < 0:
			p.out[i] = outNew
		case level > levelAll:
			p.out[i] = outCompromised
		default:
			p.out[i] = outRepaired
		}
		if level > levelAll {
			p.rep.Compromises = append(p.rep.Compromises, p.issue(i, fmt.Sprintf(
				"placed with the %s limits relaxed: %s", levelDropped[level], p.describe(out, p.limits(r, levelAll)))))
		}
		return elig
	}
	// No level works: the partition stays as it is.
	copy(out, cur)
	p.nlen[i] = uint8(len(cur))
	p.out[i] = outInfeasible
	is := p.issue(i, p.whyInfeasible(r))
	if p.opts.Force {
		is.Reason = "left as it is: " + is.Reason
		p.rep.Compromises = append(p.rep.Compromises, is)
	} else {
		p.rep.Infeasible = append(p.rep.Infeasible, is)
	}
	return elig
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// fill writes the kept replicas (in their current order) and then the new
// ones into out, and returns how many it wrote. Each new replica is the
// least-loaded broker of a cell that keeps the placement completable (with
// relaxed dimensions, the least-used value of those dimensions first).
func (p *planner) fill(cur, elig []int32, keep uint64, lim *limits, out []int32) int {
	s, t := p.s, p.t
	s.begin(lim)
	n := 0
	for m := keep; m != 0; m &= m - 1 {
		b := cur[elig[bits.TrailingZeros64(m)]]
		out[n] = b
		n++
		s.push(t.brokers[b].cell)
	}
	for left := lim.r - n; left > 0; left-- {
		p.epoch++
		for {
			bestC, bestB := p.candidate(cur, out[:n], left, lim)
			if bestC < 0 {
				return n
			}
			s.push(bestC)
			if s.complete(left - 1) {
				out[n] = bestB
				n++
				t.addLoad(bestB, 1)
				break
			}
			s.pop()
			p.tried[bestC] = p.epoch
		}
	}
	return n
}

// candidate returns the best cell and broker for the next replica of the
// partition, left slots before it is complete, or -1 and -1: among the
// cells not tried yet that fit the limits and fill the deficits left, the
// one whose pick is best (see better).
func (p *planner) candidate(cur, planned []int32, left int, lim *limits) (int32, int32) {
	if lim.level == levelAll {
		return p.candidateByBest(cur, planned, left)
	}
	return p.candidateScan(cur, planned, left, lim)
}

// candidateByBest is candidateScan at full enforcement, where only loads
// decide. No cell's pick is less loaded than its best broker, so in byBest
// order the scan can stop at the first cell whose best broker is behind
// the pick found so far.
func (p *planner) candidateByBest(cur, planned []int32, left int) (bestC, bestB int32) {
	s, t := p.s, p.t
	bestC, bestB = -1, -1
	var bestK uint64
	for i, c := range t.byBest {
		if bestB >= 0 && bestK < t.bestKey[i] {
			break
		}
		if p.tried[c] == p.epoch || !s.fits(c) || !s.covers(c, left) {
			continue
		}
		if b := p.pick(c, cur, planned); b >= 0 {
			if k := t.key(b); bestB < 0 || k < bestK {
				bestC, bestB, bestK = c, b, k
			}
		}
	}
	return bestC, bestB
}

// candidateScan looks at every cell.
func (p *planner) candidateScan(cur, planned []int32, left int, lim *limits) (bestC, bestB int32) {
	s, t := p.s, p.t
	bestC, bestB = -1, -1
	for c := range int32(len(t.cells)) {
		if !t.cells[c].recv || p.tried[c] == p.epoch || !s.fits(c) || !s.covers(c, left) {
			continue
		}
		b := p.pick(c, cur, planned)
		if b < 0 {
			continue
		}
		if bestC < 0 || p.better(c, b, bestC, bestB, lim) {
			bestC, bestB = c, b
		}
	}
	return bestC, bestB
}

// pick returns the least-loaded broker of cell c not already in the
// partition (current or planned), or -1.
func (p *planner) pick(c int32, cur, planned []int32) int32 {
	cell := &p.t.cells[c]
	if b := cell.best; !contains(cur, b) && !contains(planned, b) {
		return b
	}
	best := int32(-1)
	for _, b := range cell.members {
		if contains(cur, b) || contains(planned, b) {
			continue
		}
		if best < 0 || p.t.less(b, best) {
			best = b
		}
	}
	return best
}

// better orders candidate (cell, broker) pairs: with relaxed dimensions, the
// value holding fewer of the partition's replicas first (outermost
// dimension first); then the less-loaded broker.
func (p *planner) better(c, b, oc, ob int32, lim *limits) bool {
	if lim.level != levelAll {
		cv, ov := &p.t.cells[c].val, &p.t.cells[oc].val
		for d := range numDims {
			if lim.active[d] && !lim.enforce[d] {
				x, y := p.s.cnt[d][cv[d]], p.s.cnt[d][ov[d]]
				if x != y {
					return x < y
				}
			}
		}
	}
	return p.t.less(b, ob)
}

// commit updates broker loads for the replicas the partition gives up (the
// new ones were counted as they were placed).
func (p *planner) commit(cur, out []int32) {
	for j, b := range cur {
		if contains(cur[:j], b) || !contains(out, b) {
			p.t.addLoad(b, -1)
		}
	}
}

// unfill undoes the loads of a failed fill.
func (p *planner) unfill(cur, planned []int32) {
	for _, b := range planned {
		if !contains(cur, b) {
			p.t.addLoad(b, -1)
		}
	}
}

func (p *planner) issue(i int, reason string) Issue {
	tp := p.tp(i)
	return Issue{Topic: tp.Topic, Partition: tp.Partition, Reason: reason}
}

// describe lists the rules reps breaks at lim, for people.
func (p *planner) describe(reps []int32, lim *limits) string {
	var parts []string
	for d := range numDims {
		if !lim.active[d] {
			continue
		}
		counts := map[int32]int{}
		var order []int32
		for _, b := range reps {
			v := p.t.brokers[b].val[d]
			if counts[v] == 0 {
				order = append(order, v)
			}
			counts[v]++
		}
		for _, v := range order {
			if c := counts[v]; c > int(lim.hi[d]) {
				parts = append(parts, fmt.Sprintf("%d replicas in %s (at most %d allowed)", c, p.t.valueLabel(d, v), lim.hi[d]))
			}
		}
		if lim.lo[d] > 0 && len(order) < p.t.nPop[d] {
			parts = append(parts, fmt.Sprintf("replicas span %d of %d %ss", len(order), p.t.nPop[d], clusterDim[d]))
		}
	}
	if len(parts) == 0 {
		return "no rule broken"
	}
	return strings.Join(parts, ", ")
}

// whyInfeasible explains why no placement of r replicas meets the rules.
func (p *planner) whyInfeasible(r int) string {
	t := p.t
	if r > t.receivers {
		return fmt.Sprintf("replication factor %d needs %d brokers, only %d may receive replicas", r, r, t.receivers)
	}
	lim := p.limits(r, levelAll)
	var rules, empty []string
	for d := range numDims {
		if !lim.active[d] {
			continue
		}
		rules = append(rules, fmt.Sprintf("%d-%d per %s over %d", lim.lo[d], lim.hi[d], clusterDim[d].Short(), t.nPop[d]))
		if lim.lo[d] > 0 {
			for _, v := range t.unreceptive(d) {
				empty = append(empty, t.valueLabel(d, v))
			}
		}
	}
	first := "the spread rules"
	for level := levelNoUD; level < numLevels; level++ {
		p.s.begin(p.limits(r, level))
		if p.s.complete(r) {
			first = "the " + levelDropped[level] + " limits"
			break
		}
	}
	why := "the FD x UD cells of the brokers that may receive replicas do not allow it"
	if len(empty) > 0 {
		why = "no broker may receive replicas in " + strings.Join(empty, ", ") +
			" (its brokers are down, excluded or outside --broker-list), and the partition has none there to keep"
	}
	return fmt.Sprintf("no set of %d brokers meets %s (%s): %s", r, first, strings.Join(rules, ", "), why)
}

// unreceptive returns the populated values along d where no broker may
// receive replicas.
func (t *topology) unreceptive(d int) []int32 {
	recv := make([]bool, len(t.populated[d]))
	for _, c := range t.cells {
		if c.recv {
			recv[c.val[d]] = true
		}
	}
	var out []int32
	for _, v := range t.popVals[d] {
		if !recv[v] {
			out = append(out, v)
		}
	}
	return out
}
