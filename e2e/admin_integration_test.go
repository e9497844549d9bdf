package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/schemas"
)

// TestAdminIntegration runs the whole user pipeline through the fdud binary
// against real Kafka 2.4+ clusters, on the Admin API path: domains from
// broker.rack, generate, throttled execute (merging with an operator's
// throttle), verify --wait with clean-up and leader election, every message
// consumed back, a second generate with nothing to do, --list, a cancelled
// reassignment, two plans at once sharing throttles, bad plans refused, and
// the kafka-reassign-partitions.sh front end (fdud compat). On clusters with
// ZooKeeper the pipeline also runs through the ZooKeeper path. It runs once
// per release of the test matrix (see forEachCluster), or against the
// operator's cluster named by FDUD_TEST_BOOTSTRAP. What does not depend on
// the release (batching, a broker killed, two plans, the lock, SASL_SSL)
// runs on the oldest and the newest release only, to keep CI short. Each subtest creates its
// own topic fdud-it-<random>-... and deletes it at the end.
func TestAdminIntegration(t *testing.T) {
	forEachCluster(t, 4, func(t *testing.T, lc *liveCluster) {
		t.Run("bad plans are refused and change nothing", func(t *testing.T) { adminBadPlans(t, lc) })
		t.Run("domains, generate, execute, verify; every message survives", func(t *testing.T) { adminPipeline(t, lc, false) })
		t.Run("cancel restores the original replicas and removes the throttles", func(t *testing.T) { adminCancel(t, lc) })
		t.Run("this release's kafka-reassign-partitions.sh both ways", func(t *testing.T) { adminKafkaToolBothWays(t, lc) })
		if lc.zookeeper != "" {
			t.Run("the same pipeline through the ZooKeeper path", func(t *testing.T) { adminPipeline(t, lc, true) })
			t.Run("a ZooKeeper-path plan cancelled with --bootstrap-server", func(t *testing.T) { adminCancelZooKeeperPath(t, lc) })
		} else {
			t.Log("no ZooKeeper (KRaft, or FDUD_TEST_ZOOKEEPER not given): the ZooKeeper path of this cluster is not exercised")
		}
		if !lc.everyScenario {
			t.Log("a release between the oldest and the newest: the scenarios that do not depend on the release run on those two only")
			return
		}
		t.Run("two plans at once share throttles; the last one out removes them", func(t *testing.T) { adminTwoPlans(t, lc) })
		t.Run("compat: kafka-reassign-partitions.sh command lines", func(t *testing.T) { adminCompat(t, lc) })
		t.Run("batching execute interrupted and re-run", func(t *testing.T) { adminBatchesInterrupted(t, lc) })
		t.Run("a target broker killed during a reassignment", func(t *testing.T) { adminBrokerKilled(t, lc) })
		t.Run("execute --create-topics", func(t *testing.T) { adminCreateTopics(t, lc) })
		t.Run("lock and throttle records in the cluster, from any host", func(t *testing.T) { adminStateFromAnyHost(t, lc) })
		if lc.kafka != nil && lc.kafka.HasSASLSSL() {
			adminSASLSSL(t, lc.kafka)
		}
	})
}

// verifyReport is the part of verify's JSON report the suite checks.
type verifyReport struct {
	Path     string `json:"path"`
	Outcome  string `json:"outcome"`
	Complete bool   `json:"complete"`
	Summary  struct {
		Partitions      int `json:"partitions"`
		Complete        int `json:"complete"`
		InProgress      int `json:"in_progress"`
		NotAsPlanned    int `json:"not_as_planned"`
		UnderReplicated int `json:"under_replicated"`
		AtRisk          int `json:"at_risk"`
	} `json:"summary"`
	Throttles struct {
		Checked  bool   `json:"checked"`
		Entities int    `json:"entities"`
		Removed  bool   `json:"removed"`
		Error    string `json:"error"`
	} `json:"throttles"`
	LeaderElection *struct {
		Requested []string `json:"requested"`
		Skipped   []string `json:"skipped"`
	} `json:"leader_election"`
	Spread *struct {
		Violations []json.RawMessage `json:"violations"`
		AtRisk     map[string]int    `json:"at_risk"`
	} `json:"spread"`
}

func pathName(viaZK bool) string {
	if viaZK {
		return kafka.ZooKeeperPath
	}
	return kafka.AdminAPIPath
}

