package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
)

// Issue 9 on a real Kafka 4 cluster (the Admin API path):
//   - fdud verify, with --all or a plan, is a read-only check: it must not
//     create fdud's state topic (it did, on first use);
//   - a --throttle on a plan that only reorders leaders sets no throttle,
//     and compat mode's stdout must not say Kafka's "throttle limit was
//     set" while stderr says no throttle was set.
func TestAdminPathReadOnlyVerifyAndThrottleLines(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Version: testenv.Kafka4, Brokers: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cl, err := kafka.Connect(ctx, kafka.Options{BootstrapServers: strings.Split(k.Bootstrap, ","), Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.CreateTopic(ctx, "orders", [][]int32{{1, 2}, {2, 3}}, nil); err != nil {
		t.Fatal(err)
	}
	for {
		st, err := cl.State(ctx, []string{"orders"})
		if err == nil && len(st.Partitions) == 2 && st.Partitions[0].Leader > 0 && st.Partitions[1].Leader > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("orders has no leaders: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	hasStateTopic := func() bool {
		t.Helper()
		has, err := kafka.StateTopicOf(cl).HasStateTopic(ctx, kafka.StateTopicName)
		if err != nil {
			t.Fatal(err)
		}
		return has
	}
	if hasStateTopic() {
		t.Fatal("a new cluster has the state topic")
	}

	plan := `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2]},{"topic":"orders","partition":1,"replicas":[2,3]}]}`
	state := t.TempDir()
	for _, args := range [][]string{{"--all"}, {"--reassignment-json-file", writeFile(t, "plan.json", plan)}} {
		code, _, stderr := runFdud(t, "", append([]string{"verify", "--bootstrap-server", k.Bootstrap, "--state-dir", state}, args...)...)
		if code != exitOK {
			t.Errorf("verify %v: exit %d, want 0\n%s", args, code, stderr)
		}
		if hasStateTopic() {
			t.Fatalf("verify %v created the state topic %s", args, kafka.StateTopicName)
		}
	}

	// Only a new preferred leader for orders-0: no replica is added.
	leaders := writeFile(t, "leaders.json", `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,1]}]}`)
	out, errText, err := compatRun(t, "--bootstrap-server", k.Bootstrap, "--execute", "--reassignment-json-file", leaders, "--throttle", "1000")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "No throttle set") {
		t.Errorf("stderr does not say no throttle was set:\n%s", errText)
	}
	if strings.Contains(out, "throttle limit was set") || strings.Contains(out, "Warning: You must run --verify periodically") {
		t.Errorf("stdout speaks of a throttle none set:\n%s", out)
	}
	if !strings.Contains(out, "Successfully started partition reassignment for orders-0") {
		t.Errorf("stdout lacks Kafka's started line:\n%s", out)
	}
	// execute writes (the cluster lock): it may create the topic.
	if !hasStateTopic() {
		t.Errorf("execute ran without creating the state topic for its lock")
	}
}
