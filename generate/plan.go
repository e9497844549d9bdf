package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// Partition outcomes.
const (
	outUntouched   = iota // met the rules already
	outRepaired           // replicas changed to meet the rules (or the new replication factor)
	outNew                // new-topic partition
	outCompromised        // --force: placed as widely as possible, against the rules
	outInfeasible         // cannot meet the rules; left as it is
)

// planner holds one planning run. Partitions in scope are numbered 0..n-1;
// replica lists are broker indices in flat arrays.
type planner struct {
	t    *topology
	s    *searcher
	in   *Input
	opts *Options
	lims [numLevels][]limits // by replication factor, filled lazily

	src    []int32 // index into in.Current.Partitions; -1-k for new-topic partition k
	curOff []int32
	cur    []int32
	newOff []int32
	nlen   []uint8
	nw     []int32
	out    []uint8 // outcome
	// before is 1 + the rules partition i's current replicas break, as
	// repairOne found them, for the report; 0 where it did not check them
	// (a new replication factor, an empty list).
	before []uint8

	tried []uint32 // per cell, epoch of the last failed try in fill
	epoch uint32
	keep  keepSets
	found []uint64 // bestSubset's sets, reused

	rep Report
}

// Plan computes the reassignment that makes every partition in scope meet the
// placement rules with the fewest replica moves, then (optionally) balances
// replicas and preferred leaders. It returns an error wrapping
// cluster.ErrAtRisk, with the report filled in, when some partitions cannot
// meet the rules and opts.Force is off; input errors are cluster.InputErrors.
// With in.Sizes it reports bytes, and never fills a broker whose capacity is
// known beyond opts.MaxDiskUsage (cluster.ErrAtRisk unless opts.Force).
func Plan(in Input, opts Options) (Result, error) { return planSized(in, opts) }

// planOnce is one planning pass.
func planOnce(in Input, opts Options) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	t := newTopology(&in, &opts)
	p := &planner{t: t, in: &in, opts: &opts}
	if err := p.validate(); err != nil {
		return Result{}, err
	}
	p.rep.Seed = opts.Seed
	p.rep.ReplicationFactor = opts.ReplicationFactor
	if err := p.scope(); err != nil {
		return Result{}, err
	}
	t.formCells(p.heldAfter())
	p.s, p.tried = newSearcher(t), make([]uint32, len(t.cells))
	p.repairAll()
	if len(p.rep.Infeasible) > 0 && !opts.Force {
		p.finishReport()
		return Result{Report: p.rep}, infeasibleError(p.rep.Infeasible)
	}
	p.refine()
	p.rep.FDSpreadRepair = t.fdSpread(t.load)
	if opts.Balance {
		p.rebalance()
	}
	p.placeLeaders()
	return p.result(), nil
}

