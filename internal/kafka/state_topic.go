package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

// StateTopicName is the compacted topic where fdud keeps the state every
// host must see on the Admin API path (package clusterstate): the cluster
// lock, throttle records and published domains.
const StateTopicName = cluster.StateTopic

// StateTopic is a small key-value log in a compacted topic of one
// partition, where the last record of each key is its value and a record
// with a nil value (a tombstone) deletes the key. Every write is
// acknowledged by all in-sync replicas (acks=all, min.insync.replicas 2
// when the topic has 2 replicas or more) before it returns, and a read
// returns every write acknowledged before the read began, from whichever
// host: the partition's leader orders all writes in one sequence (offsets),
// which the cluster lock relies on. The Admin API path implements it; the
// ZooKeeper path does not (ZooKeeper holds that state there).
type StateTopic interface {
	// EnsureStateTopic creates the topic when it is missing: 1 partition,
	// cleanup.policy=compact, replication factor min(3, live brokers),
	// min.insync.replicas min(2, replication factor), broker timestamps
	// (LogAppendTime), no unclean leader election. It then waits for the
	// partition's leader. An existing topic is checked, not changed: one
	// that is not compacted would lose records, and is refused.
	EnsureStateTopic(ctx context.Context, topic string) error
	// HasStateTopic reports whether the topic exists, without creating it.
	HasStateTopic(ctx context.Context, topic string) (bool, error)
	// ReadState reads the topic from its oldest record to the high-water
	// mark taken when the call begins and returns the last value of each
	// key, without deleted keys, sorted by offset. A missing topic has no
	// records: reading never creates it (a read-only check such as
	// fdud verify --all must not change the cluster).
	ReadState(ctx context.Context, topic string) ([]StateRecord, error)
	// WriteState appends a record; a nil value deletes the key. It returns
	// the record's offset once every in-sync replica has it. It is sent
	// once, never retried: a record written twice could change the order of
	// keys once compaction keeps only the later copy. An error leaves it
	// unknown whether the record was written.
	WriteState(ctx context.Context, topic, key string, value []byte) (int64, error)
}

// StateRecord is the last value of one key of a state topic.
type StateRecord struct {
	Key    string
	Value  []byte
	Offset int64
	// Time is the record's timestamp: the broker's clock when the record
	// was appended (LogAppendTime) in a topic EnsureStateTopic created.
	Time time.Time
}

// StateTopicOf returns c's state topic access (Capabilities.StateTopic),
// or nil when c's path keeps fdud's state elsewhere (or c is nil).
func StateTopicOf(c Cluster) StateTopic {
	if c == nil {
		return nil
	}
	return c.Capabilities().StateTopic
}

var _ StateTopic = (*adminCluster)(nil)

// stateTopicConfigs are the configs of a new state topic, minus
// min.insync.replicas. Segments roll hourly so that compaction, which
// never touches the active segment, keeps reads short; tombstones stay a
// day.
var stateTopicConfigs = map[string]string{
	"cleanup.policy":                 "compact",
	"message.timestamp.type":         "LogAppendTime",
	"unclean.leader.election.enable": "false",
	"segment.ms":                     "3600000",
	"min.cleanable.dirty.ratio":      "0.1",
	"delete.retention.ms":            "86400000",
}

// stateTopicExists reports whether the topic exists, with the metadata
// that says so (nil when the name is not a legal topic name).
func (a *adminCluster) stateTopicExists(ctx context.Context, topic string) (bool, *sarama.MetadataResponse, error) {
	if !legalTopic.MatchString(topic) {
		return false, nil, fmt.Errorf("state topic: bad name %q", topic)
	}
	// The metadata request asks for no automatic creation (kafka.Connect
	// and NewMetadataRequest leave AllowAutoTopicCreation false).
	md, err := a.metadata(ctx, []string{topic})
	if err != nil {
		return false, nil, fmt.Errorf("state topic %s: %w", topic, err)
	}
	exists := slices.ContainsFunc(md.Topics, func(t *sarama.TopicMetadata) bool {
		return t.Name == topic && t.Err != sarama.ErrUnknownTopicOrPartition
	})
	return exists, md, nil
}

func (a *adminCluster) HasStateTopic(ctx context.Context, topic string) (bool, error) {
	exists, _, err := a.stateTopicExists(ctx, topic)
	return exists, err
}

