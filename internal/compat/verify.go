package compat

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/verify"
)

func (r *runner) verify(ctx context.Context) error {
	plan, err := r.readPlan()
	if err != nil {
		return err
	}
	cl, conn, closeAll, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	vo := verify.Options{
		Plan:              plan.Assignment,
		Wait:              r.o.Wait,
		PreserveThrottles: r.o.PreserveThrottles,
		PollInterval:      r.env.PollInterval,
	}
	if r.o.Wait && r.o.TimeoutSet {
		vo.Timeout = r.o.Timeout
	}
	if r.o.Domains != "" {
		st, err := cl.State(ctx, plan.Assignment.Topics())
		if err != nil {
			return fmt.Errorf("read cluster state: %w", err)
		}
		d, err := domainsrc.Resolve(ctx, r.o.Domains, domainsrc.Deps{
			Stdin: r.env.Stdin, Stderr: r.env.Stderr, Logger: r.log, ZooKeeperDigest: r.env.ZooKeeperDigest,
			Brokers: stateBrokers{st}, AllowMissing: true,
		})
		if err != nil {
			return fmt.Errorf("domains %s: %w", r.o.Domains, err)
		}
		vo.Domains = &d
	}
	// The throttle records and the cluster lock live where execute keeps them.
	stateDir := r.env.StateDir
	if conn == nil && stateDir == "" {
		if stateDir, err = throttle.DefaultStateDir(); err != nil {
			return err
		}
	}
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: conn, Kafka: kafka.StateTopicOf(cl), StateDir: stateDir, Logger: r.log})
	if err != nil {
		return err
	}
	id := throttle.PlanID(plan.Assignment)
	tc := &throttleCleaner{cl: cl, store: store, planID: id, log: r.log}
	res, err := verify.Run(ctx, vo, cl, verify.Env{
		Stdout:    io.Discard,
		Stderr:    r.env.Stderr,
		StatusOut: io.Discard, // printed below, in the chosen Kafka style
		Logger:    r.log,
		Throttles: tc,
		// Throttles stay while execute (batching) holds the cluster lock.
		Lock: verify.ClusterLock{ZooKeeper: conn, Kafka: kafka.StateTopicOf(cl), StateDir: stateDir, PlanID: id},
	})
	if res == nil {
		return err
	}
	r.p.VerifyStatus(res.Statuses)
	for _, s := range res.Statuses {
		for _, n := range verify.Notes(s) {
			fmt.Fprintf(r.env.Stderr, "fdud: note: %s\n", n)
		}
	}
	if tc.removed != nil {
		r.p.ThrottlesCleared(entities(tc.removed))
	}
	return err
}

// throttleCleaner gives verify the throttles fdud recorded for the plan and
// remembers what it removed, for Kafka's "Clearing ... throttles" lines.
type throttleCleaner struct {
	cl      kafka.Cluster
	store   throttle.Store
	planID  string
	log     *slog.Logger
	removed *throttle.Record
}

func (t *throttleCleaner) Entities(ctx context.Context) (int, error) {
	rec, err := t.store.Load(ctx, t.planID)
	if err != nil || rec == nil {
		return 0, err
	}
	return len(rec.Entities()), nil
}

func (t *throttleCleaner) Remove(ctx context.Context) (verify.ThrottleRemoval, error) {
	rec, err := t.store.Load(ctx, t.planID)
	if err != nil || rec == nil {
		return verify.ThrottleRemoval{}, err
	}
	rm, err := throttle.Cleanup(ctx, t.cl, t.store, t.planID, t.log)
	if err != nil {
		return verify.ThrottleRemoval{}, err
	}
	if rm.Removed {
		t.removed = rec
	}
	return verify.ThrottleRemoval{Removed: rm.Removed, Left: rm.Warnings}, nil
}

var _ verify.Throttles = (*throttleCleaner)(nil)
