package verify

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// fakeCluster is an in-memory kafka.Cluster. State returns states[i] on the
// i-th call (the last one once exhausted); a nil entry fails that call.
type fakeCluster struct {
	mu      sync.Mutex
	states  []*cluster.State
	calls   int
	configs map[string]map[string]string // topic configs
	elected [][]cluster.TopicPartition
}

var _ kafka.Cluster = (*fakeCluster)(nil)

var errFakeDown = errors.New("fake: broker unreachable")

func (f *fakeCluster) Path() string { return "fake" }

func (f *fakeCluster) Capabilities() kafka.Capabilities { return kafka.Capabilities{Cancel: true} }

// Brokers are those of the next State (which it does not use up).
func (f *fakeCluster) Brokers(context.Context) ([]cluster.Broker, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.states[min(f.calls, len(f.states)-1)]
	if s == nil {
		return nil, errFakeDown
	}
	return s.Brokers, nil
}

func (f *fakeCluster) State(ctx context.Context, topics []string) (*cluster.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := min(f.calls, len(f.states)-1)
	f.calls++
	s := f.states[i]
	if s == nil {
		return nil, errFakeDown
	}
	out := *s
	out.Partitions = nil
	for _, p := range s.Partitions {
		if topics == nil || slices.Contains(topics, p.Topic) {
			out.Partitions = append(out.Partitions, p)
		}
	}
	return &out, nil
}

func (f *fakeCluster) Reassign(context.Context, []cluster.PartitionAssignment) error {
	return errors.New("fake: verify must not reassign")
}

func (f *fakeCluster) CancelReassignments(context.Context, []cluster.TopicPartition) error {
	return errors.New("fake: verify must not cancel")
}

func (f *fakeCluster) DescribeConfigs(_ context.Context, kind kafka.EntityKind, names []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if kind != kafka.TopicEntity {
		return out, nil
	}
	for _, n := range names {
		if c, ok := f.configs[n]; ok {
			out[n] = c
		}
	}
	return out, nil
}

func (f *fakeCluster) AlterConfigs(context.Context, kafka.EntityKind, string, map[string]string, []string) error {
	return errors.New("fake: verify must not alter configs directly")
}

func (f *fakeCluster) AlterConfigOps(context.Context, kafka.EntityKind, string, []kafka.ConfigOp) error {
	return errors.New("fake: verify must not alter configs directly")
}

func (f *fakeCluster) ClusterID(context.Context) (string, error) { return "", nil }

func (f *fakeCluster) CreateTopic(context.Context, string, [][]int32, map[string]string) error {
	return errors.New("fake: verify must not create topics")
}

func (f *fakeCluster) ElectPreferredLeaders(_ context.Context, tps []cluster.TopicPartition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.elected = append(f.elected, slices.Clone(tps))
	return nil
}

func (f *fakeCluster) Close() error { return nil }

// fakeThrottles is an in-memory throttle record.
type fakeThrottles struct {
	entities int
	removes  int
	err      error
	left     []string // what Remove reports it left alone
}

func (t *fakeThrottles) Entities(context.Context) (int, error) { return t.entities, nil }

func (t *fakeThrottles) Remove(context.Context) (ThrottleRemoval, error) {
	t.removes++
	if t.err != nil {
		return ThrottleRemoval{}, t.err
	}
	removed := t.entities > 0
	t.entities = 0
	return ThrottleRemoval{Removed: removed, Left: t.left}, nil
}

// Helpers to write states and plans tersely.

func brokers(ids ...int32) []cluster.Broker {
	out := make([]cluster.Broker, len(ids))
	for i, id := range ids {
		out[i] = cluster.Broker{ID: id, Host: "127.0.0.1", Port: 9092 + id}
	}
	return out
}

func r(ids ...int32) []int32 { return ids }

// part is a settled partition: ISR = replicas, leader = first replica.
func part(topic string, p int32, replicas ...int32) cluster.PartitionState {
	return cluster.PartitionState{Topic: topic, Partition: p, Replicas: replicas, ISR: slices.Clone(replicas), Leader: replicas[0]}
}

// moving is a partition being reassigned from replicas to target.
func moving(topic string, p int32, replicas, target []int32) cluster.PartitionState {
	ps := part(topic, p, replicas...)
	ps.Target = target
	return ps
}

func plan(ps ...cluster.PartitionAssignment) cluster.Assignment {
	return cluster.Assignment{Version: 1, Partitions: ps}
}

func pa(topic string, p int32, replicas ...int32) cluster.PartitionAssignment {
	return cluster.PartitionAssignment{Topic: topic, Partition: p, Replicas: replicas}
}

func tp(topic string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: topic, Partition: p}
}

// grid3x3 places brokers 1..9: FD = (id-1)%3, UD = (id-1)/3.
func grid3x3() *cluster.Domains {
	d := &cluster.Domains{Version: 1}
	for id := int32(1); id <= 9; id++ {
		d.Brokers = append(d.Brokers, cluster.BrokerDomain{ID: id, FaultDomain: int(id-1) % 3, UpdateDomain: int(id-1) / 3})
	}
	return d
}

// fakeLock is the cluster lock. holders[i] answers the i-th TryLock (the
// last once exhausted); a nil entry means the lock is free and taken.
type fakeLock struct {
	holders  []*LockHolder
	err      error
	tries    int
	taken    int
	released int
}

func (l *fakeLock) TryLock(context.Context) (func() error, *LockHolder, error) {
	l.tries++
	if l.err != nil {
		return nil, nil, l.err
	}
	if len(l.holders) > 0 {
		if h := l.holders[min(l.tries, len(l.holders))-1]; h != nil {
			return nil, h, nil
		}
	}
	l.taken++
	return func() error { l.released++; return nil }, nil, nil
}

// holding reports whether this run holds the lock now.
func (l *fakeLock) holding() bool { return l.taken > l.released }

// lockedThrottles is a throttle record that notes whether the lock was held
// when it was removed.
type lockedThrottles struct {
	fakeThrottles
	lock          *fakeLock
	removedLocked bool
}

func (t *lockedThrottles) Remove(ctx context.Context) (ThrottleRemoval, error) {
	t.removedLocked = t.lock.holding()
	return t.fakeThrottles.Remove(ctx)
}