func (a *adminCluster) EnsureStateTopic(ctx context.Context, topic string) error {
	exists, md, err := a.stateTopicExists(ctx, topic)
	if err != nil {
		return err
	}
	created := false
	// Only a missing topic is created: CreateTopics needs the Create ACL
	// even for a topic that exists.
	if !exists {
		if created, err = a.createStateTopic(ctx, topic, len(md.Brokers)); err != nil {
			return err
		}
	}
	if err := a.waitLeader(ctx, topic); err != nil {
		return err
	}
	if created {
		return nil
	}
	return a.checkStateTopic(ctx, topic)
}

// createStateTopic creates the topic; created is false when another run
// created it first.
func (a *adminCluster) createStateTopic(ctx context.Context, topic string, brokers int) (created bool, err error) {
	rf := int16(min(3, brokers))
	if rf < 1 {
		return false, fmt.Errorf("state topic %s: no live broker", topic)
	}
	configs := map[string]*string{}
	for k, v := range stateTopicConfigs {
		configs[k] = &v
	}
	isr := strconv.Itoa(int(min(2, rf)))
	configs[MinInsyncReplicas] = &isr
	detail := &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: rf, ConfigEntries: configs}
	req := sarama.NewCreateTopicsRequest(a.version, map[string]*sarama.TopicDetail{topic: detail}, a.timeout, false)
	created = true
	err = a.onController(ctx, "create state topic "+topic, func(b *sarama.Broker) error {
		resp, err := b.CreateTopics(req)
		if err != nil {
			return err
		}
		te, ok := resp.TopicErrors[topic]
		switch {
		case !ok:
			return errors.New("no answer for the topic")
		case te.Err == sarama.ErrTopicAlreadyExists:
			created = false
			return nil
		}
		return kerr(te.Err, te.ErrMsg)
	})
	if err != nil {
		return false, err
	}
	if created {
		a.log.Info("created the state topic", "topic", topic, "replication_factor", rf, "min_insync_replicas", isr)
	}
	return created, nil
}

// unready reports errors by which a broker refuses a request on a
// partition it does not lead (yet): a new topic, a leader that moved.
// Such a produce request was not appended, so sending it again cannot
// write it twice.
func unready(err error) bool {
	return errors.Is(err, sarama.ErrUnknownTopicOrPartition) || errors.Is(err, sarama.ErrNotLeaderForPartition) ||
		errors.Is(err, sarama.ErrLeaderNotAvailable) || errors.Is(err, sarama.ErrNotEnoughReplicas)
}

// whenReady runs fn again, with fresh metadata of the topic, while it
// fails with an unready error, for up to the request timeout.
func whenReady[T any](ctx context.Context, a *adminCluster, topic string, fn func() (T, error)) (T, error) {
	deadline := time.Now().Add(a.timeout)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		v, err := within(ctx, a.timeout, fn)
		if err == nil || !unready(err) || time.Now().After(deadline) {
			return v, err
		}
		a.log.Debug("state topic not ready; trying again", "topic", topic, "err", err)
		if a.wait(ctx, delay) != nil {
			return v, err
		}
		within(ctx, a.timeout, func() (struct{}, error) { return struct{}{}, a.client.RefreshMetadata(topic) })
	}
}

// checkStateTopic refuses an existing state topic that is not compacted:
// its records (a throttle record of a plan in flight) would expire.
func (a *adminCluster) checkStateTopic(ctx context.Context, topic string) error {
	cfg, err := whenReady(ctx, a, topic, func() (map[string]map[string]string, error) {
		return a.describeConfigs(ctx, TopicEntity, []string{topic})
	})
	if err != nil {
		return fmt.Errorf("state topic %s: %w", topic, err)
	}
	policy, ok := cfg[topic]["cleanup.policy"]
	if !ok {
		policy = "the broker default"
	}
	if !ok || !slices.Contains(strings.Split(policy, ","), "compact") {
		return fmt.Errorf("state topic %s exists with cleanup.policy %s, which may lose records: "+
			"set cleanup.policy=compact on it (kafka-configs.sh --alter --entity-type topics --entity-name %s --add-config cleanup.policy=compact)",
			topic, policy, topic)
	}
	return nil
}

