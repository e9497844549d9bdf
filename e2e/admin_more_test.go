package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
)

// spreadPlan moves every partition of a topic on [a,b] (one fault domain)
// to [c,b], which spreads it.
func spreadPlan(topic string, partitions int, b, c int32) cluster.Assignment {
	plan := cluster.Assignment{Version: 1}
	for p := range int32(partitions) {
		plan.Partitions = append(plan.Partitions, cluster.PartitionAssignment{Topic: topic, Partition: p, Replicas: []int32{c, b}})
	}
	return plan
}

// adminBatchesInterrupted runs a batching execute (--max-partition-movements
// 1) under a throttle, interrupts it after its first batch, and re-runs it:
// the re-run skips what is done, verify --wait completes the plan and
// removes every throttle, and no message is lost.
func adminBatchesInterrupted(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	topic := uniqueTopic(t, "batches")
	a, b, c := lc.sameFaultDomain(t)
	const n = 6
	lc.createTopic(ctx, t, topic, slices.Repeat([][]int32{{a, b}}, n), nil)
	messages := testenv.Messages(topic, 1200)
	lc.produce(t, topic, messages)
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, 5000000)
	plan := spreadPlan(topic, n, b, c)
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, planText(t, plan))
	cancelOnCleanup(t, e, conn, planFile, stateDir)
	args := append([]string{"execute", "--reassignment-json-file", planFile, "--throttle", "5000000", "--state-dir", stateDir,
		"--max-partition-movements", "1", "--poll-interval", "500ms", "--rollback-file", filepath.Join(e.dir, "rollback.json")}, conn...)

	cmd := e.command(ctx, "", args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Batch 1:") {
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	cmd.Wait()
	t.Logf("interrupted run:\n%s", log.String())
	if code := cmd.ProcessState.ExitCode(); code != 130 && code != 0 {
		t.Fatalf("interrupted execute: exit %d, want 130 (or 0 had it finished first)", code)
	}

	r := e.fdud(t, "", args...)
	if r.code != 0 {
		t.Fatalf("re-run: %s", r)
	}
	ver := e.fdudWithin(t, 6*time.Minute, "", append([]string{"verify", "--reassignment-json-file", planFile, "--wait", "--timeout", "5m",
		"--poll-interval", "1s", "--state-dir", stateDir}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("verify --wait: %s", ver)
	}
	st := lc.state(ctx, t, topic)
	for _, p := range st.Partitions {
		if !cluster.SameMembers(p.Replicas, []int32{c, b}) {
			t.Errorf("%s replicas %v, want %v", p.TP(), p.Replicas, []int32{c, b})
		}
	}
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after the reassignment: %s", diff)
	}
	lc.noThrottleConfigs(ctx, t, topic)
}

