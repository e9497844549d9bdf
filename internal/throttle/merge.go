package throttle

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/kafka"
)

// Request is what a plan asks to throttle.
type Request struct {
	PlanID string
	// Rate is --throttle in bytes/s; <= 0 sets no replication throttle (and
	// leaves the rates of an earlier run of the plan as they are).
	Rate int64
	// LogDirRate is --replica-alter-log-dirs-throttle in bytes/s; <= 0: none.
	LogDirRate int64
	// Moves are the plan's partitions that still have to move.
	Moves []Move
	// Settle bounds the wait, once the throttles are set, until the brokers
	// show them (zero: the defaults).
	Settle Settle
}

// Change is the update of one entity's configuration.
type Change struct {
	Entity
	Set    map[string]string
	Delete []string
	// Append and Subtract edit replica lists (key -> entries) with
	// kafka.ConfigAppend and kafka.ConfigSubtract: the cluster applies them
	// to the list as it is when written, so entries somebody else adds or
	// removes meanwhile are kept.
	Append   map[string][]string
	Subtract map[string][]string
}

func (c Change) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.Set)) {
		parts = append(parts, fmt.Sprintf("set %s=%s", k, c.Set[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Append)) {
		parts = append(parts, fmt.Sprintf("add %s to %s", formatList(c.Append[k]), k))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Subtract)) {
		parts = append(parts, fmt.Sprintf("remove %s from %s", formatList(c.Subtract[k]), k))
	}
	for _, k := range c.Delete {
		parts = append(parts, "delete "+k)
	}
	return fmt.Sprintf("%s %s: %s", entityNoun(c.Kind), c.Name, strings.Join(parts, ", "))
}

