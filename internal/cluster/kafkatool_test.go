package cluster_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
)

var updateKafkaTestdata = flag.Bool("update-kafka-testdata", false,
	"rewrite testdata/kafka-0.9.0.1 from the output of a live Kafka 0.9.0.1")

// kafkaToolDir holds what Kafka 0.9.0.1's kafka-reassign-partitions.sh
// printed in TestKafkaToolCompat, verbatim, for tests of fdud's compatible
// output; its README lists the command and exit code of each file.
const kafkaToolDir = "testdata/kafka-0.9.0.1"

// TestKafkaToolCompat runs plans both ways between fdud and Kafka 0.9.0.1's
// own kafka-reassign-partitions.sh on a real three-broker cluster: the
// tool's --generate output parses with cluster.ParseAssignment, and plans
// written by cluster.WriteAssignment (log_dirs included) are executed
// unchanged by the tool, moved by the controller and verified, with every
// message still there afterwards.
func TestKafkaToolCompat(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{
		Brokers: 3,
		// Broker 3 cannot fetch a message over 1 KiB, so a reassignment that
		// adds it to a partition holding one stays in progress until it is
		// restarted with a larger limit: a deterministic "in progress".
		BrokerProperties: map[int32]map[string]string{3: {
			"replica.fetch.max.bytes": "1024",
			"message.max.bytes":       "1000",
		}},
	})
	// Broker 3 is restarted in the middle of a reassignment below. Were it
	// the controller, the new controller would find the reassignment's
	// target down and abort it, leaving the union of old and new replicas
	// (Kafka 0.9's failover behaviour): so move the controller away first.
	if k.Controller(t) == 3 {
		k.Broker(3).Restart(t)
	}
	if c := k.Controller(t); c == 3 {
		t.Fatalf("broker 3 is still the controller after its restart")
	}
	rec := newToolRecorder(t)
	dir := t.TempDir()
	zkArgs := func(args ...string) []string { return append([]string{"--zookeeper", k.ZooKeeperConnect}, args...) }

	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1, 2}, {2, 3}, {3, 1}})
	k.CreateTopicWithAssignment(t, "events", [][]int32{{1}, {2}})
	orders, events := testenv.Messages("orders", 600), testenv.Messages("events", 100)
	k.Produce(t, "orders", orders)
	k.Produce(t, "events", events)
	k.WaitReplicasInSync(t, "orders")

	// Kafka -> fdud: the --generate output, headings and all.
	topicsFile := writeFile(t, dir, "topics.json", `{"version":1,"topics":[{"topic":"orders"},{"topic":"events"}]}`)
	gen := rec.run(k, "generate", "--generate of orders and events onto brokers 1,2,3", 0,
		zkArgs("--generate", "--topics-to-move-json-file", topicsFile, "--broker-list", "1,2,3"))
	current, err := cluster.ParseAssignment([]byte(gen.Stdout))
	if err != nil {
		t.Fatalf("ParseAssignment(--generate output): %v\n%s", err, gen.Stdout)
	}
	assertAssignment(t, "current assignment from --generate", current, liveAssignment(t, k, "events", "orders"))
	proposed, err := cluster.ParseAssignment(cluster.ExtractJSON([]byte(gen.Stdout), cluster.ProposedHeading))
	if err != nil {
		t.Fatalf("ParseAssignment(proposed part of --generate output): %v\n%s", err, gen.Stdout)
	}
	checkProposal(t, current, proposed, []int32{1, 2, 3})

	// fdud -> Kafka: a plan of fdud's own (every entry a real move), recorded
	// with the tool's answers.
	plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: []int32{2, 3}},
		{Topic: "orders", Partition: 1, Replicas: []int32{3, 1}},
		{Topic: "orders", Partition: 2, Replicas: []int32{1, 2}},
		{Topic: "events", Partition: 0, Replicas: []int32{3}},
	}}
	planFile := reassignAndCheck(t, k, rec, "execute", dir, "fdud-plan.json", plan)
	rec.keep("fdud-plan.json", planFile)
	rec.run(k, "verify-completed", "--verify of the completed fdud-plan.json", 0,
		zkArgs("--verify", "--reassignment-json-file", planFile))
	checkMessages(t, k, "orders", orders)
	checkMessages(t, k, "events", events)

	// Kafka 0.9 knows nothing of log directories: it ignores log_dirs, even
	// a path, so fdud must not send it a plan that moves log directories.
	dirsFile := writePlan(t, dir, "log-dir-path.json", cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		{Topic: "events", Partition: 1, Replicas: []int32{1}, LogDirs: []string{"/no/such/dir"}},
	}})
	rec.keep("log-dir-path.json", dirsFile)
	rec.run(k, "execute-log-dir-path", "--execute of a plan whose log_dirs names a path (ignored)", 0,
		zkArgs("--execute", "--reassignment-json-file", dirsFile))
	k.WaitReassignmentDone(t)
	k.WaitReplicasInSync(t, "events")
	if got := k.Assignment(t, "events")[1]; !slices.Equal(got, []int32{1}) {
		t.Errorf("events-1 after a plan with a log dir path: replicas %v, want [1]", got)
	}
	checkMessages(t, k, "events", events)

	// A plan that does not match the cluster and is not in flight: "failed".
	stale := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: rotate(liveAssignment(t, k, "orders").Partitions[0].Replicas, k.BrokerIDs())},
	}}
	staleFile := writePlan(t, dir, "stale.json", stale)
	rec.run(k, "verify-failed", "--verify of a plan that was never executed (orders-0 elsewhere)", 0,
		zkArgs("--verify", "--reassignment-json-file", staleFile))

	// A reassignment in flight: broker 3 cannot copy the big message.
	k.CreateTopicWithAssignment(t, "slow", [][]int32{{1, 2}})
	k.Produce(t, "slow", []string{"small", strings.Repeat("x", 10_000), "small-too"})
	slow := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "slow", Partition: 0, Replicas: []int32{1, 3}},
	}}
	slowFile := writePlan(t, dir, "slow.json", slow)
	rec.run(k, "execute-started", "--execute of slow.json (slow-0 from [1,2] to [1,3])", 0,
		zkArgs("--execute", "--reassignment-json-file", slowFile))
	rec.run(k, "verify-in-progress", "--verify of slow.json while broker 3 cannot catch up", 0,
		zkArgs("--verify", "--reassignment-json-file", slowFile))
	rec.run(k, "execute-existing", "--execute of fdud-plan.json while slow.json is in flight (exits 0!)", 0,
		zkArgs("--execute", "--reassignment-json-file", planFile))
	b3 := k.Broker(3)
	b3.SetProperty("replica.fetch.max.bytes", "1048576")
	b3.SetProperty("message.max.bytes", "1000000")
	b3.Restart(t)
	k.WaitReassignmentDone(t)
	k.WaitReplicasInSync(t, "slow")
	assertAssignment(t, "slow after restart", liveAssignment(t, k, "slow"), slow)
	checkMessages(t, k, "slow", []string{"small", strings.Repeat("x", 10_000), "small-too"})

	// Bad plans: what the tool says when a topic or broker does not exist.
	unknownFile := writePlan(t, dir, "unknown-topic.json", cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		{Topic: "nosuch", Partition: 0, Replicas: []int32{1, 2}},
	}})
	rec.run(k, "execute-unknown-topic", "--execute of a plan naming a topic that does not exist", 0,
		zkArgs("--execute", "--reassignment-json-file", unknownFile))
	k.WaitReassignmentDone(t)
	deadFile := writePlan(t, dir, "unknown-broker.json", cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		{Topic: "slow", Partition: 0, Replicas: []int32{9}},
	}})
	rec.run(k, "execute-unknown-broker", "--execute of a plan naming broker 9, which does not exist", 0,
		zkArgs("--execute", "--reassignment-json-file", deadFile))
	k.WaitReassignmentDone(t)
	rec.run(k, "verify-unknown-broker", "--verify of that plan after the controller dropped it", 0,
		zkArgs("--verify", "--reassignment-json-file", deadFile))
	checkMessages(t, k, "slow", []string{"small", strings.Repeat("x", 10_000), "small-too"})

	// fdud -> Kafka: Kafka's own proposal from --generate, read by
	// ParseAssignment, re-written by WriteAssignment and executed by Kafka.
	reassignAndCheck(t, k, rec, "", dir, "kafka-proposal.json", proposed)
	checkMessages(t, k, "orders", orders)
	checkMessages(t, k, "events", events)
}

