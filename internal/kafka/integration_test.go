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

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
)

// TestIntegrationAdminAPI runs the whole Admin API path against real Kafka
// 2.4+ brokers: once per release of the test matrix (testenv.ModernVersions,
// subtests kafka=VERSION, three brokers with two log.dirs each, the ZooKeeper
// path's read compared where the cluster has ZooKeeper), or, with
// FDUD_TEST_BOOTSTRAP=host:port[,host:port] (at least 3 brokers), against
// the operator's cluster as kafka=external (FDUD_TEST_COMMAND_CONFIG
// optionally names a client properties file, FDUD_TEST_ZOOKEEPER its
// ZooKeeper). It creates a topic fdud-it-<random> and deletes it at the end.
func TestIntegrationAdminAPI(t *testing.T) {
	if bootstrap := os.Getenv("FDUD_TEST_BOOTSTRAP"); bootstrap != "" {
		t.Run("kafka=external", func(t *testing.T) {
			commandConfig, zkConnect := os.Getenv("FDUD_TEST_COMMAND_CONFIG"), os.Getenv("FDUD_TEST_ZOOKEEPER")
			t.Run("admin api", func(t *testing.T) { integrationAdminAPI(t, bootstrap, commandConfig, zkConnect) })
			t.Run("conformance", func(t *testing.T) { integrationConformance(t, bootstrap, commandConfig, zkConnect, "") })
		})
		return
	}
	for _, v := range testenv.ModernVersions() {
		t.Run("kafka="+v.String(), func(t *testing.T) {
			t.Parallel() // one cluster each: the releases run side by side
			// One cluster per release for both suites: a start costs more
			// than the tests.
			k := testenv.StartKafka(t, testenv.KafkaOptions{Version: v, Brokers: 3, LogDirs: 2})
			t.Run("admin api", func(t *testing.T) { integrationAdminAPI(t, k.Bootstrap, "", k.ZooKeeperConnect) })
			if k.ZooKeeperConnect != "" { // KRaft has no ZooKeeper
				t.Run("broker throttle rates in zookeeper", func(t *testing.T) { brokerRatesInZooKeeper(t, k) })
			}
			t.Run("conformance", func(t *testing.T) { integrationConformance(t, k.Bootstrap, "", k.ZooKeeperConnect, v.Version) })
			t.Run("replica sizes", func(t *testing.T) { integrationSizes(t, k) })
			if k.ZooKeeperConnect != "" {
				t.Run("offsets on the zookeeper path", func(t *testing.T) { integrationOffsets(t, k) })
			}
		})
	}
}

// connectBootstrap connects to a real cluster at bootstrap
// (host:port[,host:port]), with commandConfig's client settings if any; the
// connection closes when the test ends.
func connectBootstrap(ctx context.Context, t *testing.T, bootstrap, commandConfig string) (Options, Cluster) {
	t.Helper()
	o := Options{BootstrapServers: strings.Split(bootstrap, ","), CommandConfig: commandConfig, Timeout: 30 * time.Second}
	c, err := Connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return o, c
}

// integrationConformance runs the conformance suite the Fake passes
// against the Admin API path and, where the cluster has ZooKeeper, the
// ZooKeeper path, each on a topic of its own (deleted at the end). release
// is the brokers' Kafka release; "" takes the one the client detects.
func integrationConformance(t *testing.T, bootstrap, commandConfig, zkConnect, release string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o, c := connectBootstrap(ctx, t, bootstrap, commandConfig)
	a := c.(*adminCluster)
	if release == "" {
		release = a.version.String()
	}
	paths := []struct {
		name string
		o    Options
	}{{"admin api", o}}
	if zkConnect != "" {
		paths = append(paths, struct {
			name string
			o    Options
		}{"zookeeper", Options{ZooKeeper: zkConnect, Timeout: 30 * time.Second}})
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			cl, err := Connect(ctx, p.o)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			b := make([]byte, 4)
			rand.Read(b)
			topic := "fdud-conformance-" + hex.EncodeToString(b)
			defer deleteTopic(t, a, topic)
			conformance(t, conformanceTarget{c: cl, topic: topic, wait: time.Minute, release: release})
		})
	}
}

