package execute

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/progress"
)

// batches submits pending items in batches within the limits, as earlier
// reassignments complete, and returns once the last batch is submitted.
// inflight are the plan's partitions already in flight (an earlier run's).
func (r *run) batches(ctx context.Context, pending, inflight []Item) error {
	b := &batcher{r: r, pending: pending, total: len(pending) + len(inflight),
		limits: Limits{Partitions: r.o.MaxPartitionMovements, PerBroker: r.o.MaxMovesPerBroker},
		ours:   map[cluster.TopicPartition]Item{},
		// On the ZooKeeper path the controller acts on
		// /admin/reassign_partitions only while no reassignment is in
		// flight, so a batch waits for the previous one to finish.
		serial: r.cl.Capabilities().OneBatch,
		copies: r.newCopies(pending, inflight)}
	defer r.finishProgress()
	for _, it := range inflight {
		b.ours[it.Plan.TP()] = it
	}
	// Liveness is read before the first batch and at every poll.
	if err := b.poll(ctx); err != nil {
		return err
	}
	var deadline <-chan time.Time
	if r.o.MaxWait > 0 {
		t := time.NewTimer(r.o.MaxWait)
		defer t.Stop()
		deadline = t.C
	}
	for {
		if err := b.submitNext(ctx); err != nil {
			return err
		}
		if len(b.pending) == 0 {
			if b.r.progress != nil {
				// The display shows the counts before the last batch:
				// drawn again with those after it (the bytes as last
				// read), it stays above the closing line, not below it.
				b.show(b.copied)
				b.r.finishProgress()
			}
			then := "."
			if r.throttled {
				then = " and remove the throttles."
			}
			fmt.Fprintf(r.errw, "All %d partitions submitted (%d done, %d in flight). Run fdud verify with the same plan to follow the rest%s\n",
				b.total, b.done, len(b.ours), then)
			return nil
		}
		select {
		case <-ctx.Done():
			return b.stopped(ctx.Err())
		case <-deadline:
			return b.stopped(fmt.Errorf("%w: stopped waiting after %s (--max-wait)", cluster.ErrInProgress, r.o.MaxWait))
		case <-time.After(r.o.pollInterval()):
		}
		if err := b.poll(ctx); err != nil {
			return err
		}
		b.report(ctx)
	}
}

// batcher is the progress of one batches call.
type batcher struct {
	r       *run
	limits  Limits
	serial  bool // one batch in flight at a time
	total   int
	pending []Item                          // not submitted yet
	ours    map[cluster.TopicPartition]Item // the plan's, in flight
	others  []cluster.PartitionState        // reassignments in flight that are not the plan's
	done    int
	batchNo int
	// live are the brokers alive at the last poll; down those already
	// reported as not alive (said once until they return).
	live map[int32]bool
	down map[int32]bool
	// copies follows the bytes copied, when the brokers report sizes;
	// copied is its last estimate (nil without sizes).
	copies *copies
	copied *progress.Estimate
}

// submitNext submits the next batch the limits allow, if any. A busy
// cluster is not an error: the batch is tried again after the next poll.
func (b *batcher) submitNext(ctx context.Context) error {
	var flights []flight
	for _, it := range b.ours {
		flights = append(flights, it.flight())
	}
	for _, p := range b.others {
		flights = append(flights, stateFlight(p))
	}
	ready, held := b.byLiveness()
	if len(ready) == 0 && len(held) > 0 && len(flights) == 0 {
		return b.stopped(fmt.Errorf("the %d partitions left need brokers that are not alive (%s); re-run the same plan once they are back: %s",
			len(held), joinIDs(b.downIDs()), tpList(held)))
	}
	var batch []Item
	if !b.serial || len(flights) == 0 {
		batch = nextBatch(ready, flights, b.limits)
	}
	if len(batch) == 0 {
		return nil
	}
	err := b.r.submit(ctx, batch)
	if errors.Is(err, cluster.ErrBusy) {
		b.r.log.Info("the cluster is busy; retrying the batch later", "err", err)
		return nil
	}
	if err != nil {
		return b.stopped(err)
	}
	if err := b.r.moveLogDirs(ctx, batch); err != nil {
		return b.r.stopped(err, b.done, len(b.ours)+len(batch), len(b.pending)-len(batch), b.total)
	}
	b.batchNo++
	for _, it := range batch {
		b.ours[it.Plan.TP()] = it
	}
	b.pending = removeItems(b.pending, batch)
	fmt.Fprintf(b.r.errw, "Batch %d: submitted %d partitions; %d of %d done, %d in flight, %d waiting.\n",
		b.batchNo, len(batch), b.done, b.total, len(b.ours), len(b.pending))
	return nil
}

