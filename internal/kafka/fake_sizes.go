package kafka

import (
	"context"
	"slices"
	"sync"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// FakeSizes is a ReplicaSizer for tests, over a Fake: every replica holds
// Size bytes, but those an in-flight reassignment adds, which grow by Step
// on each call from the call that first sees them. The call that finds
// every one of them full completes the Fake's reassignments, as a cluster
// does once the new replicas caught up. Like a broker, it answers for the
// partitions asked for only, and records what each call asked (Asked).
type FakeSizes struct {
	Fake       *Fake
	Size, Step int64

	mu    sync.Mutex
	Calls int
	// Asked holds each call's partitions (nil: every partition).
	Asked [][]cluster.TopicPartition
	seen  map[cluster.TopicPartition]int // calls since the partition was first seen moving
}

var _ ReplicaSizer = (*FakeSizes)(nil)

func (s *FakeSizes) ReplicaSizes(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error) {
	st, err := s.Fake.State(ctx, nil)
	if err != nil {
		return sizes.LogDirs{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls++
	s.Asked = append(s.Asked, slices.Clone(tps))
	if s.seen == nil {
		s.seen = map[cluster.TopicPartition]int{}
	}
	var l sizes.LogDirs
	for _, b := range brokers {
		l.Add(sizes.Dir{Broker: b, Path: "/data", TotalBytes: sizes.Unknown, UsableBytes: sizes.Unknown})
	}
	full, moving := true, false
	for _, p := range st.Partitions {
		if tps != nil && !slices.Contains(tps, p.TP()) {
			continue
		}
		for _, b := range p.Replicas {
			l.AddReplica(p.TP(), sizes.Replica{Broker: b, Dir: "/data", Size: s.Size})
		}
		adding, _ := p.Moves()
		if len(adding) == 0 {
			continue
		}
		moving = true
		s.seen[p.TP()]++
		have := min(s.Size, int64(s.seen[p.TP()])*s.Step)
		full = full && have == s.Size
		for _, b := range adding {
			l.AddReplica(p.TP(), sizes.Replica{Broker: b, Dir: "/data", Size: have})
		}
	}
	if moving && full {
		s.Fake.Complete()
	}
	return l, nil
}

// WithSizer returns cl with s as its Capabilities' Sizer (tests: a Fake
// that reports replica sizes).
func WithSizer(cl Cluster, s ReplicaSizer) Cluster { return sizedCluster{cl, s} }

type sizedCluster struct {
	Cluster
	sizer ReplicaSizer
}

func (c sizedCluster) Capabilities() Capabilities {
	cp := c.Cluster.Capabilities()
	cp.Sizer = c.sizer
	return cp
}
