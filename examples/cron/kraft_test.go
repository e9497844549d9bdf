package cron_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
)

// TestCronJobWithoutZooKeeper runs the job on a KRaft cluster (Kafka 4: no
// ZooKeeper at all), with FDUD_ZOOKEEPER unset: the domains and the repair
// lock live in the cluster's state topic, and the repair goes through the
// Admin API. A VM that moves puts partitions at risk; its broker's job
// repairs them and loses no message.
func TestCronJobWithoutZooKeeper(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.Unavailable(t, "bash not found")
	}
	bin := buildFdud(t)
	k := testenv.StartKafka(t, testenv.KafkaOptions{Version: testenv.Kafka4, Brokers: 4})
	script, err := filepath.Abs("fdud-cron.sh")
	if err != nil {
		t.Fatal(err)
	}
	doms := map[int32]cluster.Domain{1: dom(0, 0), 2: dom(1, 1), 3: dom(0, 2), 4: dom(1, 0)}
	r := &runner{t: t, bin: bin, script: script, k: k, dirs: map[int32]string{}, imds: map[int32]*imds{}}
	for id, d := range doms {
		r.dirs[id] = t.TempDir()
		r.imds[id] = startIMDS(t, "wn"+strconv.Itoa(int(id)), d)
		// Every broker has published its domain (its job's first run).
		pub := exec.Command(filepath.Join(bin, "fdud"), "domains", "--source", "imds", "--broker-id", strconv.Itoa(int(id)),
			"--allow-missing", "--publish", "kafka", "--bootstrap-server", k.Bootstrap)
		pub.Env = append(os.Environ(), "FDUD_IMDS_ENDPOINT="+r.imds[id].srv.URL)
		if out, err := pub.CombinedOutput(); err != nil && pub.ProcessState.ExitCode() != 6 {
			t.Fatalf("publish the domain of broker %d: %v\n%s", id, err, out)
		}
	}
	orders := [][]int32{{1, 2}, {2, 3}, {3, 4}, {2, 1}, {3, 2}, {4, 3}}
	admin, err := sarama.NewClusterAdmin(strings.Split(k.Bootstrap, ","), k.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.CreateTopic("orders", &sarama.TopicDetail{NumPartitions: -1, ReplicationFactor: -1,
		ReplicaAssignment: map[int32][]int32{0: orders[0], 1: orders[1], 2: orders[2], 3: orders[3], 4: orders[4], 5: orders[5]}}, false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := k.WaitTopic(ctx, "orders", len(orders)); err != nil {
		t.Fatal(err)
	}
	messages := testenv.Messages("o", 300)
	k.Produce(t, "orders", messages)
	current := func() map[cluster.TopicPartition][]int32 {
		t.Helper()
		md, err := admin.DescribeTopics([]string{"orders"})
		if err != nil || len(md) != 1 {
			t.Fatalf("describe orders: %v", err)
		}
		out := map[cluster.TopicPartition][]int32{}
		for _, p := range md[0].Partitions {
			out[cluster.TopicPartition{Topic: "orders", Partition: p.ID}] = p.Replicas
		}
		return out
	}
	before := current()
	if left := atRisk(doms, before); len(left) > 0 {
		t.Fatalf("test set-up: partitions at risk from the start: %v", left)
	}

	if res := r.run(2); res.exit != 0 || !res.has("unchanged") {
		t.Errorf("unchanged broker 2: exit %d, want 0 with event=unchanged", res.exit)
	}

	// Broker 3's VM moves from FD0 UD2 to FD1 UD1: it now shares both
	// domains with broker 2 and the fault domain with broker 4.
	doms[3] = dom(1, 1)
	r.imds[3].move(doms[3])
	if len(atRisk(doms, before)) == 0 {
		t.Fatal("test set-up: the move puts nothing at risk")
	}
	res := r.run(3)
	if res.exit != 0 || !res.has("domain-changed") || !res.has("repaired") {
		t.Fatalf("exit %d, want 0 with event=domain-changed and event=repaired", res.exit)
	}
	if !strings.Contains(res.log, "domains=kafka") {
		t.Errorf("the job did not plan from the domains in the cluster (domains=kafka)")
	}
	checkRepair(t, doms, before, current())
	if ok, diff := testenv.SameMessages(k.ConsumeAll(t, "orders"), messages); !ok {
		t.Errorf("orders after the repair: %s", diff)
	}
	if res := r.run(3); res.exit != 0 || !res.has("unchanged") {
		t.Errorf("next run: exit %d, want 0 with event=unchanged", res.exit)
	}
}
