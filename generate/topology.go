package generate

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// Dimensions, outermost first, as dense indices into per-dimension arrays.
const (
	dimZone = iota
	dimFD
	dimUD
	numDims
)

// clusterDim maps the planner's dimension index to the model's.
var clusterDim = [numDims]cluster.Dimension{cluster.ZoneDim, cluster.FaultDomainDim, cluster.UpdateDomainDim}

// Why a broker may not hold replicas.
const (
	statusEligible  = iota
	statusDead      // not alive, and its replicas move off (--evacuate-down-brokers)
	statusExcluded  // --exclude-brokers
	statusNotListed // not in --broker-list
	statusNoDomain
	statusDown // not alive but placed: keeps its replicas, counts in its domains, receives nothing
	statusFull // alive, but the plan would fill its disk: keeps its replicas, receives nothing
)

var statusNames = [...]string{"eligible", "dead", "excluded", "not in --broker-list", "no domain", "down", "disk full"}

// brokerInfo is one broker, by dense index.
type brokerInfo struct {
	id     int32
	status int8
	hasDom bool
	serve  bool // alive, not excluded and listed (if a list is given): may serve once it has a domain
	alive  bool
	judged bool           // has a domain and is alive or holds replicas after the plan: its domains count
	val    [numDims]int32 // dense value per dimension; -1 without a domain
	cell   int32          // brokers that may hold replicas (eligible or down), else -1
	rank   uint32         // seeded tie-break among equally loaded brokers
}

// cellInfo is the set of eligible brokers sharing zone, FD and UD. Placement
// is decided cell by cell: all brokers of a cell are interchangeable as far
// as the rules go, so the searches range over tens of cells, not thousands
// of brokers.
type cellInfo struct {
	val     [numDims]int32
	recv    bool    // members may receive replicas; false for a cell of down brokers, which only keep theirs
	members []int32 // broker indices
	best    int32   // member with the fewest replicas (ties: lowest rank)
}

// topology is the planner's dense view of brokers and domains. Everything the
// hot loops touch is a slice indexed by small integers.
type topology struct {
	brokers []brokerInfo
	byID    map[int32]int32 // broker id -> index, used outside hot loops
	dense   []int32         // id -> index+1 when ids are small; nil otherwise
	cells   []cellInfo
	// byBest lists the cells that may receive, ordered by their best
	// broker (less), kept current by addLoad; bestKey holds their best
	// brokers' keys, in the same order; bestPos is each cell's position in
	// it, -1 for the others. fill reads it to look at the few cells whose
	// best broker can win instead of every cell.
	byBest  []int32
	bestKey []uint64
	bestPos []int32

	// Per dimension: values seen among brokers with a domain (dense), and
	// which of them the rules are judged over (populated): the values of
	// the brokers that are alive or hold replicas after the plan, whether
	// or not they may receive new ones, as verify judges them. Limits count
	// only those; receivers counts the brokers that may receive.
	zones     []string
	fds, uds  []int
	populated [numDims][]bool
	nPop      [numDims]int
	popVals   [numDims][]int32
	receivers int

	load       []int32 // replicas per broker, kept current while planning
	loadBefore []int32
	leaders    []int32 // preferred leaders per broker, before the plan
}

// index returns the dense index of broker id, or -1.
func (t *topology) index(id int32) int32 {
	if t.dense != nil {
		if id >= 0 && int(id) < len(t.dense) {
			return t.dense[id] - 1
		}
		return -1
	}
	if i, ok := t.byID[id]; ok {
		return i
	}
	return -1
}

// add registers a broker id if new and returns its index.
func (t *topology) add(id int32) int32 {
	if i, ok := t.byID[id]; ok {
		return i
	}
	i := int32(len(t.brokers))
	t.byID[id] = i
	t.brokers = append(t.brokers, brokerInfo{id: id, status: statusNoDomain, val: [numDims]int32{-1, -1, -1}, cell: -1})
	return i
}

// newTopology indexes every broker that has a domain or holds a replica, and
// decides eligibility. live nil means every broker is alive.
func newTopology(in *Input, opts *Options) *topology {
	t := &topology{byID: make(map[int32]int32, len(in.Domains))}
	t.addBrokers(in)
	t.indexIDs()
	t.decideStatus(in.Live, opts)
	t.rankBrokers(opts.Seed)
	t.countLoad(in)
	return t
}

