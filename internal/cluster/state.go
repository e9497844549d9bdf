package cluster

import "slices"

// PartitionState is a partition as the cluster reports it right now.
type PartitionState struct {
	Topic     string
	Partition int32
	// Replicas is the partition's replica set. While a reassignment is in
	// flight, Kafka's metadata shows the union of old and new replicas; readers
	// fill Replicas with the original set and Target with the new one, so a
	// transient set is never mistaken for the replication factor.
	Replicas []int32
	ISR      []int32
	Leader   int32   // -1 when the partition has no leader
	Target   []int32 // in-flight reassignment target; nil when none
	// Adding and Removing are Kafka 2.4+'s view of an in-flight reassignment.
	Adding, Removing []int32
}

// TP returns the partition's name.
func (p PartitionState) TP() TopicPartition {
	return TopicPartition{Topic: p.Topic, Partition: p.Partition}
}

// Reassigning reports whether a reassignment is in flight for the partition.
func (p PartitionState) Reassigning() bool { return p.Target != nil }

// Moves returns the replicas an in-flight reassignment adds and removes:
// Kafka 2.4+'s own lists when the cluster reported them, else derived from
// Replicas and Target.
func (p PartitionState) Moves() (adding, removing []int32) {
	if p.Adding != nil || p.Removing != nil {
		return p.Adding, p.Removing
	}
	return without(p.Target, p.Replicas), without(p.Replicas, p.Target)
}

// without returns the ids of a that are not in b, in a's order.
func without(a, b []int32) []int32 {
	var out []int32
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// State is a snapshot of a cluster's brokers and partitions.
type State struct {
	Brokers      []Broker // live brokers
	Controller   int32    // -1 when unknown
	Partitions   []PartitionState
	TopicConfigs map[string]map[string]string // optional: only filled by readers asked for it
}

// Alive reports whether broker id is live.
func (s *State) Alive(id int32) bool {
	for _, b := range s.Brokers {
		if b.ID == id {
			return true
		}
	}
	return false
}

// InFlight returns the partitions with a reassignment in flight.
func (s *State) InFlight() []PartitionState {
	var out []PartitionState
	for _, p := range s.Partitions {
		if p.Reassigning() {
			out = append(out, p)
		}
	}
	return out
}

// Assignment returns the current replicas of every partition (the original
// set for partitions being reassigned), sorted.
func (s *State) Assignment() Assignment {
	a := Assignment{Version: 1, Partitions: make([]PartitionAssignment, 0, len(s.Partitions))}
	for _, p := range s.Partitions {
		a.Partitions = append(a.Partitions, PartitionAssignment{
			Topic: p.Topic, Partition: p.Partition, Replicas: append([]int32(nil), p.Replicas...),
		})
	}
	a.Sort()
	return a
}
