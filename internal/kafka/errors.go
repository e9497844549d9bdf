package kafka

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// PartitionError is the failure of one partition within a request that, as a
// whole, reached the cluster.
type PartitionError struct {
	cluster.TopicPartition
	Err error
}

func (e PartitionError) Error() string { return fmt.Sprintf("%s: %v", e.TopicPartition, e.Err) }
func (e PartitionError) Unwrap() error { return e.Err }

// PartitionErrors reports every partition of a request that failed, sorted
// by topic and partition. Partitions not listed succeeded. errors.Is and
// errors.As see each partition's error.
type PartitionErrors struct {
	Op     string // what was asked: "reassign", "cancel reassignment", "elect leaders"
	Total  int    // partitions in the request
	Errors []PartitionError
}

func newPartitionErrors(op string, total int, errs []PartitionError) error {
	if len(errs) == 0 {
		return nil
	}
	errs = slices.Clone(errs)
	slices.SortFunc(errs, func(a, b PartitionError) int { return a.TopicPartition.Compare(b.TopicPartition) })
	return &PartitionErrors{Op: op, Total: total, Errors: errs}
}

func (e *PartitionErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d partitions failed:", e.Op, len(e.Errors), e.Total)
	for i, pe := range e.Errors {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteByte(' ')
		b.WriteString(pe.Error())
	}
	return b.String()
}

func (e *PartitionErrors) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, pe := range e.Errors {
		errs[i] = pe
	}
	return errs
}

// Failed returns the partitions that failed, sorted.
func (e *PartitionErrors) Failed() []cluster.TopicPartition {
	tps := make([]cluster.TopicPartition, len(e.Errors))
	for i, pe := range e.Errors {
		tps[i] = pe.TopicPartition
	}
	return tps
}
