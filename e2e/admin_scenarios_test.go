package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
)

// adminCancel starts a reassignment that stays in flight (3 MB to copy at
// a 1 B/s throttle: Kafka lets about one fetch of replica.fetch.max.bytes
// through per quota window, so it takes minutes), checks --list, the
// throttles and the refusal of a conflicting plan while it runs, then
// cancels it: the original replica set comes back (Kafka does not promise
// its order), fdud's throttles go, and no message is lost.
func adminCancel(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	topic := uniqueTopic(t, "cancel")
	a, b, c := lc.sameFaultDomain(t)
	lc.createTopic(ctx, t, topic, [][]int32{{a, b}}, map[string]string{kafka.MinInsyncReplicas: "1"})

	const n, size = 300, 10000 // 3 MB: more than one fetch, which the throttle lets through
	pad := strings.Repeat("x", size)
	ids := testenv.Messages(topic, n)
	messages := make([]string, n)
	for i, id := range ids {
		messages[i] = id + "-" + pad
	}
	lc.produce(t, topic, messages)

	const rate = 1
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, rate)
	plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: []int32{c, b}}}}
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, planText(t, plan))
	cancelOnCleanup(t, e, conn, planFile, stateDir)

	ex := e.fdudWithin(t, 3*time.Minute, "", append([]string{"execute", "--reassignment-json-file", planFile,
		"--throttle", strconv.Itoa(rate), "--state-dir", stateDir}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("execute: %s", ex)
	}
	st := lc.state(ctx, t, topic)
	p := st.Partitions[0]
	if !p.Reassigning() {
		t.Fatalf("%s-0 is not being reassigned right after execute (%+v): 3 MB at 1 B/s should take days; "+
			"is replica.fetch.max.bytes very large on this cluster?", topic, p)
	}
	if !slices.Equal(p.Target, []int32{c, b}) || !cluster.SameMembers(p.Replicas, []int32{a, b}) {
		t.Errorf("in flight: %+v, want [%d %d] -> [%d %d]", p, a, b, c, b)
	}
	checkThrottlesOn(ctx, t, lc, topic, map[int32][2][]int32{0: {{a, b}, {c, b}}}, "", before, rate)

	// --list shows it, in Kafka's words and as JSON.
	list := e.fdudWithin(t, 2*time.Minute, "", append([]string{"execute", "--list"}, conn...)...)
	if list.code != 0 {
		t.Fatalf("execute --list: %s", list)
	}
	if want := fmt.Sprintf("adding: %d. removing: %d.", c, a); !strings.Contains(list.stderr, topic+"-0: replicas: ") || !strings.Contains(list.stderr, want) {
		t.Errorf("execute --list does not show %s-0 (%q):\n%s", topic, want, list.stderr)
	}
	if l, err := cluster.ParseAssignment([]byte(list.stdout)); err != nil {
		t.Errorf("execute --list stdout: %v: %q", err, list.stdout)
	} else if i, ok := l.Index()[cluster.TopicPartition{Topic: topic, Partition: 0}]; !ok || !cluster.SameMembers(l.Partitions[i].Replicas, []int32{c, b}) {
		t.Errorf("execute --list stdout lacks %s-0 -> [%d %d]: %s", topic, c, b, list.stdout)
	}

	// Another target for the same partition is refused while it runs.
	other := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: []int32{c, a}}}}
	busy := e.fdudWithin(t, 2*time.Minute, planText(t, other), append([]string{"execute", "--state-dir", stateDir}, conn...)...)
	if busy.code != 5 || !strings.Contains(busy.stderr, "being reassigned to another target") {
		t.Errorf("a conflicting plan while %s-0 is in flight: want exit 5\n%s", topic, busy)
	}
	if p := lc.state(ctx, t, topic).Partitions[0]; p.Reassigning() && !slices.Equal(p.Target, []int32{c, b}) {
		t.Errorf("the refused plan changed the target: %+v", p)
	}

	// Cancel: the original replicas come back, fdud's throttles go.
	cn := cancelPlan(t, e, conn, planFile, stateDir)
	if cn.code != 0 {
		t.Fatalf("execute --cancel: %s", cn)
	}
	for _, want := range []string{"Successfully cancelled partition reassignments for " + topic + "-0", "Removed the throttles fdud set for "} {
		if !strings.Contains(cn.stderr, want) {
			t.Errorf("execute --cancel's stderr lacks %q:\n%s", want, cn.stderr)
		}
	}
	waitFor(ctx, t, "the original replicas of "+topic+"-0", func() (bool, string) {
		p := lc.state(ctx, t, topic).Partitions[0]
		return !p.Reassigning() && cluster.SameMembers(p.Replicas, []int32{a, b}) && len(p.ISR) == 2, fmt.Sprintf("%+v", p)
	})
	if p := lc.state(ctx, t, topic).Partitions[0]; !slices.Equal(p.Replicas, []int32{a, b}) {
		t.Logf("after cancel the replicas are %v, originally [%d %d]: the same set in another order, as Kafka allows", p.Replicas, a, b)
	}
	waitThrottlesOff(ctx, t, lc, topic, "", before)
	if recs := throttleRecords(t, stateDir); len(recs) > 0 {
		t.Errorf("after cancel: throttle records left: %v", recs)
	}

	// verify says the plan did not happen (exit 1).
	ver := e.fdudWithin(t, 2*time.Minute, "", append([]string{"verify", "--reassignment-json-file", planFile, "--state-dir", stateDir}, conn...)...)
	if ver.code != 1 || !strings.Contains(ver.stderr, "There is no active reassignment of partition "+topic+"-0") {
		t.Errorf("verify of the cancelled plan: want exit 1 and no active reassignment\n%s", ver)
	}

	got := lc.consume(t, topic, n)
	for i := range got {
		got[i] = strings.TrimSuffix(got[i], "-"+pad)
	}
	if ok, diff := testenv.SameMessages(got, ids); !ok {
		t.Errorf("messages after the cancelled reassignment: %s", diff)
	}
}