// waitLeader waits until the topic's partition has a leader, as a new topic
// gets one shortly after creation, and loads it into the client. The broker
// the client asks may learn of a new topic later than the one that showed
// the leader: that is waited out too, for up to the request timeout.
func (a *adminCluster) waitLeader(ctx context.Context, topic string) error {
	deadline := time.Now().Add(a.timeout)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		md, err := a.metadata(ctx, []string{topic})
		if err == nil {
			for _, t := range md.Topics {
				if t.Name == topic && t.Err == sarama.ErrTopicAuthorizationFailed {
					return fmt.Errorf("state topic %s: %w (fdud needs Describe, Read, Write and DescribeConfigs on it)", topic, t.Err)
				}
				if t.Name == topic && t.Err == sarama.ErrNoError && len(t.Partitions) > 0 && t.Partitions[0].Leader >= 0 &&
					t.Partitions[0].Err != sarama.ErrLeaderNotAvailable {
					_, err = within(ctx, a.timeout, func() (struct{}, error) { return struct{}{}, a.client.RefreshMetadata(topic) })
					if err == nil || !unready(err) {
						return err
					}
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("state topic %s: not ready after %s (last error: %v)", topic, a.timeout, err)
		}
		if werr := a.wait(ctx, delay); werr != nil {
			return fmt.Errorf("state topic %s: waiting for its leader: %w (last error: %v)", topic, werr, err)
		}
	}
}

func (a *adminCluster) ReadState(ctx context.Context, topic string) ([]StateRecord, error) {
	// A missing topic has no records. Asking for its offsets would wait
	// the request timeout for a leader that never comes (whenReady).
	if exists, _, err := a.stateTopicExists(ctx, topic); err != nil || !exists {
		return nil, err
	}
	type offsets struct{ oldest, hwm int64 }
	off, err := whenReady(ctx, a, topic, func() (offsets, error) {
		hwm, err := a.client.GetOffset(topic, 0, sarama.OffsetNewest)
		if err != nil {
			return offsets{}, err
		}
		oldest, err := a.client.GetOffset(topic, 0, sarama.OffsetOldest)
		return offsets{oldest, hwm}, err
	})
	if err != nil {
		return nil, fmt.Errorf("read state topic %s: offsets: %w", topic, err)
	}
	if off.hwm <= off.oldest {
		return nil, nil
	}
	consumer, err := sarama.NewConsumerFromClient(a.client)
	if err != nil {
		return nil, fmt.Errorf("read state topic %s: %w", topic, err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, off.oldest)
	if err != nil {
		return nil, fmt.Errorf("read state topic %s: %w", topic, err)
	}
	defer pc.Close()
	last := map[string]StateRecord{}
	// The record at hwm-1 is always there: compaction never touches the
	// active segment, which holds the newest record. A read that stalls
	// fails rather than return part of the state.
	idle := time.NewTimer(a.timeout)
	defer idle.Stop()
	for next := off.oldest; next < off.hwm; {
		select {
		case msg := <-pc.Messages():
			next = msg.Offset + 1
			if msg.Value == nil {
				delete(last, string(msg.Key))
			} else {
				last[string(msg.Key)] = StateRecord{Key: string(msg.Key), Value: msg.Value, Offset: msg.Offset, Time: msg.Timestamp}
			}
			idle.Reset(a.timeout)
		case <-idle.C:
			return nil, fmt.Errorf("read state topic %s: no record for %s at offset %d, before the high-water mark %d",
				topic, a.timeout, next, off.hwm)
		case <-ctx.Done():
			return nil, fmt.Errorf("read state topic %s: %w", topic, ctx.Err())
		}
	}
	out := make([]StateRecord, 0, len(last))
	for _, r := range last {
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y StateRecord) int { return int(x.Offset - y.Offset) })
	return out, nil
}

func (a *adminCluster) WriteState(ctx context.Context, topic, key string, value []byte) (int64, error) {
	msg := &sarama.ProducerMessage{Topic: topic, Partition: 0, Key: sarama.StringEncoder(key)}
	if value != nil {
		msg.Value = sarama.ByteEncoder(value)
	}
	off, err := whenReady(ctx, a, topic, func() (int64, error) {
		p, err := sarama.NewSyncProducerFromClient(a.client)
		if err != nil {
			return 0, err
		}
		defer p.Close()
		_, off, err := p.SendMessage(msg)
		return off, err
	})
	if err != nil {
		return 0, fmt.Errorf("write %s to state topic %s: %w", key, topic, err)
	}
	return off, nil
}
