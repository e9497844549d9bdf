package execute

import (
	"io"
	"log/slog"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/internal/zookeeper"
)

// Run's contract: Run(ctx, Input, Deps) (Result, error).

// Input is what Run works on: the plan, parsed once by the front end
// (ParsePlan, ReadPlan), and the settings.
type Input struct {
	// Plan is the plan to execute or cancel; ModeList takes none.
	Plan Plan
	Options
}

// Deps are what Run talks to and writes to.
type Deps struct {
	// Cluster is the cluster; nil is allowed only for an empty plan.
	Cluster kafka.Cluster
	// ZooKeeper, when set, holds the cluster lock and the throttle
	// records; without it both live in the cluster's state topic on the
	// Admin API path (package clusterstate), else in Options.StateDir,
	// which only protects this machine.
	ZooKeeper *zookeeper.Conn
	// Stderr receives the messages for people, Kafka's tool's lines among
	// them. nil discards them.
	Stderr io.Writer
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// Progress, when set, shows batching's progress in place (a bar on a
	// terminal; Stderr should then write through it, see progress.Bar's
	// Writer); nil prints it as lines on Stderr.
	Progress Progress
}

// Result is what a Run did, for the front ends to render. It is filled as
// far as the run got, also when Run returns an error.
type Result struct {
	// Empty is true when the plan has no partitions: nothing was done.
	Empty bool
	// Current holds the replicas, read before any change, of the plan's
	// partitions that exist (ModeExecute).
	Current cluster.Assignment
	// OthersInFlight is true when, before any change, reassignments other
	// than the plan's own were in flight (ModeExecute).
	OthersInFlight bool
	// Throttled is the record of the throttles this run set for the plan,
	// nil when it set none (ModeExecute).
	Throttled *throttle.Record
	// InterBrokerRate and LogDirRate are the rates (bytes/s) of the
	// throttles this run set, 0 for a kind it set none of: a --throttle on a
	// plan that adds no replica sets nothing, and messages (Kafka's lines in
	// compat mode among them) must not say a throttle was set (ModeExecute).
	InterBrokerRate, LogDirRate int64
	// Cancelled are the plan's partitions whose reassignment was cancelled
	// (ModeCancel).
	Cancelled []cluster.TopicPartition
	// ThrottlesRemoved is the record of the throttles fdud had set for the
	// plan, when they were removed (ModeCancel, or an execute none of whose
	// partitions started).
	ThrottlesRemoved *throttle.Record
	// InFlight are the partitions being reassigned (ModeList).
	InFlight []cluster.PartitionState
}
