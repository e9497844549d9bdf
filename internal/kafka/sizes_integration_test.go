package kafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/internal/sizes"
	"github.com/fdud/fdud/internal/testenv"
)

// The sizes suite runs on the clusters TestIntegrationAdminAPI starts (one
// per modern release), and the Kafka 0.9 check in TestLiveKafka09: a
// cluster start costs more than the tests.

// legacyHasNoSizes checks that Kafka 0.9 answers ReadSizes with ErrNoSizes,
// and so does the ZooKeeper path's Sizer given the brokers' addresses.
func legacyHasNoSizes(t *testing.T, k *testenv.Kafka) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := ReadSizes(ctx, Options{BootstrapServers: strings.Split(k.Bootstrap, ","), Timeout: 10 * time.Second}, k.BrokerIDs())
	if !errors.Is(err, ErrNoSizes) || !strings.Contains(err.Error(), "Kafka 0.9") {
		t.Fatalf("err = %v, want ErrNoSizes naming Kafka 0.9", err)
	}
	// The ZooKeeper path with the brokers' addresses offers a Sizer,
	// which says the same, every time.
	zc, err := Connect(ctx, Options{ZooKeeper: k.ZooKeeperConnect, BootstrapServers: strings.Split(k.Bootstrap, ","), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	for range 2 {
		if _, err := zc.Capabilities().Sizer.ReplicaSizes(ctx, k.BrokerIDs(), nil); !errors.Is(err, ErrNoSizes) {
			t.Fatalf("ZooKeeper path: err = %v, want ErrNoSizes", err)
		}
	}
}

// integrationSizes writes a known number of bytes to each partition of
// a topic on real brokers (TestIntegrationAdminAPI's cluster of each modern
// release: three brokers of two log dirs each) and checks ReadSizes
// against what Kafka's own kafka-log-dirs.sh --describe reports for the
// same replicas (its output parsed by sizes.ParseLogDirs, which pins that
// parser to the real tool too): equal sizes, each at least the bytes
// written and not far above, volume sizes from Kafka 3.3 on. On
// ZooKeeper-mode clusters the ZooKeeper path, given the brokers' addresses
// too, reads the same sizes.
func integrationSizes(t *testing.T, k *testenv.Kafka) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := make([]byte, 4)
	rand.Read(b)
	topic := "fdud-sizes-" + hex.EncodeToString(b)
	o, c := connectBootstrap(ctx, t, k.Bootstrap, "")
	if err := c.CreateTopic(ctx, topic, [][]int32{{1, 2}, {2, 3}, {3, 1}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := k.WaitTopic(ctx, topic, 3); err != nil {
		t.Fatal(err)
	}
	// Partition p gets (p+1) * 200 messages of 1 KiB: 200, 400, 600 KiB.
	const msgSize, perStep = 1024, 200
	written := produceBytes(t, k, topic, 3, msgSize, perStep)

	got, err := ReadSizes(ctx, o, k.BrokerIDs())
	if err != nil {
		t.Fatal(err)
	}
	// The same through the connected cluster (what execute's batch order
	// and progress and verify's bytes remaining use), asking for the
	// topic's partitions alone: the brokers answer for those only.
	tps := []cluster.TopicPartition{{Topic: topic, Partition: 0}, {Topic: topic, Partition: 1}, {Topic: topic, Partition: 2}}
	viaCluster, err := c.Capabilities().Sizer.ReplicaSizes(ctx, k.BrokerIDs(), tps)
	if err != nil {
		t.Fatal(err)
	}
	if len(viaCluster.Replicas) != len(tps) {
		t.Errorf("asked for %v: %d partitions", tps, len(viaCluster.Replicas))
	}
	// And through the ZooKeeper path given the brokers' addresses too.
	viaZK := viaCluster
	if k.ZooKeeperConnect != "" {
		zo := o
		zo.ZooKeeper = k.ZooKeeperConnect
		zc, err := Connect(ctx, zo)
		if err != nil {
			t.Fatal(err)
		}
		defer zc.Close()
		if viaZK, err = zc.Capabilities().Sizer.ReplicaSizes(ctx, k.BrokerIDs(), tps); err != nil {
			t.Fatal(err)
		}
	}
	tool := k.MustRunTool(t, "kafka-log-dirs.sh", "--bootstrap-server", k.Bootstrap, "--describe", "--topic-list", topic)
	if path := os.Getenv("FDUD_SAVE_LOG_DIRS"); path != "" { // to refresh internal/sizes/testdata
		if err := os.WriteFile(path, []byte(tool.Stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := sizes.ParseLogDirs([]byte(tool.Stdout))
	if err != nil {
		t.Fatalf("kafka-log-dirs.sh printed what ParseLogDirs refuses: %v\n%s", err, tool.Stdout)
	}
	for p := int32(0); p < 3; p++ {
		tp := cluster.TopicPartition{Topic: topic, Partition: p}
		mine, theirs := replicaSizes(got.Replicas[tp]), replicaSizes(want.Replicas[tp])
		if via := replicaSizes(viaCluster.Replicas[tp]); !maps.Equal(via, theirs) {
			t.Errorf("%s: ReplicaSizes %v, kafka-log-dirs.sh %v", tp, via, theirs)
		}
		if via := replicaSizes(viaZK.Replicas[tp]); !maps.Equal(via, theirs) {
			t.Errorf("%s: ReplicaSizes on the ZooKeeper path %v, kafka-log-dirs.sh %v", tp, via, theirs)
		}
		if len(mine) != 2 || len(theirs) != 2 {
			t.Fatalf("%s: replicas %v from ReadSizes, %v from kafka-log-dirs.sh", tp, mine, theirs)
		}
		for broker, size := range theirs {
			if mine[broker] != size {
				t.Errorf("%s on broker %d: ReadSizes %d bytes, kafka-log-dirs.sh %d", tp, broker, mine[broker], size)
			}
		}
		size, ok := got.PartitionSize(tp, -1, nil)
		if !ok || size < written[p] || size > written[p]+written[p]/5+4096 {
			t.Errorf("%s: %d bytes on disk for %d bytes written", tp, size, written[p])
		}
		t.Logf("%s: %d bytes written, %d on disk", tp, written[p], size)
	}
	for _, id := range k.BrokerIDs() {
		c, ok := got.ReportedCapacity(id)
		if k.Version.AtLeast(3, 3) != ok {
			t.Errorf("broker %d (Kafka %s): capacity %d reported %v", id, k.Version, c, ok)
		}
		if ok && (c <= 0 || got.Used(id) <= 0 || got.Used(id) > c) {
			t.Errorf("broker %d: used %d of %d", id, got.Used(id), c)
		}
	}
	movingTarget(ctx, t, k, c, topic, viaCluster)
}

// movingTarget checks on real brokers what progress in bytes relies on
// (see sizes.CopyProgress): the bytes producers write between two polls
// show as the growth of the partition's size, the moving target of a
// copy; and every current replica reports an offset lag of 0, so that lag
// cannot say how far an adding replica is.
func movingTarget(ctx context.Context, t *testing.T, k *testenv.Kafka, c Cluster, topic string, before sizes.LogDirs) {
	t.Helper()
	for tp, rs := range before.Replicas {
		for _, r := range rs {
			if !r.Future && r.OffsetLag != 0 {
				t.Errorf("%s on broker %d: offset lag %d, want 0 for a current replica", tp, r.Broker, r.OffsetLag)
			}
		}
	}
	tp0 := cluster.TopicPartition{Topic: topic, Partition: 0}
	// A copy of t-0 to a broker that holds none of it: its whole size is
	// to copy, and grows with it.
	parts := []sizes.Copying{{TP: tp0, Adding: []int32{99}, Leader: -1}}
	t0 := time.Now()
	var x progress.Estimator
	x.Add(t0, sizes.CopyProgress(parts, before))
	const msgSize, msgs = 1024, 100
	produceBytes(t, k, topic, 1, msgSize, msgs) // into t-0 only
	after, err := c.Capabilities().Sizer.ReplicaSizes(ctx, k.BrokerIDs(), []cluster.TopicPartition{tp0})
	if err != nil {
		t.Fatal(err)
	}
	e := x.Add(t0.Add(10*time.Second), sizes.CopyProgress(parts, after))
	grew := int64(e.Growth * 10)
	if !e.HaveGrowth || grew < msgSize*msgs || grew > msgSize*msgs*6/5+4096 {
		t.Errorf("%d bytes written to %s between two polls; the estimate saw it grow %d (%+v)", msgSize*msgs, tp0, grew, e)
	}
	if e.HaveETA || e.Behind {
		t.Errorf("nothing copied, all growth: %+v, want no time left and not said behind (no copy rate)", e)
	}
}

// produceBytes writes (p+1)*perStep messages of msgSize bytes to each
// partition p and returns the bytes of values written per partition.
func produceBytes(t *testing.T, k *testenv.Kafka, topic string, partitions int32, msgSize, perStep int) []int64 {
	t.Helper()
	cfg := k.SaramaConfig()
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(strings.Split(k.Bootstrap, ","), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	value := strings.Repeat("x", msgSize)
	written := make([]int64, partitions)
	for part := range partitions {
		n := int(part+1) * perStep
		msgs := make([]*sarama.ProducerMessage, n)
		for i := range msgs {
			msgs[i] = &sarama.ProducerMessage{Topic: topic, Partition: part, Value: sarama.StringEncoder(value)}
		}
		if err := p.SendMessages(msgs); err != nil {
			t.Fatalf("produce to %s-%d: %v", topic, part, err)
		}
		written[part] = int64(n * msgSize)
	}
	return written
}

func replicaSizes(rs []sizes.Replica) map[int32]int64 {
	m := map[int32]int64{}
	for _, r := range rs {
		if !r.Future {
			m[r.Broker] = r.Size
		}
	}
	return m
}
