package verify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// Status is where one planned partition stands.
type Status string

const (
	// Complete: no reassignment in flight and the replica set is the planned
	// one (possibly in another order: see PartitionStatus.OrderDiffers).
	Complete Status = "complete"
	// InProgress: a reassignment of the partition is in flight.
	InProgress Status = "in_progress"
	// NotAsPlanned: nothing is in flight, but the replica set is not the
	// planned one: the reassignment failed, was cancelled or never ran, or
	// the partition does not exist.
	NotAsPlanned Status = "not_as_planned"
)

// PartitionStatus is the verdict on one partition of the plan.
type PartitionStatus struct {
	TP      cluster.TopicPartition
	Status  Status
	Planned []int32
	Current []int32 // replicas now (the original set while in flight); nil when missing
	Target  []int32 // in-flight target; nil when none
	ISR     []int32
	Leader  int32 // -1 when none or missing
	Missing bool  // the partition does not exist in the cluster
	// OrderDiffers: the set is the planned one but the order is not, so the
	// planned preferred leader is not the preferred leader. Cancelling a
	// reassignment restores the set but not necessarily its order.
	OrderDiffers bool
	// TargetDiffers: the in-flight reassignment is heading somewhere other
	// than the plan (another run submitted a different target).
	TargetDiffers bool
	// Finishing: no reassignment is listed, but the replicas hold the
	// planned ones and more, and a planned one is still catching up: the
	// reassignment is finishing and the metadata lags (seen on a real 4.4
	// KRaft cluster after a target broker restarted). In progress, not a
	// failure. With every planned replica in sync it is not as planned (a
	// plan that lowers the replication factor and never ran looks alike).
	Finishing bool
	// LogDirs, for a partition whose replicas are the planned ones but
	// whose planned log directories are not all reached, says per replica
	// what is not in place yet (see logDirStatuses).
	LogDirs []string
	// PlannedLogDirs are the plan's log_dirs for Planned (nil when it
	// names none).
	PlannedLogDirs []string
}

// copying is what the partition copies: its replicas to add and its kept
// replicas' log-dir moves.
func (p PartitionStatus) copying() sizes.Copying {
	return sizes.Copying{TP: p.TP, Adding: sizes.Adding(p.Planned, p.Current),
		MovingTo: sizes.MovingTo(p.Planned, p.PlannedLogDirs, p.Current),
		Leader:   p.Leader, ISR: p.ISR, Complete: p.Status == Complete}
}

// stillCopies reports whether the partition has data left to copy: it is
// not complete (which, with named log directories, logDirStatuses grants
// only once every named replica is in place) and has replicas to add or
// named directories.
func (p PartitionStatus) stillCopies() bool { return p.Status != Complete && p.copying().Copies() }

// LeaderPreferred reports whether the partition is led by its first replica.
func (p PartitionStatus) LeaderPreferred() bool {
	return len(p.Current) > 0 && p.Leader == p.Current[0]
}

