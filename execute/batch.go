package execute

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fdud/fdud/cluster"
	"github.com/fdud/fdud/kafka"
)

// batches submits pending items in batches within the limits, as earlier
// reassignments complete, and returns once the last batch is submitted.
// inflight are the plan's partitions already in flight (an earlier run's).
func (r *run) batches(ctx context.Context, pending, inflight []Item) error {
	limits := Limits{Partitions: r.o.MaxPartitionMovements, PerBroker: r.o.MaxMovesPerBroker}
	total := len(pending) + len(inflight)
	ours := map[cluster.TopicPartition]Item{}
	for _, it := range inflight {
		ours[it.Plan.TP()] = it
	}
	// On the ZooKeeper path the controller acts on /admin/reassign_partitions
	// only while no reassignment is in flight, so a batch waits for the
	// previous one to finish.
	serial := r.cl.Path() == kafka.ZooKeeperPath
	var deadline <-chan time.Time
	if r.o.MaxWait > 0 {
		t := time.NewTimer(r.o.MaxWait)
		defer t.Stop()
		deadline = t.C
	}
	done, batchNo := 0, 0
	var others []cluster.PartitionState
	for {
		var flights []flight
		for _, it := range ours {
			flights = append(flights, it.flight())
		}
		for _, p := range others {
			flights = append(flights, stateFlight(p))
		}
		var batch []Item
		if !serial || len(flights) == 0 {
			batch = nextBatch(pending, flights, limits)
		}
		if len(batch) > 0 {
			err := r.submit(ctx, batch)
			if err != nil && !errors.Is(err, cluster.ErrBusy) {
				return r.stopped(err, done, len(ours), len(pending), total)
			}
			if err == nil {
				if err := r.moveLogDirs(ctx, batch); err != nil {
					return r.stopped(err, done, len(ours)+len(batch), len(pending)-len(batch), total)
				}
				batchNo++
				for _, it := range batch {
					ours[it.Plan.TP()] = it
				}
				pending = removeItems(pending, batch)
				fmt.Fprintf(r.errw, "Batch %d: submitted %d partitions; %d of %d done, %d in flight, %d waiting.\n",
					batchNo, len(batch), done, total, len(ours), len(pending))
			} else {
				r.log.Info("the cluster is busy; retrying the batch later", "err", err)
			}
		}
		if len(pending) == 0 {
			fmt.Fprintf(r.errw, "All %d partitions submitted (%d done, %d in flight). Run fdud verify with the same plan to follow the rest and remove the throttles.\n",
				total, done, len(ours))
			return nil
		}
		select {
		case <-ctx.Done():
			return r.stopped(ctx.Err(), done, len(ours), len(pending), total)
		case <-deadline:
			return r.stopped(fmt.Errorf("%w: stopped waiting after %s (--max-wait)", cluster.ErrInProgress, r.o.MaxWait), done, len(ours), len(pending), total)
		case <-time.After(r.o.pollInterval()):
		}
		st, err := r.state(ctx)
		if err != nil {
			return r.stopped(err, done, len(ours), len(pending), total)
		}
		parts := make(map[cluster.TopicPartition]cluster.PartitionState, len(st.Partitions))
		others = others[:0]
		for _, p := range st.Partitions {
			parts[p.TP()] = p
			if _, mine := ours[p.TP()]; p.Reassigning() && !mine {
				others = append(others, p)
			}
		}
		for tp, it := range ours {
			p, ok := parts[tp]
			switch {
			case ok && p.Reassigning():
				continue
			case ok && sameSet(p.Replicas, it.Plan.Replicas):
				delete(ours, tp)
				done++
			default:
				return r.stopped(fmt.Errorf("reassignment of %s ended with replicas %v, not the planned %v (cancelled by someone?)",
					tp, p.Replicas, it.Plan.Replicas), done, len(ours), len(pending), total)
			}
		}
		fmt.Fprintf(r.errw, "Progress: %d of %d done, %d in flight, %d waiting.\n", done, total, len(ours), len(pending))
	}
}

// removeItems returns items without those in drop, order kept.
func removeItems(items, drop []Item) []Item {
	gone := map[cluster.TopicPartition]bool{}
	for _, it := range drop {
		gone[it.Plan.TP()] = true
	}
	var out []Item
	for _, it := range items {
		if !gone[it.Plan.TP()] {
			out = append(out, it)
		}
	}
	return out
}

func (r *run) stopped(err error, done, inflight, waiting, total int) error {
	return fmt.Errorf("stopped with %d of %d partitions done, %d in flight (they keep going) and %d not submitted; "+
		"re-run the same plan to continue (done and in-flight partitions are skipped), or cancel it with --cancel: %w",
		done, total, inflight, waiting, err)
}