// adminBrokerKilled kills a broker that a throttled reassignment is copying
// to: verify reports the plan in progress and the partitions
// under-replicated, and once the broker is back the plan completes and every
// message is there. Needs a cluster the test set-up started.
func adminBrokerKilled(t *testing.T, lc *liveCluster) {
	if lc.kafka == nil {
		t.Skip("needs a cluster started by the test set-up, to kill and restart a broker")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	topic := uniqueTopic(t, "killed")
	a, b, c := lc.sameFaultDomain(t)
	lc.createTopic(ctx, t, topic, [][]int32{{a, b}, {b, a}}, map[string]string{kafka.MinInsyncReplicas: "1"})
	messages := paddedMessages(topic, 400) // 4 MB
	lc.produce(t, topic, messages)
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, 200000)
	plan := spreadPlan(topic, 2, b, c)
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, planText(t, plan))
	cancelOnCleanup(t, e, conn, planFile, stateDir)
	ex := e.fdud(t, "", append([]string{"execute", "--reassignment-json-file", planFile, "--throttle", "200000", "--state-dir", stateDir}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("execute: %s", ex)
	}

	// Each wait is logged with how long it took: this scenario's time has
	// varied from 35 s to 7 minutes between runs.
	since := time.Now()
	took := func(what string) {
		t.Logf("%s after %s", what, time.Since(since).Round(100*time.Millisecond))
		since = time.Now()
	}
	victim := lc.kafka.Broker(c)
	if !lc.kafka.Version.KRaft {
		// The worst case, on every run: the broker that dies is also the
		// controller, so the cluster (and fdud's client) must find the
		// new one. Before fdud followed a controller it could not dial,
		// this took until the client's periodic refresh (minutes).
		lc.kafka.MoveController(t, c)
		took(fmt.Sprintf("broker %d made the controller", c))
	}
	victim.Kill()
	t.Logf("killed broker %d, a target of the reassignment", c)
	restOf := slices.DeleteFunc(lc.ids(), func(id int32) bool { return id == c })
	restConn := []string{"--bootstrap-server", lc.kafka.RunningBootstrap()}
	// The session timeout is seconds; a client that keeps asking the dead
	// controller would take minutes.
	dropCtx, dropCancel := context.WithTimeout(ctx, 90*time.Second)
	defer dropCancel()
	waitFor(dropCtx, t, "broker "+strconv.Itoa(int(c))+" to drop out", func() (bool, string) {
		st, err := lc.cl.State(dropCtx, []string{topic})
		if err != nil {
			return false, err.Error()
		}
		var live []int32
		for _, br := range st.Brokers {
			live = append(live, br.ID)
		}
		slices.Sort(live)
		return slices.Equal(live, restOf), "live " + joinIDs(live)
	})
	took(fmt.Sprintf("broker %d dropped out", c))
	mid := e.fdud(t, "", append([]string{"verify", "--reassignment-json-file", planFile, "--state-dir", stateDir}, restConn...)...)
	if mid.code != 3 || !strings.Contains(mid.stderr, "Under-replicated now:") {
		t.Errorf("verify with the target broker dead: want exit 3 (in progress) and the under-replicated partitions\n%s", mid)
	}

	took("verify with the broker dead")
	victim.Restart(t)
	took(fmt.Sprintf("broker %d restarted", c))
	ver := e.fdudWithin(t, 8*time.Minute, "", append([]string{"verify", "--reassignment-json-file", planFile, "--wait", "--timeout", "7m",
		"--poll-interval", "2s", "--state-dir", stateDir}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("verify --wait after the restart: %s", ver)
	}
	took("verify --wait done")
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after the reassignment: %s", diff)
	}
	took("messages consumed back")
	lc.noThrottleConfigs(ctx, t, topic)
}

