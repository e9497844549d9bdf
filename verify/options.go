package verify

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/progress"
)

// Formats of the document on stdout.
const (
	FormatText = "text" // nothing on stdout; the report is on stderr
	FormatJSON = "json" // the verify report (schemas/verify-report.schema.json) on stdout
)

// DefaultPollInterval is how often --wait reads the cluster.
const DefaultPollInterval = 10 * time.Second

// Options is one verify run, as the operator asked for it.
type Options struct {
	Plan cluster.Assignment
	// All assesses the spread of every partition of the cluster, not only
	// the plan's.
	All bool
	// Domains, when not nil, enables the spread check and the what-if.
	Domains *cluster.Domains
	// Wait polls until no partition of the plan is in flight and, with
	// Deps.Lock, no other run holds the cluster lock; or until Timeout (0:
	// no limit other than the context's).
	Wait         bool
	Timeout      time.Duration
	PollInterval time.Duration
	// PreserveThrottles keeps fdud's throttles when the plan is done; the
	// cluster lock is then not consulted at all.
	PreserveThrottles bool
	// ElectLeaders runs a preferred leader election, once nothing is in
	// flight, for planned partitions not led by their first replica.
	ElectLeaders bool
	Format       string
	// PrometheusFile, when set, receives textfile-collector metrics.
	PrometheusFile string
	// MinInsyncReplicas is the min.insync.replicas of topics that do not
	// set it (the brokers' default, which clients cannot read).
	MinInsyncReplicas int
	// FailOnStructuralRisk exits at risk (4) for structural risk too: what
	// no placement avoids, given the cluster's domains, replication factor
	// and min.insync.replicas. By default it is reported and exits 0.
	FailOnStructuralRisk bool
	// LegacyStatusLines prints the status lines of Kafka 0.8 to 2.4's tool
	// ("Reassignment of partition [orders,0] completed successfully").
	LegacyStatusLines bool
}

// NothingToVerify reports whether the plan has no partitions and the whole
// cluster was not asked for: generate found nothing to do, and verify has
// nothing to look at (Run then reads nothing from the cluster).
func (o *Options) NothingToVerify() bool { return len(o.Plan.Partitions) == 0 && !o.All }

// Validate checks the options, the domains too; problems are input errors.
func (o *Options) Validate() error {
	if err := o.ValidateInput(); err != nil {
		return err
	}
	if o.Domains != nil {
		return o.Domains.Check()
	}
	return nil
}

// ValidateInput checks what does not depend on the domains (the flags and
// the plan), so that a front end refuses bad input before it connects to
// resolve the domains; Run checks the rest. Problems are input errors.
func (o *Options) ValidateInput() error {
	switch o.Format {
	case "":
		o.Format = FormatText
	case FormatText, FormatJSON:
	default:
		return cluster.Invalidf("--format must be text or json, not %q", o.Format)
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.PollInterval < 0 {
		return cluster.Invalidf("--poll-interval must be positive, not %s", o.PollInterval)
	}
	if o.Timeout < 0 {
		return cluster.Invalidf("--timeout must not be negative, not %s", o.Timeout)
	}
	if o.Timeout > 0 && !o.Wait {
		return cluster.Invalidf("--timeout only applies with --wait")
	}
	if o.MinInsyncReplicas == 0 {
		o.MinInsyncReplicas = 1
	}
	if o.MinInsyncReplicas < 0 {
		return cluster.Invalidf("--min-insync-replicas must be at least 1, not %d", o.MinInsyncReplicas)
	}
	for i, p := range o.Plan.Partitions {
		if len(p.Replicas) == 0 {
			return cluster.Invalidf("plan partitions[%d] (%s): no replicas", i, p.TP())
		}
	}
	return nil
}

// Progress shows how a --wait is going.
type Progress interface {
	// Update reports the partitions of the plan: done means complete as
	// planned; those in flight are moving; those with nothing in flight and
	// not on their planned replicas are waiting (a batching execute has not
	// submitted them yet).
	// bytes, when the brokers report replica sizes, is how far the copying
	// of the new replicas is, since the wait began; nil otherwise.
	Update(c Counts, bytes *progress.Estimate, elapsed time.Duration)
	// Finish ends the display (a bar moves to a new line).
	Finish()
}

// Throttles is fdud's record of the throttles it set for the plan
// (package throttle keeps it; the CLI adapts it).
type Throttles interface {
	// Entities returns how many brokers and topics carry throttles fdud set
	// for the plan; 0 when there is no record.
	Entities(ctx context.Context) (int, error)
	// Remove removes them, restoring what was there before.
	Remove(ctx context.Context) (ThrottleRemoval, error)
}

// ThrottleRecords lists every record of throttles fdud set, whatever the
// plan, for verify --all.
type ThrottleRecords interface {
	List(ctx context.Context) ([]RecordInfo, error)
}

// RecordInfo describes one plan's throttle record.
type RecordInfo struct {
	Plan     string
	Entities int // brokers and topics it holds throttles on
	Updated  time.Time
	Host     string
}

// ThrottleRemoval is what a Throttles.Remove did.
type ThrottleRemoval struct {
	Removed bool     // there was a record, and it was undone
	Left    []string // values fdud had set that someone else changed since: left as they are
}

// Deps are what Run reads from and calls out to.
type Deps struct {
	// Cluster is the cluster; nil is allowed only for an empty plan
	// (Options.NothingToVerify).
	Cluster   kafka.Cluster
	Logger    *slog.Logger
	Progress  Progress  // nil: no progress display
	Throttles Throttles // nil: no throttle record to consult
	// Records, with --all, lists every plan's throttle record: throttles
	// still on the cluster after (or without) their plan. nil: not listed.
	Records ThrottleRecords
	// Lock, when set, is taken for the throttle clean-up (see Lock); while
	// another run holds it the throttles stay, and Wait keeps waiting. nil:
	// the throttles are removed without it.
	Lock Lock
	Now  func() time.Time
}

// Output is where Write renders a result.
type Output struct {
	Stdout io.Writer // the JSON report with --format json
	Stderr io.Writer // status lines and the human report
	// StatusOut receives Kafka's status lines; nil means Stderr.
	StatusOut io.Writer
}
