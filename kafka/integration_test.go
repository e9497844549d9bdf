package kafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/cluster"
)

// TestIntegrationAdminAPI runs the whole Admin API path against a real Kafka
// 2.4+ cluster: FDUD_TEST_BOOTSTRAP=host:port[,host:port] (at least 3
// brokers), FDUD_TEST_COMMAND_CONFIG optionally names a client properties
// file, and FDUD_TEST_ZOOKEEPER, when set, also checks the ZooKeeper path's
// read against the same cluster. It creates a topic fdud-it-<random> and
// deletes it at the end. Skipped when FDUD_TEST_BOOTSTRAP is unset (it cannot
// run in the default test environment, which has Kafka 0.9 only).
func TestIntegrationAdminAPI(t *testing.T) {
	bootstrap := os.Getenv("FDUD_TEST_BOOTSTRAP")
	if bootstrap == "" {
		t.Skip("FDUD_TEST_BOOTSTRAP is not set: no Kafka 2.4+ cluster to test against")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o := Options{BootstrapServers: strings.Split(bootstrap, ","), CommandConfig: os.Getenv("FDUD_TEST_COMMAND_CONFIG"), Timeout: 30 * time.Second}
	c, err := Connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Path() != AdminAPIPath {
		t.Fatalf("path %q", c.Path())
	}
	a := c.(*adminCluster)

	st, err := c.State(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Brokers) < 3 {
		t.Fatalf("need at least 3 brokers, have %v", st.Brokers)
	}
	for _, b := range st.Brokers {
		if b.Rack == "" {
			t.Logf("broker %d has no broker.rack", b.ID)
		}
	}
	if st.Controller < 0 {
		t.Errorf("no controller in %+v", st)
	}
	ids := []int32{st.Brokers[0].ID, st.Brokers[1].ID, st.Brokers[2].ID}

	b := make([]byte, 4)
	rand.Read(b)
	topic := "fdud-it-" + hex.EncodeToString(b)
	assignment := [][]int32{{ids[0], ids[1]}, {ids[1], ids[2]}}
	if err := c.CreateTopic(ctx, topic, assignment, map[string]string{"retention.ms": "3600000"}); err != nil {
		t.Fatal(err)
	}
	defer deleteTopic(t, a, topic)
	if err := c.CreateTopic(ctx, topic, assignment, nil); !errors.Is(err, ErrTopicExists) {
		t.Errorf("second create: %v", err)
	}

	// Metadata reaches every broker shortly after creation.
	var p0 cluster.PartitionState
	waitFor(ctx, t, "topic metadata", func() bool {
		st, err := c.State(ctx, []string{topic})
		if err != nil || len(st.Partitions) != 2 || st.Partitions[0].Leader < 0 {
			return false
		}
		p0 = st.Partitions[0]
		return true
	})
	if !slices.Equal(p0.Replicas, assignment[0]) || p0.Reassigning() {
		t.Fatalf("partition 0: %+v, want replicas %v", p0, assignment[0])
	}

	// Configs: set, read back (only dynamic entries), delete.
	if err := c.AlterConfigs(ctx, TopicEntity, topic, map[string]string{LeaderThrottledReplicas: "0:" + itoa(ids[0])}, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.DescribeConfigs(ctx, TopicEntity, []string{topic})
	if err != nil || cfg[topic]["retention.ms"] != "3600000" || cfg[topic][LeaderThrottledReplicas] != "0:"+itoa(ids[0]) {
		t.Errorf("topic config %v %v", cfg, err)
	}
	if _, ok := cfg[topic]["cleanup.policy"]; ok {
		t.Errorf("defaults reported as dynamic: %v", cfg)
	}
	if err := c.AlterConfigs(ctx, TopicEntity, topic, nil, []string{LeaderThrottledReplicas}); err != nil {
		t.Fatal(err)
	}
	bid := itoa(ids[2])
	if err := c.AlterConfigs(ctx, BrokerEntity, bid, map[string]string{FollowerThrottledRate: "10000000"}, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err = c.DescribeConfigs(ctx, BrokerEntity, []string{bid})
	if err != nil || cfg[bid][FollowerThrottledRate] != "10000000" {
		t.Errorf("broker config %v %v", cfg, err)
	}
	if err := c.AlterConfigs(ctx, BrokerEntity, bid, nil, []string{FollowerThrottledRate}); err != nil {
		t.Fatal(err)
	}
	cfg, err = c.DescribeConfigs(ctx, BrokerEntity, []string{bid})
	if _, still := cfg[bid][FollowerThrottledRate]; err != nil || still {
		t.Errorf("broker config after delete %v %v", cfg, err)
	}

	// Reassign partition 0 to the third broker, then cancel it. On an empty
	// partition the move may finish before the cancellation; both outcomes
	// are checked for what they must leave behind.
	target := []int32{ids[2], ids[1]}
	err = c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: target}})
	if err != nil {
		t.Fatal(err)
	}
	lister := c.(ReassignmentLister)
	if inflight, err := lister.ListReassignments(ctx, []string{topic}); err != nil {
		t.Fatal(err)
	} else if len(inflight) == 1 && (!slices.Equal(inflight[0].Target, target) || !sameSet(inflight[0].Replicas, assignment[0])) {
		t.Errorf("in flight: %+v", inflight[0])
	}
	if err := c.CancelReassignments(ctx, []cluster.TopicPartition{{Topic: topic, Partition: 0}}); err != nil {
		t.Fatal(err)
	}
	st, err = c.State(ctx, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Partitions[0]; p.Reassigning() || !(sameSet(p.Replicas, assignment[0]) || sameSet(p.Replicas, target)) {
		t.Errorf("after cancel: %+v", p)
	}

	// A reassignment that completes, then a preferred leader election.
	err = c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 1, Replicas: []int32{ids[2], ids[0]}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "reassignment of partition 1", func() bool {
		st, err := c.State(ctx, []string{topic})
		return err == nil && !st.Partitions[1].Reassigning() && slices.Equal(st.Partitions[1].Replicas, []int32{ids[2], ids[0]}) &&
			len(st.Partitions[1].ISR) == 2
	})
	err = c.ElectPreferredLeaders(ctx, []cluster.TopicPartition{{Topic: topic, Partition: 0}, {Topic: topic, Partition: 1}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "preferred leader of partition 1", func() bool {
		st, err := c.State(ctx, []string{topic})
		return err == nil && st.Partitions[1].Leader == ids[2]
	})

	// A per-partition failure: a partition that does not exist.
	err = c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 7, Replicas: target}})
	var pe *PartitionErrors
	if !errors.As(err, &pe) || len(pe.Errors) != 1 || pe.Errors[0].Partition != 7 {
		t.Errorf("reassigning a missing partition: %v", err)
	}

	if zkc := os.Getenv("FDUD_TEST_ZOOKEEPER"); zkc != "" {
		z, err := Connect(ctx, Options{ZooKeeper: zkc, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer z.Close()
		zst, err := z.State(ctx, []string{topic})
		if err != nil {
			t.Fatal(err)
		}
		ast, err := c.State(ctx, []string{topic})
		if err != nil {
			t.Fatal(err)
		}
		for i := range zst.Partitions {
			if !slices.Equal(zst.Partitions[i].Replicas, ast.Partitions[i].Replicas) {
				t.Errorf("zookeeper %+v, admin api %+v", zst.Partitions[i], ast.Partitions[i])
			}
		}
	}
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }

func waitFor(ctx context.Context, t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// deleteTopic removes what the integration test made (DeleteTopics v3).
func deleteTopic(t *testing.T, a *adminCluster, topic string) {
	req := &sarama.DeleteTopicsRequest{Version: 3, Topics: []string{topic}, Timeout: a.timeout}
	err := a.onController(context.Background(), "delete topic "+topic, func(b *sarama.Broker) error {
		resp, err := b.DeleteTopics(req)
		if err != nil {
			return err
		}
		if e := resp.TopicErrorCodes[topic]; e != sarama.ErrNoError {
			return e
		}
		return nil
	})
	if err != nil {
		t.Errorf("clean up: %v", err)
	}
}
