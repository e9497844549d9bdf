package sizes

import "github.com/fdud/fdud/internal/cluster"

// Offsets is what brokers report of partitions' offsets (ListOffsets):
// each partition's log start offset, from its leader, and each replica's
// log end offset, from the replica's own broker. Where sizes are unknown
// (Kafka 0.9, and the ZooKeeper path without the brokers' addresses have
// no DescribeLogDirs) they measure a copy in messages instead of bytes.
type Offsets struct {
	Start map[cluster.TopicPartition]int64
	End   map[cluster.TopicPartition]map[int32]int64
}

// SetStart records tp's log start offset.
func (o *Offsets) SetStart(tp cluster.TopicPartition, offset int64) {
	if o.Start == nil {
		o.Start = map[cluster.TopicPartition]int64{}
	}
	o.Start[tp] = offset
}

// SetEnd records the log end offset of broker's replica of tp.
func (o *Offsets) SetEnd(tp cluster.TopicPartition, broker int32, offset int64) {
	if o.End == nil {
		o.End = map[cluster.TopicPartition]map[int32]int64{}
	}
	if o.End[tp] == nil {
		o.End[tp] = map[int32]int64{}
	}
	o.End[tp][broker] = offset
}

// end is the log end offset of broker's replica of tp, if reported.
func (o Offsets) end(tp cluster.TopicPartition, broker int32) (int64, bool) {
	off, ok := o.End[tp][broker]
	return off, ok
}

// MessageProgress is CopyProgress in messages, for when no sizes are
// known: for each replica the partitions add, the messages its new broker
// holds (its log end offset less the partition's log start offset) out of
// the messages the leader holds (the leader's log end offset less the log
// start offset; a follower never holds more, and one that reports more,
// as a leader moved, counts as full). Offsets count messages, as a follower
// copies them from the log start offset up (control records of
// transactions and gaps left by compaction make them an approximation).
// A partition whose leader or log start offset is unknown is Unknown; an
// adding replica its broker does not report yet (not created) holds
// nothing. Log-dir moves are not counted: they happen only on the Admin API
// path, which knows sizes. The result has Messages set. It is pure.
func MessageProgress(parts []Copying, o Offsets) Copied {
	c := Copied{Messages: true}
	for _, p := range parts {
		if len(p.Adding) == 0 {
			continue
		}
		start, okStart := o.Start[p.TP]
		leo, okLeader := o.end(p.TP, p.Leader)
		if !okStart || !okLeader || p.Leader < 0 {
			c.Unknown++
			continue
		}
		c.Counted++
		total := max(leo-start, 0)
		for _, b := range p.Adding {
			have := total
			if !p.Complete {
				have = 0
				if end, ok := o.end(p.TP, b); ok {
					have = min(max(end-start, 0), total)
				}
			}
			c.Done += have
			c.Total += total
		}
	}
	return c
}
