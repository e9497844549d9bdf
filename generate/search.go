package generate

// Enforcement levels. Level 0 enforces every rule; with --force, a partition
// that cannot meet them is placed at the first level that works: update
// domain limits are given up first, then fault domain limits, zones last
// (zones are the outermost failure). Relaxed dimensions are still spread as
// widely as possible, as a preference.
const (
	levelAll = iota
	levelNoUD
	levelZoneOnly
	levelNone
	numLevels
)

var levelDropped = [numLevels]string{"", "update domain", "fault and update domain", "zone, fault and update domain"}

// limits are the placement rules for one replication factor at one level.
type limits struct {
	r       int
	level   int
	active  [numDims]bool // the dimension has more than one populated value
	enforce [numDims]bool // active and enforced at this level
	lo, hi  [numDims]int16
}

func (t *topology) limitsFor(r, level int) limits {
	l := limits{r: r, level: level}
	for d := range numDims {
		n := t.nPop[d]
		if n <= 1 {
			continue
		}
		l.active[d] = true
		l.enforce[d] = level == levelAll ||
			level == levelNoUD && d != dimUD ||
			level == levelZoneOnly && d == dimZone
		l.lo[d] = int16(r / n)
		l.hi[d] = int16((r + n - 1) / n)
	}
	return l
}

// Violation bits, per partition.
const (
	violZone = 1 << dimZone
	violFD   = 1 << dimFD
	violUD   = 1 << dimUD
	violBrkr = 1 << numDims // duplicate broker, or a broker that may not hold replicas
)

// check returns the rules (at lim's level) the replica list breaks, as
// violation bits. It mirrors cluster.Topology.Check as verify uses it,
// allocation-free: a replica on a broker that may not hold it breaks the
// broker rule; the domains count the replicas on judged brokers (also
// those about to move off a live excluded broker, as verify sees them), and
// each populated value must hold between lo and hi of them.
//
// It runs three times per partition (repair, and the report before and
// after), so lists of up to maxSmallCheck replicas take checkSmall, which
// reads each broker once; checkAll, the same rules written plainly, takes
// longer lists.
func (t *topology) check(reps []int32, lim *limits) uint8 {
	if len(reps) <= maxSmallCheck {
		return t.checkSmall(reps, lim)
	}
	return t.checkAll(reps, lim)
}

const maxSmallCheck = 8

// checkSmall is checkAll for at most maxSmallCheck replicas: the judged
// replicas' values are gathered first, then counted.
func (t *topology) checkSmall(reps []int32, lim *limits) (mask uint8) {
	var vals [maxSmallCheck][numDims]int32 // of the judged replicas, in order
	n := 0
	for i, b := range reps {
		bi := &t.brokers[b]
		if !holdsStatus(bi.status) {
			mask |= violBrkr
		}
		for _, o := range reps[:i] {
			if o == b {
				mask |= violBrkr
			}
		}
		if bi.judged {
			vals[n] = bi.val
			n++
		}
	}
	for d := range numDims {
		if !lim.enforce[d] {
			continue
		}
		distinct := 0
		for i := range n {
			v, c, first := vals[i][d], 0, true
			for j := range n {
				if vals[j][d] == v {
					c++
					if j < i {
						first = false
					}
				}
			}
			if !first {
				continue
			}
			distinct++
			if c > int(lim.hi[d]) || c < int(lim.lo[d]) {
				mask |= 1 << d
			}
		}
		if lim.lo[d] > 0 && distinct < t.nPop[d] {
			mask |= 1 << d
		}
	}
	return mask
}

// checkAll is check for any number of replicas.
func (t *topology) checkAll(reps []int32, lim *limits) (mask uint8) {
	for i, b := range reps {
		if !t.holds(b) {
			mask |= violBrkr
		}
		for _, o := range reps[:i] {
			if o == b {
				mask |= violBrkr
			}
		}
	}
	for d := range numDims {
		if !lim.enforce[d] {
			continue
		}
		distinct := 0
		for i, b := range reps {
			if !t.brokers[b].judged {
				continue
			}
			v := t.brokers[b].val[d]
			c, first := 0, true
			for j, o := range reps {
				if t.brokers[o].judged && t.brokers[o].val[d] == v {
					c++
					if j < i {
						first = false
					}
				}
			}
			if !first {
				continue
			}
			distinct++
			if c > int(lim.hi[d]) || c < int(lim.lo[d]) {
				mask |= 1 << d
			}
		}
		if lim.lo[d] > 0 && distinct < t.nPop[d] {
			mask |= 1 << d
		}
	}
	return mask
}

