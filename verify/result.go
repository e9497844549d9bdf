package verify

import (
	"errors"
	"fmt"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// Outcome is verify's overall verdict; each maps to an exit code.
type Outcome string

const (
	OutcomeComplete     Outcome = "complete"       // exit 0: complete (and spread, when domains were given)
	OutcomeInProgress   Outcome = "in_progress"    // exit 3
	OutcomeNotAsPlanned Outcome = "not_as_planned" // exit 1: finished, but some partitions are not where the plan put them
	OutcomeAtRisk       Outcome = "at_risk"        // exit 4: complete, but spread violated, at risk, or under-replicated
	// exit 1: complete, but fdud's throttles could not be removed, so the
	// cluster is still throttled; cron must not read that as success.
	OutcomeThrottlesLeft Outcome = "throttles_left"
)

// ErrNotAsPlanned is returned (wrapped) when nothing is in flight but some
// partitions did not reach their planned replicas.
var ErrNotAsPlanned = errors.New("reassignment finished but not as planned")

// ErrThrottlesLeft: the plan is complete, but the throttles fdud set for it
// could not be removed (or it could not be checked that removing them was
// safe); the CLI exits 1.
var ErrThrottlesLeft = errors.New("fdud's throttles are still set")

// ThrottleOutcome says what happened to the throttles fdud set for the plan.
type ThrottleOutcome struct {
	Checked  bool // a throttle record was consulted
	Entities int  // brokers and topics still carrying fdud's throttles after this run
	Removed  bool // this run removed them
	// Left: values fdud had set that someone else changed since; the
	// clean-up left them as they are.
	Left      []string
	Preserved bool   // --preserve-throttles kept them
	Error     string // removal failed (the run still reports the rest)
}

// Election says what the preferred leader election did.
type Election struct {
	Requested []cluster.TopicPartition
	// Skipped: partitions whose preferred leader is not live or not in sync,
	// so an election would fail or lose data.
	Skipped []cluster.TopicPartition
}

// Result is everything one verify pass found.
type Result struct {
	// NothingToVerify is set for an empty plan (generate found every
	// partition in scope spread): the cluster was not read, and the
	// result is empty, complete, with this run's time (so a dashboard does
	// not take a healthy cron job for a stale one).
	NothingToVerify bool
	Time            time.Time
	Path            string // access path of the cluster connection
	Statuses        []PartitionStatus
	Counts          Counts
	Risk            Risk
	// Domains and Live are set when domains were given (for the grid).
	Domains   map[int32]cluster.Domain
	Live      []int32
	Throttles ThrottleOutcome
	Election  *Election
	Waited    time.Duration // how long --wait polled
	TimedOut  bool          // --wait gave up at --timeout
	// LockHolder, when set, is another run that held the cluster lock once
	// nothing of the plan was in flight: the throttles were kept.
	LockHolder *LockHolder
	// FailOnStructuralRisk makes structural risk (Risk.Structural) an
	// outcome at risk too; by default it is reported, not failed.
	FailOnStructuralRisk bool
	// Records, with --all, are every plan's throttle record found (nil:
	// not listed). Each one is throttles left on the cluster until a
	// verify or execute --cancel of its plan removes them.
	Records []RecordInfo
	// BytesRemaining is what the plan still has to copy, when the brokers
	// report replica sizes (Kafka 1.0+; on the ZooKeeper path through
	// --bootstrap-server); nil otherwise.
	BytesRemaining *int64
	// MessagesRemaining is, where BytesRemaining is unknown, the messages
	// the plan's new replicas still lack, from the brokers' offsets (Kafka
	// 0.9, the ZooKeeper path without --bootstrap-server); nil when the
	// sizes are known or the offsets are not.
	MessagesRemaining *int64
}

// Outcome derives the verdict. In progress wins, since waiting may change
// everything else; fdud execute of this plan holding the cluster lock is in
// progress too (between two batches nothing is in flight, and partitions
// not yet submitted look not as planned). Then not-as-planned, since spread
// is judged on a plan that did not happen; then at risk. Last, another run
// holding the lock is in progress: the plan is done but its throttles are
// still on, and the next verify removes them.
func (r *Result) Outcome() Outcome {
	switch {
	case r.Underway():
		return OutcomeInProgress
	case r.Counts.NotAsPlanned > 0:
		return OutcomeNotAsPlanned
	case r.Risk.AtRiskTotal > 0, r.FailOnStructuralRisk && r.Risk.StructuralTotal > 0:
		return OutcomeAtRisk
	case r.LockHolder != nil:
		return OutcomeInProgress
	case r.Throttles.Error != "" && !r.Throttles.Removed:
		return OutcomeThrottlesLeft
	}
	return OutcomeComplete
}

// Underway reports whether the plan is still being carried out: partitions
// in flight, or its batching execute holding the cluster lock. A partition
// not on its planned replicas with nothing in flight is then waiting for its
// batch, not failed or cancelled.
func (r *Result) Underway() bool {
	return r.Counts.InProgress > 0 || r.LockHolder != nil && r.LockHolder.ThisPlan
}

// Err returns the outcome as the error the CLI maps to an exit code; nil
// when complete.
func (r *Result) Err() error {
	c := r.Counts
	switch r.Outcome() {
	case OutcomeInProgress:
		if c.InProgress == 0 && r.LockHolder != nil {
			after := ""
			if r.TimedOut {
				after = fmt.Sprintf(" after %s", r.Waited.Round(time.Second))
			}
			return fmt.Errorf("nothing of the plan is in flight, but %s still holds the cluster lock%s: %w", r.LockHolder.Name, after, cluster.ErrInProgress)
		}
		if r.TimedOut {
			return fmt.Errorf("%d of %d partitions still moving after %s: %w", c.InProgress, c.Partitions, r.Waited.Round(time.Second), cluster.ErrInProgress)
		}
		return fmt.Errorf("%d of %d partitions still moving: %w", c.InProgress, c.Partitions, cluster.ErrInProgress)
	case OutcomeNotAsPlanned:
		return fmt.Errorf("%d of %d partitions are not on their planned replicas: %w", c.NotAsPlanned, c.Partitions, ErrNotAsPlanned)
	case OutcomeThrottlesLeft:
		return fmt.Errorf("the plan is complete, but %w (%s): run fdud verify again, or fdud execute --cancel with the same plan",
			ErrThrottlesLeft, r.Throttles.Error)
	case OutcomeAtRisk:
		if r.Risk.AtRiskTotal == 0 {
			return fmt.Errorf("%d of %d partitions in scope carry structural risk (no placement avoids it; --fail-on-structural-risk): %w",
				r.Risk.StructuralTotal, r.Risk.Partitions, cluster.ErrAtRisk)
		}
		return fmt.Errorf("%d of %d partitions in scope violate the spread, are under-replicated, or would go offline or below min.insync.replicas if one domain failed: %w",
			r.Risk.AtRiskTotal, r.Risk.Partitions, cluster.ErrAtRisk)
	}
	return nil
}
