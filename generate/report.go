package generate

import "github.com/fdud/fdud/internal/cluster"

// Report says what a plan does; the CLI prints it on stderr and, with
// --report, writes it as JSON (schemas/generate-report.schema.json).
type Report struct {
	Seed uint64 `json:"seed"`
	// PartitionsInScope counts the existing partitions the plan considered.
	PartitionsInScope int `json:"partitions_in_scope"`
	// PartitionsChanged counts the partitions in the plan (replicas or their
	// order change), new-topic partitions included.
	PartitionsChanged int `json:"partitions_changed"`
	NewPartitions     int `json:"new_partitions"`
	// ReplicationFactor is the requested replication factor, 0 if unchanged.
	ReplicationFactor int `json:"replication_factor"`
	// Violations per dimension, counted in partitions, before and after the
	// plan (partitions in scope; after includes new-topic partitions).
	ViolationsBefore Violations `json:"violations_before"`
	ViolationsAfter  Violations `json:"violations_after"`
	// ReplicasMoved counts replicas placed on a broker that did not hold them
	// (existing partitions). MoveLowerBound is the fewest moves that repair
	// the partitions at risk; BalanceMoves the moves --balance added.
	ReplicasMoved  int `json:"replicas_moved"`
	MoveLowerBound int `json:"replicas_moved_lower_bound"`
	BalanceMoves   int `json:"balance_moves"`
	// Per-FD spread: among the brokers of one fault domain (within a zone)
	// that may receive replicas, the largest minus the smallest replica
	// count; the worst fault domain. Before the plan, after the repair
	// (MoveLowerBound moves), and after the plan (BalanceMoves more with
	// --balance).
	FDSpreadBefore  int `json:"fd_spread_before"`
	FDSpreadRepair  int `json:"fd_spread_repair"`
	FDSpreadAfter   int `json:"fd_spread_after"`
	ReplicasRemoved int `json:"replicas_removed"` // by a lower replication factor
	NewReplicas     int `json:"new_replicas"`     // of the new topic
	// LeaderChanges counts existing partitions whose preferred leader changes.
	LeaderChanges int `json:"leader_changes"`

	// DownBrokers are the brokers that are not alive but keep their
	// replicas (see Options.EvacuateDownBrokers).
	DownBrokers []int32 `json:"down_brokers"`

	Brokers       []BrokerReport       `json:"brokers"`
	UpdateDomains []UpdateDomainReport `json:"update_domains"`

	// Compromises are partitions placed against the rules (--force);
	// Infeasible are partitions that cannot meet them (the plan fails).
	Compromises []Issue  `json:"compromises"`
	Infeasible  []Issue  `json:"infeasible"`
	Warnings    []string `json:"warnings"`

	Grid []cluster.GridCell `json:"grid"`

	// With sizes known (--log-dirs, or a live cluster that reports them):
	// the bytes the plan copies (each added replica counts its partition's
	// size), the time that takes at --throttle (the busiest broker's
	// inbound bytes over the rate), and the detail per broker.
	BytesToMove      *int64      `json:"bytes_to_move,omitempty"`
	EstimatedSeconds *float64    `json:"estimated_seconds,omitempty"`
	Sizes            *SizeReport `json:"sizes,omitempty"`
}

// Violations counts partitions breaking each rule.
type Violations struct {
	Partitions   int `json:"partitions"` // breaking any rule
	Zone         int `json:"zone"`
	FaultDomain  int `json:"fault_domain"`
	UpdateDomain int `json:"update_domain"`
	Broker       int `json:"broker"` // a replica on a dead, excluded or unplaced broker
}

func (v *Violations) add(mask uint8) {
	if mask == 0 {
		return
	}
	v.Partitions++
	if mask&violZone != 0 {
		v.Zone++
	}
	if mask&violFD != 0 {
		v.FaultDomain++
	}
	if mask&violUD != 0 {
		v.UpdateDomain++
	}
	if mask&violBrkr != 0 {
		v.Broker++
	}
}

// BrokerReport is one broker's load before and after the plan.
type BrokerReport struct {
	ID             int32  `json:"id"`
	Zone           string `json:"zone,omitempty"`
	FaultDomain    *int   `json:"fault_domain,omitempty"`
	UpdateDomain   *int   `json:"update_domain,omitempty"`
	Status         string `json:"status"` // eligible, down, dead, excluded, not in --broker-list, no domain
	ReplicasBefore int    `json:"replicas_before"`
	ReplicasAfter  int    `json:"replicas_after"`
	LeadersBefore  int    `json:"leaders_before"`
	LeadersAfter   int    `json:"leaders_after"`
}

// UpdateDomainReport is the share of preferred leaders in one update domain:
// what a reboot of that domain fails over.
type UpdateDomainReport struct {
	UpdateDomain  int `json:"update_domain"`
	Brokers       int `json:"brokers"` // eligible brokers
	LeadersBefore int `json:"leaders_before"`
	LeadersAfter  int `json:"leaders_after"`
}
