// Package sizes is fdud's model of how much data a cluster holds: replica
// sizes per broker and log directory, as DescribeLogDirs or Kafka's
// kafka-log-dirs.sh reports them, and the disk capacity of each broker. It
// does no I/O beyond decoding its documents.
package sizes

import (
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// Unknown marks a byte count the broker did not report.
const Unknown = -1

// Replica is one replica as its broker reports it.
type Replica struct {
	Broker int32
	Dir    string
	Size   int64
	// OffsetLag is how far the replica's log end is behind: the high
	// watermark for a current replica, the current replica for a future one.
	OffsetLag int64
	// Future marks the copy a log-dir move is writing, not yet the replica.
	Future bool
}

// Dir is one log directory of a broker.
type Dir struct {
	Broker int32
	Path   string
	// Error is the broker's error for the directory ("" when online), e.g.
	// org.apache.kafka.common.errors.KafkaStorageException for a failed disk.
	Error string
	// TotalBytes and UsableBytes are the volume's size and free space, or
	// Unknown: Kafka reports them from 3.3 on, the tool's document never.
	TotalBytes, UsableBytes int64
}

// LogDirs is what the brokers said about their log directories.
type LogDirs struct {
	// Brokers lists the brokers that answered, sorted.
	Brokers  []int32
	Dirs     []Dir
	Replicas map[cluster.TopicPartition][]Replica
}

// Add records a directory; the broker counts as having answered.
func (l *LogDirs) Add(d Dir) {
	l.Dirs = append(l.Dirs, d)
	l.Answer(d.Broker)
}

// Answer records that broker b answered (with or without directories).
func (l *LogDirs) Answer(b int32) {
	if i, found := slices.BinarySearch(l.Brokers, b); !found {
		l.Brokers = slices.Insert(l.Brokers, i, b)
	}
}

// AddReplica records a replica.
func (l *LogDirs) AddReplica(tp cluster.TopicPartition, r Replica) {
	if l.Replicas == nil {
		l.Replicas = map[cluster.TopicPartition][]Replica{}
	}
	l.Replicas[tp] = append(l.Replicas[tp], r)
}

// Answered reports whether broker b reported its log directories.
func (l LogDirs) Answered(b int32) bool {
	_, found := slices.BinarySearch(l.Brokers, b)
	return found
}

// PartitionSize is the size of a partition: its leader's replica, or else
// the largest of its in-sync replicas. leader is -1 and isr nil when they
// are not known (an offline document): then the largest replica that is not
// behind (offset lag 0) counts, or failing that the largest. Future replicas
// never count. ok is false when no broker reported a replica.
func (l LogDirs) PartitionSize(tp cluster.TopicPartition, leader int32, isr []int32) (size int64, ok bool) {
	var best, caughtUp, inSync int64 = -1, -1, -1
	for _, r := range l.Replicas[tp] {
		if r.Future {
			continue
		}
		if r.Broker == leader {
			return r.Size, true
		}
		best = max(best, r.Size)
		if r.OffsetLag == 0 {
			caughtUp = max(caughtUp, r.Size)
		}
		if slices.Contains(isr, r.Broker) {
			inSync = max(inSync, r.Size)
		}
	}
	switch {
	case inSync >= 0:
		return inSync, true
	case isr == nil && caughtUp >= 0:
		return caughtUp, true
	case best >= 0:
		return best, true
	}
	return 0, false
}

// Used is the bytes on broker b's disks: total less usable space over its
// online directories when the broker reports both (so that anything else on
// the volumes counts), else the sum of its replicas, future ones included.
// Directories on one volume are counted once.
func (l LogDirs) Used(b int32) int64 {
	if total, usable, ok := l.volumes(b); ok {
		return total - usable
	}
	var sum int64
	for _, rs := range l.Replicas {
		for _, r := range rs {
			if r.Broker == b {
				sum += r.Size
			}
		}
	}
	return sum
}

// ReportedCapacity is the size of broker b's online log directories, when
// the broker reports it for every one of them (Kafka 3.3+).
func (l LogDirs) ReportedCapacity(b int32) (int64, bool) {
	total, _, ok := l.volumes(b)
	return total, ok
}

// volumes sums total and usable bytes over b's online directories; ok only
// when every one reports both. Two directories with the same figures are
// taken to share a volume.
func (l LogDirs) volumes(b int32) (total, usable int64, ok bool) {
	type vol struct{ t, u int64 }
	seen := map[vol]bool{}
	n := 0
	for _, d := range l.Dirs {
		if d.Broker != b || d.Error != "" {
			continue
		}
		if d.TotalBytes < 0 || d.UsableBytes < 0 {
			return 0, 0, false
		}
		n++
		v := vol{d.TotalBytes, d.UsableBytes}
		if !seen[v] {
			seen[v] = true
			total += d.TotalBytes
			usable += d.UsableBytes
		}
	}
	return total, usable, n > 0
}

// Usage is what the planner needs to know about data: partition sizes and,
// per broker, the bytes on disk and the capacity (where known).
type Usage struct {
	// Partitions holds the size of every partition with a known size.
	Partitions map[cluster.TopicPartition]int64
	// Used and Capacity are per broker; a broker missing from Capacity has
	// no known capacity (and no disk limit).
	Used     map[int32]int64
	Capacity map[int32]int64
	// Unsized counts the partitions of the assignment no broker reported.
	Unsized int
}

// Leadership gives a partition's leader (-1 when unknown) and in-sync
// replicas (nil when unknown).
type Leadership func(tp cluster.TopicPartition) (leader int32, isr []int32)

// NewUsage sums up l for the partitions of a: their sizes (leaders from lead,
// nil for none known), each broker's bytes on disk (for a broker that did not
// answer, the sizes of the partitions it holds) and its capacity: the one
// given in capacity, else the one the broker reports.
func NewUsage(l LogDirs, a cluster.Assignment, capacity Capacity, lead Leadership) Usage {
	u := Usage{
		Partitions: make(map[cluster.TopicPartition]int64, len(a.Partitions)),
		Used:       map[int32]int64{},
		Capacity:   map[int32]int64{},
	}
	brokers := slices.Clone(l.Brokers)
	held := map[int32]int64{} // for brokers that did not answer: their partitions' sizes
	for _, p := range a.Partitions {
		leader, isr := int32(-1), []int32(nil)
		if lead != nil {
			leader, isr = lead(p.TP())
		}
		brokers = append(brokers, p.Replicas...)
		size, ok := l.PartitionSize(p.TP(), leader, isr)
		if !ok {
			u.Unsized++
			continue
		}
		u.Partitions[p.TP()] = size
		for _, b := range p.Replicas {
			held[b] += size
		}
	}
	slices.Sort(brokers)
	for _, b := range slices.Compact(brokers) {
		if l.Answered(b) {
			u.Used[b] = l.Used(b)
		} else {
			u.Used[b] = held[b]
		}
		if c, ok := capacity.Of(b); ok {
			u.Capacity[b] = c
		} else if c, ok := l.ReportedCapacity(b); ok {
			u.Capacity[b] = c
		}
	}
	return u
}

// Size returns a partition's size, 0 when unknown.
func (u *Usage) Size(tp cluster.TopicPartition) int64 {
	if u == nil {
		return 0
	}
	return u.Partitions[tp]
}

// StateLeadership gives each partition's leader and ISR as a live cluster
// reported them in s.
func StateLeadership(s *cluster.State) Leadership {
	idx := make(map[cluster.TopicPartition]int, len(s.Partitions))
	for i, p := range s.Partitions {
		idx[p.TP()] = i
	}
	return func(tp cluster.TopicPartition) (int32, []int32) {
		i, ok := idx[tp]
		if !ok {
			return -1, nil
		}
		p := s.Partitions[i]
		isr := p.ISR
		if isr == nil {
			isr = []int32{}
		}
		return p.Leader, isr
	}
}
