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

// list prints the reassignments in flight the way Kafka's tool does, on
// errw, and their targets as reassignment JSON on out.
func list(ctx context.Context, cl kafka.Cluster, out, errw io.Writer) error {
	st, err := cl.State(ctx, nil)
	if err != nil {
		return fmt.Errorf("list reassignments: %w", err)
	}
	a := cluster.Assignment{Version: 1}
	var lines []string
	for _, p := range st.Partitions {
		if !p.Reassigning() {
			continue
		}
		adding, removing := p.Moves()
		lines = append(lines, fmt.Sprintf("%s: replicas: %s. adding: %s. removing: %s.",
			p.TP(), ints(p.Target), ints(adding), ints(removing)))
		a.Partitions = append(a.Partitions, cluster.PartitionAssignment{Topic: p.Topic, Partition: p.Partition, Replicas: p.Target})
	}
	if len(lines) == 0 {
		fmt.Fprintln(errw, "No partition reassignments found.")
	} else {
		fmt.Fprintln(errw, "Current partition reassignments:")
		for _, l := range lines {
			fmt.Fprintln(errw, l)
		}
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
