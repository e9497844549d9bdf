package verify_test

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
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/schemas"
	"github.com/fdud/fdud/verify"
)

// These tests run against real Kafka 0.9.0.1 brokers through the ZooKeeper
// path: the controller really moves the data, and a killed broker is a
// killed JVM.

func connect(t *testing.T, k *testenv.Kafka) kafka.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kafka.Connect(ctx, kafka.Options{ZooKeeper: k.ZooKeeperConnect, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func domains(ds ...cluster.BrokerDomain) *cluster.Domains {
	return &cluster.Domains{Version: 1, Brokers: ds}
}

func bd(id int32, fd, ud int) cluster.BrokerDomain {
	return cluster.BrokerDomain{ID: id, FaultDomain: fd, UpdateDomain: ud}
}

type run struct {
	res            *verify.Result
	err            error
	stdout, stderr string
}

func runVerify(t *testing.T, cl kafka.Cluster, o verify.Options) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errw bytes.Buffer
	o.Format = verify.FormatJSON
	res, err := verify.Run(ctx, o, verify.Deps{Cluster: cl, Logger: testLogger(t), Progress: verify.NewLines(&errw)})
	if res != nil {
		if werr := verify.Write(verify.Output{Stdout: &out, Stderr: &errw}, o, res); werr != nil {
			err = werr
		}
		if o.PrometheusFile != "" {
			if werr := verify.WriteMetricsFile(o.PrometheusFile, res); werr != nil {
				err = werr
			}
		}
	}
	t.Logf("verify: %v\n%s", err, errw.String())
	if res != nil {
		if verr := schemas.Validate(schemas.VerifyReport, out.Bytes()); verr != nil {
			t.Errorf("report does not validate: %v\n%s", verr, out.String())
		}
	}
	return run{res: res, err: err, stdout: out.String(), stderr: errw.String()}
}

func mustContain(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l) {
			t.Errorf("output lacks %q", l)
		}
	}
}

// A reassignment submitted through the ZooKeeper path: verify reports it not
// as planned before, waits for it, elects the planned leaders, agrees with
// Kafka's own tool, and every message is still there.
func TestRealKafkaVerifyWait(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 3})
	cl := connect(t, k)
	doms := domains(bd(1, 0, 0), bd(2, 1, 1), bd(3, 2, 2))

	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1, 2}, {1, 2}, {2, 1}})
	want := testenv.Messages("orders", 3000)
	k.Produce(t, "orders", want)

	plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: []int32{2, 3}},
		{Topic: "orders", Partition: 1, Replicas: []int32{3, 1}},
	}}

	before := runVerify(t, cl, verify.Options{Plan: plan, Domains: doms})
	if !errors.Is(before.err, verify.ErrNotAsPlanned) {
		t.Fatalf("before the reassignment: %v, want ErrNotAsPlanned", before.err)
	}
	mustContain(t, before.stderr, "There is no active reassignment of partition orders-0, but replica set is 1,2 rather than 2,3.")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cl.Reassign(ctx, plan.Partitions); err != nil {
		t.Fatalf("reassign: %v", err)
	}

	done := runVerify(t, cl, verify.Options{Plan: plan, Domains: doms, Wait: true,
		PollInterval: 100 * time.Millisecond, Timeout: 2 * time.Minute, ElectLeaders: true})
	if done.err != nil {
		t.Fatalf("verify --wait: %v", done.err)
	}
	mustContain(t, done.stderr, verify.StatusHeading,
		"Reassignment of partition orders-0 is complete.", "Reassignment of partition orders-1 is complete.",
		"Spread: all 2 of the plan's partitions are spread")
	// Reassignment keeps leader 1 for orders-1 (it stays a replica), so the
	// planned leader 3 needs an election.
	if e := done.res.Election; e == nil || !slices.Contains(e.Requested, cluster.TopicPartition{Topic: "orders", Partition: 1}) {
		t.Errorf("election %+v, want orders-1 requested", done.res.Election)
	}
	waitLeader(t, cl, "orders", 1, 3)

	// Kafka's own tool agrees, line for line, with fdud's legacy lines.
	f := filepath.Join(t.TempDir(), "plan.json")
	var pj bytes.Buffer
	if err := cluster.WriteAssignment(&pj, plan); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, pj.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tool := k.ReassignPartitions(t, "--verify", "--reassignment-json-file", f)
	for _, s := range done.res.Statuses {
		if line := verify.LegacyStatusLine(s); !strings.Contains(tool.Stdout, line) {
			t.Errorf("Kafka's tool does not print %q:\n%s", line, tool)
		}
	}

	if ok, diff := testenv.SameMessages(k.Consume(t, "orders", len(want)), want); !ok {
		t.Errorf("after the reassignment: %s", diff)
	}
}

