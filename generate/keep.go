package generate

// Which current replicas a repair keeps.

// keepSets caches, per shape of partition, the sets of current replicas a
// repair may keep: the largest sets that fit the upper limits and can be
// completed. Whether a set qualifies depends only on the cells of its
// replicas and the rules (as complete's memo does), so a shape is the cells
// of the replicas that may stay, in order, with the replication factor and
// the level; a million partitions of Kafka's placement on 60 cells share
// about 3,400 shapes, and most repairs only judge the sets by load. The
// cache is direct-mapped, a newer shape taking an older one's slot, so that
// it stays small and cheap when a random placement over many cells has more
// shapes than partitions share.
type keepSets struct {
	slots []keepSlot
	shift uint8 // 64 - log2(len(slots))
}

func newKeepSets(bits uint8) keepSets {
	return keepSets{slots: make([]keepSlot, 1<<bits), shift: 64 - bits}
}

const (
	keepSlotBits = 14 // 16,384 slots of 24 bytes
	maxKeepMasks = 8  // sets held per slot; a shape with more is not cached
)

// keepSlot holds one shape's sets. key is the shape with bit 63 set (no
// shape has it), so that an empty slot matches none.
type keepSlot struct {
	key   uint64
	masks [maxKeepMasks]uint8 // shapes have at most 6 replicas, so masks fit a byte
	n     uint8               // sets; 0: not even the empty set qualifies
}

// bestSubset returns the largest set of current replicas that may stay (a
// mask over elig) that respects the upper limits and can be completed, and
// false when none can (not even the empty set). Among equally large sets it
// prefers to let go of replicas on down brokers (Kafka cannot complete a
// reassignment whose target holds one until the broker is back), then of the
// most loaded brokers, then to keep the current preferred leader.
func (p *planner) bestSubset(cur, elig []int32, lim *limits) (uint64, bool) {
	key, cacheable := p.shape(cur, elig, lim)
	if !cacheable {
		p.found = p.keepable(cur, elig, lim, p.found[:0])
		return p.judge(cur, elig, p.found)
	}
	if p.keep.slots == nil {
		p.keep = newKeepSets(keepSlotBits)
	}
	slot := &p.keep.slots[(key*0x9e3779b97f4a7c15)>>p.keep.shift]
	key |= 1 << 63
	if slot.key != key {
		p.found = p.keepable(cur, elig, lim, p.found[:0])
		if len(p.found) > maxKeepMasks {
			return p.judge(cur, elig, p.found)
		}
		slot.key, slot.n = key, uint8(len(p.found))
		for j, m := range p.found {
			slot.masks[j] = uint8(m)
		}
	}
	p.found = p.found[:0]
	for _, m := range slot.masks[:slot.n] {
		p.found = append(p.found, uint64(m))
	}
	return p.judge(cur, elig, p.found)
}

// shape encodes the partition's shape for keepSets in 64 bits, when it
// fits: the cells of the replicas that may stay, in order, the replication
// factor and the level.
func (p *planner) shape(cur, elig []int32, lim *limits) (uint64, bool) {
	if len(elig) > 6 || len(p.t.cells) > 255 || lim.r >= 64 {
		return 0, false
	}
	key := uint64(lim.r) | uint64(lim.level)<<6
	for j, e := range elig {
		key |= uint64(p.t.brokers[cur[e]].cell+1) << (8 + 8*j)
	}
	return key, true
}

// keepable appends to masks the largest sets of current replicas (masks
// over elig, in increasing order) that fit the upper limits and can be
// completed; none when not even the empty set can.
func (p *planner) keepable(cur, elig []int32, lim *limits, masks []uint64) []uint64 {
	w := subsets{p: p, cur: cur, elig: elig, lim: lim, found: masks}
	n := len(masks)
	for size := min(len(elig), lim.r); size >= 0; size-- {
		w.size = size
		p.s.begin(lim)
		w.walk(size, len(elig), 0)
		if len(w.found) > n {
			break
		}
	}
	return w.found
}

// subsets walks the sets of one size of a partition's current replicas
// that may stay, for keepable, and collects those that qualify.
type subsets struct {
	p         *planner
	cur, elig []int32
	lim       *limits
	size      int
	found     []uint64
}

// walk adds need more of the replicas below index below to mask, in
// increasing order of the masks, with the replicas of mask pushed on the
// searcher. A set whose replicas break an upper limit is skipped with every
// set that contains it.
func (w *subsets) walk(need, below int, mask uint64) {
	s := w.p.s
	if need == 0 {
		if s.complete(w.lim.r - w.size) {
			w.found = append(w.found, mask)
		}
		return
	}
	for j := need - 1; j < below; j++ {
		c := w.p.t.brokers[w.cur[w.elig[j]]].cell
		if !s.fits(c) {
			continue
		}
		s.push(c)
		w.walk(need-1, j, mask|1<<j)
		s.pop()
	}
}

// judge returns the best of masks (see bestSubset), the first of equally
// good ones, and false when there are none.
func (p *planner) judge(cur, elig []int32, masks []uint64) (best uint64, found bool) {
	var bestLoad int64
	bestLeader, bestDown := false, 0
	for _, mask := range masks {
		var load int64
		down := 0
		for j, e := range elig {
			b := cur[e]
			if mask&(1<<j) == 0 {
				load += int64(p.t.load[b])
			} else if !p.t.eligible(b) {
				down++
			}
		}
		leader := len(elig) > 0 && elig[0] == 0 && mask&1 != 0
		if !found || down < bestDown || down == bestDown && (load > bestLoad || load == bestLoad && leader && !bestLeader) {
			found, best, bestLoad, bestLeader, bestDown = true, mask, load, leader, down
		}
	}
	return best, found
}
