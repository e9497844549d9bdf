package verify

import (
	"context"
	"log/slog"
	"slices"

	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/sizes"
)

// bytesRemaining is what the plan still has to copy: for each replica the
// plan adds to a partition, the partition's size (its leader's replica)
// less what the new replica already holds. ok is false when the sizes are
// unknown for some partition that still has replicas to add. It is pure.
func bytesRemaining(statuses []PartitionStatus, l sizes.LogDirs) (remaining int64, ok bool) {
	ok = true
	for _, s := range statuses {
		var adding []int32
		for _, b := range s.Planned {
			if !slices.Contains(s.Current, b) {
				adding = append(adding, b)
			}
		}
		if len(adding) == 0 {
			continue
		}
		size, known := l.PartitionSize(s.TP, s.Leader, s.ISR)
		if !known {
			ok = false
			continue
		}
		for _, b := range adding {
			have := int64(0)
			for _, r := range l.Replicas[s.TP] {
				if r.Broker == b && !r.Future {
					have = r.Size
				}
			}
			remaining += max(0, size-have)
		}
	}
	return remaining, ok
}

// readBytesRemaining asks the brokers for sizes, if the cluster can say,
// and returns the bytes remaining, or nil.
func readBytesRemaining(ctx context.Context, cl kafka.Cluster, live []int32, statuses []PartitionStatus, log *slog.Logger) *int64 {
	s := cl.Capabilities().Sizer
	if s == nil {
		return nil
	}
	l, err := s.ReplicaSizes(ctx, live)
	if err != nil && len(l.Brokers) == 0 {
		log.Debug("no replica sizes for bytes remaining", "err", err)
		return nil
	}
	n, ok := bytesRemaining(statuses, l)
	if !ok {
		return nil
	}
	return &n
}
