package execute

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// list returns the partitions being reassigned.
func list(ctx context.Context, cl kafka.Cluster) ([]cluster.PartitionState, error) {
	st, err := cl.State(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list reassignments: %w", err)
	}
	var out []cluster.PartitionState
	for _, p := range st.Partitions {
		if p.Reassigning() {
			out = append(out, p)
		}
	}
	return out, nil
}

// WriteList prints the reassignments in flight the way Kafka's tool does,
// on errw, and their targets as reassignment JSON on out.
func WriteList(out, errw io.Writer, inFlight []cluster.PartitionState) error {
	a := cluster.Assignment{Version: 1}
	if len(inFlight) == 0 {
		fmt.Fprintln(errw, "No partition reassignments found.")
	} else {
		fmt.Fprintln(errw, "Current partition reassignments:")
	}
	for _, p := range inFlight {
		adding, removing := p.Moves()
		fmt.Fprintf(errw, "%s: replicas: %s. adding: %s. removing: %s.\n", p.TP(), ints(p.Target), ints(adding), ints(removing))
		a.Partitions = append(a.Partitions, cluster.PartitionAssignment{Topic: p.Topic, Partition: p.Partition, Replicas: p.Target})
	}
	a.Sort()
	return cluster.WriteAssignment(out, a)
}

func ints(xs []int32) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(int(x))
	}
	return strings.Join(s, ",")
}

func tpList(items []Item) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = it.Plan.TP().String()
	}
	return strings.Join(s, ",")
}
