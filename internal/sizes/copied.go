package sizes

import (
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// Copying is one partition of a reassignment as the copying of its data
// sees it: the brokers gaining a replica, and who leads it now (its size is
// the leader's replica, see PartitionSize).
type Copying struct {
	TP     cluster.TopicPartition
	Adding []int32 // brokers gaining a replica: planned less the original replicas
	Leader int32   // -1 when unknown
	ISR    []int32
	// Complete: the reassignment is over, so every new replica holds the
	// partition, whatever the brokers report about it right now.
	Complete bool
}

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
}

// Remaining is what is still to copy of the partitions with a known size.
func (c Copied) Remaining() int64 { return c.Total - c.Done }

// CopyProgress sums, for each replica the partitions add, what its new
// broker holds (its current replica, not a log-dir move's future one) out
// of the partition's size. It is pure.
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
//     offset gap does not convert to bytes, so it is not used.
//   - DescribeQuorum (KRaft) describes the metadata log's voters and
//     observers only, never a topic partition's replicas.
//   - Per-replica lag and fetch rates are JMX metrics of the brokers
//     (kafka.server:type=FetcherLagMetrics), outside the protocol.
func CopyProgress(parts []Copying, l LogDirs) Copied {
	var c Copied
	for _, p := range parts {
		if len(p.Adding) == 0 {
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
	}
	return c
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
