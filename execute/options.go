// Package execute is `fdud execute`: it checks a reassignment plan against
// the live cluster, and only when every entry is sound, records a rollback
// plan, sets merged throttles and submits the reassignments, in batches when
// asked, under a cluster-wide lock. It passes the plan on unchanged on stdout
// so that `fdud verify` can follow in a pipe.
package execute

import (
	"errors"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// Mode is what Run does with the plan.
type Mode int

const (
	ModeExecute Mode = iota // submit the plan (the default)
	ModeCancel              // cancel the plan's in-flight reassignments, remove its throttles
	ModeList                // show reassignments in flight; no plan is read
)

// Options are execute's settings, filled from flags by the front ends.
type Options struct {
	Mode Mode
	// Throttle is --throttle in bytes/s (<= 0: none); LogDirThrottle is
	// --replica-alter-log-dirs-throttle.
	Throttle, LogDirThrottle int64
	// PreserveThrottles keeps the plan's throttles when cancelling it
	// (Kafka's --cancel --preserve-throttles).
	PreserveThrottles bool
	// Additional lets the plan run while other reassignments are in flight.
	Additional bool
	// AllowRFChange permits plans that change a partition's replication factor.
	AllowRFChange bool
	// CreateTopics creates topics of the plan that do not exist yet.
	CreateTopics bool
	// RollbackFile is where the rollback plan goes; "" picks
	// fdud-rollback-YYYYMMDDTHHMMSS.json in WorkDir, or in the state
	// directory when WorkDir cannot be written (a read-only working
	// directory of a runbook); the path is printed either way.
	RollbackFile string
	// WorkDir is where the default rollback file goes; "" is the working
	// directory.
	WorkDir string
	// NoCurrentBlock leaves out the "Current partition replica assignment"
	// block on stderr (a front end that prints it itself: fdud compat
	// prints it on stdout, as Kafka's tool does).
	NoCurrentBlock bool
	// MaxPartitionMovements bounds reassignments in flight across the cluster
	// and MaxMovesPerBroker those involving any one broker (as a gaining or
	// losing replica). Either > 0 turns batching on: Run stays in the
	// foreground and submits batches as earlier ones complete.
	MaxPartitionMovements, MaxMovesPerBroker int
	// PollInterval is how often batching reads the cluster; 0 means 10 s.
	PollInterval time.Duration
	// MaxWait bounds the time batching waits for the cluster; 0 means no bound.
	MaxWait time.Duration
	// Timeout is Kafka's --timeout: how long to wait for log directory
	// moves to start. 0 means 10 s.
	Timeout time.Duration

	// StateDir holds the lock and throttle records without ZooKeeper or
	// the cluster's state topic; "" is throttle.DefaultStateDir().
	StateDir string

	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Batching reports whether execute submits in batches.
func (o Options) Batching() bool { return o.MaxPartitionMovements > 0 || o.MaxMovesPerBroker > 0 }

// Validate checks the options on their own; errors are input errors.
func (o Options) Validate() error {
	var errs []error
	if o.Throttle < 0 && o.Throttle != -1 {
		errs = append(errs, errors.New("--throttle must be a rate in bytes/s (or -1 for none)"))
	}
	if o.LogDirThrottle < 0 && o.LogDirThrottle != -1 {
		errs = append(errs, errors.New("--replica-alter-log-dirs-throttle must be a rate in bytes/s (or -1 for none)"))
	}
	if o.MaxPartitionMovements < 0 || o.MaxMovesPerBroker < 0 {
		errs = append(errs, errors.New("--max-partition-movements and --max-moves-per-broker must be positive (0: no batching)"))
	}
	if o.PollInterval < 0 || o.MaxWait < 0 || o.Timeout < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if o.Mode == ModeList && o.Throttle > 0 {
		errs = append(errs, errors.New("--list takes no plan and no throttle"))
	}
	if o.Mode != ModeExecute && o.Batching() {
		errs = append(errs, errors.New("batching applies to executing a plan, not to --cancel or --list"))
	}
	if o.Mode == ModeCancel && o.CreateTopics {
		errs = append(errs, errors.New("--cancel and --create-topics do not go together"))
	}
	if err := errors.Join(errs...); err != nil {
		return cluster.Invalid(err)
	}
	return nil
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) pollInterval() time.Duration {
	if o.PollInterval <= 0 {
		return 10 * time.Second
	}
	return o.PollInterval
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 10 * time.Second
	}
	return o.Timeout
}
