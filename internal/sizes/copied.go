package sizes

import (
	"path"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// Copying is one partition of a reassignment as the copying of its data
// sees it: the brokers gaining a replica, the log directories its kept
// replicas move into, and who leads it now (its size is the leader's
// replica, see PartitionSize).
type Copying struct {
	TP     cluster.TopicPartition
	Adding []int32 // brokers gaining a replica: planned less the original replicas
	// MovingTo holds the directory the plan names for each replica the
	// partition keeps on its broker (MovingTo): a log-dir move copies the
	// replica there, into a future replica, unless it is there already.
	MovingTo map[int32]string
	Leader   int32 // -1 when unknown
	ISR      []int32
	// Complete: the reassignment is over, so every new replica holds the
	// partition, whatever the brokers report about it right now. Log-dir
	// moves are judged from the brokers' report alone: one may go on after
	// the reassignment is over.
	Complete bool
}

// Copies reports whether the partition has data to copy: a replica to add
// or a kept replica with a planned directory.
func (c Copying) Copies() bool { return len(c.Adding) > 0 || len(c.MovingTo) > 0 }

// Copied is how far the copying of new replicas has got.
type Copied struct {
	// Done is what the new replicas hold so far (each counted up to the
	// partition's size), Total what they need in all: the partition's size
	// once per new replica. Both grow while producers write.
	Done, Total int64
	// Unknown counts the partitions still to copy whose size no broker
	// reported; they are in neither figure. Counted is the number of
	// partitions that are (a change in it is a jump in Total, not growth).
	Unknown, Counted int
	// Messages: Done and Total count messages (offsets, MessageProgress),
	// not bytes, as the brokers report no sizes.
	Messages bool
}

// Remaining is what is still to copy of the partitions with a known size.
func (c Copied) Remaining() int64 { return c.Total - c.Done }

// CopyProgress sums, for each replica the partitions add, what its new
// broker holds (its current replica, not a log-dir move's future one) out
// of the partition's size, and for each kept replica with a planned
// directory, what the log-dir move has copied (its future replica there)
// out of the current replica's size: nothing while the replica is
// elsewhere with no move towards that directory, in full once it is there
// with no future replica left (also when it was there from the start, so
// that Remaining is exact). It is pure.
//
// Bytes are the measure because they are what a throttle limits and what
// an operator waits for; what Kafka lets a tool learn of an adding replica
// (Kafka 2.4 to 4.x; checked in Kafka's source and on a 4.4.0 cluster):
//   - DescribeLogDirs: each replica's size (used here, with the leader's
//     size as the moving target: progress.Estimator counts its growth), and
//     an offset lag that says nothing for an adding replica: for a current
//     replica it is max(high watermark - log end offset, 0), always 0 as a
//     broker keeps the high watermark at or below the log end offset
//     (ReplicaManager.getLogEndOffsetLag, UnifiedLog.updateHighWatermark).
//     Only a log-dir move's future replica gets a real lag (the current
//     replica's log end offset less its own).
//   - ListOffsets, as the Admin API sends it (Admin.listOffsets, kadm),
//     goes to the leader and gives its high watermark; a follower answers
//     NOT_LEADER_OR_FOLLOWER. Sent by hand to the adding replica's broker
//     with replica id -2 (Kafka's DEBUGGING_REPLICA_ID), it answers with
//     that replica's log end offset; no Admin API call does so, and an
//     offset gap does not convert to bytes, so it is used only where
//     sizes are unknown, to count messages (MessageProgress).
//   - DescribeQuorum (KRaft) describes the metadata log's voters and
//     observers only, never a topic partition's replicas.
//   - Per-replica lag and fetch rates are JMX metrics of the brokers
//     (kafka.server:type=FetcherLagMetrics), outside the protocol.
func CopyProgress(parts []Copying, l LogDirs) Copied {
	var c Copied
	for _, p := range parts {
		if !p.Copies() {
			continue
		}
		size, known := l.PartitionSize(p.TP, p.Leader, p.ISR)
		if !known {
			c.Unknown++
			continue
		}
		c.Counted++
		for _, b := range p.Adding {
			have := size
			if !p.Complete {
				have = 0
				for _, r := range l.Replicas[p.TP] {
					if r.Broker == b && !r.Future {
						have = min(r.Size, size)
					}
				}
			}
			c.Done += have
			c.Total += size
		}
		for b, dir := range p.MovingTo {
			done, total := moved(l.Replicas[p.TP], b, dir, size)
			c.Done += done
			c.Total += total
		}
	}
	return c
}

// moved is what a log-dir move of broker's replica into dir has copied,
// of what it copies: the current replica's size (size, the partition's,
// when the broker reports only the future replica). A broker that reports
// neither counts for nothing.
func moved(rs []Replica, broker int32, dir string, size int64) (done, total int64) {
	var cur, fut *Replica
	for i, r := range rs {
		switch {
		case r.Broker != broker:
		case r.Future:
			fut = &rs[i]
		default:
			cur = &rs[i]
		}
	}
	if cur == nil && fut == nil {
		return 0, 0
	}
	total = size
	if cur != nil {
		total = cur.Size
	}
	switch {
	case fut != nil && sameDir(fut.Dir, dir):
		return min(fut.Size, total), total
	case fut == nil && sameDir(cur.Dir, dir):
		return total, total
	}
	return 0, total
}

// sameDir compares directories as paths: a plan's "/data/a/" is the
// broker's "/data/a".
func sameDir(a, b string) bool { return a != "" && b != "" && path.Clean(a) == path.Clean(b) }

// MovingTo returns the directory planned for each replica of planned that
// is in original too and has one named (dirs, the plan's log_dirs; nil or
// "any" names none): the kept replicas a log-dir move copies.
func MovingTo(planned []int32, dirs []string, original []int32) map[int32]string {
	var out map[int32]string
	for i, b := range planned {
		if i >= len(dirs) || dirs[i] == cluster.AnyLogDir || !slices.Contains(original, b) {
			continue
		}
		if out == nil {
			out = map[int32]string{}
		}
		out[b] = dirs[i]
	}
	return out
}

// Adding returns the brokers of planned that are not in original, in
// planned's order: those a reassignment copies the partition to.
func Adding(planned, original []int32) []int32 {
	var out []int32
	for _, b := range planned {
		if !slices.Contains(original, b) {
			out = append(out, b)
		}
	}
	return out
}