// poll reads the cluster's state: the plan's reassignments that reached
// their target are done, and other reassignments in flight count against
// the limits. One of the plan's that ended elsewhere stops the run.
func (b *batcher) poll(ctx context.Context) error {
	st, err := b.r.state(ctx)
	if err != nil {
		return b.stopped(err)
	}
	b.live = make(map[int32]bool, len(st.Brokers))
	for _, br := range st.Brokers {
		b.live[br.ID] = true
	}
	parts := make(map[cluster.TopicPartition]cluster.PartitionState, len(st.Partitions))
	b.others = b.others[:0]
	for _, p := range st.Partitions {
		parts[p.TP()] = p
		if _, mine := b.ours[p.TP()]; p.Reassigning() && !mine {
			b.others = append(b.others, p)
		}
	}
	for tp, it := range b.ours {
		p, ok := parts[tp]
		switch {
		case ok && p.Reassigning():
			continue
		case ok && cluster.SameMembers(p.Replicas, it.Plan.Replicas):
			delete(b.ours, tp)
			b.done++
		case ok && containsAll(p.Replicas, it.Plan.Replicas):
			// No longer listed as in flight, but the metadata still shows
			// the union of old and new replicas: the controller is
			// finishing, or this broker's metadata lags (seen on a real
			// 2.4.1). The next poll tells.
			continue
		default:
			return b.stopped(fmt.Errorf("reassignment of %s ended with replicas %v, not the planned %v (cancelled by someone?)",
				tp, p.Replicas, it.Plan.Replicas))
		}
	}
	return nil
}

// stopped is the error for a run that ends before every batch is submitted.
func (b *batcher) stopped(err error) error {
	return b.r.stopped(err, b.done, len(b.ours), len(b.pending), b.total)
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

// stopped wraps err with how far the run got and how to go on from there.
// The advice fits the path: the ZooKeeper path (Kafka before 2.4) cannot
// cancel a reassignment.
func (r *run) stopped(err error, done, inflight, waiting, total int) error {
	undo := "or cancel the moves in flight with fdud execute --cancel and the same plan"
	if !r.cl.Capabilities().Cancel {
		undo = "or, on Kafka 2.4+, cancel the moves in flight with fdud execute --cancel, the same plan and --bootstrap-server " +
			"beside --zookeeper (before 2.4 there is no cancel: execute the rollback plan once they complete)"
	}
	return fmt.Errorf("stopped with %d of %d partitions done, %d in flight (they keep going) and %d not submitted; "+
		"re-run the same plan to continue (done and in-flight partitions are skipped), %s: %w",
		done, total, inflight, waiting, undo, err)
}

// byLiveness splits the pending items into those whose planned replicas are
// all on live brokers and those that need a broker that is not alive, which
// Kafka would refuse ("Replica assignment is invalid"). Brokers newly found
// down are reported once; the other partitions carry on.
func (b *batcher) byLiveness() (ready, held []Item) {
	if b.down == nil {
		b.down = map[int32]bool{}
	}
	newlyDown := map[int32][]Item{}
	for _, it := range b.pending {
		ok := true
		for _, r := range it.Plan.Replicas {
			if !b.live[r] {
				ok = false
				if !b.down[r] {
					newlyDown[r] = append(newlyDown[r], it)
				}
			}
		}
		if ok {
			ready = append(ready, it)
		} else {
			held = append(held, it)
		}
	}
	for id := range b.down {
		if b.live[id] {
			delete(b.down, id)
			fmt.Fprintf(b.r.errw, "Broker %d is alive again: its partitions are submitted with the next batches.\n", id)
		}
	}
	for _, id := range sortedIDs(newlyDown) {
		b.down[id] = true
		fmt.Fprintf(b.r.errw, "Broker %d is not alive: holding back %d partitions that need it (%s); carrying on with the others.\n",
			id, len(newlyDown[id]), tpList(newlyDown[id]))
	}
	return ready, held
}

func (b *batcher) downIDs() []int32 { return sortedIDs(b.down) }

func sortedIDs[V any](m map[int32]V) []int32 {
	ids := make([]int32, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func joinIDs(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return strings.Join(parts, ",")
}

// containsAll reports whether every id of want is in have.
func containsAll(have, want []int32) bool {
	for _, id := range want {
		if !slices.Contains(have, id) {
			return false
		}
	}
	return true
}
