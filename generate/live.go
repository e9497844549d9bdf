package generate

import (
	"fmt"

	"github.com/fdud/fdud/internal/cluster"
)

// FromState is the planner's input from a live cluster's state, read once
// by the front end: every partition, each being reassigned planned from its
// in-flight target (the notes say which), and the live brokers. The front
// end adds the domains.
func FromState(st *cluster.State) (Input, []string) {
	in := Input{Live: make([]int32, 0, len(st.Brokers))}
	for _, b := range st.Brokers {
		in.Live = append(in.Live, b.ID)
	}
	var notes []string
	in.Current, notes = currentFromState(st)
	return in, notes
}

// currentFromState returns the live assignment. A partition being
// reassigned is planned from its in-flight target, and a warning says so.
func currentFromState(s *cluster.State) (cluster.Assignment, []string) {
	a := cluster.Assignment{Version: 1, Partitions: make([]cluster.PartitionAssignment, 0, len(s.Partitions))}
	var moving []string
	n := 0
	for _, p := range s.Partitions {
		n += max(len(p.Replicas), len(p.Target))
	}
	ids := make([]int32, 0, n) // one backing array, not one per partition
	for _, p := range s.Partitions {
		reps := p.Replicas
		if p.Reassigning() {
			reps = p.Target
			moving = append(moving, p.TP().String())
		}
		pa := cluster.PartitionAssignment{Topic: p.Topic, Partition: p.Partition}
		if reps != nil {
			start := len(ids)
			ids = append(ids, reps...)
			pa.Replicas = ids[start:len(ids):len(ids)]
		}
		a.Partitions = append(a.Partitions, pa)
	}
	a.Sort()
	var warnings []string
	if len(moving) > 0 {
		const show = 10
		list := moving
		more := ""
		if len(list) > show {
			more = fmt.Sprintf(" and %d more", len(list)-show)
			list = list[:show]
		}
		warnings = append(warnings, fmt.Sprintf("%d partitions are being reassigned; planned from their in-flight targets: %v%s",
			len(moving), list, more))
	}
	return a, warnings
}
