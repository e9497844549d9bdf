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

// The Fake's log directories, as the Admin API path shows them: every
// broker has the directories FakeOptions.LogDirs names, a replica lives in
// the first unless moved or placed (a replica a reassignment adds, in the
// one asked for it), and a move copies it into a future replica that takes
// over on Complete or once full (fake_copying.go).

var (
	_ LogDirMover     = (*Fake)(nil)
	_ LogDirDescriber = (*Fake)(nil)
	_ ReplicaSizer    = (*Fake)(nil)
)

// logDirs is the Fake's log directory state, under Fake.mu.
type logDirs struct {
	dirNames []string
	placed   map[int32]map[cluster.TopicPartition]ReplicaLogDir
	// pending are directories asked for replicas a reassignment is adding:
	// the broker remembers them and creates the replica there.
	pending map[int32]map[cluster.TopicPartition]string
	sizes   map[cluster.TopicPartition]int64
}

// PlaceReplica puts broker's replica of tp in dir, with a move to future in
// flight when future is not "".
func (f *Fake) PlaceReplica(broker int32, tp cluster.TopicPartition, dir, future string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.placeLocked(broker, tp, ReplicaLogDir{Dir: dir, Future: future})
}

// SetSize makes every replica of tp size bytes large (ReplicaSizes), but
// those being copied, which hold what was copied so far (fake_copying.go).
func (f *Fake) SetSize(tp cluster.TopicPartition, size int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sizes == nil {
		f.sizes = map[cluster.TopicPartition]int64{}
	}
	f.sizes[tp] = size
}

func (f *Fake) hostsLocked(broker int32, tp cluster.TopicPartition) bool {
	p, ok := f.parts[tp]
	return ok && slices.Contains(p.Replicas, broker)
}

func (f *Fake) replicaDirLocked(broker int32, tp cluster.TopicPartition) ReplicaLogDir {
	if d, ok := f.placed[broker][tp]; ok {
		return d
	}
	return ReplicaLogDir{Dir: f.dirNames[0]}
}

// presentLocked reports whether broker holds a replica of tp: one of its
// replicas, or one a reassignment in flight is adding, as a broker creates
// it when the reassignment starts.
func (f *Fake) presentLocked(broker int32, tp cluster.TopicPartition) bool {
	return f.hostsLocked(broker, tp) || f.addingLocked(broker, tp)
}

// presentDirLocked is where broker holds its replica of tp (presentLocked):
// a replica being added is created in the directory asked for it.
func (f *Fake) presentDirLocked(broker int32, tp cluster.TopicPartition) ReplicaLogDir {
	if !f.hostsLocked(broker, tp) {
		if dir, ok := f.pending[broker][tp]; ok {
			return ReplicaLogDir{Dir: dir}
		}
	}
	return f.replicaDirLocked(broker, tp)
}

func (f *Fake) forgetReplicaLocked(broker int32, tp cluster.TopicPartition) {
	delete(f.placed[broker], tp)
	delete(f.pending[broker], tp)
	f.stopCopyingLocked(tp, []int32{broker})
}

// finishLogDirMovesLocked lets future replicas take over and puts replicas
// that now exist in the directories asked for them.
func (f *Fake) finishLogDirMovesLocked() {
	for b, m := range f.pending {
		for tp, dir := range m {
			if f.hostsLocked(b, tp) {
				delete(m, tp)
				f.placeLocked(b, tp, ReplicaLogDir{Dir: dir})
			}
		}
	}
	for b, m := range f.placed {
		for tp, d := range m {
			if d.Future != "" {
				m[tp] = ReplicaLogDir{Dir: d.Future}
				f.stopCopyingLocked(tp, []int32{b})
			}
		}
	}
}

