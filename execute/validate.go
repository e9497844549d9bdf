package execute

import (
	"fmt"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// checkOptions says what a plan may do.
type checkOptions struct {
	AllowRFChange bool
	CreateTopics  bool
	// LogDirs is false on access paths that cannot move log directories.
	LogDirs bool
	Path    string // access path, for the log directory message
}

// validatePlan checks every entry of the plan against the cluster and returns
// every problem found, in plan order. It is pure. A partition already at
// its target is never a problem (re-running a plan is safe even when a
// broker it names died meanwhile).
func validatePlan(plan cluster.Assignment, st *cluster.State, o checkOptions) []Problem {
	parts := make(map[cluster.TopicPartition]*cluster.PartitionState, len(st.Partitions))
	topicSize := map[string]int{}
	for i := range st.Partitions {
		p := &st.Partitions[i]
		parts[p.TP()] = p
		topicSize[p.Topic]++
	}
	ps := staticProblems(plan)
	newTopics := map[string][]int{} // topic -> plan indexes
	for i, p := range plan.Partitions {
		bad := func(format string, args ...any) {
			ps = append(ps, Problem{Index: i, TP: p.TP(), Reason: fmt.Sprintf(format, args...)})
		}
		cur, ok := parts[p.TP()]
		switch {
		case !ok && topicSize[p.Topic] == 0 && o.CreateTopics:
			newTopics[p.Topic] = append(newTopics[p.Topic], i)
		case !ok && topicSize[p.Topic] == 0:
			bad("topic %s does not exist (--create-topics creates it with the planned assignment)", p.Topic)
			continue
		case !ok:
			bad("topic %s has no partition %d (it has %d partitions)", p.Topic, p.Partition, topicSize[p.Topic])
			continue
		}
		if ok && !cur.Reassigning() && slices.Equal(cur.Replicas, p.Replicas) && !p.MovesLogDirs() {
			continue // already at target
		}
		for _, b := range p.Replicas {
			switch {
			case b < 0 || st.Alive(b):
			case ok && slices.Contains(cur.Replicas, b):
				// Nothing is placed there: the replica exists. But Kafka
				// completes a reassignment only once every replica of the
				// target is in sync, and a down broker's never is.
				bad("broker %d is down (not registered in the cluster) and holds a replica of this partition that the plan keeps: "+
					"the reassignment could not complete until it is back; wait for it, or plan the partition without it (fdud generate --exclude-brokers %d)", b, b)
			default:
				bad("broker %d is not alive (not registered in the cluster): refusing to place a replica there", b)
			}
		}
		if ok && len(p.Replicas) != len(cur.Replicas) && !o.AllowRFChange {
			bad("replication factor would change from %d to %d (replicas %v -> %v); pass --allow-replication-factor-change if that is meant",
				len(cur.Replicas), len(p.Replicas), cur.Replicas, p.Replicas)
		}
		if p.MovesLogDirs() && !o.LogDirs {
			bad("log_dirs %v: the %s path cannot move replicas between log directories (that needs AlterReplicaLogDirs through the Admin API)", p.LogDirs, o.Path)
		}
	}
	for _, topic := range sortedKeys(newTopics) {
		idx := newTopics[topic]
		rf := len(plan.Partitions[idx[0]].Replicas)
		have := map[int32]bool{}
		for _, i := range idx {
			p := plan.Partitions[i]
			have[p.Partition] = true
			if len(p.Replicas) != rf {
				ps = append(ps, Problem{Index: i, TP: p.TP(), Reason: fmt.Sprintf(
					"new topic %s: %d replicas, but partitions[%d] has %d; a topic is created with one replication factor", topic, len(p.Replicas), idx[0], rf)})
			}
			if p.MovesLogDirs() {
				ps = append(ps, Problem{Index: i, TP: p.TP(), Reason: fmt.Sprintf("new topic %s: log_dirs must be \"any\" for a topic being created", topic)})
			}
		}
		for n := range int32(len(idx)) {
			if !have[n] {
				ps = append(ps, Problem{Index: -1, Reason: fmt.Sprintf(
					"new topic %s: the plan lists %d partitions but not partition %d; to be created, a topic needs partitions 0..%d", topic, len(idx), n, len(idx)-1)})
			}
		}
	}
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Index - b.Index })
	return ps
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
