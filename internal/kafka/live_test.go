package kafka

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
)

// describeLine matches a partition line of kafka-topics.sh --describe (0.9).
var describeLine = regexp.MustCompile(`Topic:\s*(\S+)\s+Partition:\s*(\d+)\s+Leader:\s*(-?\d+)\s+Replicas:\s*([\d,]+)\s+Isr:\s*([\d,]*)`)

// partitionLines renders partitions the way the comparison needs them.
func partitionLines(ps []cluster.PartitionState) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s-%d leader=%d replicas=%s isr=%s", p.Topic, p.Partition, p.Leader, ints(p.Replicas), ints(sorted(p.ISR))))
	}
	return out
}

func ints(xs []int32) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

func sorted(xs []int32) []int32 { xs = slices.Clone(xs); slices.Sort(xs); return xs }

// TestLiveKafka09 reads a real Kafka 0.9.0.1 cluster through both paths and
// compares with what Kafka's own kafka-topics.sh --describe says, moves a
// partition through the ZooKeeper path, and runs the conformance suite the
// Fake passes (playing 0.9) on that path.
func TestLiveKafka09(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 3})
	k.CreateTopic(t, "orders", 3, 2)
	k.CreateTopic(t, "audit", 1, 3)
	k.WaitReplicasInSync(t, "orders")
	k.WaitReplicasInSync(t, "audit")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	var want []string
	for _, topic := range []string{"audit", "orders"} {
		for _, m := range describeLine.FindAllStringSubmatch(k.DescribeTopic(t, topic), -1) {
			isr := strings.Split(m[5], ",")
			slices.Sort(isr)
			want = append(want, fmt.Sprintf("%s-%s leader=%s replicas=%s isr=%s", m[1], m[2], m[3], m[4], strings.Join(isr, ",")))
		}
	}
	if len(want) != 4 {
		t.Fatalf("kafka-topics.sh described %d partitions: %v", len(want), want)
	}

	t.Run("no replica sizes", func(t *testing.T) { legacyHasNoSizes(t, k) })
	t.Run("offsets", func(t *testing.T) { integrationOffsets(t, k) })
	t.Run("zookeeper path", func(t *testing.T) {
		c, err := Connect(ctx, Options{ZooKeeper: k.ZooKeeperConnect, Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		st, err := c.State(ctx, []string{"audit", "orders"})
		if err != nil {
			t.Fatal(err)
		}
		if got := partitionLines(st.Partitions); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("state\n got %v\nwant %v", got, want)
		}
		if len(st.Brokers) != 3 || st.Brokers[0].Host != "127.0.0.1" || st.Controller < 1 {
			t.Errorf("brokers %v controller %d", st.Brokers, st.Controller)
		}
	})

	t.Run("sarama metadata", func(t *testing.T) {
		o := Options{BootstrapServers: strings.Split(k.Bootstrap, ","), Timeout: 20 * time.Second}
		sec := &Security{Protocol: "PLAINTEXT"}
		v, err := detectVersion(ctx, o, sec)
		if err != nil || versionName(v) != "0.9" {
			t.Fatalf("detected %v, %v; want 0.9", v, err)
		}
		st, err := ReadState(ctx, o, []string{"audit", "orders"})
		if err != nil {
			t.Fatal(err)
		}
		if got := partitionLines(st.Partitions); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("state\n got %v\nwant %v", got, want)
		}
		var ids []int32
		for _, b := range st.Brokers {
			ids = append(ids, b.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(k.BrokerIDs()) || st.Controller != -1 {
			t.Errorf("brokers %v controller %d", st.Brokers, st.Controller)
		}
		// The Admin API path needs 2.4: Connect says to use --zookeeper.
		if _, err := Connect(ctx, o); !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "pass --zookeeper") {
			t.Errorf("Connect without --zookeeper: %v", err)
		}
	})

	t.Run("reassign through zookeeper", func(t *testing.T) {
		c, err := Connect(ctx, Options{ZooKeeper: k.ZooKeeperConnect, Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		st, err := c.State(ctx, []string{"orders"})
		if err != nil {
			t.Fatal(err)
		}
		p0 := st.Partitions[0]
		var spare int32
		for _, id := range k.BrokerIDs() {
			if !slices.Contains(p0.Replicas, id) {
				spare = id
			}
		}
		target := []int32{spare, p0.Replicas[1]}
		if err := c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: "orders", Partition: 0, Replicas: target}}); err != nil {
			t.Fatal(err)
		}
		k.WaitReassignmentDone(t)
		st, err = c.State(ctx, []string{"orders"})
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Partitions[0]; fmt.Sprint(got.Replicas) != fmt.Sprint(target) || got.Reassigning() {
			t.Errorf("after the reassignment: %+v, want replicas %v", got, target)
		}
	})

	t.Run("conformance", func(t *testing.T) {
		c, err := Connect(ctx, Options{ZooKeeper: k.ZooKeeperConnect, Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conformance(t, conformanceTarget{c: c, topic: "fdud-conformance", wait: time.Minute, release: testenv.Legacy.Version})
	})
}
