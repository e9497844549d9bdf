package kafka

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/fdud/fdud/internal/cluster"
)

// Fake is an in-memory Cluster for tests, with the Admin API path's
// behaviour (or, with PlayZooKeeper, the ZooKeeper path's capabilities). It
// passes the same conformance suite as both real paths (conformance_test.go,
// run against real brokers by the integration suite), so that it cannot
// quietly disagree with them. Reassignments stay in flight until Complete.
type Fake struct {
	mu      sync.Mutex
	brokers []cluster.Broker
	parts   map[cluster.TopicPartition]*cluster.PartitionState
	configs map[EntityKind]map[string]map[string]string
	id      string
	zk      bool
}

var _ Cluster = (*Fake)(nil)

// NewFake returns a cluster of the given live brokers (sorted by id) with
// cluster id id and no topics.
func NewFake(id string, brokers ...cluster.Broker) *Fake {
	bs := slices.Clone(brokers)
	slices.SortFunc(bs, func(x, y cluster.Broker) int { return int(x.ID) - int(y.ID) })
	return &Fake{brokers: bs, id: id, parts: map[cluster.TopicPartition]*cluster.PartitionState{},
		configs: map[EntityKind]map[string]map[string]string{BrokerEntity: {}, TopicEntity: {}}}
}

// PlayZooKeeper makes the fake report the ZooKeeper path and its
// capabilities (one batch of reassignments at a time: another Reassign
// while one is in flight fails with cluster.ErrBusy).
func (f *Fake) PlayZooKeeper() *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zk = true
	return f
}

func (f *Fake) playsZooKeeper() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.zk
}

func (f *Fake) Path() string {
	if f.playsZooKeeper() {
		return ZooKeeperPath
	}
	return AdminAPIPath
}

func (f *Fake) Capabilities() Capabilities {
	if f.playsZooKeeper() {
		return Capabilities{OneBatch: true}
	}
	return Capabilities{Cancel: true}
}

func (f *Fake) Close() error { return nil }

func (f *Fake) ClusterID(context.Context) (string, error) { return f.id, nil }

func (f *Fake) Brokers(context.Context) ([]cluster.Broker, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.brokers), nil
}

// State returns copies: changing them changes nothing in the fake.
func (f *Fake) State(ctx context.Context, topics []string) (*cluster.State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := &cluster.State{Controller: -1, Brokers: slices.Clone(f.brokers)}
	if len(f.brokers) > 0 {
		st.Controller = f.brokers[0].ID
	}
	for _, tp := range slices.SortedFunc(maps.Keys(f.parts), cluster.TopicPartition.Compare) {
		if topics != nil && !slices.Contains(topics, tp.Topic) {
			continue
		}
		p := *f.parts[tp]
		p.Replicas, p.ISR, p.Target = slices.Clone(p.Replicas), slices.Clone(p.ISR), slices.Clone(p.Target)
		p.Adding, p.Removing = slices.Clone(p.Adding), slices.Clone(p.Removing)
		st.Partitions = append(st.Partitions, p)
	}
	return st, nil
}

func (f *Fake) live(id int32) bool {
	return slices.ContainsFunc(f.brokers, func(b cluster.Broker) bool { return b.ID == id })
}

// Reassign starts a reassignment per partition, or, when only the order
// changes, applies it at once, as Kafka does. Unknown partitions and
// replicas on brokers that are not live fail per partition.
func (f *Fake) Reassign(ctx context.Context, plan []cluster.PartitionAssignment) error {
	if err := checkPlan(plan); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zk && slices.ContainsFunc(slices.Collect(maps.Values(f.parts)), func(p *cluster.PartitionState) bool { return p.Reassigning() }) {
		return fmt.Errorf("reassign: a reassignment is in progress: %w", cluster.ErrBusy)
	}
	var errs []PartitionError
	for _, pa := range plan {
		p, ok := f.parts[pa.TP()]
		if !ok {
			errs = append(errs, PartitionError{pa.TP(), fmt.Errorf("unknown topic or partition")})
			continue
		}
		if i := slices.IndexFunc(pa.Replicas, func(b int32) bool { return !f.live(b) }); i >= 0 {
			errs = append(errs, PartitionError{pa.TP(), fmt.Errorf("replica %d is not a live broker", pa.Replicas[i])})
			continue
		}
		orig := p.Replicas // the original replicas, also while in flight
		p.Target, p.Adding, p.Removing = nil, nil, nil
		if cluster.SameMembers(orig, pa.Replicas) {
			p.Replicas = slices.Clone(pa.Replicas)
			continue
		}
		p.Replicas = orig
		p.Target = slices.Clone(pa.Replicas)
		p.Adding, p.Removing = without(pa.Replicas, orig), without(orig, pa.Replicas)
	}
	return newPartitionErrors("reassign", len(plan), errs)
}

