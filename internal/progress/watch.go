package progress

import (
	"context"
	"log/slog"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// Sizer reads replica sizes from brokers (kafka.ReplicaSizer): of the
// partitions tps only, or of every partition when tps is nil.
type Sizer interface {
	ReplicaSizes(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error)
}

// Watch follows the copying of a reassignment's new replicas from poll to
// poll: it reads the replica sizes, sums what the new replicas hold and
// estimates the rate and the time left.
type Watch struct {
	// Sizer reads the sizes; nil when the access path cannot (the
	// ZooKeeper path without --bootstrap-server).
	Sizer  Sizer
	Logger *slog.Logger
	est    Estimator
	said   bool // that sizes cannot be read, said once
}

// Look reads the sizes of the partitions' replicas on brokers (Read) and
// returns the estimate at time at (Add), or nil when no sizes can be read.
func (w *Watch) Look(ctx context.Context, at time.Time, brokers []int32, parts []sizes.Copying) *Estimate {
	l, ok := w.Read(ctx, brokers, parts)
	if !ok {
		return nil
	}
	return w.Add(at, parts, l)
}

// Read asks brokers for the sizes of the partitions' replicas; ok is false
// when no sizes can be read (said once, at debug level: the partition
// counts still show progress). The brokers are asked about these
// partitions alone: a poll costs what the plan holds, not what the cluster
// holds.
func (w *Watch) Read(ctx context.Context, brokers []int32, parts []sizes.Copying) (l sizes.LogDirs, ok bool) {
	if w.Sizer == nil {
		w.once("no replica sizes on this path (the ZooKeeper path reads them through --bootstrap-server, Kafka 1.0+): progress counts partitions only")
		return l, false
	}
	tps := make([]cluster.TopicPartition, 0, len(parts))
	for _, p := range parts {
		tps = append(tps, p.TP)
	}
	l, err := w.Sizer.ReplicaSizes(ctx, brokers, tps)
	if err != nil && len(l.Brokers) == 0 {
		w.once("no replica sizes: progress counts partitions only", "err", err)
		return l, false
	}
	if err != nil && w.Logger != nil {
		w.Logger.Debug("replica sizes incomplete", "err", err)
	}
	return l, true
}

// Add returns the estimate at time at from sizes l read for parts, or nil
// when no broker reported the size of any partition being moved.
func (w *Watch) Add(at time.Time, parts []sizes.Copying, l sizes.LogDirs) *Estimate {
	c := sizes.CopyProgress(parts, l)
	if c.Total == 0 && c.Unknown > 0 {
		w.once("no broker reported the size of a partition being moved: progress counts partitions only")
		return nil
	}
	e := w.est.Add(at, c)
	return &e
}

func (w *Watch) once(msg string, args ...any) {
	if w.said || w.Logger == nil {
		return
	}
	w.said = true
	w.Logger.Debug(msg, args...)
}
