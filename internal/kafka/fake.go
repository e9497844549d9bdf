package kafka

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

// Fake is an in-memory Cluster for tests. It plays one access path, chosen
// at construction (FakeOptions): the Admin API path, with its capabilities
// (cancel, log directories, replica sizes), or the ZooKeeper path, without
// them; and a Kafka release, with the quirks the real paths meet on it
// (fake_release.go). It passes the same conformance suite as both real
// paths (conformance_test.go, run against real brokers by the integration
// suites), so that it cannot quietly disagree with them. Reassignments stay
// in flight until Complete, or until their new replicas hold the
// partition's size when the test has the fake copy data (fake_copying.go).
//
// Tests script it (fake_script.go): what happens between two State reads
// (BeforeState) or before any call (Before), partitions and brokers as
// failures leave them, errors a call returns (Fail), the calls it took
// (Calls), and configs that brokers show late (fake_configs.go). On the
// Admin API path it also moves, describes and sizes replicas in log
// directories (fake_logdirs.go).
type Fake struct {
	mu      sync.Mutex
	brokers []cluster.Broker
	parts   map[cluster.TopicPartition]*cluster.PartitionState
	id      string
	// zk and rel are what the fake plays, fixed at construction.
	zk  bool
	rel release

	configViews
	script
	logDirs
	copying
}

var _ Cluster = (*Fake)(nil)

// FakeOptions choose what a Fake plays.
type FakeOptions struct {
	// ZooKeeper plays the ZooKeeper path (--zookeeper without
	// --bootstrap-server): one batch of reassignments at a time (another
	// Reassign while one is in flight fails with cluster.ErrBusy), no
	// cancel, no log directories or replica sizes (but offsets, from the
	// sizes SetSize gives: ReplicaOffsets). Otherwise the fake plays
	// the Admin API path, which has all of them.
	ZooKeeper bool
	// Release is the Kafka release the brokers run, as sarama spells it
	// ("0.9.0.1", "2.4.1"); "" is the newest. The Admin API path needs 2.4
	// or later. See fake_release.go for what older releases change.
	Release string
	// LogDirs are every broker's log directories; a replica is in the first
	// unless moved or placed. Default: one, /data.
	LogDirs []string
}

// NewFake returns a cluster of the given live brokers (sorted by id) with
// cluster id id and no topics, playing the Admin API path of the newest
// release.
func NewFake(id string, brokers ...cluster.Broker) *Fake {
	return NewFakeWith(FakeOptions{}, id, brokers...)
}

// NewFakeWith is NewFake playing the path and release o chooses. It panics
// on options no real cluster has (the Admin API path before Kafka 2.4, a
// cluster id before 0.10.1): a test's mistake.
func NewFakeWith(o FakeOptions, id string, brokers ...cluster.Broker) *Fake {
	rel := mustRelease(o.Release)
	if !o.ZooKeeper && !rel.atLeast(sarama.V2_4_0_0) {
		panic(fmt.Sprintf("kafka.Fake: Kafka %s has no reassignment Admin API: play the ZooKeeper path", o.Release))
	}
	if id != "" && !rel.hasClusterID() {
		panic(fmt.Sprintf("kafka.Fake: Kafka %s has no cluster id (0.10.1 and later)", o.Release))
	}
	dirs := slices.Clone(o.LogDirs)
	if len(dirs) == 0 {
		dirs = []string{"/data"}
	}
	bs := slices.Clone(brokers)
	slices.SortFunc(bs, func(x, y cluster.Broker) int { return int(x.ID) - int(y.ID) })
	return &Fake{brokers: bs, id: id, parts: map[cluster.TopicPartition]*cluster.PartitionState{},
		zk: o.ZooKeeper, rel: rel,
		configViews: newConfigViews(),
		script:      script{failing: map[string]error{}, hooks: map[string]func(FakeCall) error{}},
		logDirs:     logDirs{dirNames: dirs}}
}

func (f *Fake) Path() string {
	if f.zk {
		return ZooKeeperPath
	}
	return AdminAPIPath
}

// Capabilities are those of the path the fake plays: on the Admin API path
// cancel and the log directory ones (mover, describer, sizer), on the
// ZooKeeper path one batch at a time; offsets on both.
func (f *Fake) Capabilities() Capabilities {
	if f.zk {
		return Capabilities{OneBatch: true, Offsets: f}
	}
	return Capabilities{Cancel: true, LogDirMover: f, LogDirDescriber: f, Sizer: f, Offsets: f}
}

