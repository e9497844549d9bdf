package generate

import (
	"cmp"
	"slices"
)

// Balance targets (--balance-by).
const (
	BalanceReplicas = "replicas"
	BalanceBytes    = "bytes"
)

// rebalance spends the moves --balance allows: on replica counts (the
// default), smallest partitions first when sizes are known, or on bytes.
func (p *planner) rebalance() {
	if p.opts.BalanceBy == BalanceBytes {
		p.balanceBytes()
		return
	}
	p.balance()
}

// smallFirst orders each broker's list of partitions by size, smallest
// first, when sizes are known, so that a balance move costs as few bytes as
// it can. The order is stable: equal sizes keep partition order.
func (p *planner) smallFirst(held [][]int32) {
	if p.in.Sizes == nil {
		return
	}
	size := p.sizes()
	for _, l := range held {
		slices.SortStableFunc(l, func(a, b int32) int { return cmp.Compare(size[a], size[b]) })
	}
}

// sizes returns the size of each partition in scope (0 when unknown).
func (p *planner) sizes() []int64 {
	size := make([]int64, len(p.src))
	for i := range p.src {
		if p.src[i] >= 0 {
			size[i] = p.in.Sizes.Size(p.tp(i))
		}
	}
	return size
}

// byteBalancer evens out disk use among the brokers of each (zone, fault
// domain), one replica move at a time: the share of capacity used when
// every broker that may receive has a known capacity (brokers of different
// sizes fill alike), else the bytes on disk.
type byteBalancer struct {
	p       *planner
	size    []int64   // per partition in scope
	used    []int64   // per broker, after the plan so far
	cap     []int64   // per broker: its capacity when evening shares; nil when evening bytes
	limit   []int64   // per broker: the most it may hold (max disk usage), or -1
	group   []int32   // per broker: its (zone, FD) group, -1 if it may not receive
	on      [][]int32 // per broker: partitions in scope placed on it that may move
	stopped []bool    // per group: no move helps any more
}

// balanceBytes makes moves (at most MaxMoves) that narrow the gap between
// the fullest and the emptiest broker of a fault domain, worst fault domain
// first; fullest by share of capacity when capacities are known, else by
// bytes. Each move replaces a replica on the fullest broker with one on the
// emptiest, keeping every rule, and never fills a broker beyond the disk
// limit. Among the moves that narrow the gap it takes one that costs no
// extra bytes (the replica was being moved anyway) when there is one, else
// the largest partition up to what would even the two brokers out: every
// byte of it narrows the gap the most a byte can, and in the fewest moves.
func (p *planner) balanceBytes() {
	bb := p.newByteBalancer()
	moves := 0
	for p.opts.MaxMoves == 0 || moves < p.opts.MaxMoves {
		g := bb.worstGroup()
		if g < 0 {
			return
		}
		if !bb.moveIn(g) {
			bb.stopped[g] = true
			continue
		}
		moves++
	}
}

func (p *planner) newByteBalancer() *byteBalancer {
	t := p.t
	bb := &byteBalancer{p: p, size: p.sizes(), used: make([]int64, len(t.brokers)),
		limit: make([]int64, len(t.brokers)), group: make([]int32, len(t.brokers)), on: make([][]int32, len(t.brokers))}
	bb.stopped = make([]bool, t.fdGroups(bb.group))
	u := p.in.Sizes
	for b := range t.brokers {
		id := t.brokers[b].id
		bb.used[b] = u.Used[id]
		bb.limit[b] = -1
		if c, ok := u.Capacity[id]; ok {
			bb.limit[b] = int64(p.opts.diskLimit() * float64(c))
		}
	}
	bb.cap = capacities(t, bb.group, u.Capacity)
	for i := range p.src {
		cur, fin := p.curOf(i), p.final(i)
		for _, b := range cur {
			if !contains(fin, b) {
				bb.used[b] -= bb.size[i]
			}
		}
		for _, b := range fin {
			if !contains(cur, b) {
				bb.used[b] += bb.size[i]
			}
		}
		if p.out[i] == outInfeasible || p.out[i] == outCompromised || p.src[i] < 0 || bb.size[i] == 0 {
			continue
		}
		for _, b := range fin {
			bb.on[b] = append(bb.on[b], int32(i))
		}
	}
	return bb
}