// ops returns the change as kafka.ConfigOps, ordered by kind and key.
func (c Change) ops() []kafka.ConfigOp {
	var ops []kafka.ConfigOp
	for _, k := range slices.Sorted(maps.Keys(c.Set)) {
		ops = append(ops, kafka.ConfigOp{Type: kafka.ConfigSet, Key: k, Value: c.Set[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(c.Append)) {
		ops = append(ops, kafka.ConfigOp{Type: kafka.ConfigAppend, Key: k, Entries: c.Append[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(c.Subtract)) {
		ops = append(ops, kafka.ConfigOp{Type: kafka.ConfigSubtract, Key: k, Entries: c.Subtract[k]})
	}
	for _, k := range c.Delete {
		ops = append(ops, kafka.ConfigOp{Type: kafka.ConfigDelete, Key: k})
	}
	return ops
}

func entityNoun(k kafka.EntityKind) string {
	if k == kafka.BrokerEntity {
		return "broker"
	}
	return "topic"
}

// Merged is the outcome of Merge.
type Merged struct {
	// Record is what will have been set once Changes are applied, and what
	// the plan relies on; save it first. Nil when nothing is, or was,
	// throttled for the plan.
	Record   *Record
	Changes  []Change // sorted by entity
	Warnings []string
}

// clusterDefault is the entity of the cluster-wide default broker
// configuration (kafka.ClusterDefault). Its rates apply to every broker
// without a rate of its own; fdud reads them and never changes them.
var clusterDefault = Entity{kafka.BrokerEntity, kafka.ClusterDefault}

// Wanted lists the entities whose current configuration Merge needs: those
// the request throttles and those an earlier record of the plan touched,
// plus the cluster-wide default broker config (kafka.ClusterDefault) when
// any of them is a broker.
func Wanted(req Request, prev *Record) []Entity {
	set := map[Entity]bool{}
	rates, lists := want(req)
	for e := range rates {
		set[e] = true
	}
	for e := range lists {
		set[e] = true
	}
	if prev != nil {
		for _, c := range prev.Configs {
			set[c.entity()] = true
		}
	}
	for e := range set {
		if e.Kind == kafka.BrokerEntity {
			set[clusterDefault] = true
			break
		}
	}
	return sortedEntities(set)
}

func sortedEntities[V any](m map[Entity]V) []Entity {
	return slices.SortedFunc(maps.Keys(m), func(a, b Entity) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
}

// want computes the throttles the request asks for, before merging: rates
// per broker, and partition:broker entries per topic.
func want(req Request) (rates map[Entity]map[string]int64, lists map[Entity]map[string][]string) {
	rates = map[Entity]map[string]int64{}
	lists = map[Entity]map[string][]string{}
	setRate := func(e Entity, key string, v int64) {
		if rates[e] == nil {
			rates[e] = map[string]int64{}
		}
		rates[e][key] = v
	}
	addEntry := func(e Entity, key, v string) {
		if lists[e] == nil {
			lists[e] = map[string][]string{}
		}
		if !slices.Contains(lists[e][key], v) {
			lists[e][key] = append(lists[e][key], v)
		}
	}
	for _, m := range req.Moves {
		if req.Rate > 0 && m.Moving() {
			topic := Entity{kafka.TopicEntity, m.TP.Topic}
			for _, b := range m.Current {
				addEntry(topic, kafka.LeaderThrottledReplicas, entry(m.TP.Partition, b))
			}
			for _, b := range m.Adding() {
				addEntry(topic, kafka.FollowerThrottledReplicas, entry(m.TP.Partition, b))
			}
			for _, b := range append(slices.Clone(m.Current), m.Target...) {
				e := Entity{kafka.BrokerEntity, strconv.Itoa(int(b))}
				setRate(e, kafka.LeaderThrottledRate, req.Rate)
				setRate(e, kafka.FollowerThrottledRate, req.Rate)
			}
		}
		if req.LogDirRate > 0 {
			for _, b := range m.LogDirBrokers {
				setRate(Entity{kafka.BrokerEntity, strconv.Itoa(int(b))}, kafka.LogDirsThrottledRate, req.LogDirRate)
			}
		}
	}
	return rates, lists
}

// Merge computes the config changes that apply req on top of the current
// configuration (entity -> dynamic config, as DescribeConfigs returns it;
// the cluster-wide default broker config as the broker kafka.ClusterDefault)
// and the record of an earlier run of the same plan (nil if none). It is
// pure.
//
// The operator's rate on a broker is its own dynamic value, else the
// cluster-wide default; fdud never sets a per-broker rate above it.
func Merge(req Request, current map[Entity]map[string]string, prev *Record) Merged {
	rec := &Record{Version: 1, PlanID: req.PlanID, Rate: req.Rate, LogDirRate: req.LogDirRate}
	if prev != nil {
		rec.Configs = slices.Clone(prev.Configs)
		for i := range rec.Configs {
			rec.Configs[i].Added = slices.Clone(rec.Configs[i].Added)
		}
		if req.Rate <= 0 {
			rec.Rate = prev.Rate
		}
		if req.LogDirRate <= 0 {
			rec.LogDirRate = prev.LogDirRate
		}
	}
	rates, lists := want(req)
	// A new --throttle for the same plan updates every rate fdud set for it,
	// also on brokers whose moves are already done.
	if prev != nil {
		for _, c := range prev.Configs {
			r := req.Rate
			if c.Key == kafka.LogDirsThrottledRate {
				r = req.LogDirRate
			}
			if isListKey(c.Key) || r <= 0 {
				continue
			}
			if rates[c.entity()] == nil {
				rates[c.entity()] = map[string]int64{}
			}
			rates[c.entity()][c.Key] = r
		}
	}

	m := &merger{current: current, rec: rec, changes: map[Entity]*Change{}}
	for _, e := range sortedEntities(rates) {
		for _, key := range slices.Sorted(maps.Keys(rates[e])) {
			m.rate(e, key, rates[e][key])
		}
	}
	for _, e := range sortedEntities(lists) {
		for _, key := range slices.Sorted(maps.Keys(lists[e])) {
			m.list(e, key, lists[e][key])
		}
	}
	if prev != nil {
		rec.Uses = cloneUses(prev.Uses)
	}
	rec.Uses = addUses(rec.Uses, rates, lists)
	out := Merged{Warnings: m.warnings, Changes: m.sorted()}
	if len(rec.Configs) > 0 || len(rec.Uses) > 0 {
		slices.SortFunc(rec.Configs, compareConfig)
		out.Record = rec
	}
	return out
}

func cloneUses(us []Use) []Use {
	out := slices.Clone(us)
	for i := range out {
		out[i].Entries = slices.Clone(out[i].Entries)
	}
	return out
}

// addUses adds to us the rate keys and list entries a request relies on,
// sorted.
func addUses(us []Use, rates map[Entity]map[string]int64, lists map[Entity]map[string][]string) []Use {
	find := func(e Entity, key string) *Use {
		for i := range us {
			if u := &us[i]; u.Kind == e.Kind && u.Name == e.Name && u.Key == key {
				return u
			}
		}
		us = append(us, Use{Kind: e.Kind, Name: e.Name, Key: key})
		return &us[len(us)-1]
	}
	for e, keys := range rates {
		for key := range keys {
			find(e, key)
		}
	}
	for e, keys := range lists {
		for key, entries := range keys {
			u := find(e, key)
			for _, x := range entries {
				if !slices.Contains(u.Entries, x) {
					u.Entries = append(u.Entries, x)
				}
			}
			sortEntries(u.Entries)
		}
	}
	slices.SortFunc(us, func(a, b Use) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Key, b.Key))
	})
	return us
}

func equalUses(a, b []Use) bool {
	return slices.EqualFunc(a, b, func(x, y Use) bool {
		return x.Kind == y.Kind && x.Name == y.Name && x.Key == y.Key && slices.Equal(x.Entries, y.Entries)
	})
}

type merger struct {
	current  map[Entity]map[string]string
	rec      *Record
	changes  map[Entity]*Change
	warnings []string
}

// sorted returns the changes by entity, deletes sorted.
func (m *merger) sorted() []Change {
	var out []Change
	for _, e := range sortedEntities(m.changes) {
		c := m.changes[e]
		slices.Sort(c.Delete)
		out = append(out, *c)
	}
	return out
}

func (m *merger) change(e Entity) *Change {
	c := m.changes[e]
	if c == nil {
		c = &Change{Entity: e, Set: map[string]string{}}
		m.changes[e] = c
	}
	return c
}

func (m *merger) set(e Entity, key, v string) { m.change(e).Set[key] = v }

func (m *merger) del(e Entity, key string) {
	c := m.change(e)
	c.Delete = append(c.Delete, key)
}

// add appends entries to the list key (kafka.ConfigAppend).
func (m *merger) add(e Entity, key string, entries []string) {
	c := m.change(e)
	if c.Append == nil {
		c.Append = map[string][]string{}
	}
	c.Append[key] = slices.Clone(entries)
}

// remove subtracts entries from the list key (kafka.ConfigSubtract).
func (m *merger) remove(e Entity, key string, entries []string) {
	c := m.change(e)
	if c.Subtract == nil {
		c.Subtract = map[string][]string{}
	}
	c.Subtract[key] = slices.Clone(entries)
}

func (m *merger) warnf(format string, args ...any) {
	m.warnings = append(m.warnings, fmt.Sprintf(format, args...))
}

func (m *merger) rate(e Entity, key string, rate int64) {
	cur, has := m.current[e][key]
	want := strconv.FormatInt(rate, 10)
	def, hasDef := m.current[clusterDefault][key]
	unknown := has && cur == kafka.Unreported
	if def == kafka.Unreported {
		def, hasDef = "", false
	}
	if c := m.rec.find(e, key); c != nil {
		// A rate the broker does not report is as the record says: fdud
		// set it. A new --throttle replaces it like a readable one.
		if !unknown && !(has && cur == c.Set) && !matchesBefore(c, cur, has) {
			m.warnf("%s %s: %s is %s, not the %s fdud set: changed by someone else since, leaving it",
				entityNoun(e.Kind), e.Name, key, show(cur, has), c.Set)
			return
		}
		// The operator's rate: the broker's own from before fdud, else the
		// cluster-wide default as it is now.
		op, hasOp := c.Before, c.Before != nil
		if !hasOp && hasDef {
			op, hasOp = &def, true
		}
		if hasOp {
			if v, err := parseRate(*op); err == nil && v < rate {
				want = strconv.FormatInt(v, 10)
			}
		}
		c.Set = want
		if unknown || !has || cur != want {
			m.set(e, key, want)
		}
		return
	}
	switch {
	case unknown:
		// The broker does not report its rates (Kafka 2.4): fdud cannot see
		// an operator's rate there, and says so. The record says the key
		// was unset, so the clean-up deletes it.
		m.warnf("%s %s does not report %s (Kafka 2.4 and 2.5 leave broker throttle rates out of DescribeConfigs): "+
			"setting it to %s without seeing whether an operator set a rate there; the clean-up deletes it", entityNoun(e.Kind), e.Name, key, want)
		m.rec.Configs = append(m.rec.Configs, ConfigRecord{Kind: e.Kind, Name: e.Name, Key: key, Set: want})
	case has:
		op, err := parseRate(cur)
		if err != nil {
			m.warnf("%s %s: %s is %q, not a number: leaving it", entityNoun(e.Kind), e.Name, key, cur)
			return
		}
		if op <= rate {
			return // never raise an operator's lower rate
		}
		m.rec.Configs = append(m.rec.Configs, ConfigRecord{Kind: e.Kind, Name: e.Name, Key: key, Before: ptr(cur), Set: want})
	case hasDef:
		// The broker has no rate of its own: the cluster-wide default is the
		// operator's. fdud lowers it per broker if need be and leaves the
		// default itself alone; clean-up deletes the per-broker key again.
		op, err := parseRate(def)
		if err != nil {
			m.warnf("%s %s: %s: the cluster-wide default is %q, not a number: leaving it", entityNoun(e.Kind), e.Name, key, def)
			return
		}
		if op <= rate {
			return // never raise an operator's lower rate
		}
		m.rec.Configs = append(m.rec.Configs, ConfigRecord{Kind: e.Kind, Name: e.Name, Key: key, Set: want})
	default:
		m.rec.Configs = append(m.rec.Configs, ConfigRecord{Kind: e.Kind, Name: e.Name, Key: key, Set: want})
	}
	m.set(e, key, want)
}

func parseRate(v string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(v), 10, 64) }

// list appends to the list key of e the entries it lacks, and records them
// as fdud's; a list of "*" is left alone (never appended to).
func (m *merger) list(e Entity, key string, entries []string) {
	cur, has := m.current[e][key]
	have := parseList(cur)
	if slices.Contains(have, Wildcard) {
		return // every replica of the topic is throttled already
	}
	var missing []string
	for _, x := range entries {
		if !slices.Contains(have, x) && !slices.Contains(missing, x) {
			missing = append(missing, x)
		}
	}
	if len(missing) == 0 {
		return
	}
	sortEntries(missing)
	v := formatList(append(have, missing...))
	if c := m.rec.find(e, key); c != nil {
		for _, x := range missing {
			if !slices.Contains(c.Added, x) {
				c.Added = append(c.Added, x)
			}
		}
		sortEntries(c.Added)
		c.Set = v
	} else {
		c := ConfigRecord{Kind: e.Kind, Name: e.Name, Key: key, Set: v, Added: missing}
		if has {
			c.Before = ptr(cur)
		}
		m.rec.Configs = append(m.rec.Configs, c)
	}
	// Appended, not set to v: entries somebody adds between this read and
	// the write stay.
	m.add(e, key, missing)
}

// matchesBefore reports whether the key is as it was before fdud set it
// (for instance when a run saved its record and stopped before applying it).
func matchesBefore(c *ConfigRecord, cur string, has bool) bool {
	if c.Before == nil {
		return !has
	}
	return has && cur == *c.Before
}

func show(v string, has bool) string {
	if !has {
		return "unset"
	}
	if v == kafka.Unreported {
		return "not reported by the broker"
	}
	return strconv.Quote(v)
}
