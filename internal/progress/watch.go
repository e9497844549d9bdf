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

// OffsetReader reads offsets from brokers (kafka.OffsetReader): each
// leader's log start and log end offsets of the partitions it leads
// (leaders), and each broker's log end offset of its replicas (replicas).
type OffsetReader interface {
	ReplicaOffsets(ctx context.Context, leaders map[cluster.TopicPartition]int32,
		replicas map[cluster.TopicPartition][]int32) (sizes.Offsets, error)
}

// Watch follows the copying of a reassignment's new replicas from poll to
// poll: it reads the replica sizes, sums what the new replicas hold and
// estimates the rate and the time left, in bytes; where no sizes are
// known, it counts messages from the replicas' offsets instead.
type Watch struct {
	// Sizer reads the sizes; nil when the access path cannot (the
	// ZooKeeper path without --bootstrap-server).
	Sizer Sizer
	// Offsets reads offsets, for progress in messages where sizes are
	// unknown (Kafka 0.9, the ZooKeeper path without --bootstrap-server);
	// nil when the access path cannot.
	Offsets OffsetReader
	Logger  *slog.Logger
	est     Estimator // bytes
	msgs    Estimator // messages: the meters never mix the two
	said    bool      // that sizes cannot be read, said once
	saidOff bool      // that offsets cannot be read, said once
}

// Look reads the sizes of the partitions' replicas on brokers (Read) and
// returns the estimate at time at (Add), in bytes; where no sizes are
// known, it returns one in messages from the replicas' offsets (Messages);
// nil when neither can be read.
func (w *Watch) Look(ctx context.Context, at time.Time, brokers []int32, parts []sizes.Copying) *Estimate {
	if l, ok := w.Read(ctx, brokers, parts); ok {
		if e := w.Add(at, parts, l); e != nil {
			return e
		}
	}
	return w.Messages(ctx, at, parts)
}

// Messages reads the offsets of the partitions' leaders and adding
// replicas and returns the estimate in messages at time at
// (sizes.MessageProgress), or nil when no offsets can be read.
func (w *Watch) Messages(ctx context.Context, at time.Time, parts []sizes.Copying) *Estimate {
	if w.Offsets == nil {
		return nil
	}
	o, asked, err := ReadOffsets(ctx, w.Offsets, parts)
	if !asked {
		return nil // no replica added (log-dir moves only): nothing counts in messages
	}
	if err != nil && len(o.Start) == 0 && len(o.End) == 0 {
		w.onceOffsets("no offsets: progress counts partitions only", "err", err)
		return nil
	}
	if err != nil && w.Logger != nil {
		w.Logger.Debug("offsets incomplete", "err", err)
	}
	c := sizes.MessageProgress(parts, o)
	if c.Total == 0 && c.Unknown > 0 {
		w.onceOffsets("no leader reported the offsets of a partition being moved: progress counts partitions only")
		return nil
	}
	e := w.msgs.Add(at, c)
	return &e
}

// Read asks brokers for the sizes of the partitions' replicas; ok is false
// when no sizes can be read (said once, at debug level: the partition
// counts still show progress). The brokers are asked about these
// partitions alone: a poll costs what the plan holds, not what the cluster
// holds.
func (w *Watch) Read(ctx context.Context, brokers []int32, parts []sizes.Copying) (l sizes.LogDirs, ok bool) {
	if w.Sizer == nil {
		w.once("no replica sizes on this path (the ZooKeeper path reads them through --bootstrap-server, Kafka 1.0+): " + w.instead())
		return l, false
	}
	tps := make([]cluster.TopicPartition, 0, len(parts))
	for _, p := range parts {
		tps = append(tps, p.TP)
	}
	l, err := w.Sizer.ReplicaSizes(ctx, brokers, tps)
	if err != nil && len(l.Brokers) == 0 {
		w.once("no replica sizes: "+w.instead(), "err", err)
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
		w.once("no broker reported the size of a partition being moved: " + w.instead())
		return nil
	}
	e := w.est.Add(at, c)
	return &e
}

// ReadOffsets asks r for the offsets that counting the messages of parts
// takes (sizes.MessageProgress): each leader's log start and log end
// offsets, and each adding replica's log end offset while it is still
// adding. asked is false when no partition adds a replica: nothing counts
// in messages then, and nothing is asked.
func ReadOffsets(ctx context.Context, r OffsetReader, parts []sizes.Copying) (o sizes.Offsets, asked bool, err error) {
	leaders := map[cluster.TopicPartition]int32{}
	replicas := map[cluster.TopicPartition][]int32{}
	for _, p := range parts {
		if len(p.Adding) == 0 {
			continue
		}
		if p.Leader >= 0 {
			leaders[p.TP] = p.Leader // the total, complete or not
		}
		if !p.Complete {
			replicas[p.TP] = p.Adding
		}
	}
	if len(leaders) == 0 && len(replicas) == 0 {
		return sizes.Offsets{}, false, nil
	}
	o, err = r.ReplicaOffsets(ctx, leaders, replicas)
	return o, true, err
}

// instead says what progress counts without sizes.
func (w *Watch) instead() string {
	if w.Offsets != nil {
		return "progress counts messages (offsets)"
	}
	return "progress counts partitions only"
}

func (w *Watch) onceOffsets(msg string, args ...any) {
	if w.saidOff || w.Logger == nil {
		return
	}
	w.saidOff = true
	w.Logger.Debug(msg, args...)
}

func (w *Watch) once(msg string, args ...any) {
	if w.said || w.Logger == nil {
		return
	}
	w.said = true
	w.Logger.Debug(msg, args...)
}
