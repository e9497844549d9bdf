package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// The Fake's copying of data, as the brokers show it: a replica a
// reassignment adds exists on its new broker from the start, holding the
// bytes copied so far, and the future replica of a log-dir move likewise
// (DescribeLogDirs, ReplicaSizes). Copying advances by a step per State
// read (CopyPerRead) or per Copy call, and a replica that holds the
// partition's size (SetSize) has caught up: a reassignment whose new
// replicas all did completes, a move whose future replica did takes over,
// as a cluster finishes them by itself. Complete finishes them at once.

// copying is the Fake's copying state, under Fake.mu.
type copying struct {
	// copied holds what each replica being copied holds so far: an adding
	// replica on its new broker, or the future replica of a log-dir move.
	copied map[copyKey]int64
	// step is what CopyPerRead copies per State read (0: nothing).
	step int64
}

type copyKey struct {
	broker int32
	tp     cluster.TopicPartition
}

// CopyPerRead makes every later State read first copy step more bytes into
// every replica being copied (Copy), as a cluster copies between two polls;
// 0 stops it. Sizes come from SetSize.
func (f *Fake) CopyPerRead(step int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.step = step
}

// Copy copies n more bytes into every replica being copied, each up to
// its partition's size (SetSize): the replicas reassignments add and the
// future replicas of log-dir moves. Reassignments whose new replicas are
// then all full complete, as do log-dir moves whose future replica is.
func (f *Fake) Copy(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.copyLocked(n)
}

func (f *Fake) copyLocked(n int64) {
	if f.copied == nil {
		f.copied = map[copyKey]int64{}
	}
	for _, tp := range slices.SortedFunc(maps.Keys(f.parts), cluster.TopicPartition.Compare) {
		p, size := f.parts[tp], f.sizes[tp]
		full := true
		for _, b := range p.Adding {
			k := copyKey{b, tp}
			f.copied[k] = min(size, f.copied[k]+n)
			full = full && f.copied[k] == size
		}
		if p.Reassigning() && full {
			f.completeLocked(p)
		}
		for b, m := range f.placed {
			if d, ok := m[tp]; ok && d.Future != "" {
				k := copyKey{b, tp}
				if f.copied[k] = min(size, f.copied[k]+n); f.copied[k] == size {
					m[tp] = ReplicaLogDir{Dir: d.Future}
					delete(f.copied, k)
				}
			}
		}
	}
}

// copiedLocked is what the replica being copied to broker holds so far.
func (f *Fake) copiedLocked(broker int32, tp cluster.TopicPartition) int64 {
	return f.copied[copyKey{broker, tp}]
}

// copyOnRead copies a State read's step, if any.
func (f *Fake) copyOnRead() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.step > 0 {
		f.copyLocked(f.step)
	}
}

// addingLocked reports whether a reassignment in flight is adding broker's
// replica of tp: the broker holds it already, still being copied.
func (f *Fake) addingLocked(broker int32, tp cluster.TopicPartition) bool {
	p, ok := f.parts[tp]
	return ok && p.Reassigning() && slices.Contains(p.Adding, broker)
}

// stopCopyingLocked forgets what was copied to the brokers of tp that
// are no longer given a replica (a reassignment completed, cancelled or
// replaced).
func (f *Fake) stopCopyingLocked(tp cluster.TopicPartition, brokers []int32) {
	for _, b := range brokers {
		delete(f.copied, copyKey{b, tp})
	}
}

// FakeMessageBytes is the size of each message in the Fake's partitions:
// a replica's log end offset is the bytes it holds over it (log start
// offset 0), so an adding replica's offset grows with what was copied.
const FakeMessageBytes = 100

var _ OffsetReader = (*Fake)(nil)

// ReplicaOffsets implements OffsetReader on both paths the Fake plays: a
// replica the broker holds or is being given (an adding replica) reports
// its bytes over FakeMessageBytes as its log end offset, a leader its log
// start offset, 0. Brokers not live are named in the error.
func (f *Fake) ReplicaOffsets(ctx context.Context, leaders map[cluster.TopicPartition]int32,
	replicas map[cluster.TopicPartition][]int32) (sizes.Offsets, error) {
	if err := f.record(FakeCall{Method: "ReplicaOffsets"}); err != nil {
		return sizes.Offsets{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var o sizes.Offsets
	down := map[int32]bool{}
	ask := func(tp cluster.TopicPartition, b int32) bool {
		if !f.live(b) {
			down[b] = true
			return false
		}
		return f.presentLocked(b, tp)
	}
	end := func(tp cluster.TopicPartition, b int32) {
		size := f.sizes[tp]
		if !f.hostsLocked(b, tp) {
			size = f.copiedLocked(b, tp)
		}
		o.SetEnd(tp, b, size/FakeMessageBytes)
	}
	for tp, b := range leaders {
		if ask(tp, b) {
			o.SetStart(tp, 0)
			end(tp, b)
		}
	}
	for tp, bs := range replicas {
		for _, b := range bs {
			if ask(tp, b) {
				end(tp, b)
			}
		}
	}
	var errs []error
	for _, b := range slices.Sorted(maps.Keys(down)) {
		errs = append(errs, fmt.Errorf("broker %d: not live", b))
	}
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("replica offsets (ListOffsets): %w", err)
	}
	return o, nil
}