// Complete finishes every reassignment in flight: the targets become the
// replicas, all in sync; a leader that left the set hands over to the new
// first replica.
func (f *Fake) Complete() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.parts {
		if !p.Reassigning() {
			continue
		}
		p.Replicas, p.ISR = p.Target, slices.Clone(p.Target)
		p.Target, p.Adding, p.Removing = nil, nil, nil
		if !slices.Contains(p.Replicas, p.Leader) {
			p.Leader = p.Replicas[0]
		}
	}
}

// CancelReassignments puts partitions in flight back on their original
// replicas. A partition with nothing in flight is not an error.
func (f *Fake) CancelReassignments(ctx context.Context, tps []cluster.TopicPartition) error {
	if err := checkTPs(tps); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zk {
		return fmt.Errorf("%w; give --bootstrap-server as well", ErrCancelUnsupported)
	}
	for _, tp := range tps {
		if p, ok := f.parts[tp]; ok && p.Reassigning() {
			p.Target, p.Adding, p.Removing = nil, nil, nil
		}
	}
	return nil
}

func (f *Fake) DescribeConfigs(ctx context.Context, kind EntityKind, names []string) (map[string]map[string]string, error) {
	if kind != TopicEntity && kind != BrokerEntity {
		return nil, cluster.Invalidf("unknown config entity kind %q", kind)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]map[string]string{}
	for _, n := range names {
		out[n] = maps.Clone(f.configs[kind][n])
		if out[n] == nil {
			out[n] = map[string]string{}
		}
	}
	return out, nil
}

func (f *Fake) AlterConfigs(ctx context.Context, kind EntityKind, name string, set map[string]string, del []string) error {
	if err := checkConfigChange(kind, name, set, del); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := f.configs[kind][name]
	if cfg == nil {
		cfg = map[string]string{}
	}
	maps.Copy(cfg, set)
	for _, k := range del {
		delete(cfg, k)
	}
	f.configs[kind][name] = cfg
	return nil
}

func (f *Fake) AlterConfigOps(ctx context.Context, kind EntityKind, name string, ops []ConfigOp) error {
	if err := checkConfigOps(kind, name, ops); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := maps.Clone(f.configs[kind][name])
	if cfg == nil {
		cfg = map[string]string{}
	}
	if _, err := ApplyConfigOps(cfg, ops); err != nil {
		return err
	}
	f.configs[kind][name] = cfg
	return nil
}

func (f *Fake) CreateTopic(ctx context.Context, topic string, assignment [][]int32, configs map[string]string) error {
	if err := checkNewTopic(topic, assignment); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for tp := range f.parts {
		if tp.Topic == topic {
			return fmt.Errorf("create topic %s: %w", topic, ErrTopicExists)
		}
	}
	for i, rs := range assignment {
		tp := cluster.TopicPartition{Topic: topic, Partition: int32(i)}
		f.parts[tp] = &cluster.PartitionState{Topic: topic, Partition: int32(i),
			Replicas: slices.Clone(rs), ISR: slices.Clone(rs), Leader: rs[0]}
	}
	if len(configs) > 0 {
		f.configs[TopicEntity][topic] = maps.Clone(configs)
	}
	return nil
}

// ElectPreferredLeaders moves leadership to the first replica where it is
// in sync.
func (f *Fake) ElectPreferredLeaders(ctx context.Context, tps []cluster.TopicPartition) error {
	if err := checkTPs(tps); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []PartitionError
	for _, tp := range tps {
		p, ok := f.parts[tp]
		switch {
		case !ok:
			errs = append(errs, PartitionError{tp, fmt.Errorf("unknown topic or partition")})
		case slices.Contains(p.ISR, p.Replicas[0]):
			p.Leader = p.Replicas[0]
		default:
			errs = append(errs, PartitionError{tp, fmt.Errorf("preferred replica %d is not in sync", p.Replicas[0])})
		}
	}
	return newPartitionErrors("elect leaders", len(tps), errs)
}