func adminPipeline(t *testing.T, lc *liveCluster, viaZK bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(viaZK)
	stateDir := filepath.Join(e.dir, "fdud-state")
	suffix := "pipeline"
	if viaZK {
		suffix = "zk"
	}
	topic := uniqueTopic(t, suffix)

	// Every partition on two brokers of one fault domain: all at risk.
	a, b, c := lc.sameFaultDomain(t)
	const partitions = 6
	assignment := make([][]int32, partitions)
	for p := range assignment {
		assignment[p] = []int32{a, b}
		if p%2 == 1 {
			assignment[p] = []int32{b, a}
		}
	}
	// min.insync.replicas on the topic: verify's what-if reads it there,
	// whatever the brokers' default.
	lc.createTopic(ctx, t, topic, assignment, map[string]string{kafka.MinInsyncReplicas: "1"})
	messages := testenv.Messages(topic, 2000)
	lc.produce(t, topic, messages)

	// fdud domains --source rack covers every broker, as broker.rack says.
	dom := e.fdudWithin(t, 2*time.Minute, "", append([]string{"domains", "--source", lc.domainSpec}, conn...)...)
	if dom.code != 0 {
		t.Fatalf("domains: %s", dom)
	}
	if err := schemas.Validate("domains", []byte(dom.stdout)); err != nil {
		t.Errorf("domains output: %v", err)
	}
	doms, err := cluster.ParseDomains([]byte(dom.stdout))
	if err != nil {
		t.Fatalf("domains output: %v\n%s", err, dom.stdout)
	}
	if got := doms.Map(); len(got) != len(lc.domains) {
		t.Errorf("domains: %d brokers, want %d: %s", len(got), len(lc.domains), dom.stdout)
	} else {
		for id, want := range lc.domains {
			if got[id] != want {
				t.Errorf("domains: broker %d is %v, broker.rack says %v", id, got[id], want)
			}
		}
	}

	// generate plans every partition, each placed by the rules.
	rollback := filepath.Join(e.dir, "rollback.json")
	gen := e.fdudWithin(t, 3*time.Minute, "", append([]string{"generate", "--domains", lc.domainSpec, "--topics", topic,
		"--current-file", rollback}, conn...)...)
	if gen.code != 0 {
		t.Fatalf("generate: %s", gen)
	}
	plan, err := cluster.ParseAssignment([]byte(gen.stdout))
	if err != nil {
		t.Fatalf("generate's plan: %v\n%s", err, gen.stdout)
	}
	if len(plan.Partitions) != partitions {
		t.Fatalf("generate planned %d partitions, want all %d (each is in one fault domain): %s", len(plan.Partitions), partitions, gen)
	}
	topo := lc.topology()
	for _, p := range plan.Partitions {
		if p.Topic != topic {
			t.Errorf("plan names topic %s, only %s was asked for", p.Topic, topic)
		}
		if v := topo.Check(p.Replicas); len(v) > 0 {
			t.Errorf("planned %s %v breaks the rules: %v", p.TP(), p.Replicas, v)
		}
		if len(p.Replicas) != 2 {
			t.Errorf("planned %s %v: replication factor changed", p.TP(), p.Replicas)
		}
	}
	rbData, err := os.ReadFile(rollback)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := cluster.ParseAssignment(rbData)
	if err != nil {
		t.Fatalf("--current-file: %v", err)
	}
	for _, p := range rb.Partitions {
		if p.Topic != topic || !slices.Equal(p.Replicas, assignment[p.Partition]) {
			t.Errorf("--current-file entry %s %v, the topic has %v", p.TP(), p.Replicas, assignment[p.Partition])
		}
	}
	if len(rb.Partitions) != len(plan.Partitions) {
		t.Errorf("--current-file has %d partitions, the plan %d", len(rb.Partitions), len(plan.Partitions))
	}

	// An operator's throttle on the topic, before execute: fdud must merge
	// with it and leave it as it was.
	operator := entry(0, a) + "," + entry(0, c)
	if err := lc.cl.AlterConfigs(ctx, kafka.TopicEntity, topic, map[string]string{kafka.LeaderThrottledReplicas: operator}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the operator's throttle on "+topic, func() (bool, string) {
		v := lc.topicConfig(ctx, t, topic)[kafka.LeaderThrottledReplicas]
		return v == operator, v
	})
	const rate = 10000000
	brokersBefore := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, brokersBefore, rate)

	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, gen.stdout)
	cancelOnCleanup(t, e, conn, planFile, stateDir)
	ex := e.fdudWithin(t, 3*time.Minute, "", append([]string{"execute", "--reassignment-json-file", planFile,
		"--throttle", strconv.Itoa(rate), "--state-dir", stateDir, "--rollback-file", filepath.Join(e.dir, "execute-rollback.json")}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("execute: %s", ex)
	}
	if ex.stdout != gen.stdout {
		t.Errorf("execute did not pass the plan on unchanged:\n got %q\nwant %q", ex.stdout, gen.stdout)
	}
	for _, want := range []string{"Using the " + pathName(viaZK) + " path.", "Successfully started partition reassignments for ",
		"Throttles set for ", "The inter-broker throttle limit was set to 10000000 B/s"} {
		if !strings.Contains(ex.stderr, want) {
			t.Errorf("execute's stderr lacks %q:\n%s", want, ex.stderr)
		}
	}
	if data, err := os.ReadFile(filepath.Join(e.dir, "execute-rollback.json")); err != nil {
		t.Error(err)
	} else if erb, err := cluster.ParseAssignment(data); err != nil || !sameAssignment(erb, rb) {
		t.Errorf("execute's rollback file %s (%v) differs from generate's --current-file %s", data, err, rbData)
	}
	if recs := throttleRecords(t, stateDir); len(recs) > 0 {
		t.Errorf("throttle records in the state directory %v; they belong in ZooKeeper or the cluster's state topic", recs)
	}
	if !viaZK && !lc.hasClusterRecord(t, throttle.PlanID(plan)) {
		t.Errorf("no throttle record of %s in the cluster's state topic", throttle.PlanID(plan))
	}

	// The throttles are on until verify removes them, whether or not the
	// moves are done: check them now.
	moving := movingPartitions(plan, assignment)
	if len(moving) == 0 {
		t.Fatal("the plan moves no data")
	}
	checkThrottlesOn(ctx, t, lc, topic, moving, operator, brokersBefore, rate)

	// verify waits, removes fdud's throttles, elects the planned leaders.
	ver := e.fdudWithin(t, 12*time.Minute, "", append([]string{"verify", "--reassignment-json-file", planFile, "--wait", "--timeout", "10m",
		"--poll-interval", "2s", "--domains", lc.domainSpec, "--state-dir", stateDir, "--elect-leaders", "--format", "json"}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("verify: %s\nstdout:\n%s", ver, ver.stdout)
	}
	checkVerifyReport(t, ver, pathName(viaZK), partitions)
	if !strings.Contains(ver.stderr, "Reassignment of partition "+topic+"-0 is complete.") {
		t.Errorf("verify's status lines lack partition 0:\n%s", ver.stderr)
	}

	// fdud's throttles are gone; the operator's entry is as it was.
	waitThrottlesOff(ctx, t, lc, topic, operator, brokersBefore)
	if recs := throttleRecords(t, stateDir); len(recs) > 0 {
		t.Errorf("after verify: throttle records left: %v", recs)
	}

	// The replicas are the plan's, in its order, led by the planned leader.
	waitFor(ctx, t, "the planned replicas and leaders of "+topic, func() (bool, string) {
		st := lc.state(ctx, t, topic)
		for _, p := range st.Partitions {
			want := plan.Partitions[plan.Index()[p.TP()]].Replicas
			if p.Reassigning() || !slices.Equal(p.Replicas, want) || p.Leader != want[0] || len(p.ISR) != len(want) {
				return false, fmt.Sprintf("%s: %+v, planned %v", p.TP(), p, want)
			}
		}
		return true, ""
	})

	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after the reassignment: %s", diff)
	}

	// Nothing is left to do for generate, once every broker has applied the
	// new replicas: generate asks whichever broker answers first.
	if lc.kafka != nil {
		want := map[int32][]int32{}
		for _, p := range plan.Partitions {
			if p.Topic == topic {
				want[p.Partition] = p.Replicas
			}
		}
		if err := lc.kafka.WaitReplicas(ctx, topic, want); err != nil {
			t.Fatal(err)
		}
	}
	again := e.fdudWithin(t, 3*time.Minute, "", append([]string{"generate", "--domains", lc.domainSpec, "--topics", topic}, conn...)...)
	if again.code != 0 {
		t.Fatalf("second generate: %s", again)
	}
	// Nothing moves. The preferred leaders may be reordered: their balance
	// counts the leaders of every topic, and execute created fdud's state
	// topic since the first generate (seen on 4.4.0).
	p2, err := cluster.ParseAssignment([]byte(again.stdout))
	if err != nil {
		t.Fatalf("second generate: %v\n%s", err, again.stdout)
	}
	now := map[cluster.TopicPartition][]int32{}
	for _, p := range lc.state(ctx, t, topic).Partitions {
		now[p.TP()] = p.Replicas
	}
	for _, p := range p2.Partitions {
		if !cluster.SameMembers(p.Replicas, now[p.TP()]) {
			t.Errorf("second generate moves %s again: %v, now on %v", p.TP(), p.Replicas, now[p.TP()])
		}
	}

	// execute --list works and shows nothing of the topic.
	list := e.fdudWithin(t, 2*time.Minute, "", append([]string{"execute", "--list"}, conn...)...)
	if list.code != 0 || !strings.Contains(list.stderr, "Using the "+pathName(viaZK)+" path.") {
		t.Fatalf("execute --list: %s", list)
	}
	if l, err := cluster.ParseAssignment([]byte(list.stdout)); err != nil {
		t.Errorf("execute --list stdout: %v: %q", err, list.stdout)
	} else if slices.Contains(l.Topics(), topic) {
		t.Errorf("execute --list shows %s in flight after verify: %s", topic, list.stdout)
	}
}