func infeasibleError(issues []Issue) error {
	const show = 10
	var b strings.Builder
	for i, is := range issues {
		if i == show {
			fmt.Fprintf(&b, "; and %d more (see the report)", len(issues)-show)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(is.String())
	}
	return fmt.Errorf("%w: %d partitions cannot meet the placement rules (use --force to spread them as widely as possible): %s",
		cluster.ErrAtRisk, len(issues), b.String())
}

// limits returns the rules for replication factor r at level, cached.
func (p *planner) limits(r, level int) *limits {
	ls := p.lims[level]
	if r >= len(ls) {
		grown := make([]limits, r+1)
		copy(grown, ls)
		ls, p.lims[level] = grown, grown
	}
	if ls[r].r != r || r == 0 {
		ls[r] = p.t.limitsFor(r, level)
	}
	return &ls[r]
}

// validate checks the options against the cluster before any work.
func (p *planner) validate() error {
	t, in, o := p.t, p.in, p.opts
	known := func(id int32) bool {
		if t.index(id) >= 0 {
			return true
		}
		return slices.Contains(in.Live, id)
	}
	for _, id := range o.BrokerIDs {
		if !known(id) {
			return cluster.Invalidf("broker-ids: broker %d is neither in the domains nor in the assignment", id)
		}
	}
	for _, id := range o.ExcludeBrokers {
		if !known(id) {
			return cluster.Invalidf("exclude-brokers: broker %d is neither in the domains nor in the assignment", id)
		}
	}
	for _, id := range o.BrokerList {
		if _, ok := in.Domains[id]; !ok {
			return cluster.Invalidf("broker-list: broker %d has no domain in the domains document", id)
		}
	}
	if o.NewTopic != "" {
		for _, pa := range in.Current.Partitions {
			if pa.Topic == o.NewTopic {
				return cluster.Invalidf("new topic %q already exists (%d-partition assignment found)", o.NewTopic, countTopic(in.Current, o.NewTopic))
			}
		}
	}
	if len(o.Topics) > 0 {
		have := map[string]bool{}
		prev := ""
		for _, pa := range in.Current.Partitions {
			if pa.Topic != prev {
				have[pa.Topic] = true
				prev = pa.Topic
			}
		}
		for _, name := range o.Topics {
			if !have[name] {
				return cluster.Invalidf("topic %q is not in the current assignment", name)
			}
		}
	}
	if o.BalanceBy == BalanceBytes && in.Sizes == nil {
		return cluster.Invalidf("--balance-by bytes needs replica sizes: give --log-dirs FILE, or a cluster that reports them")
	}
	if t.receivers == 0 && (len(in.Current.Partitions) > 0 || o.NewTopic != "") {
		return cluster.Invalidf("no broker may hold replicas: every broker is dead, excluded, outside --broker-list or without a domain")
	}
	return nil
}

func countTopic(a cluster.Assignment, topic string) int {
	n := 0
	for _, pa := range a.Partitions {
		if pa.Topic == topic {
			n++
		}
	}
	return n
}

// scope selects the partitions to plan and converts them to broker indices.
func (p *planner) scope() error {
	in, o := p.in, p.opts
	topics := nameSet(o.Topics)             // nil: every topic
	onBroker := p.t.brokerMask(o.BrokerIDs) // nil: every broker
	n := len(in.Current.Partitions) + o.NewPartitions
	p.src = make([]int32, 0, n)
	p.curOff = make([]int32, 1, n+1)
	p.cur = make([]int32, 0, 3*n)
	unplaced := map[int32][]string{} // brokers without a domain that would hold replicas
	unknown := map[int32][]string{}  // brokers neither alive nor in the domains, whose replicas would move
	// A new topic is planned on its own; existing partitions only count
	// towards broker load.
	if o.NewTopic == "" {
		p.selectExisting(topics, onBroker, unplaced, unknown)
	}
	if len(unplaced) > 0 {
		return unplacedError(unplaced)
	}
	if len(unknown) > 0 {
		return unknownDownError(unknown)
	}
	p.rep.PartitionsInScope = len(p.src)
	for k := range o.NewPartitions {
		p.src = append(p.src, int32(-1-k))
		p.curOff = append(p.curOff, int32(len(p.cur)))
	}
	p.rep.NewPartitions = o.NewPartitions
	p.reservePlanned()
	return nil
}

// heldAfter returns, for brokers that are not alive, whether they hold
// replicas after the plan: a down broker keeps its replicas; a dead, excluded
// or unlisted one keeps only those of partitions out of scope.
func (p *planner) heldAfter() func(b int32) bool {
	t := p.t
	var inScope []int32 // replicas per broker in partitions in scope, counted only if needed
	return func(b int32) bool {
		if t.brokers[b].status == statusDown {
			return t.loadBefore[b] > 0
		}
		if inScope == nil {
			inScope = make([]int32, len(t.brokers))
			for _, x := range p.cur {
				inScope[x]++
			}
		}
		return t.loadBefore[b] > inScope[b]
	}
}

// nameSet returns names as a set, or nil when there are none.
func nameSet(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set
}

// brokerMask marks the indices of the brokers named in ids, or returns nil
// when ids is empty.
func (t *topology) brokerMask(ids []int32) []bool {
	if len(ids) == 0 {
		return nil
	}
	mask := make([]bool, len(t.brokers))
	for _, id := range ids {
		if i := t.index(id); i >= 0 {
			mask[i] = true
		}
	}
	return mask
}

// selectExisting adds the existing partitions in scope (of a topic in
// topics, with a replica on a broker in onBroker; nil means any) with
// their current replicas. It notes in unplaced, for each broker without a
// domain that would otherwise serve, up to three of the partitions it holds.
func (p *planner) selectExisting(topics map[string]bool, onBroker []bool, unplaced, unknown map[int32][]string) {
	t, in := p.t, p.in
	vacate := p.vacatesUnknown()
	// Consecutive partitions mostly share their topic: look it up once per run.
	prevTopic, prevIn := "", false
	for k := range in.Current.Partitions {
		pa := &in.Current.Partitions[k]
		if topics != nil {
			if pa.Topic != prevTopic || k == 0 {
				prevTopic, prevIn = pa.Topic, topics[pa.Topic]
			}
			if !prevIn {
				continue
			}
		}
		start := len(p.cur)
		hit := onBroker == nil
		for _, id := range pa.Replicas {
			b := t.index(id)
			p.cur = append(p.cur, b)
			if onBroker != nil && onBroker[b] {
				hit = true
			}
		}
		if !hit {
			p.cur = p.cur[:start]
			continue
		}
		for _, b := range p.cur[start:] {
			if t.brokers[b].status != statusNoDomain {
				continue
			}
			switch id := t.brokers[b].id; {
			case t.wouldServe(b) && len(unplaced[id]) < 3:
				unplaced[id] = append(unplaced[id], pa.TP().String())
			case !t.brokers[b].alive && !vacate(id) && len(unknown[id]) < 3:
				unknown[id] = append(unknown[id], pa.TP().String())
			}
		}
		p.src = append(p.src, int32(k))
		p.curOff = append(p.curOff, int32(len(p.cur)))
	}
}

// unplacedError is the input error for replicas on brokers without a domain:
// fdud cannot tell whether they are safe.
func unplacedError(unplaced map[int32][]string) error {
	ids := slices.Sorted(mapsKeys(unplaced))
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("broker %d (e.g. %s)", id, strings.Join(unplaced[id], ", ")))
	}
	return cluster.Invalidf("replicas on brokers without a domain: %s; add them to the domains document, "+
		"or name them in --exclude-brokers to move their replicas off", strings.Join(parts, "; "))
}