// MoveLogDirs starts moving replicas the brokers host into the named
// directories, and remembers the directory of a replica a reassignment
// in flight is adding. A directory the broker lacks, or a replica it
// neither hosts nor is being given, fails per partition.
func (f *Fake) MoveLogDirs(ctx context.Context, plan []cluster.PartitionAssignment) error {
	if err := checkLogDirPlan(plan); err != nil {
		return err
	}
	moves := logDirMoves(plan)
	if len(moves) == 0 {
		return nil
	}
	if err := f.record(FakeCall{Method: "MoveLogDirs", Plan: plan}); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	failed := map[replicaMove]error{}
	for _, m := range moves {
		p := f.parts[m.TP]
		switch {
		case !slices.Contains(f.dirNames, m.Dir):
			failed[m] = fmt.Errorf("broker %d, log dir %s: the broker has no such log directory", m.Broker, m.Dir)
		case f.hostsLocked(m.Broker, m.TP):
			if d := f.replicaDirLocked(m.Broker, m.TP); d.Dir != m.Dir {
				f.placeLocked(m.Broker, m.TP, ReplicaLogDir{Dir: d.Dir, Future: m.Dir})
			}
		case p != nil && slices.Contains(p.Adding, m.Broker):
			if f.pending == nil {
				f.pending = map[int32]map[cluster.TopicPartition]string{}
			}
			if f.pending[m.Broker] == nil {
				f.pending[m.Broker] = map[cluster.TopicPartition]string{}
			}
			f.pending[m.Broker][m.TP] = m.Dir
		default:
			failed[m] = fmt.Errorf("broker %d, log dir %s: the broker does not host the replica", m.Broker, m.Dir)
		}
	}
	return logDirErrors(plan, failed)
}

func (f *Fake) placeLocked(broker int32, tp cluster.TopicPartition, d ReplicaLogDir) {
	if f.placed == nil {
		f.placed = map[int32]map[cluster.TopicPartition]ReplicaLogDir{}
	}
	if f.placed[broker] == nil {
		f.placed[broker] = map[cluster.TopicPartition]ReplicaLogDir{}
	}
	f.placed[broker][tp] = d
}

// DescribeLogDirs says where the brokers keep the replicas of tps (all when
// nil) they host. A broker that is not live is in the map with Err set.
func (f *Fake) DescribeLogDirs(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (map[int32]BrokerLogDirs, error) {
	if err := f.record(FakeCall{Method: "DescribeLogDirs", Brokers: brokers, TPs: tps}); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int32]BrokerLogDirs{}
	reached := false
	for _, b := range brokers {
		if !f.live(b) {
			out[b] = BrokerLogDirs{Err: fmt.Errorf("broker %d: not live", b)}
			continue
		}
		reached = true
		bd := BrokerLogDirs{Dirs: map[string]error{}, Replicas: map[cluster.TopicPartition]ReplicaLogDir{}}
		for _, d := range f.dirNames {
			bd.Dirs[d] = nil
		}
		for tp := range f.parts {
			if (tps == nil || slices.Contains(tps, tp)) && f.presentLocked(b, tp) {
				bd.Replicas[tp] = f.presentDirLocked(b, tp)
			}
		}
		out[b] = bd
	}
	if !reached && len(brokers) > 0 {
		return nil, errors.New("describe log dirs: no broker could be reached")
	}
	return out, nil
}

// ReplicaSizes reports the replicas of tps (all when nil) the live brokers
// among brokers hold (SetSize; 0 when not set): the replicas reassignments
// in flight add and the future replicas of moves in flight too, each with
// what was copied so far.
func (f *Fake) ReplicaSizes(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error) {
	if err := f.record(FakeCall{Method: "ReplicaSizes", Brokers: brokers, TPs: tps}); err != nil {
		return sizes.LogDirs{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var l sizes.LogDirs
	var errs []error
	for _, b := range slices.Compact(slices.Sorted(slices.Values(brokers))) {
		if !f.live(b) {
			errs = append(errs, fmt.Errorf("broker %d: not live", b))
			continue
		}
		for _, d := range f.dirNames {
			l.Add(sizes.Dir{Broker: b, Path: d, TotalBytes: sizes.Unknown, UsableBytes: sizes.Unknown})
		}
		for _, tp := range slices.SortedFunc(maps.Keys(f.parts), cluster.TopicPartition.Compare) {
			if !f.presentLocked(b, tp) || tps != nil && !slices.Contains(tps, tp) {
				continue
			}
			d, size := f.presentDirLocked(b, tp), f.sizes[tp]
			if !f.hostsLocked(b, tp) {
				size = f.copiedLocked(b, tp)
			}
			l.AddReplica(tp, sizes.Replica{Broker: b, Dir: d.Dir, Size: size})
			if d.Future != "" {
				l.AddReplica(tp, sizes.Replica{Broker: b, Dir: d.Future, Size: f.copiedLocked(b, tp), Future: true})
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return l, fmt.Errorf("replica sizes (DescribeLogDirs): %w", err)
	}
	return l, nil
}
