package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/compat"
	"github.com/fdud/fdud/internal/testenv"
)

// compatRun runs a Kafka command line through compat.Parse and runCompat, as the binary
// does, and returns what it printed.
func compatRun(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	o, err := compat.Parse(args, nil)
	if err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	var out, errw bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	err = runCompat(ctx, o, compatEnv{
		Stdout: &out, Stderr: &errw,
		Logger: slog.New(slog.NewTextHandler(&errw, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Env: compat.Env{
			PollInterval: 200 * time.Millisecond,
			StateDir:     dir,
			RollbackFile: filepath.Join(dir, "rollback.json"),
		},
	})
	t.Logf("fdud compat %s\nstdout:\n%s\nstderr:\n%s\nerr: %v", strings.Join(args, " "), out.String(), errw.String(), err)
	return out.String(), errw.String(), err
}

// proposedJSON returns the JSON under "Proposed partition reassignment
// configuration" in --generate's text (Kafka's or fdud's).
func proposedJSON(t *testing.T, text string) string {
	t.Helper()
	_, after, ok := strings.Cut(text, cluster.ProposedHeading)
	if !ok {
		t.Fatalf("no %q in:\n%s", cluster.ProposedHeading, text)
	}
	for _, l := range strings.Split(after, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "{") {
			return strings.TrimSpace(l)
		}
	}
	t.Fatalf("no JSON after %q in:\n%s", cluster.ProposedHeading, text)
	return ""
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// statusLines returns the per-partition lines of a --verify output, sorted
// (Kafka 0.9 prints them in hash order).
func statusLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Reassignment of partition ") {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// waitKafkaVerify runs Kafka's --verify until every line says completed.
func waitKafkaVerify(t *testing.T, k *testenv.Kafka, plan string) testenv.ToolResult {
	t.Helper()
	k.WaitReassignmentDone(t)
	r := k.ReassignPartitions(t, "--verify", "--reassignment-json-file", plan)
	for _, l := range statusLines(r.Stdout) {
		if !strings.HasSuffix(l, "completed successfully") {
			t.Fatalf("Kafka's --verify after the controller finished: %q\n%s", l, r)
		}
	}
	return r
}

// TestRoundTripWithKafkaTool runs the same JSON through both directions
// with Kafka 0.9.0.1's own kafka-reassign-partitions.sh: a plan fdud writes
// is executed and verified by Kafka's tool, and a plan Kafka's tool writes
// is executed and verified by fdud; each verifies the other's work with the
// same status lines.
func TestRoundTripWithKafkaTool(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 4})
	zk := k.ZooKeeperConnect

	// 2 FDs x 2 UDs. Every partition of "orders" starts in FD0: at risk.
	domains := writeFile(t, "domains.json", `{"version":1,"brokers":[
		{"id":1,"fault_domain":0,"update_domain":0},{"id":2,"fault_domain":0,"update_domain":1},
		{"id":3,"fault_domain":1,"update_domain":0},{"id":4,"fault_domain":1,"update_domain":1}]}`)
	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1, 2}, {2, 1}, {1, 2}, {2, 1}})
	k.CreateTopicWithAssignment(t, "events", [][]int32{{1}, {2}, {3}})
	k.Produce(t, "orders", testenv.Messages("o", 200))
	k.Produce(t, "events", testenv.Messages("e", 90))

	t.Run("fdud plan, Kafka executes", func(t *testing.T) {
		topics := writeFile(t, "topics.json", `{"version":1,"topics":[{"topic":"orders"}]}`)
		out, _, err := compatRun(t, "--zookeeper", zk, "--generate", "--topics-to-move-json-file", topics,
			"--broker-list", "1,2,3,4", "--domains", domains)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, cluster.CurrentHeading+"\n\n{") {
			t.Errorf("--generate does not open with Kafka 0.9's heading and blank line:\n%s", out)
		}
		plan := writeFile(t, "plan.json", proposedJSON(t, out)+"\n")
		a, err := cluster.ParseAssignment([]byte(proposedJSON(t, out)))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Partitions) != 4 {
			t.Fatalf("plan moves %d partitions, want all 4 at-risk ones:\n%s", len(a.Partitions), out)
		}

		r := k.ReassignPartitions(t, "--execute", "--reassignment-json-file", plan)
		if !strings.Contains(r.Stdout, "Successfully started reassignment of partitions") {
			t.Fatalf("Kafka's tool refused fdud's plan:\n%s", r)
		}
		kv := waitKafkaVerify(t, k, plan)

		// fdud verifies Kafka's execution of its plan, with the same lines.
		fv, _, err := compatRun(t, "--zookeeper", zk, "--verify", "--reassignment-json-file", plan, "--domains", domains)
		if err != nil {
			t.Fatalf("fdud --verify: %v", err)
		}
		if got, want := statusLines(fv), statusLines(kv.Stdout); !slices.Equal(got, want) {
			t.Errorf("fdud --verify lines:\n%s\nKafka's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		checkSpread(t, k, "orders", map[int32]cluster.Domain{
			1: {FaultDomain: 0, UpdateDomain: 0}, 2: {FaultDomain: 0, UpdateDomain: 1},
			3: {FaultDomain: 1, UpdateDomain: 0}, 4: {FaultDomain: 1, UpdateDomain: 1}})
		if got := k.ConsumeAll(t, "orders"); len(got) != 200 {
			t.Errorf("orders has %d messages after the move, want 200", len(got))
		}
	})

	t.Run("Kafka plan, fdud executes", func(t *testing.T) {
		topics := writeFile(t, "topics.json", `{"version":1,"topics":[{"topic":"events"}]}`)
		g := k.ReassignPartitions(t, "--generate", "--topics-to-move-json-file", topics, "--broker-list", "2,3,4")
		if !strings.Contains(g.Stdout, cluster.ProposedHeading) {
			t.Fatalf("Kafka's --generate:\n%s", g)
		}
		// Runbooks save either the JSON line or the tool's whole output; fdud
		// takes both (the proposed configuration from the whole output).
		whole := writeFile(t, "kafka-generate.txt", g.Stdout)
		plan := writeFile(t, "plan.json", proposedJSON(t, g.Stdout)+"\n")

		out, _, err := compatRun(t, "--zookeeper", zk, "--execute", "--reassignment-json-file", whole)
		if err != nil {
			t.Fatalf("fdud --execute of Kafka's plan: %v", err)
		}
		for _, want := range []string{cluster.CurrentHeading + "\n\n{", "Save this to use as the --reassignment-json-file option during rollback", "Successfully started reassignment of partitions {"} {
			if !strings.Contains(out, want) {
				t.Errorf("fdud --execute does not print %q:\n%s", want, out)
			}
		}
		fv, _, err := compatRun(t, "--zookeeper", zk, "--verify", "--reassignment-json-file", plan, "--wait", "--timeout", "90000")
		if err != nil {
			t.Fatalf("fdud --verify --wait: %v", err)
		}
		kv := waitKafkaVerify(t, k, plan)
		if got, want := statusLines(fv), statusLines(kv.Stdout); !slices.Equal(got, want) {
			t.Errorf("fdud --verify lines:\n%s\nKafka's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		want, _ := cluster.ParseAssignment([]byte(proposedJSON(t, g.Stdout)))
		for _, p := range want.Partitions {
			if got := k.Assignment(t, "events")[p.Partition]; !slices.Equal(got, p.Replicas) {
				t.Errorf("events-%d on %v, Kafka's plan says %v", p.Partition, got, p.Replicas)
			}
		}
		if got := k.ConsumeAll(t, "events"); len(got) != 90 {
			t.Errorf("events has %d messages after the move, want 90", len(got))
		}

		// The modern text, for runbooks written for Kafka 2.5+.
		mv, _, err := compatRun(t, "--zookeeper", zk, "--verify", "--reassignment-json-file", plan, "--kafka-output", "modern")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range want.Partitions {
			if l := fmt.Sprintf("Reassignment of partition events-%d is complete.", p.Partition); !strings.Contains(mv, l) {
				t.Errorf("modern --verify lacks %q:\n%s", l, mv)
			}
		}
	})

	t.Run("generate without domains", func(t *testing.T) {
		// No --domains: every broker is its own domain, so the plan only
		// moves replicas off brokers outside --broker-list (and balances),
		// and Kafka's tool accepts it.
		topics := writeFile(t, "topics.json", `{"version":1,"topics":[{"topic":"events"}]}`)
		out, errText, err := compatRun(t, "--zookeeper", zk, "--generate", "--topics-to-move-json-file", topics, "--broker-list", "1,2")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(errText, "no domains given") {
			t.Errorf("stderr does not say it falls back to a per-broker spread:\n%s", errText)
		}
		plan := proposedJSON(t, out)
		a, err := cluster.ParseAssignment([]byte(plan))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range a.Partitions {
			if len(p.Replicas) != 1 || (p.Replicas[0] != 1 && p.Replicas[0] != 2) {
				t.Errorf("events-%d planned on %v, outside --broker-list 1,2", p.Partition, p.Replicas)
			}
		}
		r := k.ReassignPartitions(t, "--execute", "--reassignment-json-file", writeFile(t, "plan.json", plan+"\n"))
		if !strings.Contains(r.Stdout, "Successfully started reassignment of partitions") {
			t.Fatalf("Kafka's tool refused fdud's plan:\n%s", r)
		}
		k.WaitReassignmentDone(t)
		for p, r := range k.Assignment(t, "events") {
			if r[0] != 1 && r[0] != 2 {
				t.Errorf("events-%d on %v after the move", p, r)
			}
		}
	})

	// Issue 9: Kafka's documented "increase the replication factor" runbook
	// (a plan with more replicas, --execute, --verify) works unchanged, from
	// a working directory it cannot write to (the rollback plan goes to the
	// state directory, FDUD_STATE_DIR as for fdud execute), with fdud's own
	// --allow-replication-factor-change accepted too; the current
	// assignment is printed once, on stdout.
	t.Run("increase the replication factor", func(t *testing.T) {
		k.CreateTopicWithAssignment(t, "rf", [][]int32{{1}, {2}, {3}})
		k.Produce(t, "rf", testenv.Messages("r", 30))
		plan := writeFile(t, "increase-replication-factor.json", `{"version":1,"partitions":[
			{"topic":"rf","partition":0,"replicas":[1,2]},{"topic":"rf","partition":1,"replicas":[2,3]},{"topic":"rf","partition":2,"replicas":[3,4]}]}`)
		state := t.TempDir()
		t.Setenv("FDUD_STATE_DIR", state)
		t.Setenv("FDUD_ROLLBACK_FILE", "")
		env := compatEnv{Env: compat.Env{PollInterval: 200 * time.Millisecond}}
		if err := env.ReadEnviron(os.Getenv); err != nil || env.StateDir != state {
			t.Fatalf("ReadEnviron: %v, state dir %q", err, env.StateDir)
		}
		for _, args := range [][]string{
			{"--zookeeper", zk, "--execute", "--reassignment-json-file", plan},
			{"--zookeeper", zk, "--execute", "--reassignment-json-file", plan, "--allow-replication-factor-change"},
		} {
			if _, err := compat.Parse(args, nil); err != nil {
				t.Errorf("parse %q: %v", args, err)
			}
		}
		o, _ := compat.Parse([]string{"--zookeeper", zk, "--execute", "--reassignment-json-file", plan, "--allow-replication-factor-change"}, nil)
		// A directory nobody may write in, root included (tests run as root).
		readOnly := "/proc"
		if f, err := os.CreateTemp(readOnly, "fdud-test-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
			t.Fatalf("test set-up: %s is writable", readOnly)
		}
		t.Chdir(readOnly)
		var out, errw bytes.Buffer
		env.Stdout, env.Stderr = &out, &errw
		err := runCompat(context.Background(), o, env)
		t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
		if err != nil {
			t.Fatalf("--execute of a replication factor change: %v", err)
		}
		if n := strings.Count(out.String()+errw.String(), cluster.CurrentHeading); n != 1 || !strings.HasPrefix(out.String(), cluster.CurrentHeading) {
			t.Errorf("%q printed %d times (want once, on stdout)", cluster.CurrentHeading, n)
		}
		rollback := filepath.Join(state, "fdud-rollback-")
		if !strings.Contains(errw.String(), "Rollback plan saved to "+rollback) {
			t.Errorf("stderr does not name a rollback plan in the state directory %s", state)
		}
		fv, _, err := compatRun(t, "--zookeeper", zk, "--verify", "--reassignment-json-file", plan, "--wait", "--timeout", "90000")
		if err != nil {
			t.Fatalf("--verify --wait: %v\n%s", err, fv)
		}
		for p, r := range k.Assignment(t, "rf") {
			if len(r) != 2 {
				t.Errorf("rf-%d on %v, want 2 replicas", p, r)
			}
		}
	})

	t.Run("verify while in progress", func(t *testing.T) {
		// A reassignment onto a hung broker cannot finish: verify says so in
		// Kafka's words and exits non-zero, unless --kafka-exit-codes. The
		// broker is frozen first; it stays registered for its session
		// timeout (4 s), long enough for execute (well under a second) to
		// start the move it can then never complete. The frozen broker must
		// not be the controller: a new controller aborts a reassignment
		// whose target is not alive, and the move would end as "failed".
		frozen := int32(4)
		if k.Controller(t) == frozen {
			frozen = 2
		}
		k.CreateTopicWithAssignment(t, "stuck", [][]int32{{1}})
		plan := writeFile(t, "plan.json", fmt.Sprintf(`{"version":1,"partitions":[{"topic":"stuck","partition":0,"replicas":[%d]}]}`, frozen))
		k.Broker(frozen).Pause()
		t.Cleanup(func() { k.Broker(frozen).Resume() })
		if _, _, err := compatRun(t, "--zookeeper", zk, "--execute", "--reassignment-json-file", plan); err != nil {
			t.Fatalf("--execute onto the frozen broker: %v", err)
		}
		out, _, err := compatRun(t, "--zookeeper", zk, "--verify", "--reassignment-json-file", plan)
		if !errors.Is(err, cluster.ErrInProgress) {
			t.Errorf("--verify error %v, want %v (exit 3)", err, cluster.ErrInProgress)
		}
		if !strings.Contains(out, "Reassignment of partition [stuck,0] is still in progress") {
			t.Errorf("--verify output:\n%s", out)
		}
		if kerr := kafkaExit(compat.Verify, err); kerr != nil {
			t.Errorf("with --kafka-exit-codes: %v, want exit 0", kerr)
		}
		kv := k.ReassignPartitions(t, "--verify", "--reassignment-json-file", plan)
		if got, want := statusLines(out), statusLines(kv.Stdout); !slices.Equal(got, want) {
			t.Errorf("fdud --verify lines:\n%s\nKafka's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// --execute refuses while it is in flight, as Kafka's tool does.
		other := writeFile(t, "other.json", `{"version":1,"partitions":[{"topic":"events","partition":0,"replicas":[3]}]}`)
		out, _, err = compatRun(t, "--zookeeper", zk, "--execute", "--reassignment-json-file", other)
		if !errors.Is(err, cluster.ErrBusy) {
			t.Errorf("--execute during a reassignment: %v, want %v (exit 5)", err, cluster.ErrBusy)
		}
		if !strings.Contains(out, "Cannot execute because there is an existing partition assignment.") {
			t.Errorf("--execute output:\n%s", out)
		}
		// --list shows it in Kafka 2.4+'s form.
		out, _, err = compatRun(t, "--zookeeper", zk, "--list")
		if want := fmt.Sprintf("Current partition reassignments:\nstuck-0: replicas: %d,1. adding: %d. removing: 1.", frozen, frozen); err != nil || !strings.Contains(out, want) {
			t.Errorf("--list: %v\n%s", err, out)
		}
		k.Broker(frozen).Resume() // it rejoins and catches up: the move completes
		k.WaitReassignmentDone(t)
		out, _, err = compatRun(t, "--zookeeper", zk, "--list")
		if err != nil || out != "No partition reassignments found.\n" {
			t.Errorf("--list when done: %v\n%s", err, out)
		}
	})
}

// checkSpread fails when a partition of topic breaks the placement rules.
func checkSpread(t *testing.T, k *testenv.Kafka, topic string, doms map[int32]cluster.Domain) {
	t.Helper()
	ids := make([]int32, 0, len(doms))
	for id := range doms {
		ids = append(ids, id)
	}
	top := cluster.NewTopology(doms, ids)
	for p, r := range k.Assignment(t, topic) {
		if v := top.Check(r); len(v) > 0 {
			t.Errorf("%s-%d on %v: %v", topic, p, r, v)
		}
	}
}
