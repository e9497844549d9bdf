package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/verify"
)

// openThrottleStore opens the throttle records where execute keeps them:
// ZooKeeper with --zookeeper, else the cluster's state topic (the Admin API
// path), else the state directory (stateDir, "" for fdud's default).
func openThrottleStore(ctx context.Context, cs *conns, stateDir string, log *slog.Logger) (throttle.Store, throttle.StoreOptions, error) {
	so := throttle.StoreOptions{ZooKeeper: cs.ZooKeeper, StateDir: stateDir, Logger: log}
	if so.ZooKeeper == nil {
		so.Kafka = kafka.StateTopicOf(cs.Cluster) // the Admin API path: the cluster's state topic
		if so.StateDir == "" {
			dir, err := throttle.DefaultStateDir()
			if err != nil {
				return nil, so, err
			}
			so.StateDir = dir
		}
	}
	store, err := throttle.OpenStore(ctx, so)
	if err != nil {
		return nil, so, err
	}
	return store, so, nil
}

// openCleanup opens what verify's throttle clean-up needs where execute
// keeps it: the plan's throttle record and the cluster lock.
func openCleanup(ctx context.Context, cs *conns, stateDir string, plan cluster.Assignment, log *slog.Logger) (*planThrottles, verify.Lock, error) {
	store, so, err := openThrottleStore(ctx, cs, stateDir, log)
	if err != nil {
		return nil, nil, err
	}
	id := throttle.PlanID(plan)
	lock := verify.ClusterLock{ZooKeeper: so.ZooKeeper, Kafka: so.Kafka, StateDir: so.StateDir, PlanID: id}
	return &planThrottles{cl: cs.Cluster, store: store, planID: id, log: log}, lock, nil
}

// planThrottles adapts package throttle's record of one plan to verify, for
// both front ends. It remembers the record it removed, for Kafka's
// "Clearing ... throttles" lines.
type planThrottles struct {
	cl      kafka.Cluster
	store   throttle.Store
	planID  string
	log     *slog.Logger
	removed *throttle.Record
}

var _ verify.Throttles = (*planThrottles)(nil)

func (p *planThrottles) Entities(ctx context.Context) (int, error) {
	rec, err := p.store.Load(ctx, p.planID)
	if err != nil || rec == nil {
		return 0, err
	}
	return len(rec.Entities()), nil
}

func (p *planThrottles) Remove(ctx context.Context) (verify.ThrottleRemoval, error) {
	rec, err := p.store.Load(ctx, p.planID)
	if err != nil || rec == nil {
		return verify.ThrottleRemoval{}, err
	}
	rm, err := throttle.Cleanup(ctx, p.cl, p.store, p.planID, p.log)
	if rm.Removed {
		p.removed = rec
	}
	return verify.ThrottleRemoval{Removed: rm.Removed, Left: rm.Warnings}, err
}

// storeRecords lists every throttle record of a store, for verify --all.
type storeRecords struct{ store throttle.Store }

func (s storeRecords) List(ctx context.Context) ([]verify.RecordInfo, error) {
	ids, err := s.store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]verify.RecordInfo, 0, len(ids))
	for _, id := range ids {
		rec, err := s.store.Load(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("throttle record %s: %w", id, err)
		}
		if rec == nil {
			continue
		}
		out = append(out, verify.RecordInfo{Plan: id, Entities: len(rec.Entities()), Updated: rec.Updated, Host: rec.Host})
	}
	return out, nil
}