func (f *Fake) Close() error { return nil }

func (f *Fake) ClusterID(context.Context) (string, error) {
	if err := f.record(FakeCall{Method: "ClusterID"}); err != nil {
		return "", err
	}
	return f.id, nil
}

func (f *Fake) Brokers(context.Context) ([]cluster.Broker, error) {
	if err := f.record(FakeCall{Method: "Brokers"}); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.brokers), nil
}

// State returns copies: changing them changes nothing in the fake. The
// BeforeState hook runs first.
func (f *Fake) State(ctx context.Context, topics []string) (*cluster.State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.beforeState(); err != nil {
		return nil, err
	}
	f.copyOnRead()
	if err := f.record(FakeCall{Method: "State"}); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := &cluster.State{Controller: -1, Brokers: slices.Clone(f.brokers)}
	if len(f.brokers) > 0 {
		st.Controller = f.brokers[0].ID
	}
	for _, p := range f.partitionsLocked() {
		if topics == nil || slices.Contains(topics, p.Topic) {
			st.Partitions = append(st.Partitions, p)
		}
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
	if err := f.record(FakeCall{Method: "Reassign", Plan: plan}); err != nil {
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
		f.stopCopyingLocked(p.TP(), p.Adding)
		p.Target, p.Adding, p.Removing = nil, nil, nil
		if cluster.SameMembers(orig, pa.Replicas) {
			p.Replicas = slices.Clone(pa.Replicas)
			continue
		}
		p.Replicas = orig
		p.Target = slices.Clone(pa.Replicas)
		p.Adding, p.Removing = without(pa.Replicas, orig), without(orig, pa.Replicas)
	}
	f.inFlightPeak = max(f.inFlightPeak, f.inFlightLocked())
	return newPartitionErrors("reassign", len(plan), errs)
}

// Complete finishes every reassignment in flight: the targets become the
// replicas, all in sync; a leader that left the set hands over to the new
// first replica. Log directory moves in flight finish too, and a replica
// a broker did not host yet lands in the directory asked for it.
func (f *Fake) Complete() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.parts {
		if p.Reassigning() {
			f.completeLocked(p)
		}
	}
	f.finishLogDirMovesLocked()
}

// completeLocked finishes p's reassignment, which is in flight.
func (f *Fake) completeLocked(p *cluster.PartitionState) {
	for _, b := range p.Removing {
		f.forgetReplicaLocked(b, p.TP())
	}
	f.stopCopyingLocked(p.TP(), p.Adding)
	for _, b := range p.Adding {
		if dir, ok := f.pending[b][p.TP()]; ok {
			delete(f.pending[b], p.TP())
			f.placeLocked(b, p.TP(), ReplicaLogDir{Dir: dir})
		}
	}
	p.Replicas, p.ISR = p.Target, slices.Clone(p.Target)
	p.Target, p.Adding, p.Removing = nil, nil, nil
	if !slices.Contains(p.Replicas, p.Leader) {
		p.Leader = p.Replicas[0]
	}
}

func (f *Fake) inFlightLocked() int {
	n := 0
	for _, p := range f.parts {
		if p.Reassigning() {
			n++
		}
	}
	return n
}

// CancelReassignments puts partitions in flight back on their original
// replicas. A partition with nothing in flight is not an error.
func (f *Fake) CancelReassignments(ctx context.Context, tps []cluster.TopicPartition) error {
	if err := checkTPs(tps); err != nil {
		return err
	}
	if err := f.record(FakeCall{Method: "CancelReassignments", TPs: tps}); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zk {
		return fmt.Errorf("%w; give --bootstrap-server as well", ErrCancelUnsupported)
	}
	for _, tp := range tps {
		if p, ok := f.parts[tp]; ok && p.Reassigning() {
			f.stopCopyingLocked(tp, p.Adding)
			for _, b := range p.Adding {
				f.forgetReplicaLocked(b, tp)
			}
			p.Target, p.Adding, p.Removing = nil, nil, nil
		}
	}
	return nil
}

func (f *Fake) CreateTopic(ctx context.Context, topic string, assignment [][]int32, configs map[string]string) error {
	if err := checkNewTopic(topic, assignment); err != nil {
		return err
	}
	if err := f.record(FakeCall{Method: "CreateTopic", Names: []string{topic}, Assignment: assignment}); err != nil {
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
	if err := f.record(FakeCall{Method: "ElectPreferredLeaders", TPs: tps}); err != nil {
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
