package compat

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/verify"
)

func (r *runner) list(ctx context.Context) error {
	cl, err := kafka.Connect(ctx, r.kafkaOptions())
	if err != nil {
		return err
	}
	defer cl.Close()
	st, err := cl.State(ctx, nil)
	if err != nil {
		return fmt.Errorf("read cluster state: %w", err)
	}
	r.p.List(inFlight(st))
	return nil
}

// inFlight describes the reassignments in flight as Kafka 2.4+ does: the
// full replica set (target first, then the replicas leaving), what is being
// added and what removed.
func inFlight(st *cluster.State) []InFlight {
	var out []InFlight
	for _, p := range st.Partitions {
		if !p.Reassigning() {
			continue
		}
		f := InFlight{TP: p.TP()}
		f.Adding, f.Removing = p.Moves()
		f.Replicas = slices.Clone(p.Target)
		for _, id := range p.Replicas {
			if !slices.Contains(f.Replicas, id) {
				f.Replicas = append(f.Replicas, id)
			}
		}
		out = append(out, f)
	}
	return out
}

// KafkaExit turns the outcome of action into Kafka 2.5+'s exit behaviour
// (--kafka-exit-codes): what --verify found (in progress, not as planned, at
// risk) is not a failure and exits 0; every failure exits 1.
func KafkaExit(action Action, err error) error {
	switch {
	case err == nil:
		return nil
	case action == Verify && (errors.Is(err, cluster.ErrInProgress) || errors.Is(err, cluster.ErrAtRisk) ||
		errors.Is(err, verify.ErrNotAsPlanned)):
		return nil
	}
	return &exitError{msg: err.Error(), code: 1}
}

// exitError carries an exit code without wrapping the outcome, so the CLI's
// sentinel checks do not override it.
type exitError struct {
	msg  string
	code int
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }
