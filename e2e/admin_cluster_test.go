package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/internal/zookeeper"
)

// liveCluster is a real Kafka 2.4+ cluster, as the Admin API suite sees it
// before it changes anything: one the test set-up started (see
// forEachCluster), or the operator's own named by FDUD_TEST_BOOTSTRAP.
type liveCluster struct {
	bootstrap     string
	commandConfig string // absolute path; "" for PLAINTEXT
	zookeeper     string // the cluster's ZooKeeper; "" when it has none (KRaft) or FDUD_TEST_ZOOKEEPER is not given
	domainSpec    string // what --domains and --source get: "rack" or "rack:PATTERN"
	sec           *kafka.Security
	cl            kafka.Cluster
	brokers       []cluster.Broker
	// domains is read from broker.rack by the test itself, to check what
	// fdud domains reports.
	domains map[int32]cluster.Domain
	// kafka is the cluster the test set-up started, nil for the operator's
	// own: tests that kill or restart brokers need it.
	kafka *testenv.Kafka
	// everyScenario is false on the releases between the oldest and the
	// newest of the matrix, which skip the scenarios that do not depend on
	// the release.
	everyScenario bool
}

// forEachCluster runs the suite once per Kafka release of the test matrix
// (testenv.ModernVersions but 3.9.1 in KRaft mode: 2.4.1, 3.9.1 with
// ZooKeeper, 4.x), as
// subtests named kafka=VERSION, each on a cluster of its own started by
// testenv. With FDUD_TEST_BOOTSTRAP set it runs once, as kafka=external,
// against the operator's cluster instead (FDUD_TEST_COMMAND_CONFIG,
// FDUD_TEST_ZOOKEEPER and FDUD_TEST_RACK_PATTERN describe it).
func forEachCluster(t *testing.T, brokers int, suite func(t *testing.T, lc *liveCluster)) {
	if bootstrap := strings.TrimSpace(os.Getenv("FDUD_TEST_BOOTSTRAP")); bootstrap != "" {
		t.Run("kafka=external", func(t *testing.T) {
			cc := os.Getenv("FDUD_TEST_COMMAND_CONFIG")
			if cc != "" {
				abs, err := filepath.Abs(cc) // fdud runs in a temporary directory
				if err != nil {
					t.Fatal(err)
				}
				cc = abs
			}
			lc := openLiveCluster(t, bootstrap, cc, strings.TrimSpace(os.Getenv("FDUD_TEST_ZOOKEEPER")), os.Getenv("FDUD_TEST_RACK_PATTERN"))
			lc.everyScenario = true
			suite(t, lc)
		})
		return
	}
	// 3.9.1 in KRaft mode is left to the kafka and testenv suites: its
	// Admin API path is 4.4.0's, which runs every scenario here.
	versions := slices.DeleteFunc(testenv.ModernVersions(), func(v testenv.KafkaVersion) bool { return v == testenv.Kafka39KRaft })
	for i, v := range versions {
		t.Run("kafka="+v.String(), func(t *testing.T) {
			t.Parallel() // one cluster each: the releases run side by side
			// The oldest and the newest release run every scenario, SASL_SSL
			// included; the ones between run what depends on the release.
			edge := i == 0 || i == len(versions)-1
			// Two log directories per broker, for log-dir moves.
			k := testenv.StartKafka(t, testenv.KafkaOptions{Version: v, Brokers: brokers, LogDirs: 2, SASLSSL: edge})
			lc := openLiveCluster(t, k.Bootstrap, "", k.ZooKeeperConnect, "")
			lc.kafka, lc.everyScenario = k, edge
			suite(t, lc)
		})
	}
}

