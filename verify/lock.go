package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/zookeeper"
)

// Lock is the cluster lock fdud execute holds from its first change to its
// last batch. verify takes it for the throttle clean-up: between two of
// execute's batches nothing of the plan is in flight, and removing the
// throttles then would let the remaining batches run unthrottled.
type Lock interface {
	// TryLock takes the lock without waiting and returns unlock to give it
	// back. When another run holds it, unlock is nil and holder says who;
	// err is for failing to find out.
	TryLock(ctx context.Context) (unlock func() error, holder *LockHolder, err error)
}

// LockHolder is another run that holds the cluster lock.
type LockHolder struct {
	// Name names it for people: "fdud execute (pid 4242, host admin-1)".
	Name string
	// ThisPlan: it is fdud execute of the plan being verified, which may
	// still submit the partitions that are not on their planned replicas.
	ThisPlan bool
}

// ClusterLock is the lock execute takes (package clusterlock): the
// ephemeral node /fdud/lock with ZooKeeper, else the lock in the cluster's
// state topic (Kafka), else the file in the state directory, which only
// guards runs on this machine.
type ClusterLock struct {
	ZooKeeper *zookeeper.Conn
	// StateDir is where execute keeps the lock file; required without
	// ZooKeeper.
	StateDir string
	// Kafka, without ZooKeeper, is the cluster's state topic, where
	// execute keeps the lock on the Admin API path
	// (kafka.StateTopicOf of the connection).
	Kafka kafka.StateTopic
	// PlanID identifies the plan being verified (throttle.PlanID), to tell
	// execute of this plan from other runs.
	PlanID string
}

var _ Lock = ClusterLock{}

// TryLock implements Lock. On the Admin API path a missing state topic
// holds no lock (fdud execute creates it to take one) and no throttle
// record: there is nothing to respect, and taking the lock would create
// the topic, changing the cluster on a read-only check.
func (c ClusterLock) TryLock(ctx context.Context) (func() error, *LockHolder, error) {
	if c.ZooKeeper == nil && c.Kafka != nil {
		s, err := clusterstate.Open(ctx, c.Kafka, clusterstate.Options{})
		if err != nil {
			return nil, nil, err
		}
		exists, err := s.Exists(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("cluster lock: %w", err)
		}
		if !exists {
			return func() error { return nil }, nil, nil
		}
	}
	l, err := clusterlock.Acquire(ctx, clusterlock.Options{
		ZooKeeper: c.ZooKeeper, Kafka: c.Kafka, StateDir: c.StateDir, Plan: c.PlanID, Command: "fdud verify",
	})
	var busy *clusterlock.BusyError
	switch {
	case errors.As(err, &busy):
		return nil, lockHolder(busy.Holder, c.PlanID), nil
	case err != nil:
		return nil, nil, err
	}
	return l.Release, nil, nil
}

// lockHolder describes h; nil (a holder that cannot be read) is "another
// fdud run", which verify treats like any other holder.
func lockHolder(h *clusterlock.Holder, planID string) *LockHolder {
	if h == nil {
		return &LockHolder{Name: "another fdud run"}
	}
	cmd := h.Command
	if cmd == "" {
		cmd = "another fdud run"
	}
	return &LockHolder{
		Name:     fmt.Sprintf("%s (pid %d, host %s)", cmd, h.PID, h.Host),
		ThisPlan: h.Command == clusterlock.ExecuteCommand && h.Plan == planID,
	}
}