// addBrokers registers the brokers with a domain, in id order, with their
// dense values, then the brokers holding replicas without one.
func (t *topology) addBrokers(in *Input) {
	ids := slices.Sorted(maps.Keys(in.Domains))
	zoneIdx := map[string]int32{}
	fdIdx := map[int]int32{}
	udIdx := map[int]int32{}
	for _, id := range ids {
		d := in.Domains[id]
		i := t.add(id)
		b := &t.brokers[i]
		b.hasDom = true
		b.val[dimZone] = denseValue(zoneIdx, &t.zones, d.Zone)
		b.val[dimFD] = denseValue(fdIdx, &t.fds, d.FaultDomain)
		b.val[dimUD] = denseValue(udIdx, &t.uds, d.UpdateDomain)
	}
	// Replicas are mostly on brokers with a domain: a table of those ids,
	// when they are small, spares a map look-up per replica.
	var known []bool
	if n := len(ids); n > 0 && ids[0] >= 0 && int(ids[n-1]) < 4*n+1<<16 {
		known = make([]bool, ids[n-1]+1)
		for _, id := range ids {
			known[id] = true
		}
	}
	for _, p := range in.Current.Partitions {
		for _, id := range p.Replicas {
			if id < 0 || int(id) >= len(known) || !known[id] {
				t.add(id)
			}
		}
	}
}

// indexIDs builds a dense id table when ids are small, as Kafka's usually
// are, so that index avoids hashing in the hot loops.
func (t *topology) indexIDs() {
	maxID := int32(-1)
	for _, b := range t.brokers {
		maxID = max(maxID, b.id)
	}
	if int(maxID) < 4*len(t.brokers)+1<<16 {
		t.dense = make([]int32, maxID+1)
		for i, b := range t.brokers {
			t.dense[b.id] = int32(i) + 1
		}
	}
}

// decideStatus decides which brokers may serve and which are eligible, and
// if not, why. live nil means every broker is alive; an empty broker list
// means every broker is listed.
func (t *topology) decideStatus(liveIDs []int32, opts *Options) {
	var live map[int32]bool
	if liveIDs != nil {
		live = idSet(liveIDs)
	}
	var listed map[int32]bool
	if len(opts.BrokerList) > 0 {
		listed = idSet(opts.BrokerList)
	}
	excluded := idSet(opts.ExcludeBrokers)
	full := idSet(opts.full)
	for i := range t.brokers {
		b := &t.brokers[i]
		b.alive = live == nil || live[b.id]
		b.serve = b.alive && !excluded[b.id] && (listed == nil || listed[b.id])
		switch {
		case !b.hasDom:
			b.status = statusNoDomain
		case excluded[b.id]:
			b.status = statusExcluded
		case listed != nil && !listed[b.id]:
			b.status = statusNotListed
		case !b.alive && opts.EvacuateDownBrokers:
			b.status = statusDead
		case !b.alive:
			b.status = statusDown
		case full[b.id]:
			b.status = statusFull
		default:
			b.status = statusEligible
			t.receivers++
		}
	}
}

// idSet returns ids as a set.
func idSet(ids []int32) map[int32]bool {
	set := make(map[int32]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// formCells groups the brokers that hold replicas (eligible and down ones)
// into cells, down brokers apart, and notes, per dimension, which values the
// rules are judged over: those of brokers that are alive, or that hold
// replicas after the plan. heldAfter(b) reports the latter for a broker
// that is not alive.
func (t *topology) formCells(heldAfter func(b int32) bool) {
	for d := range numDims {
		n := [numDims]int{len(t.zones), len(t.fds), len(t.uds)}[d]
		t.populated[d] = make([]bool, n)
	}
	type key struct {
		val  [numDims]int32
		recv bool
	}
	cellOf := map[key]int32{}
	for i := range t.brokers {
		b := &t.brokers[i]
		if b.hasDom && (b.alive || heldAfter(int32(i))) {
			b.judged = true
			for d := range numDims {
				t.populated[d][b.val[d]] = true
			}
		}
		if !t.holds(int32(i)) {
			continue
		}
		k := key{b.val, b.status == statusEligible}
		c, ok := cellOf[k]
		if !ok {
			c = int32(len(t.cells))
			cellOf[k] = c
			t.cells = append(t.cells, cellInfo{val: b.val, recv: k.recv})
		}
		b.cell = c
		t.cells[c].members = append(t.cells[c].members, int32(i))
	}
	for c := range t.cells {
		t.refreshBest(int32(c))
	}
	t.orderByBest()
	for d := range numDims {
		for v, ok := range t.populated[d] {
			if ok {
				t.nPop[d]++
				t.popVals[d] = append(t.popVals[d], int32(v))
			}
		}
	}
}

// rankBrokers gives every broker a seeded rank that breaks ties between
// equally loaded brokers, so that equal inputs give equal plans and
// different seeds give different ones.
func (t *topology) rankBrokers(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x6664756467656e)) // "fdudgen"
	perm := rng.Perm(len(t.brokers))
	for i := range t.brokers {
		t.brokers[i].rank = uint32(perm[i])
	}
}