// openLiveCluster connects to the cluster. It fails on a cluster that cannot
// host the suite: older than 2.4, fewer than 3 brokers, a broker without an
// FD/UD broker.rack (matching rackPattern, or the default), a single fault
// domain, or reassignments already in flight.
func openLiveCluster(t *testing.T, bootstrap, commandConfig, zk, rackPattern string) *liveCluster {
	t.Helper()
	lc := &liveCluster{bootstrap: bootstrap, zookeeper: zk, domainSpec: "rack", commandConfig: commandConfig}
	pattern := domainsrc.DefaultRackPattern
	if rackPattern != "" {
		pattern, lc.domainSpec = rackPattern, "rack:"+rackPattern
	}
	sec, err := kafka.LoadCommandConfig(lc.commandConfig)
	if err != nil {
		t.Fatalf("command config %s: %v", lc.commandConfig, err)
	}
	lc.sec = sec

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, err := kafka.Connect(ctx, kafka.Options{BootstrapServers: strings.Split(bootstrap, ","), CommandConfig: lc.commandConfig,
		Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("connect to %s: %v", bootstrap, err)
	}
	t.Cleanup(func() { cl.Close() })
	if cl.Path() != kafka.AdminAPIPath {
		t.Fatalf("%s: path %q, want %q (a Kafka 2.4+ cluster)", bootstrap, cl.Path(), kafka.AdminAPIPath)
	}
	lc.cl = cl
	st, err := cl.State(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	lc.brokers = st.Brokers
	if len(st.Brokers) < 3 {
		t.Fatalf("the suite needs at least 3 brokers; the cluster has %v", st.Brokers)
	}
	var busy []string
	for _, p := range st.Partitions {
		if p.Reassigning() {
			busy = append(busy, p.TP().String())
		}
	}
	if len(busy) > 0 {
		t.Fatalf("reassignments are in flight on the cluster (%s): fdud execute would refuse (exit 5); run the suite when it is idle", strings.Join(busy, ","))
	}
	rp, err := domainsrc.CompileRackPattern(pattern)
	if err != nil {
		t.Fatalf("rack pattern %q: %v", pattern, err)
	}
	lc.domains = map[int32]cluster.Domain{}
	fds := map[int]bool{}
	for _, b := range st.Brokers {
		d, ok, err := rp.Parse(b.Rack)
		if err != nil || !ok {
			t.Fatalf("broker %d: broker.rack %q does not match %s (%v): every broker needs its FD and UD in broker.rack", b.ID, b.Rack, pattern, err)
		}
		lc.domains[b.ID] = d
		fds[d.FaultDomain] = true
	}
	if len(fds) < 2 {
		t.Fatalf("every broker is in one fault domain (%v): the suite needs at least 2", lc.domains)
	}
	t.Logf("cluster: %d brokers, domains %v", len(st.Brokers), lc.domains)
	return lc
}

// ids returns the live brokers' ids, sorted.
func (lc *liveCluster) ids() []int32 {
	out := make([]int32, len(lc.brokers))
	for i, b := range lc.brokers {
		out[i] = b.ID
	}
	slices.Sort(out)
	return out
}

// sameFaultDomain returns two brokers of one fault domain (in different
// update domains when there is a choice): a partition on both is at risk.
// c is a broker in another fault domain.
func (lc *liveCluster) sameFaultDomain(t *testing.T) (a, b, c int32) {
	t.Helper()
	ids := lc.ids()
	found := false
	for _, wantUD := range []bool{true, false} {
		for i, x := range ids {
			for _, y := range ids[i+1:] {
				dx, dy := lc.domains[x], lc.domains[y]
				if !found && dx.FaultDomain == dy.FaultDomain && (!wantUD || dx.UpdateDomain != dy.UpdateDomain) {
					a, b, found = x, y, true
				}
			}
		}
	}
	if !found {
		t.Fatalf("no two brokers share a fault domain (%v): a domain-unaware assignment cannot be built; the suite needs a fault domain with 2 brokers", lc.domains)
	}
	for _, z := range ids {
		if lc.domains[z].FaultDomain != lc.domains[a].FaultDomain {
			return a, b, z
		}
	}
	t.Fatalf("no broker outside fault domain %d", lc.domains[a].FaultDomain)
	return
}

// topology is the HA rule checker over the live brokers.
func (lc *liveCluster) topology() cluster.Topology { return cluster.NewTopology(lc.domains, lc.ids()) }

// connectArgs are the cluster flags of every fdud command: the Admin API
// path, or the ZooKeeper path of the same cluster with viaZK.
func (lc *liveCluster) connectArgs(viaZK bool) []string {
	args := []string{"--bootstrap-server", lc.bootstrap}
	if lc.commandConfig != "" {
		args = append(args, "--command-config", lc.commandConfig)
	}
	if viaZK {
		args = append(args, "--zookeeper", lc.zookeeper)
	}
	return args
}

// saramaConfig is a client configuration for the test's own producer,
// consumer and admin client, with the security of FDUD_TEST_COMMAND_CONFIG.
func (lc *liveCluster) saramaConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "fdud-e2e"
	c.Version = sarama.V2_4_0_0
	c.Net.DialTimeout, c.Net.ReadTimeout, c.Net.WriteTimeout = 30*time.Second, 30*time.Second, 30*time.Second
	c.Metadata.Retry.Max = 10
	c.Metadata.Retry.Backoff = 500 * time.Millisecond
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.MaxMessageBytes = 900_000 // batches under the brokers' message.max.bytes (1000012), overhead included
	c.Producer.Retry.Max = 10
	c.Producer.Retry.Backoff = 500 * time.Millisecond
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	c.Consumer.Return.Errors = true
	c.Admin.Timeout = 60 * time.Second
	lc.sec.Configure(c)
	if c.Net.SASL.Enable {
		c.Net.SASL.Version = sarama.SASLHandshakeV1
	}
	return c
}

func (lc *liveCluster) servers() []string { return strings.Split(lc.bootstrap, ",") }

// createTopic creates the topic with exactly the assignment (index =
// partition) through fdud's own client, deletes it when the test ends, and
// waits until every partition has a leader and a full ISR.
func (lc *liveCluster) createTopic(ctx context.Context, t *testing.T, topic string, assignment [][]int32, configs map[string]string) {
	t.Helper()
	t.Cleanup(func() { lc.deleteTopic(t, topic) })
	if err := lc.cl.CreateTopic(ctx, topic, assignment, configs); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	waitFor(ctx, t, "topic "+topic+" with leaders and full ISRs", func() (bool, string) {
		st, err := lc.cl.State(ctx, []string{topic})
		if err != nil {
			return false, err.Error()
		}
		if len(st.Partitions) != len(assignment) {
			return false, fmt.Sprintf("%d partitions", len(st.Partitions))
		}
		for _, p := range st.Partitions {
			if p.Leader < 0 || len(p.ISR) != len(p.Replicas) {
				return false, fmt.Sprintf("%+v", p)
			}
		}
		return true, ""
	})
}

// deleteTopic deletes the topic with sarama's ClusterAdmin; a topic already
// gone is fine.
func (lc *liveCluster) deleteTopic(t *testing.T, topic string) {
	admin, err := sarama.NewClusterAdmin(lc.servers(), lc.saramaConfig())
	if err != nil {
		t.Errorf("clean up: delete topic %s: %v", topic, err)
		return
	}
	defer admin.Close()
	if err := admin.DeleteTopic(topic); err != nil && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		t.Errorf("clean up: delete topic %s: %v", topic, err)
		return
	}
	t.Logf("deleted topic %s", topic)
}

