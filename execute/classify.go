package execute

import (
	"slices"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/throttle"
)

// Status is where a partition of the plan stands.
type Status int

const (
	Done     Status = iota // replicas are the target already: skipped
	Pending                // to be submitted
	InFlight               // being reassigned to the plan's target (an earlier run's work): not resubmitted
	Conflict               // being reassigned to another target
	Create                 // topic to be created (--create-topics)
	LogDirs                // replicas right, log directories to move
)

var statusNames = [...]string{"done", "pending", "in flight", "conflict", "create", "log dirs"}

func (s Status) String() string { return statusNames[s] }

// Item is one partition of the plan and what to do with it.
type Item struct {
	Index   int // position in the plan
	Plan    cluster.PartitionAssignment
	Current []int32 // replicas now (original set while reassigning); nil for new topics
	Target  []int32 // in-flight target, when reassigning
	Status  Status
}

// Move is the item as throttling sees it.
func (it Item) Move() throttle.Move {
	m := throttle.Move{TP: it.Plan.TP(), Current: it.Current, Target: it.Plan.Replicas}
	if it.Plan.MovesLogDirs() {
		for i, d := range it.Plan.LogDirs {
			if d != cluster.AnyLogDir {
				m.LogDirBrokers = append(m.LogDirBrokers, it.Plan.Replicas[i])
			}
		}
	}
	return m
}

// flight is a reassignment in flight (or about to be): the partition and
// the brokers that gain or lose a replica.
type flight struct {
	TP      cluster.TopicPartition
	Brokers []int32
}

func (it Item) flight() flight {
	return flight{TP: it.Plan.TP(), Brokers: symDiff(it.Current, it.Plan.Replicas)}
}

func stateFlight(p cluster.PartitionState) flight {
	var bs []int32
	if len(p.Adding) > 0 || len(p.Removing) > 0 {
		bs = append(slices.Clone(p.Adding), p.Removing...)
	} else {
		bs = symDiff(p.Replicas, p.Target)
	}
	return flight{TP: p.TP(), Brokers: bs}
}

func symDiff(a, b []int32) []int32 {
	var out []int32
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}

// Classify sorts the plan's partitions by what is to be done with them, and
// returns the reassignments in flight that are not the plan's. It is pure;
// the plan must have passed validatePlan.
func Classify(plan cluster.Assignment, st *cluster.State) (items []Item, others []cluster.PartitionState) {
	parts := make(map[cluster.TopicPartition]cluster.PartitionState, len(st.Partitions))
	for _, p := range st.Partitions {
		parts[p.TP()] = p
	}
	inPlan := make(map[cluster.TopicPartition]bool, len(plan.Partitions))
	for i, p := range plan.Partitions {
		inPlan[p.TP()] = true
		it := Item{Index: i, Plan: p}
		cur, ok := parts[p.TP()]
		switch {
		case !ok:
			it.Status = Create
		case cur.Reassigning():
			it.Current, it.Target = cur.Replicas, cur.Target
			it.Status = Conflict
			if cluster.SameMembers(cur.Target, p.Replicas) {
				it.Status = InFlight
			}
		case slices.Equal(cur.Replicas, p.Replicas):
			it.Current = cur.Replicas
			it.Status = Done
			if p.MovesLogDirs() {
				it.Status = LogDirs
			}
		default:
			it.Current = cur.Replicas
			it.Status = Pending
		}
		items = append(items, it)
	}
	for _, p := range st.Partitions {
		if p.Reassigning() && !inPlan[p.TP()] {
			others = append(others, p)
		}
	}
	slices.SortFunc(others, func(a, b cluster.PartitionState) int { return a.TP().Compare(b.TP()) })
	return items, others
}

// Limits bound a batch; 0 means no bound.
type Limits struct {
	Partitions int // reassignments in flight across the cluster
	PerBroker  int // reassignments in flight in which one broker gains or loses a replica
}

// nextBatch picks, in plan order, the pending items that can start now
// without exceeding the limits, given the reassignments already in flight
// (the plan's and others'). It is pure and deterministic. When nothing is
// in flight it always picks at least one item, so a plan always progresses.
func nextBatch(pending []Item, inflight []flight, l Limits) []Item {
	total := len(inflight)
	perBroker := map[int32]int{}
	for _, f := range inflight {
		for _, b := range f.Brokers {
			perBroker[b]++
		}
	}
	var batch []Item
	for _, it := range pending {
		if l.Partitions > 0 && total >= l.Partitions {
			break
		}
		f := it.flight()
		fits := true
		if l.PerBroker > 0 {
			for _, b := range f.Brokers {
				if perBroker[b] >= l.PerBroker {
					fits = false
				}
			}
		}
		if !fits && total > 0 {
			continue
		}
		batch = append(batch, it)
		total++
		for _, b := range f.Brokers {
			perBroker[b]++
		}
	}
	return batch
}
