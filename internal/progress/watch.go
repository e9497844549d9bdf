package progress

import (
	"context"
	"log/slog"
	"time"

	"github.com/fdud/fdud/internal/sizes"
)

// Sizer reads replica sizes from brokers (kafka.ReplicaSizer).
type Sizer interface {
	ReplicaSizes(ctx context.Context, brokers []int32) (sizes.LogDirs, error)
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

// Look reads the sizes of the partitions' replicas on brokers and returns
// the estimate at time at, or nil when no sizes can be read (said once, at
// debug level: the partition counts still show progress).
func (w *Watch) Look(ctx context.Context, at time.Time, brokers []int32, parts []sizes.Copying) *Estimate {
	if w.Sizer == nil {
		w.once("no replica sizes on this path (the ZooKeeper path reads them through --bootstrap-server, Kafka 1.0+): progress counts partitions only")
		return nil
	}
	l, err := w.Sizer.ReplicaSizes(ctx, brokers)
	if err != nil && len(l.Brokers) == 0 {
		w.once("no replica sizes: progress counts partitions only", "err", err)
		return nil
	}
	if err != nil && w.Logger != nil {
		w.Logger.Debug("replica sizes incomplete", "err", err)
	}
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