// reassignAndCheck writes plan with cluster.WriteAssignment, has Kafka's tool
// execute it unchanged, waits for the controller, and checks the result with
// the tool's --verify, kafka-topics.sh --describe and ZooKeeper. With a
// name, the --execute output is recorded. It returns the plan file.
func reassignAndCheck(t *testing.T, k *testenv.Kafka, rec *toolRecorder, name, dir, file string, plan cluster.Assignment) string {
	t.Helper()
	path := writePlan(t, dir, file, plan)
	text, _ := os.ReadFile(path)
	if !bytes.Contains(text, []byte(`"log_dirs":["any"`)) {
		t.Fatalf("%s: WriteAssignment wrote no log_dirs, so the test would not prove Kafka accepts them:\n%s", file, text)
	}
	before := liveAssignment(t, k, plan.Topics()...)
	args := []string{"--zookeeper", k.ZooKeeperConnect, "--execute", "--reassignment-json-file", path}
	var r testenv.ToolResult
	if name != "" {
		r = rec.run(k, name, "--execute of "+file+" (written by cluster.WriteAssignment)", 0, args)
	} else {
		r = k.MustRunTool(t, "kafka-reassign-partitions.sh", args...)
	}
	if !strings.Contains(r.Stdout, "Successfully started reassignment of partitions") {
		t.Fatalf("--execute of %s did not start:\n%s", file, r)
	}
	// The rollback JSON the tool prints is the assignment before the move.
	rollback, err := cluster.ParseAssignment([]byte(r.Stdout))
	if err != nil {
		t.Fatalf("ParseAssignment(--execute output): %v\n%s", err, r.Stdout)
	}
	assertAssignment(t, "rollback printed by --execute", subset(rollback, plan), subset(before, plan))

	k.WaitReassignmentDone(t)
	for _, topic := range plan.Topics() {
		k.WaitReplicasInSync(t, topic)
	}
	v := k.MustRunTool(t, "kafka-reassign-partitions.sh", "--zookeeper", k.ZooKeeperConnect, "--verify", "--reassignment-json-file", path)
	for _, p := range plan.Partitions {
		line := fmt.Sprintf("Reassignment of partition [%s,%d] completed successfully", p.Topic, p.Partition)
		if !strings.Contains(v.Stdout, line) {
			t.Errorf("--verify of %s lacks %q:\n%s", file, line, v.Stdout)
		}
	}
	assertAssignment(t, "ZooKeeper after "+file, subset(liveAssignment(t, k, plan.Topics()...), plan), plan)
	described := describedReplicas(t, k, plan.Topics())
	for _, p := range plan.Partitions {
		if got := described[p.TP()]; got != joinIDs(p.Replicas) {
			t.Errorf("kafka-topics.sh --describe: %s replicas %s, want %s", p.TP(), got, joinIDs(p.Replicas))
		}
	}
	return path
}

