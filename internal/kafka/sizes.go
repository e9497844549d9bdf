package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// ErrNoSizes says the cluster cannot report replica sizes: Kafka before 1.0
// has no DescribeLogDirs, and without --bootstrap-server there is no broker
// to ask.
var ErrNoSizes = errors.New("the cluster cannot report replica sizes")

// ReadSizes asks brokers for their log directories and the size of every
// replica in them (DescribeLogDirs, Kafka 1.0+), and, from Kafka 3.3, the
// size and free space of each directory's volume. It needs bootstrap
// servers, also on the ZooKeeper path. A broker that cannot be asked is
// left out of the result and named in the returned error (wrapping each
// broker's); the result then holds the others. An error wrapping
// ErrNoSizes means no broker can be asked.
func ReadSizes(ctx context.Context, o Options, brokers []int32) (sizes.LogDirs, error) {
	kc, err := sizesClient(ctx, o)
	if err != nil {
		return sizes.LogDirs{}, err
	}
	defer kc.Close()
	return describeSizes(ctx, kc, brokers, nil, o.timeout())
}

// sizesClient opens a franz-go client to the bootstrap servers for
// DescribeLogDirs, after checking that the brokers have it (Kafka 1.0+).
// An error wrapping ErrNoSizes means they cannot report sizes.
func sizesClient(ctx context.Context, o Options) (*kgo.Client, error) {
	if len(o.BootstrapServers) == 0 {
		return nil, fmt.Errorf("%w: replica sizes come from the brokers (DescribeLogDirs); add --bootstrap-server to --zookeeper", ErrNoSizes)
	}
	sec, err := LoadCommandConfig(o.CommandConfig)
	if err != nil {
		return nil, err
	}
	v, err := detectVersion(ctx, o, sec)
	if err != nil {
		return nil, fmt.Errorf("replica sizes: %w", explainConnect(ctx, o, sec, err))
	}
	if !v.IsAtLeast(sarama.V1_0_0_0) {
		return nil, fmt.Errorf("%w: brokers at %v run Kafka %s, which has no DescribeLogDirs (it came with Kafka 1.0); "+
			"the plan counts replicas only", ErrNoSizes, o.BootstrapServers, versionName(v))
	}
	kc, err := kgo.NewClient(kgoOptions(o.BootstrapServers, sec, o.timeout(), o.logger())...)
	if err != nil {
		return nil, fmt.Errorf("replica sizes: open a franz-go client for %v: %w", o.BootstrapServers, err)
	}
	return kc, nil
}

// describeSizes sends one DescribeLogDirs request for the partitions tps
// (every partition when nil) to each broker, in parallel.
func describeSizes(ctx context.Context, kc *kgo.Client, brokers []int32, tps []cluster.TopicPartition, timeout time.Duration) (sizes.LogDirs, error) {
	brokers = slices.Compact(slices.Sorted(slices.Values(brokers)))
	resps := make([]*kmsg.DescribeLogDirsResponse, len(brokers))
	errs := make([]error, len(brokers))
	topics := logDirsTopics(tps)
	var wg sync.WaitGroup
	for i, b := range brokers {
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			req := kmsg.NewPtrDescribeLogDirsRequest()
			req.Topics = topics
			kresp, err := kc.Broker(int(b)).RetriableRequest(rctx, req)
			if err == nil {
				resps[i] = kresp.(*kmsg.DescribeLogDirsResponse)
				err = codeErr(resps[i].ErrorCode)
			}
			if err != nil {
				errs[i] = fmt.Errorf("broker %d: %w", b, err)
			}
		})
	}
	wg.Wait()
	var l sizes.LogDirs
	for i, b := range brokers {
		if errs[i] == nil {
			addLogDirs(&l, b, resps[i])
		}
	}
	if err := errors.Join(errs...); err != nil {
		return l, fmt.Errorf("replica sizes (DescribeLogDirs): %w", err)
	}
	return l, nil
}

// logDirsTopics is DescribeLogDirs' topic list for tps: nil (which Kafka
// reads as every partition) when tps is nil, else one entry per topic with
// its partitions, sorted; an empty list asks for the directories alone.
func logDirsTopics(tps []cluster.TopicPartition) []kmsg.DescribeLogDirsRequestTopic {
	if tps == nil {
		return nil
	}
	byTopic := map[string][]int32{}
	for _, tp := range tps {
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	topics := make([]kmsg.DescribeLogDirsRequestTopic, 0, len(byTopic))
	for _, t := range slices.Sorted(maps.Keys(byTopic)) {
		topics = append(topics, kmsg.DescribeLogDirsRequestTopic{Topic: t,
			Partitions: slices.Compact(slices.Sorted(slices.Values(byTopic[t])))})
	}
	return topics
}

// addLogDirs adds one broker's DescribeLogDirs answer to l. Total and
// usable bytes are read from version 4 (Kafka 3.3) on; older answers, and
// brokers that do not know them, leave them sizes.Unknown.
func addLogDirs(l *sizes.LogDirs, broker int32, resp *kmsg.DescribeLogDirsResponse) {
	l.Answer(broker)
	for _, d := range resp.Dirs {
		dir := sizes.Dir{Broker: broker, Path: d.Dir, TotalBytes: sizes.Unknown, UsableBytes: sizes.Unknown}
		if err := codeErr(d.ErrorCode); err != nil {
			dir.Error = err.Error()
		}
		if resp.Version >= 4 && d.TotalBytes >= 0 && d.UsableBytes >= 0 {
			dir.TotalBytes, dir.UsableBytes = d.TotalBytes, d.UsableBytes
		}
		l.Add(dir)
		for _, t := range d.Topics {
			for _, p := range t.Partitions {
				l.AddReplica(cluster.TopicPartition{Topic: t.Topic, Partition: p.Partition},
					sizes.Replica{Broker: broker, Dir: d.Dir, Size: p.Size, OffsetLag: p.OffsetLag, Future: p.IsFuture})
			}
		}
	}
}

// ReplicaSizes implements the replica sizer on the Admin API path:
// DescribeLogDirs for tps (every partition when nil), through the
// cluster's franz-go client.
func (a *adminCluster) ReplicaSizes(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error) {
	kc, err := a.franz(ctx)
	if err != nil {
		return sizes.LogDirs{}, fmt.Errorf("replica sizes: %w", err)
	}
	return describeSizes(ctx, kc, brokers, tps, a.timeout)
}