// Classify compares every partition of the plan with the cluster state, in
// the plan's order sorted by topic and partition. It is pure.
func Classify(plan cluster.Assignment, st *cluster.State) []PartitionStatus {
	byTP := make(map[cluster.TopicPartition]*cluster.PartitionState, len(st.Partitions))
	for i := range st.Partitions {
		byTP[st.Partitions[i].TP()] = &st.Partitions[i]
	}
	out := make([]PartitionStatus, 0, len(plan.Partitions))
	for _, pa := range plan.Partitions {
		ps := PartitionStatus{TP: pa.TP(), Planned: slices.Clone(pa.Replicas), PlannedLogDirs: slices.Clone(pa.LogDirs), Leader: -1}
		cur, ok := byTP[pa.TP()]
		switch {
		case !ok:
			ps.Status, ps.Missing = NotAsPlanned, true
		default:
			ps.Current = slices.Clone(cur.Replicas)
			ps.Target = slices.Clone(cur.Target)
			ps.ISR = slices.Clone(cur.ISR)
			ps.Leader = cur.Leader
			switch {
			case cur.Reassigning():
				ps.Status = InProgress
				ps.TargetDiffers = !slices.Equal(cur.Target, pa.Replicas)
			case slices.Equal(cur.Replicas, pa.Replicas):
				ps.Status = Complete
			case cluster.SameMembers(cur.Replicas, pa.Replicas):
				ps.Status, ps.OrderDiffers = Complete, true
			case len(cur.Replicas) > len(pa.Replicas) && containsAll(cur.Replicas, pa.Replicas) && !containsAll(cur.ISR, pa.Replicas):
				ps.Status, ps.Finishing = InProgress, true
			default:
				ps.Status = NotAsPlanned
			}
		}
		out = append(out, ps)
	}
	slices.SortStableFunc(out, func(a, b PartitionStatus) int { return a.TP.Compare(b.TP) })
	return out
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

// Counts summarises statuses.
type Counts struct {
	Partitions, Complete, InProgress, NotAsPlanned, OrderDiffers, LeaderNotPreferred int
}

// Count tallies the statuses.
func Count(ss []PartitionStatus) Counts {
	c := Counts{Partitions: len(ss)}
	for _, s := range ss {
		switch s.Status {
		case Complete:
			c.Complete++
			if !s.LeaderPreferred() {
				c.LeaderNotPreferred++
			}
		case InProgress:
			c.InProgress++
		case NotAsPlanned:
			c.NotAsPlanned++
		}
		if s.OrderDiffers {
			c.OrderDiffers++
		}
	}
	return c
}

// StatusHeading is the first line Kafka's tool prints with --verify.
const StatusHeading = "Status of partition reassignment:"

// StatusLine renders p as kafka-reassign-partitions.sh --verify does
// (Kafka 2.5 and later), so that greps in existing runbooks keep working.
func StatusLine(p PartitionStatus) string {
	switch p.Status {
	case Complete:
		return fmt.Sprintf("Reassignment of partition %s is complete.", p.TP)
	case InProgress:
		return fmt.Sprintf("Reassignment of partition %s is still in progress.", p.TP)
	}
	if len(p.LogDirs) > 0 && cluster.SameMembers(p.Current, p.Planned) {
		return fmt.Sprintf("There is no active reassignment of partition %s, but its replicas are not in the planned log directories.", p.TP)
	}
	return fmt.Sprintf("There is no active reassignment of partition %s, but replica set is %s rather than %s.",
		p.TP, joinIDs(p.Current, ","), joinIDs(p.Planned, ","))
}

// LegacyStatusLine renders p as the ZooKeeper-era tool (Kafka 0.8 to 2.4)
// does: "Reassignment of partition [orders,0] completed successfully".
func LegacyStatusLine(p PartitionStatus) string {
	name := fmt.Sprintf("[%s,%d]", p.TP.Topic, p.TP.Partition)
	switch p.Status {
	case Complete:
		return "Reassignment of partition " + name + " completed successfully"
	case InProgress:
		return "Reassignment of partition " + name + " is still in progress"
	}
	return "Reassignment of partition " + name + " failed"
}

// Notes returns fdud's additions to a partition's status line: what Kafka's
// tool does not say but an operator needs to act on. Each is one line.
func Notes(p PartitionStatus) []string {
	var out []string
	switch {
	case p.Missing:
		out = append(out, fmt.Sprintf("partition %s does not exist in the cluster", p.TP))
	case p.OrderDiffers:
		out = append(out, fmt.Sprintf("replica order of %s is %s rather than %s: the planned preferred leader %d is not first (re-run execute to reorder; no data moves)",
			p.TP, joinIDs(p.Current, ","), joinIDs(p.Planned, ","), p.Planned[0]))
	case p.TargetDiffers:
		out = append(out, fmt.Sprintf("the reassignment of %s in flight targets %s, not the planned %s",
			p.TP, joinIDs(p.Target, ","), joinIDs(p.Planned, ",")))
	}
	for _, n := range p.LogDirs {
		out = append(out, fmt.Sprintf("log dir of %s: %s", p.TP, n))
	}
	if p.Status == Complete && !p.OrderDiffers && !p.LeaderPreferred() {
		if p.Leader < 0 {
			out = append(out, fmt.Sprintf("partition %s has no leader", p.TP))
		} else {
			out = append(out, fmt.Sprintf("partition %s is led by %d, not its preferred leader %d (see --elect-leaders)",
				p.TP, p.Leader, p.Current[0]))
		}
	}
	return out
}

func joinIDs(ids []int32, sep string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, sep)
}