// adminTwoPlans runs two plans at once on the same brokers (the second with
// --additional and a higher --throttle, which fdud does not raise the first
// one's rate to). Cancelling the first leaves the rates the second relies
// on; cancelling the second then leaves the cluster as it was.
func adminTwoPlans(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	a, b, c := lc.sameFaultDomain(t)
	const n, size = 300, 10000 // 3 MB per topic: more than one fetch, which the throttle lets through
	pad := strings.Repeat("x", size)
	const rate = 1
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, rate, 2*rate)

	var topics, planFiles []string
	for i, suffix := range []string{"first", "second"} {
		topic := uniqueTopic(t, suffix)
		lc.createTopic(ctx, t, topic, [][]int32{{a, b}}, map[string]string{kafka.MinInsyncReplicas: "1"})
		messages := testenv.Messages(topic, n)
		for j := range messages {
			messages[j] += "-" + pad
		}
		lc.produce(t, topic, messages)
		plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: []int32{c, b}}}}
		planFile := filepath.Join(e.dir, suffix+".json")
		writeFile(t, planFile, planText(t, plan))
		cancelOnCleanup(t, e, conn, planFile, stateDir)
		args := []string{"execute", "--reassignment-json-file", planFile, "--throttle", strconv.Itoa((i + 1) * rate), "--state-dir", stateDir}
		if i > 0 {
			args = append(args, "--additional")
		}
		if ex := e.fdudWithin(t, 3*time.Minute, "", append(args, conn...)...); ex.code != 0 {
			t.Fatalf("execute %s: %s", suffix, ex)
		}
		topics, planFiles = append(topics, topic), append(planFiles, planFile)
	}
	moving := map[int32][2][]int32{0: {{a, b}, {c, b}}}
	for _, topic := range topics {
		if p := lc.state(ctx, t, topic).Partitions[0]; !p.Reassigning() {
			t.Fatalf("%s-0 is not being reassigned (%+v): 3 MB at %d B/s should take days", topic, p, rate)
		}
		checkThrottlesOn(ctx, t, lc, topic, moving, "", before, rate)
	}

	if cn := cancelPlan(t, e, conn, planFiles[0], stateDir); cn.code != 0 {
		t.Fatalf("execute --cancel of the first plan: %s", cn)
	}
	// The first topic's lists go; the rates stay for the second plan.
	waitFor(ctx, t, "the first topic's throttled replica lists gone", func() (bool, string) {
		cfg := lc.topicConfig(ctx, t, topics[0])
		_, l := cfg[kafka.LeaderThrottledReplicas]
		_, f := cfg[kafka.FollowerThrottledReplicas]
		return !l && !f, fmt.Sprint(cfg)
	})
	if p := throttleProblems(ctx, t, lc, topics[1], moving, "", before, rate); len(p) > 0 {
		t.Errorf("after the first plan's cancel, the second plan's throttles: %s", strings.Join(p, "; "))
	}

	if cn := cancelPlan(t, e, conn, planFiles[1], stateDir); cn.code != 0 {
		t.Fatalf("execute --cancel of the second plan: %s", cn)
	}
	for _, topic := range topics {
		waitThrottlesOff(ctx, t, lc, topic, "", before)
	}
	if recs := throttleRecords(t, stateDir); len(recs) > 0 {
		t.Errorf("throttle records left: %v", recs)
	}
}