// checkProposal checks Kafka's proposal as the planner's tests would: same
// partitions and replication factors, distinct brokers from the list.
func checkProposal(t *testing.T, current, proposed cluster.Assignment, brokers []int32) {
	t.Helper()
	if len(proposed.Partitions) != len(current.Partitions) {
		t.Fatalf("proposal has %d partitions, current %d", len(proposed.Partitions), len(current.Partitions))
	}
	idx := current.Index()
	for _, p := range proposed.Partitions {
		i, ok := idx[p.TP()]
		if !ok {
			t.Errorf("proposal names %s, which is not in the current assignment", p.TP())
			continue
		}
		if len(p.Replicas) != len(current.Partitions[i].Replicas) {
			t.Errorf("%s: proposal has %d replicas, current %d", p.TP(), len(p.Replicas), len(current.Partitions[i].Replicas))
		}
		seen := map[int32]bool{}
		for _, r := range p.Replicas {
			if seen[r] || !slices.Contains(brokers, r) {
				t.Errorf("%s: proposal %v repeats a broker or uses one outside %v", p.TP(), p.Replicas, brokers)
			}
			seen[r] = true
		}
	}
}

func checkMessages(t *testing.T, k *testenv.Kafka, topic string, want []string) {
	t.Helper()
	if ok, diff := testenv.SameMessages(k.Consume(t, topic, len(want)), want); !ok {
		t.Errorf("topic %s: %s", topic, diff)
	}
}

