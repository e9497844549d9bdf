package verify

import (
	"context"
	"log/slog"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/internal/sizes"
)

// bytesRemaining is what the plan still has to copy: for each replica the
// plan adds to a partition, the partition's size (its leader's replica)
// less what the new replica already holds. ok is false when the sizes are
// unknown for some partition that still has replicas to add. It is pure.
func bytesRemaining(statuses []PartitionStatus, l sizes.LogDirs) (remaining int64, ok bool) {
	parts := make([]sizes.Copying, 0, len(statuses))
	for _, s := range statuses {
		parts = append(parts, sizes.Copying{TP: s.TP, Adding: sizes.Adding(s.Planned, s.Current), Leader: s.Leader, ISR: s.ISR})
	}
	c := sizes.CopyProgress(parts, l)
	return c.Remaining(), c.Unknown == 0
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

// copyWatch follows, while verify waits, the bytes copied to the replicas
// the plan adds. Its total is what was left to copy when the wait began
// (verify does not know what a partition complete by then looked like
// before), growing with the partitions a batching execute submits later.
type copyWatch struct {
	watch progress.Watch
	// adding holds, per partition seen with replicas still to add, the
	// brokers gaining one; a partition stays once complete, counted in full.
	adding map[cluster.TopicPartition][]int32
}

func newCopyWatch(cl kafka.Cluster, log *slog.Logger) *copyWatch {
	return &copyWatch{watch: progress.Watch{Sizer: cl.Capabilities().Sizer, Logger: log},
		adding: map[cluster.TopicPartition][]int32{}}
}

// look returns the estimate after the pass p, or nil without sizes.
func (w *copyWatch) look(ctx context.Context, at time.Time, p pass) *progress.Estimate {
	var parts []sizes.Copying
	for _, s := range p.statuses {
		if s.Status != Complete && !s.Missing {
			if a := sizes.Adding(s.Planned, s.Current); len(a) > 0 {
				w.adding[s.TP] = a
			}
		}
		if a, ok := w.adding[s.TP]; ok {
			parts = append(parts, sizes.Copying{TP: s.TP, Adding: a, Leader: s.Leader, ISR: s.ISR, Complete: s.Status == Complete})
		}
	}
	if len(parts) == 0 {
		return nil
	}
	brokers := make([]int32, 0, len(p.st.Brokers))
	for _, b := range p.st.Brokers {
		brokers = append(brokers, b.ID)
	}
	return w.watch.Look(ctx, at, brokers, parts)
}
