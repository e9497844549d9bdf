package execute

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
)

// fakeCluster is an in-memory kafka.Cluster: brokers, partitions with their
// replicas and in-flight targets, and dynamic configs. Reassignments stay in
// flight until the test (or autoComplete) finishes them.
type fakeCluster struct {
	mu      sync.Mutex
	path    string
	brokers []int32
	racks   map[int32]string // broker.rack, when set
	parts   map[cluster.TopicPartition]*cluster.PartitionState
	configs map[throttle.Entity]map[string]string

	// autoComplete finishes every in-flight reassignment on the next State call.
	autoComplete bool
	// onState runs at the start of every State call (after the first).
	onState    func(f *fakeCluster, call int)
	stateCalls int
	// maxInFlight is the most reassignments ever in flight at once.
	maxInFlight int

	reassigned  [][]cluster.PartitionAssignment
	cancelled   []cluster.TopicPartition
	created     map[string][][]int32
	mutations   int
	reassignErr error
}

func newFake(brokers []int32, topics map[string][][]int32) *fakeCluster {
	f := &fakeCluster{path: kafka.AdminAPIPath, brokers: brokers, parts: map[cluster.TopicPartition]*cluster.PartitionState{},
		configs: map[throttle.Entity]map[string]string{}, created: map[string][][]int32{}}
	for t, ps := range topics {
		for i, rs := range ps {
			f.parts[cluster.TopicPartition{Topic: t, Partition: int32(i)}] = &cluster.PartitionState{
				Topic: t, Partition: int32(i), Replicas: slices.Clone(rs), ISR: slices.Clone(rs), Leader: rs[0]}
		}
	}
	return f
}

func (f *fakeCluster) Path() string { return f.path }

// Capabilities are those of the path the fake plays (f.path).
func (f *fakeCluster) Capabilities() kafka.Capabilities {
	zk := f.path == kafka.ZooKeeperPath
	return kafka.Capabilities{OneBatch: zk, Cancel: !zk}
}
func (f *fakeCluster) Close() error { return nil }

func (f *fakeCluster) Brokers(context.Context) ([]cluster.Broker, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.brokersLocked(), nil
}

func (f *fakeCluster) brokersLocked() []cluster.Broker {
	var out []cluster.Broker
	for _, b := range f.brokers {
		out = append(out, cluster.Broker{ID: b, Host: "127.0.0.1", Port: 9092, Rack: f.racks[b]})
	}
	return out
}

func (f *fakeCluster) State(ctx context.Context, topics []string) (*cluster.State, error) {
	f.mu.Lock()
	f.stateCalls++
	hook, call := f.onState, f.stateCalls
	f.mu.Unlock()
	if hook != nil && call > 1 {
		hook(f, call)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.autoComplete && call > 1 {
		f.completeLocked()
	}
	st := &cluster.State{Controller: f.brokers[0], Brokers: f.brokersLocked()}
	for _, tp := range slices.SortedFunc(maps.Keys(f.parts), cluster.TopicPartition.Compare) {
		p := *f.parts[tp]
		p.Replicas, p.Target = slices.Clone(p.Replicas), slices.Clone(p.Target)
		st.Partitions = append(st.Partitions, p)
	}
	return st, nil
}

// complete finishes every in-flight reassignment.
func (f *fakeCluster) complete() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.completeLocked()
}

func (f *fakeCluster) completeLocked() {
	for _, p := range f.parts {
		if p.Target != nil {
			p.Replicas, p.Target = p.Target, nil
		}
	}
}

func (f *fakeCluster) inFlightLocked() int {
	n := 0
	for _, p := range f.parts {
		if p.Target != nil {
			n++
		}
	}
	return n
}

func (f *fakeCluster) Reassign(ctx context.Context, plan []cluster.PartitionAssignment) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutations++
	if f.reassignErr != nil {
		return f.reassignErr
	}
	for _, pa := range plan {
		for _, r := range pa.Replicas {
			if !slices.Contains(f.brokers, r) {
				return errors.New("Replica assignment is invalid") // as Kafka refuses a broker that is not alive
			}
		}
	}
	f.reassigned = append(f.reassigned, plan)
	for _, pa := range plan {
		p, ok := f.parts[pa.TP()]
		if !ok {
			return fmt.Errorf("no partition %s", pa.TP())
		}
		p.Target = slices.Clone(pa.Replicas)
	}
	f.maxInFlight = max(f.maxInFlight, f.inFlightLocked())
	return nil
}

func (f *fakeCluster) CancelReassignments(ctx context.Context, tps []cluster.TopicPartition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutations++
	for _, tp := range tps {
		f.parts[tp].Target = nil
		f.cancelled = append(f.cancelled, tp)
	}
	return nil
}

func (f *fakeCluster) DescribeConfigs(ctx context.Context, kind kafka.EntityKind, names []string) (map[string]map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]map[string]string{}
	for _, n := range names {
		out[n] = maps.Clone(f.configs[throttle.Entity{Kind: kind, Name: n}])
	}
	return out, nil
}

func (f *fakeCluster) AlterConfigs(ctx context.Context, kind kafka.EntityKind, name string, set map[string]string, del []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutations++
	e := throttle.Entity{Kind: kind, Name: name}
	if f.configs[e] == nil {
		f.configs[e] = map[string]string{}
	}
	maps.Copy(f.configs[e], set)
	for _, k := range del {
		delete(f.configs[e], k)
	}
	if len(f.configs[e]) == 0 {
		delete(f.configs, e)
	}
	return nil
}

// AlterConfigOps applies ops with kafka.ApplyConfigOps, as one change.
func (f *fakeCluster) AlterConfigOps(ctx context.Context, kind kafka.EntityKind, name string, ops []kafka.ConfigOp) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := throttle.Entity{Kind: kind, Name: name}
	cfg := maps.Clone(f.configs[e])
	if cfg == nil {
		cfg = map[string]string{}
	}
	changed, err := kafka.ApplyConfigOps(cfg, ops)
	if err != nil || !changed {
		return err
	}
	f.mutations++
	f.configs[e] = cfg
	if len(cfg) == 0 {
		delete(f.configs, e)
	}
	return nil
}

func (f *fakeCluster) ClusterID(context.Context) (string, error) { return "", nil }

func (f *fakeCluster) CreateTopic(ctx context.Context, topic string, assignment [][]int32, configs map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutations++
	f.created[topic] = assignment
	for i, rs := range assignment {
		f.parts[cluster.TopicPartition{Topic: topic, Partition: int32(i)}] = &cluster.PartitionState{
			Topic: topic, Partition: int32(i), Replicas: slices.Clone(rs), Leader: rs[0]}
	}
	return nil
}

func (f *fakeCluster) ElectPreferredLeaders(ctx context.Context, tps []cluster.TopicPartition) error {
	return nil
}

// logDirFake adds the optional log directory mover.
type logDirFake struct {
	*fakeCluster
	moved []cluster.PartitionAssignment
}

func (l *logDirFake) Capabilities() kafka.Capabilities {
	c := l.fakeCluster.Capabilities()
	c.LogDirMover = l
	return c
}

func (l *logDirFake) MoveLogDirs(ctx context.Context, plan []cluster.PartitionAssignment) error {
	l.moved = append(l.moved, plan...)
	return nil
}