// produce writes the messages round-robin over the topic's partitions,
// acknowledged by every in-sync replica (acks=all).
func (lc *liveCluster) produce(t *testing.T, topic string, messages []string) {
	t.Helper()
	p, err := sarama.NewSyncProducer(lc.servers(), lc.saramaConfig())
	if err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
	defer p.Close()
	const batch = 200
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

// consume reads every partition of the topic from its oldest offset to its
// high-water mark, retrying for up to 2 minutes until there are at least n
// messages.
func (lc *liveCluster) consume(t *testing.T, topic string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var got []string
	waitFor(ctx, t, fmt.Sprintf("%d messages of %s", n, topic), func() (bool, string) {
		var err error
		if got, err = lc.consumeAll(ctx, topic); err != nil {
			return false, err.Error()
		}
		return len(got) >= n, fmt.Sprintf("%d messages", len(got))
	})
	return got
}

func (lc *liveCluster) consumeAll(ctx context.Context, topic string) ([]string, error) {
	client, err := sarama.NewClient(lc.servers(), lc.saramaConfig())
	if err != nil {
		return nil, err
	}
	defer client.Close()
	return testenv.ReadTopic(ctx, client, topic)
}

// state reads the topics' partitions through fdud's Admin API client.
func (lc *liveCluster) state(ctx context.Context, t *testing.T, topics ...string) *cluster.State {
	t.Helper()
	st, err := lc.cl.State(ctx, topics)
	if err != nil {
		t.Fatalf("read state of %v: %v", topics, err)
	}
	return st
}

// topicConfig returns the topic's dynamic configuration.
func (lc *liveCluster) topicConfig(ctx context.Context, t *testing.T, topic string) map[string]string {
	t.Helper()
	cfg, err := lc.cl.DescribeConfigs(ctx, kafka.TopicEntity, []string{topic})
	if err != nil {
		t.Fatalf("describe configs of topic %s: %v", topic, err)
	}
	return cfg[topic]
}

// brokerRateKeys are the throttle rates fdud may set on brokers.
var brokerRateKeys = []string{kafka.LeaderThrottledRate, kafka.FollowerThrottledRate, kafka.LogDirsThrottledRate}

// brokerThrottles reads the throttle rates set on every live broker itself
// (dynamic per-broker configs); a key not set is absent.
func (lc *liveCluster) brokerThrottles(ctx context.Context, t *testing.T) map[int32]map[string]string {
	t.Helper()
	names := make([]string, 0, len(lc.brokers))
	for _, id := range lc.ids() {
		names = append(names, strconv.Itoa(int(id)))
	}
	cfgs, err := lc.cl.DescribeConfigs(ctx, kafka.BrokerEntity, names)
	if err != nil {
		t.Fatalf("describe broker configs: %v", err)
	}
	if slices.ContainsFunc(names, func(n string) bool { return cfgs[n][kafka.LeaderThrottledRate] == kafka.Unreported }) {
		cfgs = lc.zkBrokerConfigs(ctx, t, names)
	}
	out := map[int32]map[string]string{}
	for _, id := range lc.ids() {
		m := map[string]string{}
		for _, k := range brokerRateKeys {
			if v, ok := cfgs[strconv.Itoa(int(id))][k]; ok {
				m[k] = v
			}
		}
		out[id] = m
	}
	return out
}

// zkBrokerConfigs reads the brokers' dynamic configs from ZooKeeper
// (/config/brokers/<id>), as kafka-configs.sh --zookeeper --describe shows
// them: the only way to see the broker throttle rates of Kafka 2.4, whose
// DescribeConfigs leaves them out.
func (lc *liveCluster) zkBrokerConfigs(ctx context.Context, t *testing.T, names []string) map[string]map[string]string {
	t.Helper()
	if lc.zookeeper == "" {
		t.Fatal("the brokers do not report their throttle rates (Kafka 2.4 or 2.5): set FDUD_TEST_ZOOKEEPER so that the suite can read them from ZooKeeper")
	}
	conn, err := zookeeper.Connect(ctx, zookeeper.Options{Connect: lc.zookeeper, SessionTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("read broker configs from ZooKeeper %s: %v", lc.zookeeper, err)
	}
	defer conn.Close()
	out := map[string]map[string]string{}
	for _, n := range names {
		var doc struct {
			Config map[string]string `json:"config"`
		}
		data, _, err := conn.Get(context.Background(), "/config/brokers/"+n)
		switch {
		case errors.Is(err, zk.ErrNoNode):
		case err != nil:
			t.Fatalf("read /config/brokers/%s: %v", n, err)
		default:
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatalf("/config/brokers/%s: %v", n, err)
			}
		}
		out[n] = doc.Config
	}
	return out
}

// restoreBrokerThrottlesOnCleanup puts back, when the test ends, broker
// rates that still hold one of the rates the test had fdud set: the safety
// net for a test that failed before fdud removed its throttles. Values
// anybody else set are left alone.
func (lc *liveCluster) restoreBrokerThrottlesOnCleanup(t *testing.T, before map[int32]map[string]string, rates ...int64) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		now := lc.brokerThrottles(ctx, t)
		for id, cur := range now {
			set, del := map[string]string{}, []string(nil)
			for _, k := range brokerRateKeys {
				v, has := cur[k]
				if !has || v == before[id][k] || !slices.Contains(rates, parseRate(v)) {
					continue
				}
				if old, had := before[id][k]; had {
					set[k] = old
				} else {
					del = append(del, k)
				}
			}
			if len(set) == 0 && len(del) == 0 {
				continue
			}
			t.Logf("clean up: broker %d still carries the test's throttles %v: restoring %v, deleting %v", id, cur, set, del)
			if err := lc.cl.AlterConfigs(ctx, kafka.BrokerEntity, strconv.Itoa(int(id)), set, del); err != nil {
				t.Errorf("clean up: broker %d throttles: %v", id, err)
			}
		}
	})
}

