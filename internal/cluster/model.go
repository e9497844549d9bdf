// Package cluster is fdud's model of a Kafka cluster: brokers, the Azure domains
// they sit in, and the assignment of partition replicas to brokers. It holds no
// I/O beyond encoding and decoding its documents, so every stage can share it.
package cluster

import (
	"cmp"
	"fmt"
	"slices"
)

// Domain is where Azure placed a broker's VM.
type Domain struct {
	FaultDomain  int    // shared rack, power and network switch
	UpdateDomain int    // rebooted together during planned maintenance
	Zone         string // availability zone; "" when the VM is not zonal
}

func (d Domain) String() string {
	if d.Zone != "" {
		return fmt.Sprintf("zone %s FD%d UD%d", d.Zone, d.FaultDomain, d.UpdateDomain)
	}
	return fmt.Sprintf("FD%d UD%d", d.FaultDomain, d.UpdateDomain)
}

// Broker is one Kafka broker as the cluster reports it.
type Broker struct {
	ID   int32
	Host string
	Port int32
	Rack string // broker.rack, "" when unset
}

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

func (tp TopicPartition) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// Compare orders partitions by topic, then partition number.
func (tp TopicPartition) Compare(o TopicPartition) int {
	if c := cmp.Compare(tp.Topic, o.Topic); c != 0 {
		return c
	}
	return cmp.Compare(tp.Partition, o.Partition)
}

// AnyLogDir is the log directory value that lets the broker choose.
const AnyLogDir = "any"

// StateTopic is the compacted topic where fdud keeps, on the Admin API path,
// the state every host must see (the cluster lock, throttle records,
// published domains). The planner knows it by name so that fdud's own
// bookkeeping never steers a plan's preferred leaders.
const StateTopic = "__fdud_state"

// PartitionAssignment is one entry of Kafka's reassignment JSON: the replicas of
// a partition, the first being the preferred leader.
type PartitionAssignment struct {
	Topic     string   `json:"topic"`
	Partition int32    `json:"partition"`
	Replicas  []int32  `json:"replicas"`
	LogDirs   []string `json:"log_dirs,omitempty"`
}

// TP returns the partition's name.
func (p PartitionAssignment) TP() TopicPartition {
	return TopicPartition{Topic: p.Topic, Partition: p.Partition}
}

// Clone returns a deep copy.
func (p PartitionAssignment) Clone() PartitionAssignment {
	p.Replicas = slices.Clone(p.Replicas)
	p.LogDirs = slices.Clone(p.LogDirs)
	return p
}

// MovesLogDirs reports whether any replica names a log directory other than "any".
func (p PartitionAssignment) MovesLogDirs() bool {
	for _, d := range p.LogDirs {
		if d != AnyLogDir {
			return true
		}
	}
	return false
}

// Assignment is Kafka's reassignment document: the replicas of a set of
// partitions. It is both a plan (the target) and a snapshot (the current state).
type Assignment struct {
	Version    int                   `json:"version"`
	Partitions []PartitionAssignment `json:"partitions"`
}

// Sort orders the partitions by topic and partition number.
func (a *Assignment) Sort() {
	slices.SortFunc(a.Partitions, func(x, y PartitionAssignment) int { return x.TP().Compare(y.TP()) })
}

// FirstDuplicate returns the first position i whose partition is listed
// before it, at j; i is -1 when every partition is listed once. Plans are
// usually sorted, which it checks in one pass before it resorts to a map.
func (a Assignment) FirstDuplicate() (i, j int) {
	if a.StrictlySorted() {
		return -1, -1
	}
	ps := a.Partitions
	seen := make(map[TopicPartition]int, len(ps))
	for k, p := range ps {
		if prev, dup := seen[p.TP()]; dup {
			return k, prev
		}
		seen[p.TP()] = k
	}
	return -1, -1
}

// StrictlySorted reports whether the partitions are in topic and partition
// order, none listed twice; checking it is cheaper than looking for
// duplicates, and plans are usually sorted.
func (a Assignment) StrictlySorted() bool {
	ps := a.Partitions
	for k := 1; k < len(ps); k++ {
		if ps[k-1].TP().Compare(ps[k].TP()) >= 0 {
			return false
		}
	}
	return true
}

// Index maps each partition to its position in a.Partitions.
func (a Assignment) Index() map[TopicPartition]int {
	m := make(map[TopicPartition]int, len(a.Partitions))
	for i, p := range a.Partitions {
		m[p.TP()] = i
	}
	return m
}

// Topics returns the distinct topics of the assignment, sorted.
func (a Assignment) Topics() []string {
	var ts []string
	for _, p := range a.Partitions {
		ts = append(ts, p.Topic)
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}
