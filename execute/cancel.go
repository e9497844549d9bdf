package execute

import (
	"context"
	"fmt"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/throttle"
)

func (r *run) cancel(ctx context.Context) error {
	st, err := r.state(ctx)
	if err != nil {
		return err
	}
	items, _ := Classify(r.plan, st)
	var ours []cluster.TopicPartition
	var names []string
	for _, it := range items {
		switch it.Status {
		case InFlight:
			ours = append(ours, it.Plan.TP())
			names = append(names, it.Plan.TP().String())
		case Conflict:
			r.log.Warn("not cancelling a reassignment to another target than the plan's", "partition", it.Plan.TP().String(), "target", fmt.Sprint(it.Target))
		}
	}
	if len(ours) == 0 {
		fmt.Fprintln(r.errw, "None of the plan's partitions is being reassigned: nothing to cancel.")
	} else {
		if err := r.cl.CancelReassignments(ctx, ours); err != nil {
			return fmt.Errorf("cancel reassignments: %w", err)
		}
		fmt.Fprintf(r.errw, "Successfully cancelled partition reassignments for %s\n", strings.Join(names, ","))
		r.res.Cancelled = ours
	}
	if r.o.PreserveThrottles {
		return nil
	}
	rm, err := r.removeThrottles(ctx)
	if err != nil {
		return err
	}
	switch {
	case rm.Removed && len(rm.Warnings) > 0:
		fmt.Fprintf(r.errw, "Removed the throttles fdud set for %s (%d entities changed), except %d values (someone else changed them since, or they were never set):\n",
			r.id, len(rm.Changes), len(rm.Warnings))
		for _, w := range rm.Warnings {
			fmt.Fprintf(r.errw, "  %s\n", w)
		}
	case rm.Removed:
		fmt.Fprintf(r.errw, "Removed the throttles fdud set for %s (%d entities changed).\n", r.id, len(rm.Changes))
	default:
		left, err := unrecordedThrottles(ctx, r.cl, st.InFlight(), ours)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			return fmt.Errorf("the cancelled partitions keep follower throttles on the replicas they were adding (%s), and fdud has "+
				"no record of them here: a plan executed through the ZooKeeper path keeps its record in ZooKeeper; run this cancel "+
				"again with --zookeeper beside --bootstrap-server to remove them, or remove them with kafka-configs.sh if they are not fdud's",
				strings.Join(left, "; "))
		}
	}
	return nil
}

// undoThrottles removes the throttles of a plan none of which started, and
// returns cause with what became of them.
func (r *run) undoThrottles(ctx context.Context, cause error) error {
	if r.o.Throttle <= 0 && r.o.LogDirThrottle <= 0 {
		return cause
	}
	rm, err := r.removeThrottles(ctx)
	if err != nil {
		return fmt.Errorf("%w; nothing of the plan started, but removing the throttles fdud had set for it failed (run fdud execute --cancel with the same plan): %w", cause, err)
	}
	if rm.Removed {
		fmt.Fprintf(r.errw, "Nothing of the plan started: removed the throttles fdud had set for %s.\n", r.id)
	}
	return cause
}

// removeThrottles removes the throttles fdud set for the plan and records
// what they were in the result.
func (r *run) removeThrottles(ctx context.Context) (throttle.Removal, error) {
	store, err := r.store(ctx)
	if err != nil {
		return throttle.Removal{}, err
	}
	rec, err := store.Load(ctx, r.id)
	if err != nil || rec == nil {
		return throttle.Removal{}, err
	}
	rm, err := throttle.Cleanup(ctx, r.cl, store, r.id, r.log)
	if rm.Removed {
		r.res.ThrottlesRemoved = rec
	}
	return rm, err
}