// countLoad counts each broker's replicas and preferred leaders before the
// plan, and picks each cell's least loaded broker.
func (t *topology) countLoad(in *Input) {
	t.load = make([]int32, len(t.brokers))
	t.leaders = make([]int32, len(t.brokers))
	for _, p := range in.Current.Partitions {
		for j, id := range p.Replicas {
			i := t.index(id)
			t.load[i]++
			if j == 0 {
				t.leaders[i]++
			}
		}
	}
	t.loadBefore = slices.Clone(t.load)
}

func denseValue[K comparable](idx map[K]int32, list *[]K, v K) int32 {
	if i, ok := idx[v]; ok {
		return i
	}
	i := int32(len(*list))
	idx[v] = i
	*list = append(*list, v)
	return i
}

// less orders brokers by load, then seeded rank.
func (t *topology) less(a, b int32) bool {
	if la, lb := t.load[a], t.load[b]; la != lb {
		return la < lb
	}
	return t.brokers[a].rank < t.brokers[b].rank
}

// key is broker b's place in the order of less, as one number: the load
// (its sign bit flipped, so that the unsigned order is the signed one),
// then the rank. Distinct brokers have distinct keys.
func (t *topology) key(b int32) uint64 {
	return uint64(uint32(t.load[b])^1<<31)<<32 | uint64(t.brokers[b].rank)
}

func (t *topology) refreshBest(c int32) {
	cell := &t.cells[c]
	best := cell.members[0]
	for _, m := range cell.members[1:] {
		if t.less(m, best) {
			best = m
		}
	}
	cell.best = best
}

// addLoad changes broker b's replica count and keeps its cell's best, and
// the cells' order by it, current.
func (t *topology) addLoad(b int32, delta int32) {
	t.load[b] += delta
	c := t.brokers[b].cell
	if c < 0 {
		return
	}
	cell := &t.cells[c]
	wasBest := b == cell.best
	switch {
	case delta < 0 && t.less(b, cell.best):
		cell.best = b
	case delta > 0 && wasBest:
		t.refreshBest(c)
	}
	// The cell's best broker, or its load, changed.
	if (wasBest || b == cell.best) && t.bestPos[c] >= 0 {
		t.reorder(c)
	}
}

// orderByBest sorts the receiving cells by their best broker.
func (t *topology) orderByBest() {
	t.byBest = t.byBest[:0]
	t.bestPos = make([]int32, len(t.cells))
	for c := range t.cells {
		t.bestPos[c] = -1
		if t.cells[c].recv {
			t.byBest = append(t.byBest, int32(c))
		}
	}
	slices.SortFunc(t.byBest, func(a, b int32) int {
		return cmp.Compare(t.key(t.cells[a].best), t.key(t.cells[b].best))
	})
	t.bestKey = make([]uint64, len(t.byBest))
	for i, c := range t.byBest {
		t.bestPos[c] = int32(i)
		t.bestKey[i] = t.key(t.cells[c].best)
	}
}

// reorder moves cell c to its place in byBest after its best broker, or
// that broker's load, changed.
func (t *topology) reorder(c int32) {
	order, keys := t.byBest, t.bestKey
	i := t.bestPos[c]
	k := t.key(t.cells[c].best)
	for i > 0 && k < keys[i-1] {
		order[i], keys[i] = order[i-1], keys[i-1]
		t.bestPos[order[i]] = i
		i--
	}
	for int(i) < len(order)-1 && keys[i+1] < k {
		order[i], keys[i] = order[i+1], keys[i+1]
		t.bestPos[order[i]] = i
		i++
	}
	order[i], keys[i] = c, k
	t.bestPos[c] = i
}

// eligible reports whether broker index b may receive replicas.
func (t *topology) eligible(b int32) bool { return t.brokers[b].status == statusEligible }

// holds reports whether broker index b may hold replicas: it may receive
// them, or it is down (or full) and keeps the ones it has.
func (t *topology) holds(b int32) bool { return holdsStatus(t.brokers[b].status) }

func holdsStatus(s int8) bool { return s == statusEligible || s == statusDown || s == statusFull }

// valueLabel renders a dense value along d for people.
func (t *topology) valueLabel(d int, v int32) string {
	var dom cluster.Domain
	switch d {
	case dimZone:
		dom.Zone = t.zones[v]
	case dimFD:
		dom.FaultDomain = t.fds[v]
	case dimUD:
		dom.UpdateDomain = t.uds[v]
	}
	return clusterDim[d].Value(dom)
}