// movingPartitions returns, per partition of the plan that moves data, its
// current replicas (from assignment) and its target.
func movingPartitions(plan cluster.Assignment, assignment [][]int32) map[int32][2][]int32 {
	out := map[int32][2][]int32{}
	for _, p := range plan.Partitions {
		cur := assignment[p.Partition]
		if !cluster.SameMembers(cur, p.Replicas) {
			out[p.Partition] = [2][]int32{cur, p.Replicas}
		}
	}
	return out
}

// checkThrottlesOn waits (brokers apply config changes asynchronously, so
// DescribeConfigs may lag behind a change for a moment) until the throttles
// fdud set for the moving partitions are visible, with Kafka's semantics:
// rates on every broker holding an old or new replica (never above a rate
// set before), leader lists with the current replicas and follower lists
// with the new ones. operator, when not empty, is the leader list set
// before execute: it must still lead the list.
func checkThrottlesOn(ctx context.Context, t *testing.T, lc *liveCluster, topic string, moving map[int32][2][]int32,
	operator string, before map[int32]map[string]string, rate int64) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	waitFor(wctx, t, "fdud's throttles on topic "+topic+" and its brokers", func() (bool, string) {
		p := throttleProblems(ctx, t, lc, topic, moving, operator, before, rate)
		return len(p) == 0, strings.Join(p, "; ")
	})
}