func integrationAdminAPI(t *testing.T, bootstrap, commandConfig, zkConnect string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, c := connectBootstrap(ctx, t, bootstrap, commandConfig)
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
	if bs, err := c.Brokers(ctx); err != nil || !slices.Equal(bs, st.Brokers) {
		t.Errorf("Brokers() = %v, %v; want State's %v", bs, err, st.Brokers)
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
	// Brokers apply config changes asynchronously (KRaft brokers a moment
	// after the controller accepts them): wait until the one asked shows it.
	var cfg map[string]map[string]string
	waitFor(ctx, t, "the topic config to show", func() bool {
		cfg, err = c.DescribeConfigs(ctx, TopicEntity, []string{topic})
		return err == nil && cfg[topic][LeaderThrottledReplicas] == "0:"+itoa(ids[0])
	})
	if cfg[topic]["retention.ms"] != "3600000" {
		t.Errorf("topic config %v", cfg)
	}
	if _, ok := cfg[topic]["cleanup.policy"]; ok {
		t.Errorf("defaults reported as dynamic: %v", cfg)
	}
	if err := c.AlterConfigs(ctx, TopicEntity, topic, nil, []string{LeaderThrottledReplicas}); err != nil {
		t.Fatal(err)
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
	} else if len(inflight) == 1 && (!slices.Equal(inflight[0].Target, target) || !cluster.SameMembers(inflight[0].Replicas, assignment[0])) {
		t.Errorf("in flight: %+v", inflight[0])
	}
	if err := c.CancelReassignments(ctx, []cluster.TopicPartition{{Topic: topic, Partition: 0}}); err != nil {
		t.Fatal(err)
	}
	// The metadata may show old and new replicas together for a moment
	// after the cancellation (seen on 3.9.1 KRaft): wait for it to settle.
	waitFor(ctx, t, "partition 0 to settle after the cancellation", func() bool {
		st, err = c.State(ctx, []string{topic})
		if err != nil {
			return false
		}
		p := st.Partitions[0]
		return !p.Reassigning() && (cluster.SameMembers(p.Replicas, assignment[0]) || cluster.SameMembers(p.Replicas, target))
	})

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

	t.Run("log dirs", func(t *testing.T) { integrationLogDirs(ctx, t, c, topic, ids) })

	if zkc := zkConnect; zkc != "" {
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

// integrationLogDirs reads where the test topic's replicas live, checks that
// a directory a broker does not have is refused per partition, and, on a
// broker with two log.dirs, moves a replica in place and one that a
// reassignment is still creating (REPLICA_NOT_AVAILABLE until it exists).
func integrationLogDirs(ctx context.Context, t *testing.T, c Cluster, topic string, ids []int32) {
	mover, desc := c.Capabilities().LogDirMover, c.Capabilities().LogDirDescriber
	st, err := c.State(ctx, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	p1 := st.Partitions[1]
	tps := []cluster.TopicPartition{{Topic: topic, Partition: 0}, {Topic: topic, Partition: 1}}
	dirs, err := desc.DescribeLogDirs(ctx, ids, tps)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Partitions {
		for _, b := range p.Replicas {
			if r, ok := dirs[b].Replicas[p.TP()]; dirs[b].Err != nil || !ok || r.Dir == "" {
				t.Errorf("broker %d: %s not reported in a log dir: %+v", b, p.TP(), dirs[b])
			}
		}
	}

	bad := cluster.PartitionAssignment{Topic: topic, Partition: 1, Replicas: p1.Replicas, LogDirs: []string{"/nonexistent/fdud-it", "any"}}
	err = mover.MoveLogDirs(ctx, []cluster.PartitionAssignment{bad})
	var pe *PartitionErrors
	if !errors.As(err, &pe) || !errors.Is(err, sarama.ErrLogDirNotFound) {
		t.Errorf("moving to a directory broker %d does not have: %v, want LOG_DIR_NOT_FOUND", p1.Replicas[0], err)
	}

	// A broker with two online log dirs, among the three.
	var x int32 = -1
	var xDirs []string
	for _, b := range ids {
		var online []string
		for d, err := range dirs[b].Dirs {
			if err == nil {
				online = append(online, d)
			}
		}
		if len(online) >= 2 {
			slices.Sort(online)
			x, xDirs = b, online
			break
		}
	}
	if x < 0 {
		skip := t.Skipf
		if os.Getenv("CI") == "true" {
			skip = t.Fatalf
		}
		skip("log dir moves need a broker with two log.dirs; brokers %v have one each (%v): LOG_DIR_NOT_FOUND and DescribeLogDirs were checked", ids, dirs[ids[0]].Dirs)
	}
	other := func(cur string) string {
		for _, d := range xDirs {
			if !sameDir(d, cur) {
				return d
			}
		}
		return ""
	}

	// In place: partition 1's replica on x goes to x's other directory.
	if slices.Contains(p1.Replicas, x) {
		plan := cluster.PartitionAssignment{Topic: topic, Partition: 1, Replicas: p1.Replicas, LogDirs: make([]string, len(p1.Replicas))}
		for i, b := range p1.Replicas {
			plan.LogDirs[i] = cluster.AnyLogDir
			if b == x {
				plan.LogDirs[i] = other(dirs[x].Replicas[p1.TP()].Dir)
			}
		}
		if err := mover.MoveLogDirs(ctx, []cluster.PartitionAssignment{plan}); err != nil {
			t.Fatal(err)
		}
		waitLogDirs(ctx, t, desc, plan, false)
	}

	// While reassigning: a new topic on the two other brokers moves to x,
	// with its replica on x named to a directory right after submission.
	var others []int32
	for _, b := range ids {
		if b != x {
			others = append(others, b)
		}
	}
	moved := topic + "-ld"
	if err := c.CreateTopic(ctx, moved, [][]int32{others}, nil); err != nil {
		t.Fatal(err)
	}
	defer deleteTopic(t, c.(*adminCluster), moved)
	waitFor(ctx, t, "metadata of "+moved, func() bool {
		st, err := c.State(ctx, []string{moved})
		return err == nil && len(st.Partitions) == 1 && st.Partitions[0].Leader >= 0
	})
	plan := cluster.PartitionAssignment{Topic: moved, Partition: 0, Replicas: []int32{x, others[0]}, LogDirs: []string{xDirs[1], cluster.AnyLogDir}}
	if err := c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: moved, Partition: 0, Replicas: plan.Replicas}}); err != nil {
		t.Fatal(err)
	}
	if err := mover.MoveLogDirs(ctx, []cluster.PartitionAssignment{plan}); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "reassignment of "+moved, func() bool {
		st, err := c.State(ctx, []string{moved})
		return err == nil && !st.Partitions[0].Reassigning() && cluster.SameMembers(st.Partitions[0].Replicas, plan.Replicas)
	})
	waitLogDirs(ctx, t, desc, plan, false)
}

// waitLogDirs waits until every named replica of plan is in its directory
// with no future replica left.
func waitLogDirs(ctx context.Context, t *testing.T, desc LogDirDescriber, plan cluster.PartitionAssignment, reassigning bool) {
	t.Helper()
	waitFor(ctx, t, "log dirs of "+plan.TP().String(), func() bool {
		dirs, err := desc.DescribeLogDirs(ctx, plan.Replicas, []cluster.TopicPartition{plan.TP()})
		if err != nil {
			return false
		}
		p, notes := LogDirPlacement(plan, dirs, reassigning)
		if p != LogDirsDone {
			t.Logf("%s: %v %v", plan.TP(), p, notes)
		}
		return p == LogDirsDone
	})
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