// vacatesUnknown returns whether the options move replicas off a broker
// that is neither alive nor in the domains: --evacuate-down-brokers,
// --exclude-brokers naming it, or a --broker-list leaving it out.
func (p *planner) vacatesUnknown() func(id int32) bool {
	o := p.opts
	excluded := idSet(o.ExcludeBrokers)
	var listed map[int32]bool
	if len(o.BrokerList) > 0 {
		listed = idSet(o.BrokerList)
	}
	return func(id int32) bool {
		return o.EvacuateDownBrokers || excluded[id] || listed != nil && !listed[id]
	}
}

// unknownDownError is the input error for replicas on brokers that are
// neither alive nor in the domains: a reboot (keep them) cannot be told from
// a dead broker (move them) without the broker's domain, and moving them by
// default would copy every replica of a rebooting broker.
func unknownDownError(unknown map[int32][]string) error {
	ids := slices.Sorted(mapsKeys(unknown))
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("broker %d (e.g. %s)", id, strings.Join(unknown[id], ", ")))
	}
	return cluster.Invalidf("replicas on brokers that are neither alive nor in the domains: %s; a down broker keeps its replicas, "+
		"but without its domain fdud cannot count them (--domains rack knows only live brokers): give domains that still "+
		"name it (a domains file, zk:, kafka), or move its replicas off with --evacuate-down-brokers or --exclude-brokers",
		strings.Join(parts, "; "))
}

// reservePlanned makes room for each partition's planned replicas: the
// target replication factor, or the current list when it has to stay as it
// is.
func (p *planner) reservePlanned() {
	p.newOff = make([]int32, len(p.src)+1)
	p.nlen = make([]uint8, len(p.src))
	p.out = make([]uint8, len(p.src))
	p.before = make([]uint8, len(p.src))
	total := 0
	for i := range p.src {
		size := max(p.targetRF(i), int(p.curOff[i+1]-p.curOff[i]))
		total += size
		p.newOff[i+1] = int32(total)
	}
	p.nw = make([]int32, total)
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// wouldServe reports whether a broker without a domain would otherwise be
// allowed to hold replicas (alive, not excluded, in --broker-list if given).
// Such a broker is an input error: fdud cannot tell whether it is safe.
func (t *topology) wouldServe(b int32) bool { return t.brokers[b].serve }

func (p *planner) curOf(i int) []int32 { return p.cur[p.curOff[i]:p.curOff[i+1]] }

// final returns partition i's planned replicas.
func (p *planner) final(i int) []int32 {
	return p.nw[p.newOff[i] : p.newOff[i]+int32(p.nlen[i])]
}

func (p *planner) targetRF(i int) int {
	if p.opts.ReplicationFactor > 0 {
		return p.opts.ReplicationFactor
	}
	return int(p.curOff[i+1] - p.curOff[i])
}

func (p *planner) tp(i int) cluster.TopicPartition {
	if k := p.src[i]; k >= 0 {
		return p.in.Current.Partitions[k].TP()
	}
	return cluster.TopicPartition{Topic: p.opts.NewTopic, Partition: -1 - p.src[i]}
}
