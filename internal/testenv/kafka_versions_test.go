package testenv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/testenv"
)

// TestModernKafka starts every release of the matrix (one broker: the
// stage suites run bigger clusters of each): its FD/UD rack, a topic created
// through the Admin API, a round trip of messages, and the release's own
// kafka-topics tool describing it.
func TestModernKafka(t *testing.T) {
	for _, v := range testenv.ModernVersions() {
		t.Run("kafka="+v.String(), func(t *testing.T) {
			t.Parallel() // one cluster each: the releases run side by side
			k := testenv.StartKafka(t, testenv.KafkaOptions{Version: v, Brokers: 1})
			admin, err := sarama.NewClusterAdmin(strings.Split(k.Bootstrap, ","), k.SaramaConfig())
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			brokers, _, err := admin.DescribeCluster()
			if err != nil {
				t.Fatal(err)
			}
			racks := map[int32]string{}
			for _, b := range brokers {
				racks[b.ID()] = b.Rack()
			}
			for id := int32(1); id <= 1; id++ {
				if racks[id] != testenv.DefaultRack(id) {
					t.Errorf("broker %d rack %q, want %q", id, racks[id], testenv.DefaultRack(id))
				}
			}
			if err := admin.CreateTopic("orders", &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := k.WaitTopic(ctx, "orders", 3); err != nil {
				t.Fatal(err)
			}
			want := testenv.Messages("m", 300)
			k.Produce(t, "orders", want)
			if ok, diff := testenv.SameMessages(k.Consume(t, "orders", len(want)), want); !ok {
				t.Fatal(diff)
			}
			out := k.DescribeTopic(t, "orders")
			if !strings.Contains(out, "orders") || !strings.Contains(out, "ReplicationFactor") {
				t.Errorf("kafka-topics --describe:\n%s", out)
			}
		})
	}
}