// adminBadPlans feeds execute plans with one bad entry beside a good one
// and checks that each is refused (exit 2, the entry named) and that the
// cluster is as before: replicas, reassignments, topic and broker configs,
// no rollback file, no throttle record.
func adminBadPlans(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	topic := uniqueTopic(t, "bad")
	a, b, c := lc.sameFaultDomain(t)
	assignment := [][]int32{{a, b}, {b, a}}
	lc.createTopic(ctx, t, topic, assignment, map[string]string{kafka.MinInsyncReplicas: "1"})
	cfgBefore := lc.topicConfig(ctx, t, topic)
	brokersBefore := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, brokersBefore, 10000000)

	dead := slices.Max(lc.ids()) + 1000
	plan := func(entries ...string) string {
		return `{"version":1,"partitions":[` + strings.Join(entries, ",") + "]}"
	}
	pa := func(p int32, replicas ...int32) string {
		s := make([]string, len(replicas))
		for i, r := range replicas {
			s[i] = strconv.Itoa(int(r))
		}
		return fmt.Sprintf(`{"topic":%q,"partition":%d,"replicas":[%s]}`, topic, p, strings.Join(s, ","))
	}
	good := pa(0, c, b)
	tests := []struct{ name, plan, want string }{
		{"malformed JSON", `{"version":1,"partitions":[{"topic":"` + topic + `",`, "not valid reassignment JSON"},
		{"unknown topic", plan(good, fmt.Sprintf(`{"topic":"%s-nosuch","partition":0,"replicas":[%d,%d]}`, topic, a, c)), "topic " + topic + "-nosuch does not exist"},
		{"unknown partition", plan(good, pa(7, a, c)), fmt.Sprintf("topic %s has no partition 7", topic)},
		{"duplicate partition", plan(good, pa(0, a, c)), "partition already listed at partitions[0]"},
		{"duplicate broker", plan(good, pa(1, b, b)), "not valid reassignment JSON"},
		{"unknown broker id", plan(good, pa(1, b, dead)), fmt.Sprintf("broker %d is not alive", dead)},
		{"replication factor change", plan(good, pa(1, a, b, c)), "replication factor would change from 2 to 3"},
		{"relative log dir", plan(good, fmt.Sprintf(`{"topic":%q,"partition":1,"replicas":[%d,%d],"log_dirs":["any","data"]}`, topic, b, a)),
			"not valid reassignment JSON"},
		{"log dir the broker does not have", plan(good, fmt.Sprintf(`{"topic":%q,"partition":1,"replicas":[%d,%d],"log_dirs":["/nonexistent/fdud-it","any"]}`, topic, b, a)),
			fmt.Sprintf("log dir /nonexistent/fdud-it is not an online log directory of broker %d", b)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.fdudWithin(t, 2*time.Minute, tt.plan, append([]string{"execute", "--throttle", "10000000", "--state-dir", stateDir}, conn...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "nothing was changed") {
				t.Fatalf("want exit 2, %q and \"nothing was changed\"\n%s", tt.want, r)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			st := lc.state(ctx, t, topic)
			for _, p := range st.Partitions {
				if p.Reassigning() || !slices.Equal(p.Replicas, assignment[p.Partition]) {
					t.Errorf("%s changed: %+v, created as %v", p.TP(), p, assignment[p.Partition])
				}
			}
			if cfg := lc.topicConfig(ctx, t, topic); !sameConfig(cfg, cfgBefore) {
				t.Errorf("topic config changed: %v -> %v", cfgBefore, cfg)
			}
			if now := lc.brokerThrottles(ctx, t); !sameBrokerThrottles(now, brokersBefore) {
				t.Errorf("broker throttles changed: %v -> %v", brokersBefore, now)
			}
			if files, _ := filepath.Glob(filepath.Join(e.dir, "fdud-rollback-*")); len(files) > 0 {
				t.Errorf("rollback file written for a bad plan: %v", files)
			}
			if recs := throttleRecords(t, stateDir); len(recs) > 0 {
				t.Errorf("throttle record written for a bad plan: %v", recs)
			}
		})
	}
}

