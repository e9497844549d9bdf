package testenv_test

import (
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/testenv"
)

// TestKafka exercises the test cluster the way the stage tests use it: three
// brokers, a replicated topic, a round trip of 1,000 messages, a broker
// crash that loses nothing, and a restart that catches up.
func TestKafka(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 3})
	if got := k.LiveBrokers(t); len(got) != 3 {
		t.Fatalf("live brokers %v, want 3", got)
	}
	if !strings.HasPrefix(k.ZooKeeperConnect, k.ZooKeeper.Addr+"/fdud-test-") {
		t.Errorf("ZooKeeperConnect %q: want the server address and a random chroot", k.ZooKeeperConnect)
	}

	k.CreateTopic(t, "orders", 6, 3)
	k.WaitReplicasInSync(t, "orders")
	want := testenv.Messages("m", 1000)
	k.Produce(t, "orders", want)
	if ok, diff := testenv.SameMessages(k.Consume(t, "orders", len(want)), want); !ok {
		t.Fatalf("before the crash: %s", diff)
	}

	leader := k.PartitionStates(t, "orders")[0].Leader
	k.Broker(leader).Kill()
	if k.Broker(leader).Running() {
		t.Fatalf("broker %d still runs after Kill", leader)
	}
	var rest []int32
	for _, id := range k.BrokerIDs() {
		if id != leader {
			rest = append(rest, id)
		}
	}
	k.WaitBrokersLive(t, rest...)
	if ok, diff := testenv.SameMessages(k.Consume(t, "orders", len(want)), want); !ok {
		t.Fatalf("after killing broker %d: %s", leader, diff)
	}
	more := testenv.Messages("after-kill", 100)
	k.Produce(t, "orders", more)

	k.Broker(leader).Restart(t)
	k.WaitReplicasInSync(t, "orders")
	all := append(append([]string{}, want...), more...)
	if ok, diff := testenv.SameMessages(k.Consume(t, "orders", len(all)), all); !ok {
		t.Fatalf("after restarting broker %d: %s", leader, diff)
	}
}

// TestKafkaTools checks that the distribution's own scripts run on this Java
// against the test cluster and see what the test set up.
func TestKafkaTools(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 2})
	k.CreateTopicWithAssignment(t, "pinned", [][]int32{{2, 1}, {1, 2}, {2}})
	out := k.DescribeTopic(t, "pinned")
	for _, line := range []string{
		"Topic: pinned\tPartition: 0\tLeader: 2\tReplicas: 2,1\tIsr: 2,1",
		"Topic: pinned\tPartition: 1\tLeader: 1\tReplicas: 1,2\tIsr: 1,2",
		"Topic: pinned\tPartition: 2\tLeader: 2\tReplicas: 2\tIsr: 2",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("kafka-topics.sh --describe lacks %q:\n%s", line, out)
		}
	}
	r := k.RunTool(t, "kafka-topics.sh", "--zookeeper", k.ZooKeeperConnect, "--list")
	if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "pinned" {
		t.Errorf("kafka-topics.sh --list: %s", r)
	}
	// A tool's failure is the caller's to judge, not a test failure.
	if r := k.RunTool(t, "kafka-topics.sh", "--zookeeper", k.ZooKeeperConnect, "--no-such-option"); r.ExitCode == 0 {
		t.Errorf("kafka-topics.sh --no-such-option: %s", r)
	}

	// A clean stop deregisters at once; a restart keeps the broker's address.
	b := k.Broker(2)
	addr := b.Addr
	b.Stop()
	if b.Running() || b.PID() != 0 {
		t.Fatalf("broker 2 runs after Stop")
	}
	k.WaitBrokersLive(t, 1)
	b.Restart(t)
	k.WaitBrokersLive(t, 1, 2)
	if b.Addr != addr {
		t.Errorf("broker 2 restarted on %s, was %s", b.Addr, addr)
	}
	k.WaitReplicasInSync(t, "pinned")
}
