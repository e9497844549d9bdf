package testenv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// SaramaConfig is a client configuration that works against Kafka 0.9.0.1:
// protocol version 0.9 and no ApiVersionsRequest (0.9 predates it), producer
// acks=all with generous retries so that a broker kill is ridden out.
func SaramaConfig() *sarama.Config { return saramaConfig(Legacy) }

// SaramaConfig is a client configuration for this cluster's release: Kafka
// 0.9's (see the package-level SaramaConfig), or protocol 2.4 with
// ApiVersionsRequest for the modern releases (Kafka 4 no longer serves the
// oldest request versions).
func (k *Kafka) SaramaConfig() *sarama.Config { return saramaConfig(k.Version) }

func saramaConfig(v KafkaVersion) *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "fdud-testenv"
	c.Version = sarama.V0_9_0_1
	c.ApiVersionsRequest = false
	if !v.IsLegacy() {
		c.Version = sarama.V2_4_0_0
		c.ApiVersionsRequest = true
	}
	c.Net.DialTimeout = 5 * time.Second
	c.Net.ReadTimeout = 10 * time.Second
	c.Net.WriteTimeout = 10 * time.Second
	c.Metadata.Retry.Max = 30
	c.Metadata.Retry.Backoff = 200 * time.Millisecond
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Retry.Max = 30
	c.Producer.Retry.Backoff = 200 * time.Millisecond
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	c.Consumer.Return.Errors = true
	c.Consumer.MaxWaitTime = 100 * time.Millisecond
	c.Consumer.Retry.Backoff = 200 * time.Millisecond
	return c
}