// liveAssignment is the cluster's assignment of the topics, from ZooKeeper.
func liveAssignment(t *testing.T, k *testenv.Kafka, topics ...string) cluster.Assignment {
	t.Helper()
	a := cluster.Assignment{Version: 1}
	for _, topic := range topics {
		for p, r := range k.Assignment(t, topic) {
			a.Partitions = append(a.Partitions, cluster.PartitionAssignment{Topic: topic, Partition: int32(p), Replicas: r})
		}
	}
	a.Sort()
	return a
}

// subset keeps the partitions of a that plan names.
func subset(a, plan cluster.Assignment) cluster.Assignment {
	idx := plan.Index()
	out := cluster.Assignment{Version: 1}
	for _, p := range a.Partitions {
		if _, ok := idx[p.TP()]; ok {
			out.Partitions = append(out.Partitions, p)
		}
	}
	return out
}

// assertAssignment compares partitions and replica order; log_dirs are
// ignored (Kafka 0.9 neither writes nor reads them).
func assertAssignment(t *testing.T, what string, got, want cluster.Assignment) {
	t.Helper()
	g, w := replicasByTP(got), replicasByTP(want)
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got %v\nwant %v", what, g, w)
	}
}

func replicasByTP(a cluster.Assignment) []string {
	var out []string
	for _, p := range a.Partitions {
		out = append(out, fmt.Sprintf("%s:%s", p.TP(), joinIDs(p.Replicas)))
	}
	sort.Strings(out)
	return out
}

var describeLine = regexp.MustCompile(`Topic: (\S+)\s+Partition: (\d+)\s+Leader: \S+\s+Replicas: (\S+)\s+Isr: `)

// describedReplicas reads replicas per partition from kafka-topics.sh
// --describe, the view an operator checks.
func describedReplicas(t *testing.T, k *testenv.Kafka, topics []string) map[cluster.TopicPartition]string {
	t.Helper()
	out := map[cluster.TopicPartition]string{}
	for _, topic := range topics {
		text := k.DescribeTopic(t, topic)
		for _, m := range describeLine.FindAllStringSubmatch(text, -1) {
			var p int32
			fmt.Sscan(m[2], &p)
			out[cluster.TopicPartition{Topic: m[1], Partition: p}] = m[3]
		}
	}
	return out
}

func joinIDs(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

// rotate moves every replica to the next broker id, so that the result
// differs from r in every position.
func rotate(r, brokers []int32) []int32 {
	out := make([]int32, len(r))
	for i, id := range r {
		j := slices.Index(brokers, id)
		out[i] = brokers[(j+1)%len(brokers)]
	}
	return out
}

func writePlan(t *testing.T, dir, name string, a cluster.Assignment) string {
	t.Helper()
	var buf bytes.Buffer
	if err := cluster.WriteAssignment(&buf, a); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.String())
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
