package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"sync"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// OffsetReader reads partitions' offsets from the brokers that hold them
// (ListOffsets), for progress in messages where sizes are unknown (Kafka
// 0.9, the ZooKeeper path without --bootstrap-server; see
// sizes.MessageProgress). Both paths implement it, on every release.
type OffsetReader interface {
	// ReplicaOffsets asks each partition's leader (leaders) for its log
	// start offset and its own log end offset, and each broker of
	// replicas for the log end offset of its replica. A replica its broker
	// does not hold (yet), or a broker that could not be asked, is left
	// out; the brokers that could not be asked are named in the returned
	// error, beside the offsets of the others.
	ReplicaOffsets(ctx context.Context, leaders map[cluster.TopicPartition]int32,
		replicas map[cluster.TopicPartition][]int32) (sizes.Offsets, error)
}

// debuggingReplicaID is Kafka's DEBUGGING_REPLICA_ID. ListOffsets sent with
// it is answered by any replica, not only the leader, from its own log: the
// latest offset is that replica's log end offset (not the high watermark a
// consumer gets). Brokers have allowed it since before Kafka 0.9.
const debuggingReplicaID = -2

// ReplicaOffsets implements OffsetReader over the sarama client's
// connections to the brokers: per broker, one request for the log end
// offsets of what it holds or leads, and one for the log start offsets of
// what it leads, brokers in parallel. Partitions a broker answered with an
// error are logged at debug level.
func (a *adminCluster) ReplicaOffsets(ctx context.Context, leaders map[cluster.TopicPartition]int32,
	replicas map[cluster.TopicPartition][]int32) (sizes.Offsets, error) {
	// Per broker, the partitions to ask about (a set: a leader may be
	// named among the replicas too).
	latest, earliest := map[int32]map[cluster.TopicPartition]bool{}, map[int32][]cluster.TopicPartition{}
	ask := func(b int32, tp cluster.TopicPartition) {
		if latest[b] == nil {
			latest[b] = map[cluster.TopicPartition]bool{}
		}
		latest[b][tp] = true
	}
	for tp, b := range leaders {
		ask(b, tp)
		earliest[b] = append(earliest[b], tp)
	}
	for tp, bs := range replicas {
		for _, b := range bs {
			ask(b, tp)
		}
	}
	brokers := slices.Sorted(maps.Keys(latest))
	var (
		mu   sync.Mutex
		o    sizes.Offsets
		errs = make([]error, len(brokers))
		wg   sync.WaitGroup
	)
	for i, b := range brokers {
		wg.Go(func() {
			err := a.onBroker(ctx, b, func(sb *sarama.Broker) error {
				end, err := a.listOffsets(sb, slices.Collect(maps.Keys(latest[b])), sarama.OffsetNewest)
				if err != nil {
					return err
				}
				start, err := a.listOffsets(sb, earliest[b], sarama.OffsetOldest)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				for tp, off := range end {
					o.SetEnd(tp, b, off)
				}
				for tp, off := range start {
					o.SetStart(tp, off)
				}
				return nil
			})
			if err != nil {
				errs[i] = fmt.Errorf("broker %d: %w", b, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("replica offsets (ListOffsets): %w", err)
	}
	return o, nil
}

// listOffsets asks one broker for the offset at time (sarama.OffsetNewest:
// its log end offset; sarama.OffsetOldest: its log start offset) of its
// replicas of tps, as the debugging replica. A partition the broker
// answers with an error is left out: it holds no replica (yet:
// UNKNOWN_TOPIC_OR_PARTITION; or no more: REPLICA_NOT_AVAILABLE, seen on
// Kafka 0.9 from a leader whose replica a reassignment had just removed).
func (a *adminCluster) listOffsets(b *sarama.Broker, tps []cluster.TopicPartition, time int64) (map[cluster.TopicPartition]int64, error) {
	if len(tps) == 0 {
		return nil, nil
	}
	req := sarama.NewOffsetRequest(a.version)
	req.SetReplicaID(debuggingReplicaID)
	for _, tp := range tps {
		req.AddBlock(tp.Topic, tp.Partition, time, 1) // one offset: version 0 (Kafka 0.9) returns a list
	}
	resp, err := b.GetAvailableOffsets(req)
	if err != nil {
		return nil, err
	}
	out := map[cluster.TopicPartition]int64{}
	for _, tp := range tps {
		switch blk := resp.GetBlock(tp.Topic, tp.Partition); {
		case blk == nil:
			a.log.Debug("no offset in the answer", "broker", b.ID(), "partition", tp.String(), "time", time)
		case blk.Err != sarama.ErrNoError || len(blk.Offsets) == 0:
			a.log.Debug("no offset", "broker", b.ID(), "partition", tp.String(), "time", time, "err", blk.Err)
		default:
			out[tp] = blk.Offsets[0]
		}
	}
	return out, nil
}

// zkOffsets gives the ZooKeeper path the brokers' offsets through a sarama
// client to the same cluster's brokers, opened on first use: at the
// addresses given beside --zookeeper, else at those the brokers register in
// ZooKeeper, with --command-config's security settings. It works on every
// release, Kafka 0.9 included. A failed connection is not tried again: the
// addresses brokers register may not be reachable from where fdud runs, and
// each poll would wait for the connection to time out again (progress then
// counts partitions only); once connected, sarama's client reconnects to a
// broker that restarts.
type zkOffsets struct {
	z      *zkCluster
	o      Options // ZooKeeper cleared
	mu     sync.Mutex
	a      *adminCluster
	failed error
}

var (
	_ OffsetReader = (*zkOffsets)(nil)
	_ OffsetReader = (*adminCluster)(nil)
)

func (s *zkOffsets) ReplicaOffsets(ctx context.Context, leaders map[cluster.TopicPartition]int32,
	replicas map[cluster.TopicPartition][]int32) (sizes.Offsets, error) {
	a, err := s.client(ctx)
	if err != nil {
		return sizes.Offsets{}, fmt.Errorf("replica offsets: %w", err)
	}
	return a.ReplicaOffsets(ctx, leaders, replicas)
}

func (s *zkOffsets) client(ctx context.Context) (*adminCluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.a != nil:
		return s.a, nil
	case s.failed != nil:
		return nil, s.failed
	}
	a, err := s.connect(ctx)
	if err != nil && ctx.Err() == nil {
		s.failed = fmt.Errorf("%w (not tried again)", err)
	}
	s.a = a
	return a, err
}

// connect opens the client, within the timeout of one request.
func (s *zkOffsets) connect(ctx context.Context) (*adminCluster, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.timeout())
	defer cancel()
	o := s.o
	if len(o.BootstrapServers) == 0 {
		bs, err := s.z.Brokers(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the brokers' addresses from ZooKeeper: %w", err)
		}
		for _, b := range bs {
			o.BootstrapServers = append(o.BootstrapServers, net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))))
		}
		if len(o.BootstrapServers) == 0 {
			return nil, errors.New("no broker registered in ZooKeeper")
		}
	}
	return connectBrokers(ctx, o)
}

func (s *zkOffsets) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.a != nil {
		s.a.Close()
		s.a = nil
	}
}
