package clusterlock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/fdud/fdud/internal/clusterstate"
)

// acquireKafka takes the lock in the cluster's state topic
// (clusterstate.Acquire, lock clusterstate.DefaultLockName).
func acquireKafka(ctx context.Context, o Options, log *slog.Logger) (*Lock, error) {
	s, err := clusterstate.Open(ctx, o.Kafka, clusterstate.Options{})
	if err != nil {
		return nil, fmt.Errorf("cluster lock: %w", err)
	}
	kl, err := clusterstate.Acquire(ctx, s, clusterstate.LockOptions{Name: o.KafkaName, Plan: o.Plan, Command: o.Command, TTL: o.TTL, Logger: log})
	var busy *clusterstate.BusyError
	if errors.As(err, &busy) {
		be := &BusyError{Where: busy.Where, err: err}
		if busy.Holder.PID != 0 {
			h := busy.Holder
			be.Holder = &h
		}
		return nil, be
	}
	if err != nil {
		return nil, err
	}
	return &Lock{holder: kl.Holder(), where: kl.Where(), kl: kl}, nil
}