func throttleProblems(ctx context.Context, t *testing.T, lc *liveCluster, topic string, moving map[int32][2][]int32,
	operator string, before map[int32]map[string]string, rate int64) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	cfg := lc.topicConfig(ctx, t, topic)
	leader := listEntries(cfg[kafka.LeaderThrottledReplicas])
	follower := listEntries(cfg[kafka.FollowerThrottledReplicas])
	if op := listEntries(operator); len(op) > 0 && (len(leader) < len(op) || !slices.Equal(leader[:len(op)], op)) {
		bad("%s = %v: the operator's entries %v are not kept first", kafka.LeaderThrottledReplicas, leader, op)
	}
	involved := map[int32]bool{}
	for p, m := range moving {
		cur, target := m[0], m[1]
		for _, r := range cur {
			involved[r] = true
			if !slices.Contains(leader, entry(p, r)) {
				bad("%s = %v lacks %s (a current replica of a moving partition)", kafka.LeaderThrottledReplicas, leader, entry(p, r))
			}
		}
		for _, r := range target {
			involved[r] = true
			if !slices.Contains(cur, r) && !slices.Contains(follower, entry(p, r)) {
				bad("%s = %v lacks %s (a replica being added)", kafka.FollowerThrottledReplicas, follower, entry(p, r))
			}
		}
	}
	for _, list := range [][]string{leader, follower} {
		if len(slices.Compact(slices.Sorted(slices.Values(list)))) != len(list) {
			bad("duplicate entries in a throttled replica list: %v", list)
		}
	}
	now := lc.brokerThrottles(ctx, t)
	for id, cur := range now {
		for _, k := range []string{kafka.LeaderThrottledRate, kafka.FollowerThrottledRate} {
			want, has := before[id][k]
			if involved[id] {
				want, has = expectedRate(before[id], k, rate), true
			}
			if got, ok := cur[k]; ok != has || got != want {
				bad("broker %d (involved: %v): %s = %q (set: %v), want %q (set: %v)", id, involved[id], k, got, ok, want, has)
			}
		}
		if cur[kafka.LogDirsThrottledRate] != before[id][kafka.LogDirsThrottledRate] {
			bad("broker %d: %s changed without log dir moves: %v -> %v", id, kafka.LogDirsThrottledRate, before[id], cur)
		}
	}
	return problems
}