// searcher places replicas cell by cell for one partition at a time and
// answers "can this partial placement be completed?". Its state is reused
// across partitions; nothing in it allocates once warmed up.
type searcher struct {
	t     *topology
	lim   limits
	cnt   [numDims][]int16 // replicas of the partition per dense value
	def   [numDims]int     // sum over populated values of max(0, lo-cnt), enforced dims
	occ   []int16          // replicas of the partition per cell
	stack []int32          // cells pushed, in order
	memo  map[uint64]bool
	sort  [8]int32
}

func newSearcher(t *topology) *searcher {
	s := &searcher{t: t, occ: make([]int16, len(t.cells)), memo: map[uint64]bool{}}
	for d := range numDims {
		s.cnt[d] = make([]int16, len(t.populated[d]))
	}
	return s
}

// begin clears the partition and sets the rules.
func (s *searcher) begin(lim *limits) {
	for len(s.stack) > 0 {
		s.pop()
	}
	s.lim = *lim
	for d := range numDims {
		s.def[d] = 0
		if lim.enforce[d] {
			s.def[d] = int(lim.lo[d]) * s.t.nPop[d]
		}
	}
}

func (s *searcher) push(c int32) {
	s.occ[c]++
	s.stack = append(s.stack, c)
	val := &s.t.cells[c].val
	for d := range numDims {
		s.cnt[d][val[d]]++
		if s.lim.enforce[d] && s.cnt[d][val[d]] <= s.lim.lo[d] {
			s.def[d]--
		}
	}
}

func (s *searcher) pop() {
	c := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.occ[c]--
	val := &s.t.cells[c].val
	for d := range numDims {
		if s.lim.enforce[d] && s.cnt[d][val[d]] <= s.lim.lo[d] {
			s.def[d]++
		}
		s.cnt[d][val[d]]--
	}
}

// fits reports whether one more replica may go to cell c under the upper limits.
func (s *searcher) fits(c int32) bool {
	cell := &s.t.cells[c]
	if int(s.occ[c]) >= len(cell.members) {
		return false
	}
	for d := range numDims {
		if s.lim.enforce[d] && s.cnt[d][cell.val[d]] >= s.lim.hi[d] {
			return false
		}
	}
	return true
}

// covers reports whether cell c fills a deficit in every dimension whose
// deficit equals the slots left (m): then every remaining slot must.
func (s *searcher) covers(c int32, m int) bool {
	val := &s.t.cells[c].val
	for d := range numDims {
		if s.lim.enforce[d] && s.def[d] == m && s.cnt[d][val[d]] >= s.lim.lo[d] {
			return false
		}
	}
	return true
}

func (s *searcher) deficitOK(m int) bool {
	for d := range numDims {
		if s.def[d] > m {
			return false
		}
	}
	return true
}

// complete reports whether m more replicas can be added to the partition's
// cells so that every limit holds. The answer depends only on the multiset
// of cells used and the rules, so it is memoised on them.
func (s *searcher) complete(m int) bool {
	if !s.deficitOK(m) {
		return false
	}
	if m == 0 {
		return true
	}
	key, ok := s.key()
	if ok {
		if v, hit := s.memo[key]; hit {
			return v
		}
	}
	v := s.dfs(m, 0)
	if ok {
		s.memo[key] = v
	}
	return v
}

// dfs tries the multisets of m cells drawn from start on (non-decreasing
// cell order, so each multiset is tried once).
func (s *searcher) dfs(m int, start int32) bool {
	if m == 0 {
		return true // deficitOK(0) held before the call
	}
	for c := start; c < int32(len(s.t.cells)); c++ {
		if !s.t.cells[c].recv || !s.fits(c) || !s.covers(c, m) {
			continue
		}
		s.push(c)
		ok := s.deficitOK(m-1) && s.dfs(m-1, c)
		s.pop()
		if ok {
			return true
		}
	}
	return false
}

// key encodes (r, level, sorted cells) in 64 bits when they fit.
func (s *searcher) key() (uint64, bool) {
	n := len(s.stack)
	if n > 7 || len(s.t.cells) > 255 || s.lim.r >= 64 {
		return 0, false
	}
	buf := s.sort[:n]
	copy(buf, s.stack)
	for i := 1; i < n; i++ {
		for j := i; j > 0 && buf[j] < buf[j-1]; j-- {
			buf[j], buf[j-1] = buf[j-1], buf[j]
		}
	}
	k := uint64(s.lim.r) | uint64(s.lim.level)<<6
	for i, c := range buf {
		k |= uint64(c+1) << (8 + 8*i)
	}
	return k, true
}