// adminCompat runs Kafka's command lines through fdud compat: --generate
// with --domains, --execute of the text --generate printed, --verify --wait.
func adminCompat(t *testing.T, lc *liveCluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	topic := uniqueTopic(t, "compat")
	a, b, _ := lc.sameFaultDomain(t)
	const partitions = 3
	assignment := make([][]int32, partitions)
	for p := range assignment {
		assignment[p] = []int32{a, b}
	}
	lc.createTopic(ctx, t, topic, assignment, map[string]string{kafka.MinInsyncReplicas: "1"})
	messages := testenv.Messages(topic, 1000)
	lc.produce(t, topic, messages)
	const rate = 10000000
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, rate)

	topicsFile := filepath.Join(e.dir, "topics.json")
	writeFile(t, topicsFile, fmt.Sprintf(`{"version":1,"topics":[{"topic":%q}]}`, topic))
	var brokerList []string
	for _, id := range lc.ids() {
		brokerList = append(brokerList, strconv.Itoa(int(id)))
	}
	gen := e.fdudWithin(t, 3*time.Minute, "", append([]string{"compat", "--generate", "--topics-to-move-json-file", topicsFile,
		"--broker-list", strings.Join(brokerList, ","), "--domains", lc.domainSpec}, conn...)...)
	if gen.code != 0 {
		t.Fatalf("compat --generate: %s", gen)
	}
	if !strings.Contains(gen.stdout, cluster.CurrentHeading) || !strings.Contains(gen.stdout, cluster.ProposedHeading) {
		t.Errorf("compat --generate's stdout is not Kafka's:\n%s", gen.stdout)
	}
	plan, err := cluster.ParseAssignment(cluster.ExtractJSON([]byte(gen.stdout), cluster.ProposedHeading))
	if err != nil || len(plan.Partitions) == 0 {
		t.Fatalf("compat --generate's proposed plan: %v\n%s", err, gen.stdout)
	}
	topo := lc.topology()
	for _, p := range plan.Partitions {
		if v := topo.Check(p.Replicas); len(v) > 0 {
			t.Errorf("proposed %s %v breaks the rules: %v", p.TP(), p.Replicas, v)
		}
	}
	// Kafka's runbooks save --generate's output and pass it to --execute.
	planFile := filepath.Join(e.dir, "generated.txt")
	writeFile(t, planFile, gen.stdout)
	t.Cleanup(func() {
		r := e.fdudWithin(t, 3*time.Minute, "", append([]string{"compat", "--cancel", "--reassignment-json-file", planFile}, conn...)...)
		if r.code != 0 {
			t.Errorf("clean up: %s", r)
		}
	})

	ex := e.fdudWithin(t, 3*time.Minute, "", append([]string{"compat", "--execute", "--reassignment-json-file", planFile,
		"--throttle", strconv.Itoa(rate)}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("compat --execute: %s", ex)
	}
	for _, want := range []string{cluster.CurrentHeading, "Save this to use as the --reassignment-json-file option during rollback",
		"The inter-broker throttle limit was set to 10000000 B/s", "Successfully started partition reassignment"} {
		if !strings.Contains(ex.stdout, want) {
			t.Errorf("compat --execute's stdout lacks %q:\n%s", want, ex.stdout)
		}
	}
	checkThrottlesOn(ctx, t, lc, topic, movingPartitions(plan, assignment), "", before, rate)

	ver := e.fdudWithin(t, 12*time.Minute, "", append([]string{"compat", "--verify", "--reassignment-json-file", planFile,
		"--wait", "--timeout", "600000", "--domains", lc.domainSpec}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("compat --verify --wait: %s\nstdout:\n%s", ver, ver.stdout)
	}
	want := []string{"Status of partition reassignment:", "Clearing topic-level throttles on topic " + topic}
	for _, p := range plan.Partitions {
		want = append(want, fmt.Sprintf("Reassignment of partition %s is complete.", p.TP()))
	}
	for _, w := range want {
		if !strings.Contains(ver.stdout, w) {
			t.Errorf("compat --verify's stdout lacks %q:\n%s", w, ver.stdout)
		}
	}
	waitThrottlesOff(ctx, t, lc, topic, "", before)
	st := lc.state(ctx, t, topic)
	for _, p := range st.Partitions {
		if i, ok := plan.Index()[p.TP()]; ok && (p.Reassigning() || !slices.Equal(p.Replicas, plan.Partitions[i].Replicas)) {
			t.Errorf("%s: %+v, planned %v", p.TP(), p, plan.Partitions[i].Replicas)
		}
	}
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after compat's reassignment: %s", diff)
	}
}

func sameConfig(x, y map[string]string) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if w, ok := y[k]; !ok || w != v {
			return false
		}
	}
	return true
}