// Client returns a sarama client for the running brokers, closed when the
// test ends.
func (k *Kafka) Client(t testing.TB) sarama.Client {
	t.Helper()
	c, err := sarama.NewClient(strings.Split(k.RunningBootstrap(), ","), k.SaramaConfig())
	if err != nil {
		t.Fatalf("kafka client for %s: %v", k.RunningBootstrap(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Produce writes the messages to the topic, spread over its partitions
// round-robin, and returns when every one is acknowledged by all in-sync
// replicas.
func (k *Kafka) Produce(t testing.TB, topic string, messages []string) {
	t.Helper()
	cfg := k.SaramaConfig()
	p, err := sarama.NewSyncProducer(strings.Split(k.RunningBootstrap(), ","), cfg)
	if err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
	defer p.Close()
	const batch = 500
	for len(messages) > 0 {
		n := min(batch, len(messages))
		msgs := make([]*sarama.ProducerMessage, n)
		for i, m := range messages[:n] {
			msgs[i] = &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(m)}
		}
		if err := p.SendMessages(msgs); err != nil {
			var perrs sarama.ProducerErrors
			if errors.As(err, &perrs) && len(perrs) > 0 {
				t.Fatalf("produce to %s: %d of %d messages failed, first: %v", topic, len(perrs), n, perrs[0].Err)
			}
			t.Fatalf("produce to %s: %v", topic, err)
		}
		messages = messages[n:]
	}
}

// Consume reads the topic from the oldest offset of every partition up to
// its high-water mark, waiting (up to 60 s) until there are at least n
// messages, and returns all of them: partition by partition, in offset
// order. Fewer than n after the wait fails the test.
func (k *Kafka) Consume(t testing.TB, topic string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []string
	err := poll(ctx, func() (bool, error) {
		var err error
		got, err = k.consumeAll(ctx, topic)
		if err != nil {
			t.Logf("consume %s: %v (retrying)", topic, err)
			return false, nil
		}
		return len(got) >= n, nil
	})
	if err != nil {
		t.Fatalf("consume %s: got %d of %d messages: %v", topic, len(got), n, err)
	}
	return got
}

// ConsumeAll returns every message now below the high-water marks of the
// topic's partitions, partition by partition, in offset order.
func (k *Kafka) ConsumeAll(t testing.TB, topic string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := k.consumeAll(ctx, topic)
	if err != nil {
		t.Fatalf("consume %s: %v", topic, err)
	}
	return got
}

func (k *Kafka) consumeAll(ctx context.Context, topic string) ([]string, error) {
	client, err := sarama.NewClient(strings.Split(k.RunningBootstrap(), ","), k.SaramaConfig())
	if err != nil {
		return nil, err
	}
	defer client.Close()
	return ReadTopic(ctx, client, topic)
}

// ReadTopic reads every message of every partition of topic, from the oldest
// offset up to the high-water mark as it was when reading began.
func ReadTopic(ctx context.Context, client sarama.Client, topic string) ([]string, error) {
	partitions, err := client.Partitions(topic)
	if err != nil {
		return nil, fmt.Errorf("partitions of %s: %w", topic, err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	out := make([][]string, len(partitions))
	errs := make([]error, len(partitions))
	var wg sync.WaitGroup
	for i, p := range partitions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = readPartition(ctx, client, consumer, topic, p)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var all []string
	for _, msgs := range out {
		all = append(all, msgs...)
	}
	return all, nil
}

func readPartition(ctx context.Context, client sarama.Client, consumer sarama.Consumer, topic string, p int32) ([]string, error) {
	oldest, err := client.GetOffset(topic, p, sarama.OffsetOldest)
	if err != nil {
		return nil, fmt.Errorf("%s-%d: oldest offset: %w", topic, p, err)
	}
	hwm, err := client.GetOffset(topic, p, sarama.OffsetNewest)
	if err != nil {
		return nil, fmt.Errorf("%s-%d: newest offset: %w", topic, p, err)
	}
	if hwm <= oldest {
		return nil, nil
	}
	pc, err := consumer.ConsumePartition(topic, p, oldest)
	if err != nil {
		return nil, fmt.Errorf("%s-%d: consume from %d: %w", topic, p, oldest, err)
	}
	defer pc.Close()
	var msgs []string
	for {
		select {
		case m := <-pc.Messages():
			msgs = append(msgs, string(m.Value))
			if m.Offset >= hwm-1 {
				return msgs, nil
			}
		case err := <-pc.Errors():
			return nil, fmt.Errorf("%s-%d: %w", topic, p, err)
		case <-ctx.Done():
			return nil, fmt.Errorf("%s-%d: read %d messages up to offset %d: %w", topic, p, len(msgs), hwm, ctx.Err())
		}
	}
}

// waitMetadata waits until every broker answers a metadata request that
// lists exactly the expected brokers: only then do clients see the whole
// cluster, whichever broker they ask.
func (k *Kafka) waitMetadata(ctx context.Context, ids []int32) error {
	var last string
	err := poll(ctx, func() (bool, error) {
		for _, b := range k.brokers {
			md, err := brokerMetadata(b.Addr, nil, k.SaramaConfig())
			if err != nil {
				last = fmt.Sprintf("broker %d: %v", b.ID, err)
				return false, nil
			}
			var got []int32
			for _, mb := range md.Brokers {
				got = append(got, mb.ID())
			}
			slices.Sort(got)
			if !slices.Equal(got, ids) {
				last = fmt.Sprintf("broker %d knows brokers %v", b.ID, got)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for metadata: %w (last: %s)", err, last)
	}
	return nil
}

// waitTopicMetadata waits until every running broker reports a leader for
// each partition of the topic.
func (k *Kafka) waitTopicMetadata(ctx context.Context, topic string, partitions int) error {
	var last string
	err := poll(ctx, func() (bool, error) {
		for _, b := range k.brokers {
			if !b.Running() {
				continue
			}
			md, err := brokerMetadata(b.Addr, []string{topic}, k.SaramaConfig())
			if err != nil {
				last = fmt.Sprintf("broker %d: %v", b.ID, err)
				return false, nil
			}
			if len(md.Topics) != 1 || len(md.Topics[0].Partitions) != partitions {
				last = fmt.Sprintf("broker %d does not know the %d partitions of %s yet", b.ID, partitions, topic)
				return false, nil
			}
			for _, pm := range md.Topics[0].Partitions {
				// 0.9 reports ReplicaNotAvailable while a replica is down;
				// the partition is still served by its leader.
				if pm.Leader < 0 || (pm.Err != sarama.ErrNoError && pm.Err != sarama.ErrReplicaNotAvailable) {
					last = fmt.Sprintf("broker %d: %s-%d leader %d, %v", b.ID, topic, pm.ID, pm.Leader, pm.Err)
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for metadata of %s: %w (last: %s)", topic, err, last)
	}
	return nil
}

func brokerMetadata(addr string, topics []string, cfg *sarama.Config) (*sarama.MetadataResponse, error) {
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		return nil, err
	}
	defer b.Close()
	return b.GetMetadata(sarama.NewMetadataRequest(cfg.Version, topics))
}

// Messages returns n distinct messages "prefix-00000".., for produce/consume
// round trips.
func Messages(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%05d", prefix, i)
	}
	return out
}

// SameMessages reports whether got holds exactly the messages of want, in
// any order (partitions interleave), and describes the difference if not.
func SameMessages(got, want []string) (bool, string) {
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if slices.Equal(g, w) {
		return true, ""
	}
	count := map[string]int{}
	for _, m := range w {
		count[m]++
	}
	for _, m := range g {
		count[m]--
	}
	var missing, extra []string
	for m, c := range count {
		switch {
		case c > 0:
			missing = append(missing, m)
		case c < 0:
			extra = append(extra, m)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return false, fmt.Sprintf("got %d messages, want %d; missing %d %v; extra or duplicated %d %v",
		len(got), len(want), len(missing), head(missing, 5), len(extra), head(extra, 5))
}

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// WaitTopic waits until every running broker reports a leader for each of
// the topic's partitions, for tests that create topics themselves.
func (k *Kafka) WaitTopic(ctx context.Context, topic string, partitions int) error {
	return k.waitTopicMetadata(ctx, topic, partitions)
}

// WaitReplicas waits until every running broker's metadata shows each listed
// partition of the topic on exactly the given replicas, in order. A broker
// applies the controller's metadata a moment after the reassignment
// completes (seen on 2.4.1 and 3.9.1), so a fresh client asking a lagging
// broker would still see the old replicas.
func (k *Kafka) WaitReplicas(ctx context.Context, topic string, replicas map[int32][]int32) error {
	var last string
	err := poll(ctx, func() (bool, error) {
		for _, b := range k.brokers {
			if !b.Running() {
				continue
			}
			md, err := brokerMetadata(b.Addr, []string{topic}, k.SaramaConfig())
			if err != nil {
				last = fmt.Sprintf("broker %d: %v", b.ID, err)
				return false, nil
			}
			if len(md.Topics) != 1 {
				last = fmt.Sprintf("broker %d does not know %s", b.ID, topic)
				return false, nil
			}
			seen := map[int32][]int32{}
			for _, pm := range md.Topics[0].Partitions {
				seen[pm.ID] = pm.Replicas
			}
			for p, want := range replicas {
				if !slices.Equal(seen[p], want) {
					last = fmt.Sprintf("broker %d shows %s-%d on %v, want %v", b.ID, topic, p, seen[p], want)
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for the replicas of %s: %w (last: %s)", topic, err, last)
	}
	return nil
}
