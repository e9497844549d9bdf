package compat

import (
	"context"
	"fmt"
	"slices"

	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
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
	eo := execute.Options{
		Mode:           mode,
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
		StateDir:       r.env.StateDir,
	}
	if mode == execute.ModeCancel {
		eo = execute.Options{Mode: mode, Throttle: -1, LogDirThrottle: -1, PreserveThrottles: r.o.PreserveThrottles,
			Timeout: r.o.Timeout, StateDir: r.env.StateDir}
	}
	// execute's plan is not passed on: Kafka's tool prints no plan.
	res, err := execute.Run(ctx, execute.Input{Plan: plan, Options: eo},
		execute.Deps{Cluster: cl, ZooKeeper: conn, Stderr: r.env.Stderr, Logger: r.log})
	if mode == execute.ModeExecute && res.OthersInFlight && !r.o.Additional {
		// execute refuses (exit 5); say it in Kafka's words.
		r.p.Existing()
	}
	if err != nil {
		return err
	}
	if mode == execute.ModeCancel {
		r.p.Cancelled(res.Cancelled)
		if res.ThrottlesRemoved != nil {
			r.p.ThrottlesCleared(entities(res.ThrottlesRemoved))
		}
		return nil
	}
	r.p.ExecuteCurrent(res.Current)
	r.p.ThrottleSet(r.o.Throttle, r.o.LogDirsThrottle)
	r.p.Started(plan.Assignment)
	return nil
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