func parseRate(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// expectedRate is what a broker's rate key holds while fdud's throttle of
// rate is on: fdud never raises a lower rate somebody set before.
func expectedRate(before map[string]string, key string, rate int64) string {
	if v, ok := before[key]; ok && parseRate(v) >= 0 && parseRate(v) <= rate {
		return v
	}
	return strconv.FormatInt(rate, 10)
}

// waitFor polls ok every second until it holds or ctx ends; ok returns a
// description of what it saw, for the failure message.
func waitFor(ctx context.Context, t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	for {
		done, seen := ok()
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v; last seen: %s", what, ctx.Err(), seen)
		case <-time.After(time.Second):
		}
	}
}

// uniqueTopic returns fdud-it-<random>[-suffix].
func uniqueTopic(t *testing.T, suffix string) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "fdud-it-" + hex.EncodeToString(b)
	if suffix != "" {
		name += "-" + suffix
	}
	return name
}

// throttleRecords lists fdud's throttle records in a state directory.
// hasClusterRecord reports whether the cluster's state topic (the Admin API
// path's store) holds a throttle record of the plan.
func (lc *liveCluster) hasClusterRecord(t *testing.T, planID string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{Kafka: kafka.StateTopicOf(lc.cl), StateDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open the cluster's throttle records: %v", err)
	}
	rec, err := store.Load(ctx, planID)
	if err != nil {
		t.Fatalf("read the throttle record of %s: %v", planID, err)
	}
	return rec != nil
}

func throttleRecords(t *testing.T, stateDir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(stateDir, "throttles", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// planText renders a plan as Kafka's reassignment JSON.
func planText(t *testing.T, a cluster.Assignment) string {
	t.Helper()
	var b strings.Builder
	if err := cluster.WriteAssignment(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// listEntries splits a throttled-replicas value into its entries.
func listEntries(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func entry(p, b int32) string { return fmt.Sprintf("%d:%d", p, b) }
