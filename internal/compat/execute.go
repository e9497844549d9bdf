package compat

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/internal/zookeeper"
)

func (r *runner) execute(ctx context.Context, mode execute.Mode) error {
	plan, err := r.readPlan()
	if err != nil {
		return err
	}
	cl, conn, closeAll, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	// Every topic: reassignments of other topics in flight matter too.
	st, err := cl.State(ctx, nil)
	if err != nil {
		return fmt.Errorf("read cluster state: %w", err)
	}
	if mode == execute.ModeCancel {
		return r.cancel(ctx, cl, conn, plan, st)
	}
	if !r.o.Additional && anyReassigning(st) {
		// execute refuses as well (exit 5); say it in Kafka's words.
		r.p.Existing()
	}

	eo := execute.Options{
		Mode:           execute.ModeExecute,
		PlanFile:       r.o.ReassignmentJSONFile,
		Throttle:       r.o.Throttle,
		LogDirThrottle: r.o.LogDirsThrottle,
		Additional:     r.o.Additional,
		// Kafka's --execute takes a change of the replica count (the
		// documented way to raise the replication factor), so compat does.
		AllowRFChange: true,
		// Kafka's tool prints the current assignment on stdout; so does
		// ExecuteCurrent below, once.
		NoCurrentBlock: true,
		Timeout:        r.o.Timeout,
		RollbackFile:   r.env.RollbackFile,
		ZooKeeper:      conn,
		StateDir:       r.env.StateDir,
	}
	// execute passes the plan on for pipes; Kafka's tool prints no plan.
	if err := execute.Run(ctx, eo, cl, r.env.Stdin, io.Discard, r.env.Stderr, r.log); err != nil {
		return err
	}
	r.p.ExecuteCurrent(currentOf(plan, st))
	r.p.ThrottleSet(r.o.Throttle, r.o.LogDirsThrottle)
	r.p.Started(plan)
	return nil
}

func anyReassigning(st *cluster.State) bool {
	for _, p := range st.Partitions {
		if p.Reassigning() {
			return true
		}
	}
	return false
}

// currentOf returns the current replicas of the plan's partitions.
func currentOf(plan cluster.Assignment, st *cluster.State) cluster.Assignment {
	idx := plan.Index()
	out := cluster.Assignment{Version: 1}
	for _, p := range st.Assignment().Partitions {
		if _, ok := idx[p.TP()]; ok {
			out.Partitions = append(out.Partitions, p)
		}
	}
	return out
}

func (r *runner) cancel(ctx context.Context, cl kafka.Cluster, conn *zookeeper.Conn, plan cluster.Assignment, st *cluster.State) error {
	idx := plan.Index()
	var active []cluster.TopicPartition
	for _, p := range st.Partitions {
		if _, ok := idx[p.TP()]; ok && p.Reassigning() {
			active = append(active, p.TP())
		}
	}
	rec := r.throttleRecord(ctx, cl, conn, plan)
	eo := execute.Options{
		Mode: execute.ModeCancel, PlanFile: r.o.ReassignmentJSONFile, Throttle: -1, LogDirThrottle: -1,
		Timeout: r.o.Timeout, ZooKeeper: conn, StateDir: r.env.StateDir,
	}
	if err := execute.Run(ctx, eo, cl, r.env.Stdin, io.Discard, r.env.Stderr, r.log); err != nil {
		return err
	}
	r.p.Cancelled(active)
	if rec != nil && !r.o.PreserveThrottles && r.throttleRecord(ctx, cl, conn, plan) == nil {
		r.p.ThrottlesCleared(entities(rec))
	}
	return nil
}

// throttleRecord loads what fdud set for the plan, or nil.
func (r *runner) throttleRecord(ctx context.Context, cl kafka.Cluster, conn *zookeeper.Conn, plan cluster.Assignment) *throttle.Record {
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: conn, Kafka: kafka.StateTopicOf(cl), StateDir: r.env.StateDir, Logger: r.log})
	if err != nil {
		r.log.Debug("no throttle record store", "err", err)
		return nil
	}
	rec, err := store.Load(ctx, throttle.PlanID(plan))
	if err != nil {
		r.log.Warn("reading fdud's throttle record failed", "err", err)
		return nil
	}
	return rec
}

// entities splits a record's entities into broker ids and topics.
func entities(rec *throttle.Record) (brokers []int32, topics []string) {
	for _, e := range rec.Entities() {
		switch e.Kind {
		case kafka.BrokerEntity:
			var id int32
			if _, err := fmt.Sscan(e.Name, &id); err == nil {
				brokers = append(brokers, id)
			}
		case kafka.TopicEntity:
			topics = append(topics, e.Name)
		}
	}
	slices.Sort(brokers)
	slices.Sort(topics)
	return brokers, topics
}
