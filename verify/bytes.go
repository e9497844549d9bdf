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
// less what the new replica already holds, and for each log-dir move what
// its future replica still lacks (sizes.CopyProgress). ok is false when
// the sizes are unknown for some partition that still has data to copy.
// It is pure.
func bytesRemaining(statuses []PartitionStatus, l sizes.LogDirs) (remaining int64, ok bool) {
	c := sizes.CopyProgress(stillCopying(statuses), l)
	return c.Remaining(), c.Unknown == 0
}

// stillCopying is what the partitions with data left to copy copy.
func stillCopying(statuses []PartitionStatus) []sizes.Copying {
	parts := make([]sizes.Copying, 0, len(statuses))
	for _, s := range statuses {
		if s.stillCopies() {
			parts = append(parts, s.copying())
		}
	}
	return parts
}

// readMessagesRemaining returns the messages the plan's new replicas still
// lack (sizes.MessageProgress: each leader's log end less what the new
// replica holds), from the brokers' offsets; nil when the cluster cannot
// say or some partition's offsets are unknown. verify counts messages only
// where it knows no sizes (Kafka 0.9, the ZooKeeper path without
// --bootstrap-server), as its progress does.
func readMessagesRemaining(ctx context.Context, cl kafka.Cluster, statuses []PartitionStatus, log *slog.Logger) *int64 {
	r := cl.Capabilities().Offsets
	if r == nil {
		return nil
	}
	parts := stillCopying(statuses)
	o, asked, err := progress.ReadOffsets(ctx, r, parts)
	var n int64
	if asked {
		if err != nil && len(o.Start) == 0 && len(o.End) == 0 {
			log.Debug("no offsets for messages remaining", "err", err)
			return nil
		}
		c := sizes.MessageProgress(parts, o)
		if c.Unknown > 0 {
			return nil
		}
		n = c.Remaining()
	}
	return &n
}

// readBytesRemaining returns the bytes remaining, or nil when the sizes
// are unknown. read holds the sizes the last poll read for its progress
// (nil when it read none): they serve here too, so that a wait does not
// end by asking every broker again. Otherwise the brokers are asked, if
// the cluster can say, about the partitions with data to copy alone.
func readBytesRemaining(ctx context.Context, cl kafka.Cluster, live []int32, statuses []PartitionStatus,
	read *sizes.LogDirs, log *slog.Logger) *int64 {
	var l sizes.LogDirs
	switch s := cl.Capabilities().Sizer; {
	case read != nil:
		l = *read
	case s == nil:
		return nil
	default:
		tps := []cluster.TopicPartition{}
		for _, st := range statuses {
			if st.stillCopies() {
				tps = append(tps, st.TP)
			}
		}
		var err error
		if l, err = s.ReplicaSizes(ctx, live, tps); err != nil && len(l.Brokers) == 0 {
			log.Debug("no replica sizes for bytes remaining", "err", err)
		}
	}
	if len(l.Brokers) == 0 {
		return nil
	}
	n, ok := bytesRemaining(statuses, l)
	if !ok {
		return nil
	}
	return &n
}

// copyWatch follows, while verify waits, the bytes (or, without sizes, the
// messages) copied to the replicas
// the plan adds and into the log directories it plans. Its total is what
// was left to copy when the wait began (verify does not know what a
// partition complete by then looked like before), growing with the
// partitions a batching execute submits later.
type copyWatch struct {
	watch progress.Watch
	// following holds, per partition seen with data still to copy, what it
	// copies (the brokers gaining a replica as first seen); a partition
	// stays once complete, its new replicas counted in full.
	following map[cluster.TopicPartition]sizes.Copying
}

func newCopyWatch(cl kafka.Cluster, log *slog.Logger) *copyWatch {
	caps := cl.Capabilities()
	return &copyWatch{watch: progress.Watch{Sizer: caps.Sizer, Offsets: caps.Offsets, Logger: log},
		following: map[cluster.TopicPartition]sizes.Copying{}}
}

// look returns the estimate after the pass p, in bytes, or in messages
// where sizes are unknown (nil when offsets are unknown too), and
// the sizes it read (nil when it asked for none): those of every partition
// it follows, which include every partition of p with data to copy.
func (w *copyWatch) look(ctx context.Context, at time.Time, p pass) (*progress.Estimate, *sizes.LogDirs) {
	var parts []sizes.Copying
	for _, s := range p.statuses {
		now := s.copying()
		if s.Status != Complete && !s.Missing && now.Copies() {
			w.following[s.TP] = now
		}
		if c, ok := w.following[s.TP]; ok {
			c.Leader, c.ISR, c.Complete = now.Leader, now.ISR, now.Complete
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	if w.watch.Sizer == nil {
		return w.watch.Messages(ctx, at, parts), nil
	}
	brokers := make([]int32, 0, len(p.st.Brokers))
	for _, b := range p.st.Brokers {
		brokers = append(brokers, b.ID)
	}
	l, ok := w.watch.Read(ctx, brokers, parts)
	if ok {
		if e := w.watch.Add(at, parts, l); e != nil {
			return e, &l
		}
	}
	// No sizes (Kafka 0.9, or none reported): messages from the offsets.
	return w.watch.Messages(ctx, at, parts), &l
}
