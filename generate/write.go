package generate

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// ReplicaAssignment renders topic's partitions of plan in the form
// kafka-topics.sh --replica-assignment takes: partitions in order, separated
// by commas, each a colon-separated replica list, preferred leader first
// ("1:2:3,2:3:4").
func ReplicaAssignment(plan cluster.Assignment, topic string) string {
	var parts []cluster.PartitionAssignment
	for _, p := range plan.Partitions {
		if p.Topic == topic {
			parts = append(parts, p)
		}
	}
	slices.SortFunc(parts, func(a, b cluster.PartitionAssignment) int { return int(a.Partition) - int(b.Partition) })
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, r := range p.Replicas {
			if j > 0 {
				b.WriteByte(':')
			}
			b.WriteString(strconv.Itoa(int(r)))
		}
	}
	return b.String()
}

// WriteReport writes the report as indented JSON.
func WriteReport(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
