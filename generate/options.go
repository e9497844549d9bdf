// Package generate plans Kafka replica reassignments that spread every
// partition across Azure fault domains, update domains and zones, moving as
// little data as the rules allow. Plan is the stage: resolved inputs in (the
// current assignment, FromState for a live cluster, and the domains the
// front end resolved), a Result out for the front ends to render
// (WriteSummary, WriteReport, ReplicaAssignment). It is pure (no I/O, clock
// or logging); cmd/fdud reads and writes the files around it.
package generate

import (
	"fmt"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// Input is the cluster as it is.
type Input struct {
	// Current is every partition's replica list (replicas[0] the preferred
	// leader). Partitions out of scope still count towards broker load.
	Current cluster.Assignment
	// Domains places the brokers. A broker without a domain may not hold
	// replicas.
	Domains map[int32]cluster.Domain
	// Live lists the live brokers; nil means every broker is alive.
	Live []int32
	// Sizes, when not nil, holds partition sizes and broker disk usage and
	// capacity: the plan then reports bytes and respects disk limits.
	Sizes *sizes.Usage
}

// Options say what to plan.
type Options struct {
	// Topics limits the plan to these topics; empty means all.
	Topics []string
	// BrokerIDs limits the plan to partitions with a replica on one of these
	// brokers (e.g. the broker whose domain changed).
	BrokerIDs []int32
	// BrokerList, when not empty, is the set of brokers that may hold replicas.
	BrokerList []int32
	// ExcludeBrokers may not hold replicas: everything in scope moves off them.
	ExcludeBrokers []int32
	// EvacuateDownBrokers moves replicas in scope off brokers that are not
	// alive. By default a down broker with a domain (an update domain being
	// rebooted, a VM being redeployed) keeps its replicas, which count in its
	// domains, and receives nothing new.
	EvacuateDownBrokers bool
	// ReplicationFactor, when > 0, is the new replication factor of every
	// partition in scope, or, with NewTopic, of the new topic only.
	ReplicationFactor int
	// NewTopic, when set, is a topic to place from scratch with NewPartitions
	// partitions at ReplicationFactor. It is then the only thing planned:
	// existing partitions only count towards broker load.
	NewTopic      string
	NewPartitions int
	// Force places partitions that cannot meet the rules as widely as
	// possible instead of failing.
	Force bool
	// Balance adds moves that even out replicas per broker, at most MaxMoves
	// of them (0: no limit).
	Balance  bool
	MaxMoves int
	// BalanceBy is what Balance evens out per fault domain: replica counts
	// ("" or BalanceReplicas) or disk use (BalanceBytes; needs
	// Input.Sizes): the share of capacity used when every broker that may
	// receive has a known capacity, else bytes on disk.
	BalanceBy string
	// NoLeaderBalance keeps preferred leaders as they are where possible.
	NoLeaderBalance bool
	// Seed breaks ties; equal input, options and seed give an equal plan.
	Seed uint64

	// MaxDiskUsage is the share of a broker's capacity a plan may fill
	// (with Input.Sizes and a known capacity); 0 means DefaultMaxDiskUsage.
	MaxDiskUsage float64
	// Throttle, in bytes per second, is the rate the report's estimated
	// time assumes; 0: no estimate.
	Throttle int64
	// Explain fills Result.Moves: each partition of the plan and why it
	// changes (the per-partition view).
	Explain bool

	// full are brokers that keep their replicas but receive none: the plan
	// would fill their disks beyond MaxDiskUsage.
	full []int32
}

// MaxNewPartitions bounds a new topic's partition count: far beyond any
// real topic, and well within what the planner holds in memory.
const MaxNewPartitions = 1_000_000

// Validate checks the options on their own (Plan checks them against the cluster).
func (o Options) Validate() error {
	switch {
	case o.ReplicationFactor < 0:
		return cluster.Invalidf("replication factor must be positive, got %d", o.ReplicationFactor)
	case o.ReplicationFactor > 255:
		return cluster.Invalidf("replication factor %d is not plausible (at most 255)", o.ReplicationFactor)
	case o.MaxMoves < 0:
		return cluster.Invalidf("max moves must be >= 0 (0: no limit), got %d", o.MaxMoves)
	case o.MaxDiskUsage < 0 || o.MaxDiskUsage > 1:
		return cluster.Invalidf("max disk usage must be a share of capacity between 0 and 100%%, got %g%%", 100*o.MaxDiskUsage)
	case o.Throttle < 0:
		return cluster.Invalidf("throttle must be >= 0 bytes per second, got %d", o.Throttle)
	case o.BalanceBy != "" && o.BalanceBy != BalanceReplicas && o.BalanceBy != BalanceBytes:
		return cluster.Invalidf("balance by must be replicas or bytes, not %q", o.BalanceBy)
	case o.BalanceBy != "" && !o.Balance:
		return cluster.Invalidf("balance by %s only applies to --balance; add --balance", o.BalanceBy)
	case o.MaxMoves > 0 && !o.Balance:
		return cluster.Invalidf("max moves only bounds --balance; add --balance or drop --max-moves")
	case o.NewTopic == "" && o.NewPartitions != 0:
		return cluster.Invalidf("partitions (%d) given without a new topic", o.NewPartitions)
	case o.NewTopic != "" && o.NewPartitions <= 0:
		return cluster.Invalidf("new topic %q needs a partition count > 0", o.NewTopic)
	case o.NewPartitions > MaxNewPartitions:
		// A typo of a few digits must not run the planner out of memory.
		return cluster.Invalidf("new topic %q: %d partitions is not plausible (at most %d)", o.NewTopic, o.NewPartitions, MaxNewPartitions)
	case o.NewTopic != "" && o.ReplicationFactor == 0:
		return cluster.Invalidf("new topic %q needs a replication factor", o.NewTopic)
	case o.NewTopic != "" && (len(o.Topics) > 0 || len(o.BrokerIDs) > 0):
		return cluster.Invalidf("new topic %q: --new-topic plans only the new topic; plan existing topics (--topics, --topics-to-move-json-file, --broker-ids) in a run of their own", o.NewTopic)
	case o.NewTopic != "" && !validTopic(o.NewTopic):
		return cluster.Invalidf("new topic %q: a topic name is 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-'", o.NewTopic)
	}
	if err := noDuplicates("broker-ids", o.BrokerIDs); err != nil {
		return err
	}
	if err := noDuplicates("broker-list", o.BrokerList); err != nil {
		return err
	}
	if err := noDuplicates("exclude-brokers", o.ExcludeBrokers); err != nil {
		return err
	}
	for _, id := range o.ExcludeBrokers {
		for _, l := range o.BrokerList {
			if id == l {
				return cluster.Invalidf("broker %d is both in the broker list and excluded", id)
			}
		}
	}
	for i, t := range o.Topics {
		if !validTopic(t) {
			return cluster.Invalidf("topics[%d]: %q is not a valid topic name", i, t)
		}
	}
	return nil
}

func noDuplicates(what string, ids []int32) error {
	seen := make(map[int32]bool, len(ids))
	for _, id := range ids {
		if id < 0 {
			return cluster.Invalidf("%s: broker id %d is negative", what, id)
		}
		if seen[id] {
			return cluster.Invalidf("%s: broker %d is listed twice", what, id)
		}
		seen[id] = true
	}
	return nil
}

func validTopic(t string) bool {
	if len(t) == 0 || len(t) > 249 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Result is a plan: the new replica lists of the partitions that change, the
// rollback (their current lists) and what the plan does.
type Result struct {
	Plan     cluster.Assignment
	Rollback cluster.Assignment
	Report   Report
	// Moves lists the partitions of the plan and why each changes; only
	// with Options.Explain.
	Moves []Move
}

// Issue is a partition the plan could not place by the rules.
type Issue struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Reason    string `json:"reason"`
}

func (i Issue) String() string { return fmt.Sprintf("%s-%d: %s", i.Topic, i.Partition, i.Reason) }