// adminCreateTopics creates a new topic spread from its first byte: generate
// --new-topic, then execute --create-topics, then verify.
func adminCreateTopics(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	topic := uniqueTopic(t, "new")
	t.Cleanup(func() { lc.deleteTopic(t, topic) })
	gen := e.fdud(t, "", append([]string{"generate", "--domains", lc.domainSpec, "--new-topic", topic, "--partitions", "4",
		"--replication-factor", "2"}, conn...)...)
	if gen.code != 0 {
		t.Fatalf("generate --new-topic: %s", gen)
	}
	plan, err := cluster.ParseAssignment([]byte(gen.stdout))
	if err != nil || len(plan.Partitions) != 4 {
		t.Fatalf("plan %v: %s", err, gen.stdout)
	}
	ex := e.fdud(t, gen.stdout, append([]string{"execute", "--create-topics", "--state-dir", filepath.Join(e.dir, "s")}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("execute --create-topics: %s", ex)
	}
	waitFor(ctx, t, "topic "+topic, func() (bool, string) {
		st, err := lc.cl.State(ctx, []string{topic})
		if err != nil || len(st.Partitions) != 4 {
			return false, "not there yet"
		}
		for i, p := range st.Partitions {
			if !slices.Equal(p.Replicas, plan.Partitions[i].Replicas) {
				return false, p.TP().String() + " on " + joinIDs(p.Replicas)
			}
		}
		return true, ""
	})
	ver := e.fdud(t, gen.stdout, append([]string{"verify", "--domains", lc.domainSpec, "--state-dir", filepath.Join(e.dir, "s")}, conn...)...)
	if ver.code != 0 {
		t.Errorf("verify of the new topic: %s", ver)
	}
}

// adminKafkaToolBothWays runs plans both ways between fdud and this
// release's own kafka-reassign-partitions.sh: Kafka's tool executes a plan
// fdud generated and fdud verifies it; fdud executes and verifies a plan
// Kafka's tool generated.
func adminKafkaToolBothWays(t *testing.T, lc *liveCluster) {
	if lc.kafka == nil {
		t.Skip("needs the release's own tools, which the test set-up installs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	k := lc.kafka
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	topic := uniqueTopic(t, "tool")
	a, b, _ := lc.sameFaultDomain(t)
	lc.createTopic(ctx, t, topic, [][]int32{{a, b}, {b, a}}, nil)
	messages := testenv.Messages(topic, 300)
	lc.produce(t, topic, messages)

	// fdud generates, Kafka's tool executes, fdud verifies.
	gen := e.fdud(t, "", append([]string{"generate", "--domains", lc.domainSpec, "--topics", topic}, conn...)...)
	if gen.code != 0 || !strings.Contains(gen.stdout, topic) {
		t.Fatalf("generate: %s", gen)
	}
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, gen.stdout)
	res := k.ReassignPartitions(t, "--execute", "--reassignment-json-file", planFile)
	if res.ExitCode != 0 {
		t.Fatalf("Kafka %s's kafka-reassign-partitions.sh --execute of fdud's plan: %s", k.Version, res)
	}
	ver := e.fdudWithin(t, 6*time.Minute, "", append([]string{"verify", "--reassignment-json-file", planFile, "--wait", "--timeout", "5m",
		"--poll-interval", "1s", "--domains", lc.domainSpec, "--state-dir", stateDir}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("fdud verify of the plan Kafka's tool executed: %s", ver)
	}

	// Kafka's tool generates, fdud executes and verifies.
	topicsFile := filepath.Join(e.dir, "topics.json")
	writeFile(t, topicsFile, `{"version":1,"topics":[{"topic":"`+topic+`"}]}`)
	res = k.ReassignPartitions(t, "--generate", "--topics-to-move-json-file", topicsFile, "--broker-list", joinIDs(lc.ids()))
	if res.ExitCode != 0 {
		t.Fatalf("Kafka's --generate: %s", res)
	}
	proposed := proposedPlan(t, res.Stdout)
	kafkaPlan := filepath.Join(e.dir, "kafka-plan.json")
	writeFile(t, kafkaPlan, proposed)
	ex := e.fdud(t, "", append([]string{"execute", "--reassignment-json-file", kafkaPlan, "--state-dir", stateDir, "--throttle", "10000000"}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("fdud execute of Kafka's plan: %s", ex)
	}
	ver = e.fdudWithin(t, 6*time.Minute, "", append([]string{"verify", "--reassignment-json-file", kafkaPlan, "--wait", "--timeout", "5m",
		"--poll-interval", "1s", "--state-dir", stateDir}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("fdud verify of Kafka's plan: %s", ver)
	}
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after both reassignments: %s", diff)
	}
	lc.noThrottleConfigs(ctx, t, topic)
}

// proposedPlan returns the JSON line after Kafka's "Proposed partition
// reassignment configuration".
func proposedPlan(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Proposed partition reassignment configuration") {
			for _, next := range lines[i+1:] {
				if strings.HasPrefix(strings.TrimSpace(next), "{") {
					var a cluster.Assignment
					if err := json.Unmarshal([]byte(next), &a); err != nil {
						t.Fatalf("Kafka's proposed plan %q: %v", next, err)
					}
					return next + "\n"
				}
			}
		}
	}
	t.Fatalf("no proposed plan in Kafka's --generate output:\n%s", out)
	return ""
}

// noThrottleConfigs checks, with this release's own kafka-configs.sh
// --describe (as an operator would), that no broker and not the topic
// carries a replication throttle. Kafka 2.4 shows a set broker rate as
// "null" through --bootstrap-server, so the key name alone is looked for.
func (lc *liveCluster) noThrottleConfigs(ctx context.Context, t *testing.T, topic string) {
	t.Helper()
	if lc.kafka == nil {
		return // an operator's cluster: brokerThrottles already compared
	}
	k := lc.kafka
	waitFor(ctx, t, "no throttle configs in kafka-configs.sh --describe", func() (bool, string) {
		var found []string
		for _, id := range lc.ids() {
			r := k.RunTool(t, "kafka-configs.sh", append(k.Connect(), "--describe", "--entity-type", "brokers", "--entity-name", strconv.Itoa(int(id)))...)
			if r.ExitCode != 0 {
				return false, r.String()
			}
			if strings.Contains(r.Stdout, "throttled") || strings.Contains(r.Stdout, kafka.LogDirsThrottledRate) {
				found = append(found, strings.TrimSpace(r.Stdout))
			}
		}
		r := k.RunTool(t, "kafka-configs.sh", append(k.Connect(), "--describe", "--entity-type", "topics", "--entity-name", topic)...)
		if r.ExitCode != 0 {
			return false, r.String()
		}
		if strings.Contains(r.Stdout, "throttled") {
			found = append(found, strings.TrimSpace(r.Stdout))
		}
		return len(found) == 0, strings.Join(found, "; ")
	})
}

func joinIDs(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, ",")
}

// adminCancelZooKeeperPath starts a throttled plan on the ZooKeeper path and
// cancels it with --bootstrap-server beside --zookeeper: the reassignment is
// cancelled through the Admin API, and the throttles and their record, kept
// in ZooKeeper, are removed (one plan, one record, whichever way it is
// cancelled).
func adminCancelZooKeeperPath(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(true)
	topic := uniqueTopic(t, "zkcancel")
	a, b, c := lc.sameFaultDomain(t)
	lc.createTopic(ctx, t, topic, [][]int32{{a, b}}, map[string]string{kafka.MinInsyncReplicas: "1"})
	messages := paddedMessages(topic, 300)
	lc.produce(t, topic, messages)
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, 1)
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, planText(t, spreadPlan(topic, 1, b, c)))
	ex := e.fdud(t, "", append([]string{"execute", "--reassignment-json-file", planFile, "--throttle", "1"}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("execute on the ZooKeeper path: %s", ex)
	}
	// Cancelled through the Admin API alone, as an operator following
	// Kafka's own advice would: the reassignment stops, and the throttles,
	// whose record is in ZooKeeper, are named with how to remove them.
	adminOnly := e.fdud(t, "", append([]string{"execute", "--cancel", "--reassignment-json-file", planFile}, lc.connectArgs(false)...)...)
	switch {
	case adminOnly.code == 1 && strings.Contains(adminOnly.stderr, "--zookeeper beside --bootstrap-server") &&
		strings.Contains(adminOnly.stderr, "Successfully cancelled partition reassignments for "+topic+"-0"):
	case adminOnly.code == 0 && strings.Contains(adminOnly.stderr, "nothing to cancel"):
		t.Log("the reassignment finished before the cancel (a 1 B/s throttle still lets a first fetch through)")
	default:
		t.Errorf("cancel through the Admin API alone: want exit 1 naming the throttles left and --zookeeper\n%s", adminOnly)
	}
	can := e.fdud(t, "", append([]string{"execute", "--cancel", "--reassignment-json-file", planFile}, conn...)...)
	if can.code != 0 || !strings.Contains(can.stderr, "Removed the throttles fdud set") {
		t.Fatalf("cancel on the ZooKeeper path with --bootstrap-server: %s", can)
	}
	// Cancelled, or finished just before the cancel came (a 1 B/s throttle
	// still lets a first fetch through): either way nothing is in flight.
	waitFor(ctx, t, "the reassignment to be cancelled", func() (bool, string) {
		p := lc.state(ctx, t, topic).Partitions[0]
		return !p.Reassigning() && (cluster.SameMembers(p.Replicas, []int32{a, b}) || cluster.SameMembers(p.Replicas, []int32{c, b})), joinIDs(p.Replicas)
	})
	waitThrottlesOff(ctx, t, lc, topic, "", before)
	ver := e.fdud(t, "", append([]string{"verify", "--reassignment-json-file", planFile}, conn...)...)
	if strings.Contains(ver.stderr, "throttle") && !strings.Contains(ver.stderr, "no throttle") && ver.code == 1 && strings.Contains(ver.stderr, "could not remove") {
		t.Errorf("verify after the cancel still finds throttles: %s", ver)
	}
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after the cancel: %s", diff)
	}
}