// A broker killed in the middle of a reassignment, the broker every
// partition is moving to. When it is not the controller, verify says the
// reassignment is still in progress, which partitions are under-replicated
// and what one fault domain's loss would take offline; once the broker is
// back the reassignment finishes. When it is the controller, Kafka 0.9's new
// controller abandons the reassignment (a target replica is dead), and
// verify says so: not as planned. Either way no message is lost.
func TestRealKafkaVerifyBrokerKilledMidReassignment(t *testing.T) {
	t.Run("follower", func(t *testing.T) { killMidReassignment(t, false) })
	t.Run("controller", func(t *testing.T) { killMidReassignment(t, true) })
}

func killMidReassignment(t *testing.T, killController bool) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 3,
		// Drop a dead follower from the ISR within seconds, not the default 10 s.
		ServerProperties: map[string]string{"replica.lag.time.max.ms": "2000"}})
	cl := connect(t, k)
	ctrl := k.Controller(t)
	var victim, a, b int32
	for _, id := range k.BrokerIDs() {
		switch {
		case victim == 0 && (id == ctrl) == killController:
			victim = id
		case a == 0:
			a = id
		default:
			b = id
		}
	}
	t.Logf("controller %d; killing %d", ctrl, victim)
	// Brokers a and b share fault domain 0: "events" starts with both
	// replicas of every partition there, and the plan moves one of each to
	// the victim, alone in fault domain 1.
	doms := domains(bd(a, 0, 0), bd(b, 0, 1), bd(victim, 1, 2))
	k.CreateTopicWithAssignment(t, "events", [][]int32{{a, b}, {b, a}, {a, b}})
	k.CreateTopicWithAssignment(t, "steady", [][]int32{{victim, a}})
	k.WaitReplicasInSync(t, "steady")
	pad := strings.Repeat("x", 500)
	var before []string
	for _, m := range testenv.Messages("before", 6000) {
		before = append(before, m+pad)
	}
	k.Produce(t, "events", before)

	plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "events", Partition: 0, Replicas: []int32{a, victim}},
		{Topic: "events", Partition: 1, Replicas: []int32{b, victim}},
		{Topic: "events", Partition: 2, Replicas: []int32{victim, a}},
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cl.Reassign(ctx, plan.Partitions); err != nil {
		t.Fatalf("reassign: %v", err)
	}
	// Killed at once, the victim cannot have caught up: the reassignment
	// cannot finish until it returns.
	k.Broker(victim).Kill()
	k.WaitBrokersLive(t, a, b)
	waitISR(t, cl, "steady", 0, []int32{a})
	if killController {
		k.WaitReassignmentDone(t) // the new controller drops it
	}

	prom := filepath.Join(t.TempDir(), "fdud.prom")
	mid := runVerify(t, cl, verify.Options{Plan: plan, Domains: doms, All: true, PrometheusFile: prom})
	wantStatus, wantErr := verify.InProgress, error(cluster.ErrInProgress)
	if killController {
		wantStatus, wantErr = verify.NotAsPlanned, verify.ErrNotAsPlanned
	}
	if !errors.Is(mid.err, wantErr) {
		t.Fatalf("with broker %d dead: %v, want %v", victim, mid.err, wantErr)
	}
	for _, s := range mid.res.Statuses {
		if s.Status != wantStatus {
			t.Errorf("%s: %s, want %s", s.TP, s.Status, wantStatus)
		}
		if killController {
			mustContain(t, mid.stderr, fmt.Sprintf("There is no active reassignment of partition %s, but replica set is %s rather than %s.",
				s.TP, ids(s.Current), ids(s.Planned)))
		} else {
			mustContain(t, mid.stderr, fmt.Sprintf("Reassignment of partition %s is still in progress.", s.TP))
		}
		// Until the move finishes, events' replicas are both in FD0, even
		// though the only other fault domain's broker is down.
		mustContain(t, mid.stderr, fmt.Sprintf("%s on %s: 2 replicas in FD0 (at most 1 allowed)", s.TP, ids(s.Current)))
	}
	mustContain(t, mid.stderr, "Under-replicated now:", fmt.Sprintf("steady-0 replicas %d,%d, in sync %d", victim, a, a),
		fmt.Sprintf("%d!", victim), fmt.Sprintf("steady-0 on %d,%d: broker %d is not live", victim, a, victim))
	if !slices.ContainsFunc(mid.res.Risk.UnderReplicated, func(u verify.Replication) bool {
		return u.TP == cluster.TopicPartition{Topic: "steady", Partition: 0}
	}) {
		t.Errorf("steady-0 not reported under-replicated: %+v", mid.res.Risk.UnderReplicated)
	}
	var fd0Offline []cluster.TopicPartition
	for _, d := range mid.res.Risk.WhatIf {
		if d.Dimension == cluster.FaultDomainDim && d.Domain == "FD0" {
			fd0Offline = d.Offline
		}
	}
	// events-0..2 on a,b and steady-0, whose only live replica is on a.
	if len(fd0Offline) != 4 {
		t.Errorf("losing FD0 takes %v offline, want the 3 events partitions and steady-0", fd0Offline)
	}
	metrics, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, string(metrics), "fdud_verify_complete 0\n", "fdud_partitions_under_replicated 1\n",
		fmt.Sprintf("fdud_reassignments_in_flight %d\n", mid.res.Counts.InProgress),
		`fdud_partitions_offline_if_domain_down{dimension="fault_domain",domain="FD0"} 4`+"\n",
		`fdud_partitions_at_risk{dimension="fault_domain"} 4`+"\n")

	// Writes go on while the victim is down.
	during := testenv.Messages("during", 500)
	k.Produce(t, "events", during)

	k.Broker(victim).Restart(t)
	if killController {
		// The operator's remedy: run the plan again.
		k.WaitBrokersLive(t, 1, 2, 3)
		if err := cl.Reassign(ctx, plan.Partitions); err != nil {
			t.Fatalf("reassign again: %v", err)
		}
	}
	after := runVerify(t, cl, verify.Options{Plan: plan, Domains: doms, Wait: true,
		PollInterval: 200 * time.Millisecond, Timeout: 2 * time.Minute})
	if after.err != nil {
		t.Fatalf("after restarting broker %d: %v", victim, after.err)
	}
	k.WaitReplicasInSync(t, "events")
	k.WaitReplicasInSync(t, "steady")
	whole := runVerify(t, cl, verify.Options{Plan: plan, Domains: doms, All: true})
	if whole.err != nil {
		t.Errorf("whole cluster after the repair: %v", whole.err)
	}

	all := append(slices.Clone(before), during...)
	if ok, diff := testenv.SameMessages(k.Consume(t, "events", len(all)), all); !ok {
		t.Errorf("messages lost or duplicated: %s", diff)
	}
}

func ids(s []int32) string {
	var out []string
	for _, id := range s {
		out = append(out, fmt.Sprint(id))
	}
	return strings.Join(out, ",")
}

// waitLeader polls until the partition is led by leader.
func waitLeader(t *testing.T, cl kafka.Cluster, topic string, p, leader int32) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s-%d led by %d", topic, p, leader), cl, topic, func(ps cluster.PartitionState) bool {
		return ps.Partition == p && ps.Leader == leader
	})
}

// waitISR polls until the partition's ISR is exactly isr.
func waitISR(t *testing.T, cl kafka.Cluster, topic string, p int32, isr []int32) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s-%d ISR %v", topic, p, isr), cl, topic, func(ps cluster.PartitionState) bool {
		got := slices.Clone(ps.ISR)
		slices.Sort(got)
		return ps.Partition == p && slices.Equal(got, isr)
	})
}

func waitFor(t *testing.T, what string, cl kafka.Cluster, topic string, ok func(cluster.PartitionState) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var last []cluster.PartitionState
	for {
		st, err := cl.State(ctx, []string{topic})
		if err == nil {
			last = st.Partitions
			if slices.ContainsFunc(st.Partitions, ok) {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v (last: %+v)", what, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
