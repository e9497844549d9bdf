package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/fdud/fdud/internal/cluster"
)

// The Fake's dynamic configs, and what DescribeConfigs shows of them. Like
// a real cluster it may show a change late: brokers apply config changes
// asynchronously (an IncrementalAlterConfigs, or a ZooKeeper config write
// and its change notification), and for a moment DescribeConfigs still
// shows the config from before. SetConfigLag and ShowStale script that.

// configEntity names one entity's config.
type configEntity struct {
	kind EntityKind
	name string
}

// configViews is the Fake's config state, under Fake.mu.
type configViews struct {
	configs map[EntityKind]map[string]map[string]string
	// lag is how many DescribeConfigs reads of an entity a change takes to
	// show (SetConfigLag).
	lag int
	// stale is what DescribeConfigs still shows of an entity instead of its
	// config, for how many more reads.
	stale map[configEntity]staleView
}

type staleView struct {
	cfg   map[string]string
	reads int
}

func newConfigViews() configViews {
	return configViews{configs: map[EntityKind]map[string]map[string]string{BrokerEntity: {}, TopicEntity: {}},
		stale: map[configEntity]staleView{}}
}

// SetConfigLag makes every later config change show in DescribeConfigs
// only after reads further reads of its entity (0: at once); until then
// the entity reads as before its first change not yet shown.
func (f *Fake) SetConfigLag(reads int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lag = reads
}

// ShowStale makes the next reads DescribeConfigs of one entity show cfg
// instead of its config, as a broker that has not applied the latest
// changes yet.
func (f *Fake) ShowStale(kind EntityKind, name string, cfg map[string]string, reads int) {
	mustBeKind(kind)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stale[configEntity{kind, name}] = staleView{cfg: maps.Clone(cfg), reads: reads}
}

// ConfigsShown reports whether DescribeConfigs shows every entity's config
// as it is (no change still to show).
func (f *Fake) ConfigsShown() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.stale {
		if v.reads > 0 {
			return false
		}
	}
	return true
}

// DescribeConfigs shows the configs as the path and release played show
// them, late where a change has not shown yet.
func (f *Fake) DescribeConfigs(ctx context.Context, kind EntityKind, names []string) (map[string]map[string]string, error) {
	if kind != TopicEntity && kind != BrokerEntity {
		return nil, cluster.Invalidf("unknown config entity kind %q", kind)
	}
	if err := f.record(FakeCall{Method: "DescribeConfigs", Kind: kind, Names: names}); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]map[string]string{}
	for _, n := range names {
		out[n] = f.shownLocked(configEntity{kind, n})
	}
	if kind == BrokerEntity && f.rel.ratesUnreported(f.zk) {
		// Kafka 2.4 answers a set rate with a null value and leaves an
		// unset one out; the Admin API path reads either as unknown.
		for _, m := range out {
			for _, k := range BrokerRateKeys {
				if _, ok := m[k]; ok {
					m[k] = ""
				}
			}
		}
		markUnreported(out)
	}
	return out, nil
}

// shownLocked is what one DescribeConfigs read shows of e (a copy).
func (f *Fake) shownLocked(e configEntity) map[string]string {
	cfg := f.configs[e.kind][e.name]
	if v, ok := f.stale[e]; ok && v.reads > 0 {
		cfg = v.cfg
		if v.reads--; v.reads == 0 {
			delete(f.stale, e)
		} else {
			f.stale[e] = v
		}
	}
	if cfg = maps.Clone(cfg); cfg == nil {
		cfg = map[string]string{}
	}
	return cfg
}

func (f *Fake) AlterConfigs(ctx context.Context, kind EntityKind, name string, set map[string]string, del []string) error {
	if err := checkConfigChange(kind, name, set, del); err != nil {
		return err
	}
	return f.alterConfig(FakeCall{Method: "AlterConfigs", Kind: kind, Names: []string{name}}, func(cfg map[string]string) error {
		maps.Copy(cfg, set)
		for _, k := range del {
			delete(cfg, k)
		}
		return nil
	})
}

// AlterConfigOps applies the ops to the config as it is at the time of the
// write, as both real paths do.
func (f *Fake) AlterConfigOps(ctx context.Context, kind EntityKind, name string, ops []ConfigOp) error {
	if err := checkConfigOps(kind, name, ops); err != nil {
		return err
	}
	return f.alterConfig(FakeCall{Method: "AlterConfigOps", Kind: kind, Names: []string{name}}, func(cfg map[string]string) error {
		_, err := ApplyConfigOps(cfg, ops)
		return err
	})
}

// alterConfig records c and changes its entity's config with change, all
// or nothing, refusing broker configs on a release without them.
func (f *Fake) alterConfig(c FakeCall, change func(map[string]string) error) error {
	if err := f.record(c); err != nil {
		return err
	}
	e := configEntity{c.Kind, c.Names[0]}
	if e.kind == BrokerEntity && !f.rel.dynamicBrokerConfigs() {
		return fmt.Errorf("broker %s runs Kafka %s, which has no dynamic broker configs "+
			"(replication throttles came with 0.10.1): %w", e.name, f.rel.v, errors.ErrUnsupported)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := maps.Clone(f.configs[e.kind][e.name])
	if cfg == nil {
		cfg = map[string]string{}
	}
	if err := change(cfg); err != nil {
		return err
	}
	if f.lag > 0 {
		v, ok := f.stale[e]
		if !ok || v.reads == 0 { // otherwise it still shows an older config: keep that
			v.cfg = maps.Clone(f.configs[e.kind][e.name])
		}
		v.reads = f.lag
		f.stale[e] = v
	}
	f.configs[e.kind][e.name] = cfg
	return nil
}

// Configs returns the entities of kind with dynamic config set, and their
// config as it is (copies), whatever DescribeConfigs shows.
func (f *Fake) Configs(kind EntityKind) map[string]map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]map[string]string{}
	for name, cfg := range f.configs[kind] {
		if len(cfg) > 0 {
			out[name] = maps.Clone(cfg)
		}
	}
	return out
}

// SetConfig replaces the dynamic config of one entity, at once and without
// a recorded call: as an operator leaves it before a test, or as somebody
// else's write lands between two calls (from a Before hook).
func (f *Fake) SetConfig(kind EntityKind, name string, cfg map[string]string) {
	mustBeKind(kind)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.configs[kind][name] = maps.Clone(cfg)
}

func mustBeKind(kind EntityKind) {
	if kind != TopicEntity && kind != BrokerEntity {
		panic(fmt.Sprintf("kafka.Fake: no entity kind %q", kind))
	}
}
