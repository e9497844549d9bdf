package clusterstate_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
)

// TestOnRealKafka runs the suite against real brokers of the oldest and the
// newest modern release, with two connections as two hosts, one 3-broker cluster per
// release shared by the subtests; and against FDUD_TEST_BOOTSTRAP (with
// FDUD_TEST_COMMAND_CONFIG) when set. Each subtest keeps its state in a
// topic of its own (__fdud_state_test_<random>); the clusterlock subtest
// uses __fdud_state itself.
func TestOnRealKafka(t *testing.T) {
	if bootstrap := os.Getenv("FDUD_TEST_BOOTSTRAP"); bootstrap != "" {
		t.Run("kafka=FDUD_TEST_BOOTSTRAP", func(t *testing.T) { realSuite(t, bootstrap, os.Getenv("FDUD_TEST_COMMAND_CONFIG")) })
	}
	// The oldest and the newest release: the state topic needs nothing a
	// release between them could lack, and e2e runs the lock and the
	// records on every release of the matrix through fdud itself.
	versions := testenv.ModernVersions()
	for _, v := range []testenv.KafkaVersion{versions[0], versions[len(versions)-1]} {
		t.Run("kafka="+v.String(), func(t *testing.T) {
			t.Parallel() // one cluster each: the releases run side by side
			k := testenv.StartKafka(t, testenv.KafkaOptions{Version: v, Brokers: 3})
			realSuite(t, k.Bootstrap, "")
		})
	}
}

func connect(t *testing.T, bootstrap, commandConfig string) kafka.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := kafka.Connect(ctx, kafka.Options{BootstrapServers: strings.Split(bootstrap, ","), CommandConfig: commandConfig,
		Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if kafka.StateTopicOf(c) == nil {
		t.Fatalf("the %s path has no state topic", c.Path())
	}
	return c
}

func realSuite(t *testing.T, bootstrap, commandConfig string) {
	a, b := connect(t, bootstrap, commandConfig), connect(t, bootstrap, commandConfig)
	runSuite(t, kafka.StateTopicOf(a), kafka.StateTopicOf(b))
	t.Run("topic settings", func(t *testing.T) { testTopicSettings(t, a) })
}

// testTopicSettings checks the state topic fdud creates, and that it
// refuses an existing topic that would lose records.
func testTopicSettings(t *testing.T, c kafka.Cluster) {
	ctx := testCtx(t)
	topic := testTopic()
	// The first write creates the topic (opening and reading do not).
	if err := open(t, ctx, kafka.StateTopicOf(c), topic).Put(ctx, "domain/1", doc{Broker: 1}); err != nil {
		t.Fatal(err)
	}
	// The broker asked may learn of the new topic a moment later (seen on a
	// busy 3.9.1 KRaft cluster): wait until it shows, then check.
	var st *cluster.State
	var cfg map[string]map[string]string
	var err error
	for {
		st, err = c.State(ctx, []string{topic})
		if err == nil && len(st.Partitions) == 1 {
			if cfg, err = c.DescribeConfigs(ctx, kafka.TopicEntity, []string{topic}); err == nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the state topic never showed: %v (state %+v)", err, st)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if len(st.Partitions[0].Replicas) != min(3, len(st.Brokers)) {
		t.Errorf("state topic partitions %+v; want 1 with min(3, %d brokers) replicas", st.Partitions, len(st.Brokers))
	}
	want := map[string]string{"cleanup.policy": "compact", kafka.MinInsyncReplicas: "2", "message.timestamp.type": "LogAppendTime",
		"unclean.leader.election.enable": "false"}
	for k, v := range want {
		if cfg[topic][k] != v {
			t.Errorf("%s = %q; want %q", k, cfg[topic][k], v)
		}
	}
	if err := open(t, ctx, kafka.StateTopicOf(c), topic).Put(ctx, "domain/2", doc{Broker: 2}); err != nil {
		t.Errorf("writing to an existing state topic: %v", err)
	}

	plain := testTopic()
	ids := []int32{st.Brokers[0].ID}
	if err := c.CreateTopic(ctx, plain, [][]int32{ids}, map[string]string{"cleanup.policy": "delete"}); err != nil {
		t.Fatal(err)
	}
	// Refused before the first write, which would expire with the topic's
	// segments.
	err = open(t, ctx, kafka.StateTopicOf(c), plain).Put(ctx, "domain/1", doc{Broker: 1})
	if err == nil || !strings.Contains(err.Error(), "cleanup.policy") {
		t.Errorf("a state topic with cleanup.policy=delete: %v; want it refused", err)
	}
	t.Logf("refused: %v", err)
}