// waitThrottlesOff waits until the topic's throttled replica lists are
// leader (the operator's value; "" for none) and no follower list, and
// every broker's rates are as before.
func waitThrottlesOff(ctx context.Context, t *testing.T, lc *liveCluster, topic, leader string, before map[int32]map[string]string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	waitFor(wctx, t, "fdud's throttles gone from topic "+topic+" and its brokers", func() (bool, string) {
		cfg := lc.topicConfig(ctx, t, topic)
		l, hasL := cfg[kafka.LeaderThrottledReplicas]
		f, hasF := cfg[kafka.FollowerThrottledReplicas]
		if l != leader || hasL != (leader != "") || hasF {
			return false, fmt.Sprintf("topic %s: %s = %q, %s = %q (set: %v); want %q and none",
				topic, kafka.LeaderThrottledReplicas, l, kafka.FollowerThrottledReplicas, f, hasF, leader)
		}
		if now := lc.brokerThrottles(ctx, t); !sameBrokerThrottles(now, before) {
			return false, fmt.Sprintf("broker throttles %v, before execute %v", now, before)
		}
		return true, ""
	})
}

func checkVerifyReport(t *testing.T, ver run, path string, partitions int) {
	t.Helper()
	if err := schemas.Validate("verify-report", []byte(ver.stdout)); err != nil {
		t.Errorf("verify report: %v", err)
	}
	var rep verifyReport
	if err := json.Unmarshal([]byte(ver.stdout), &rep); err != nil {
		t.Fatalf("verify report: %v\n%s", err, ver.stdout)
	}
	s := rep.Summary
	if rep.Outcome != "complete" || !rep.Complete || s.Partitions != partitions || s.Complete != partitions ||
		s.InProgress != 0 || s.NotAsPlanned != 0 || s.AtRisk != 0 || s.UnderReplicated != 0 {
		t.Errorf("verify report: outcome %q complete %v summary %+v, want every one of %d partitions complete and spread\n%s",
			rep.Outcome, rep.Complete, s, partitions, ver.stdout)
	}
	if rep.Path != path {
		t.Errorf("verify report: path %q, want %q", rep.Path, path)
	}
	if rep.Spread == nil || len(rep.Spread.Violations) > 0 {
		t.Errorf("verify report: spread %+v, want assessed with no violations", rep.Spread)
	}
	if !rep.Throttles.Checked || !rep.Throttles.Removed || rep.Throttles.Entities != 0 || rep.Throttles.Error != "" {
		t.Errorf("verify report: throttles %+v, want checked and removed", rep.Throttles)
	}
	if rep.LeaderElection == nil || len(rep.LeaderElection.Skipped) > 0 {
		t.Errorf("verify report: leader election %+v, want run with nothing skipped", rep.LeaderElection)
	}
}

// cancelOnCleanup runs fdud execute --cancel for the plan when the test
// ends: it stops what a failed test left in flight and removes the
// throttles fdud recorded for it (nothing, after a successful verify).
func cancelOnCleanup(t *testing.T, e env, conn []string, planFile, stateDir string) {
	t.Cleanup(func() {
		if r := cancelPlan(t, e, conn, planFile, stateDir); r.code != 0 {
			t.Errorf("clean up: %s", r)
		}
	})
}

// cancelPlan runs fdud execute --cancel for the plan.
func cancelPlan(t *testing.T, e env, conn []string, planFile, stateDir string) run {
	return e.fdudWithin(t, 3*time.Minute, "", append([]string{"execute", "--cancel", "--reassignment-json-file", planFile,
		"--state-dir", stateDir}, conn...)...)
}

func sameAssignment(x, y cluster.Assignment) bool {
	if len(x.Partitions) != len(y.Partitions) {
		return false
	}
	idx := y.Index()
	for _, p := range x.Partitions {
		i, ok := idx[p.TP()]
		if !ok || !slices.Equal(p.Replicas, y.Partitions[i].Replicas) {
			return false
		}
	}
	return true
}

func sameBrokerThrottles(x, y map[int32]map[string]string) bool {
	if len(x) != len(y) {
		return false
	}
	for id, m := range x {
		if len(m) != len(y[id]) {
			return false
		}
		for k, v := range m {
			if y[id][k] != v {
				return false
			}
		}
	}
	return true
}
