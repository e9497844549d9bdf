package verify

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// scripted is a kafka.Fake that shows states[i] at its i-th State read
// (the last once exhausted); a nil entry fails that read, as an unreachable
// cluster does. Topic configs are set on it as on any Fake. verify only
// reads and elects leaders: the test fails if it changed anything else.
func scripted(t *testing.T, states ...*cluster.State) *kafka.Fake {
	t.Helper()
	return scriptedWith(t, kafka.FakeOptions{}, states...)
}

// scriptedWith is scripted playing what o chooses.
func scriptedWith(t *testing.T, o kafka.FakeOptions, states ...*cluster.State) *kafka.Fake {
	t.Helper()
	f := kafka.NewFakeWith(o, "")
	f.BeforeState(func(read int) error {
		s := states[min(read, len(states))-1]
		if s == nil {
			return errFakeDown
		}
		f.SetState(s)
		return nil
	})
	t.Cleanup(func() {
		for _, c := range f.Changes() {
			if c.Method != "ElectPreferredLeaders" {
				t.Errorf("verify changed the cluster: %s %+v", c.Method, c)
			}
		}
	})
	return f
}

var errFakeDown = errors.New("fake: broker unreachable")

// setTopicConfigs sets topic configs on f, as an operator does.
func setTopicConfigs(f *kafka.Fake, configs map[string]map[string]string) {
	for topic, cfg := range configs {
		f.SetConfig(kafka.TopicEntity, topic, cfg)
	}
}

// elected are the partitions of every ElectPreferredLeaders call, in order.
func elected(f *kafka.Fake) []cluster.TopicPartition {
	var out []cluster.TopicPartition
	for _, c := range f.Calls("ElectPreferredLeaders") {
		out = append(out, c.TPs...)
	}
	return out
}

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