// adminStateFromAnyHost proves the Admin API path's shared state in the
// cluster (topic __fdud_state), with three state directories standing for
// three hosts: while a batching execute from host A runs, an execute from
// host B is refused (exit 5, naming the holder) and a verify from B keeps
// the throttles (exit 3); once A is killed (-9), its lock stays until fdud
// unlock breaks it (as documented), B re-runs the plan, and a verify from
// host C removes every throttle A and B set.
func adminStateFromAnyHost(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	hostA, hostB, hostC := filepath.Join(e.dir, "host-a"), filepath.Join(e.dir, "host-b"), filepath.Join(e.dir, "host-c")
	for _, d := range []string{hostA, hostB, hostC} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	topic := uniqueTopic(t, "hosts")
	a, b, c := lc.sameFaultDomain(t)
	// 3 MB a partition: the throttle lets a first fetch (1 MB) through, so
	// only the rest is held back, long enough for host B to try.
	const n = 3
	lc.createTopic(ctx, t, topic, slices.Repeat([][]int32{{a, b}}, n), map[string]string{kafka.MinInsyncReplicas: "1"})
	messages := paddedMessages(topic, 900)
	lc.produce(t, topic, messages)
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, 100000, 100000000)
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, planText(t, spreadPlan(topic, n, b, c)))
	cancelOnCleanup(t, e, conn, planFile, hostC)
	execArgs := func(stateDir, rate string) []string {
		return append([]string{"execute", "--reassignment-json-file", planFile, "--throttle", rate, "--state-dir", stateDir,
			"--max-partition-movements", "1", "--poll-interval", "500ms", "--rollback-file", filepath.Join(stateDir, "rollback.json")}, conn...)
	}

	runA := e.startUntil(ctx, t, "", "Batch 1:", execArgs(hostA, "100000")...)
	pid := strconv.Itoa(runA.cmd.Process.Pid)
	other := filepath.Join(e.dir, "other.json")
	writeFile(t, other, planText(t, cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: []int32{a, c}}}}))
	second := e.fdud(t, "", append([]string{"execute", "--reassignment-json-file", other, "--state-dir", hostB}, conn...)...)
	if second.code != 5 || !strings.Contains(second.stderr, "pid "+pid) {
		t.Errorf("execute from host B while A runs: want exit 5 naming pid %s\n%s", pid, second)
	}
	ver := e.fdud(t, "", append([]string{"verify", "--reassignment-json-file", planFile, "--state-dir", hostB}, conn...)...)
	if ver.code != 3 {
		t.Errorf("verify from host B while A runs: want exit 3 (throttles kept)\n%s", ver)
	}

	runA.cmd.Process.Kill() // a crash: no release, no clean-up
	logA, _ := runA.finish()
	t.Cleanup(func() { t.Logf("execute on host A:\n%s", logA) })
	if again := e.fdud(t, "", append([]string{"execute", "--reassignment-json-file", other, "--state-dir", hostB}, conn...)...); again.code != 5 {
		t.Errorf("execute from host B right after A died: want exit 5 (the lock lasts until its TTL or fdud unlock)\n%s", again)
	}
	un := e.fdud(t, "", append([]string{"unlock"}, conn...)...)
	if un.code != 0 || !strings.Contains(un.stderr, "pid "+pid) {
		t.Fatalf("fdud unlock: want exit 0 naming pid %s\n%s", pid, un)
	}
	// Host B re-runs the plan at a higher rate: the plan's own record
	// (in the cluster) takes the new rate.
	if r := e.fdudWithin(t, 6*time.Minute, "", execArgs(hostB, "100000000")...); r.code != 0 {
		t.Fatalf("execute of the plan from host B after unlock: %s", r)
	}
	// The brokers carry the new rate, not A's (on 2.4, which does not
	// report rates, the re-run used to set A's again while saying it set
	// the new one, and the copy crawled).
	for id, kv := range lc.brokerThrottles(ctx, t) {
		for k, v := range kv {
			if v != "100000000" && v != before[id][k] {
				t.Errorf("broker %d %s = %s after host B's re-run at 100000000", id, k, v)
			}
		}
	}
	done := e.fdudWithin(t, 8*time.Minute, "", append([]string{"verify", "--reassignment-json-file", planFile, "--wait", "--timeout", "7m",
		"--poll-interval", "2s", "--state-dir", hostC}, conn...)...)
	if done.code != 0 || !strings.Contains(done.stderr, "removed the throttles fdud set") {
		t.Fatalf("verify --wait from host C: want exit 0 and the throttles removed\n%s", done)
	}
	waitThrottlesOff(ctx, t, lc, topic, "", before)
	lc.noThrottleConfigs(ctx, t, topic)
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after the reassignment: %s", diff)
	}
}

// paddedMessages returns n distinct messages of about 10 KB each (n/100
// MB), enough data for a throttle to hold a reassignment back.
func paddedMessages(topic string, n int) []string {
	pad := strings.Repeat("x", 10000)
	out := testenv.Messages(topic, n)
	for i := range out {
		out[i] += "-" + pad
	}
	return out
}