// capacities returns each broker's capacity when every broker that may
// receive (group >= 0) has one, else nil: shares of capacity cannot be
// compared with a broker of unknown size, so bytes are evened instead.
func capacities(t *topology, group []int32, known map[int32]int64) []int64 {
	c := make([]int64, len(t.brokers))
	for b := range t.brokers {
		c[b] = known[t.brokers[b].id]
		if c[b] <= 0 && group[b] >= 0 {
			return nil
		}
	}
	return c
}

// fill is how full broker b is: its share of capacity used when evening
// shares, else its bytes.
func (bb *byteBalancer) fill(b int32) float64 {
	if bb.cap == nil {
		return float64(bb.used[b])
	}
	return float64(bb.used[b]) / float64(bb.cap[b])
}

// narrowing is the size below which moving a partition's replica from hot
// to cold narrows their gap (bytes: the gap itself; shares: twice what
// evens the two out, hot losing s and cold gaining s). Each such move
// lowers the sum over brokers of used²/capacity (used² when evening
// bytes), so balancing ends.
func (bb *byteBalancer) narrowing(hot, cold int32) int64 {
	if bb.cap == nil {
		return bb.used[hot] - bb.used[cold]
	}
	d := bb.fill(hot) - bb.fill(cold)
	return int64(2 * d / (1/float64(bb.cap[hot]) + 1/float64(bb.cap[cold])))
}

// worstGroup returns the group with the widest gap still worth working on,
// or -1.
func (bb *byteBalancer) worstGroup() int32 {
	best, bestGap := int32(-1), 0.0
	for g := range bb.stopped {
		if bb.stopped[g] {
			continue
		}
		hot, cold := bb.extremes(int32(g))
		if hot < 0 {
			continue
		}
		if gap := bb.fill(hot) - bb.fill(cold); gap > bestGap {
			best, bestGap = int32(g), gap
		}
	}
	return best
}

// extremes returns the fullest and the emptiest broker of group g.
func (bb *byteBalancer) extremes(g int32) (hot, cold int32) {
	hot, cold = -1, -1
	for b, gb := range bb.group {
		if gb != g {
			continue
		}
		if hot < 0 || bb.fill(int32(b)) > bb.fill(hot) {
			hot = int32(b)
		}
		if cold < 0 || bb.fill(int32(b)) < bb.fill(cold) {
			cold = int32(b)
		}
	}
	return hot, cold
}

// moveIn makes the best move from the fullest to the emptiest broker of
// group g, and reports whether there was one that narrows the gap.
func (bb *byteBalancer) moveIn(g int32) bool {
	p, t := bb.p, bb.p.t
	hot, cold := bb.extremes(g)
	gap := bb.narrowing(hot, cold)
	best, bestFree, bestSize := -1, false, int64(0)
	var trial []int32
	for _, i32 := range bb.on[hot] {
		i := int(i32)
		s := bb.size[i]
		fin := p.final(i)
		if s >= gap || contains(fin, cold) || (bb.limit[cold] >= 0 && bb.used[cold]+s > bb.limit[cold]) {
			continue
		}
		cur := p.curOf(i)
		free := !contains(cur, hot) || contains(cur, cold) // hot's replica was moving anyway, or cold gets its own back
		better := best < 0 || (free && !bestFree) ||
			(free == bestFree && closerToHalf(s, bestSize, gap))
		if !better {
			continue
		}
		trial = append(trial[:0], fin...)
		trial[slices.Index(trial, hot)] = cold
		if t.check(trial, p.limits(len(trial), levelAll)) != 0 {
			continue
		}
		best, bestFree, bestSize = i, free, s
	}
	if best < 0 {
		return false
	}
	fin := p.final(best)
	fin[slices.Index(fin, hot)] = cold
	t.addLoad(hot, -1)
	t.addLoad(cold, 1)
	bb.used[hot] -= bb.size[best]
	bb.used[cold] += bb.size[best]
	bb.on[hot] = slices.DeleteFunc(bb.on[hot], func(x int32) bool { return int(x) == best })
	bb.on[cold] = append(bb.on[cold], int32(best))
	if p.out[best] == outUntouched {
		p.out[best] = outRepaired
	}
	return true
}

// closerToHalf reports whether size a narrows a gap more byte-efficiently
// than size b: up to half the gap, larger is better (each byte narrows it
// by two); beyond, smaller is better.
func closerToHalf(a, b, gap int64) bool {
	half := gap / 2
	switch {
	case a <= half && b <= half:
		return a > b
	case a <= half:
		return true
	case b <= half:
		return false
	}
	return a < b
}
