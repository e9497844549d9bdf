package kafka

import (
	"context"
	"errors"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// zkSizer gives the ZooKeeper path replica sizes through the same
// cluster's brokers (DescribeLogDirs, Kafka 1.0+), when their addresses are
// given beside --zookeeper: batch order, verify's bytes remaining and the
// progress in bytes then work as on the Admin API path. ZooKeeper itself
// knows no sizes. One franz-go client, opened on first use, serves every
// read; brokers found unable to report sizes (Kafka 0.9) are not asked
// again.
type zkSizer struct {
	o       Options
	mu      sync.Mutex
	kc      *kgo.Client
	noSizes error // wraps ErrNoSizes once the brokers said they cannot
}

var _ ReplicaSizer = (*zkSizer)(nil)

func (s *zkSizer) ReplicaSizes(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error) {
	kc, err := s.client(ctx)
	if err != nil {
		return sizes.LogDirs{}, err
	}
	return describeSizes(ctx, kc, brokers, tps, s.o.timeout())
}

func (s *zkSizer) client(ctx context.Context) (*kgo.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.kc != nil:
		return s.kc, nil
	case s.noSizes != nil:
		return nil, s.noSizes
	}
	kc, err := sizesClient(ctx, s.o)
	if errors.Is(err, ErrNoSizes) {
		s.noSizes = err
	}
	if err != nil {
		return nil, err
	}
	s.kc = kc
	return kc, nil
}

func (s *zkSizer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kc != nil {
		s.kc.Close()
		s.kc = nil
	}
}
