package execute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
)

// newFake is a kafka.Fake of live brokers and topics (partition i on
// topics[t][i], in sync, led by the first replica), put there without a
// recorded call, playing the Admin API path.
func newFake(brokers []int32, topics map[string][][]int32) *kafka.Fake {
	return newFakeWith(kafka.FakeOptions{}, brokers, topics)
}

// newFakeWith is newFake playing what o chooses.
func newFakeWith(o kafka.FakeOptions, brokers []int32, topics map[string][][]int32) *kafka.Fake {
	var bs []cluster.Broker
	for _, b := range brokers {
		bs = append(bs, cluster.Broker{ID: b, Host: "127.0.0.1", Port: 9092})
	}
	f := kafka.NewFakeWith(o, "", bs...)
	for t, ps := range topics {
		for i, rs := range ps {
			f.SetPartitions(cluster.PartitionState{Topic: t, Partition: int32(i), Replicas: rs, ISR: rs, Leader: rs[0]})
		}
	}
	return f
}

// sixPartitions: brokers 1-6; topic t has partitions 0-5, each on [1,2].
func sixPartitions() *kafka.Fake { return sixPartitionsWith(kafka.FakeOptions{}) }

// sixPartitionsWith is sixPartitions playing what o chooses.
func sixPartitionsWith(o kafka.FakeOptions) *kafka.Fake {
	return newFakeWith(o, []int32{1, 2, 3, 4, 5, 6}, map[string][][]int32{"t": {{1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}})
}

// reassigning puts topic-p, on [1,2], in flight to target, as somebody
// else's reassignment does.
func reassigning(f *kafka.Fake, topic string, p int32, target ...int32) {
	f.SetPartitions(cluster.PartitionState{Topic: topic, Partition: p, Replicas: []int32{1, 2}, ISR: []int32{1, 2}, Leader: 1, Target: target})
}

// configsLeft are the dynamic configs set on the fake's brokers and topics.
func configsLeft(f *kafka.Fake) map[throttle.Entity]map[string]string {
	out := map[throttle.Entity]map[string]string{}
	for _, kind := range []kafka.EntityKind{kafka.BrokerEntity, kafka.TopicEntity} {
		for name, cfg := range f.Configs(kind) {
			out[throttle.Entity{Kind: kind, Name: name}] = cfg
		}
	}
	return out
}

// config is one entity's dynamic config.
func config(f *kafka.Fake, kind kafka.EntityKind, name string) map[string]string {
	return f.Configs(kind)[name]
}

// cancelled are the partitions of every CancelReassignments call.
func cancelled(f *kafka.Fake) []cluster.TopicPartition {
	var out []cluster.TopicPartition
	for _, c := range f.Calls("CancelReassignments") {
		out = append(out, c.TPs...)
	}
	return out
}

// interruptedAtRead returns a context cancelled (as Ctrl-C does) when f's
// State is read the n-th time, before that read.
func interruptedAtRead(f *kafka.Fake, n int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	f.BeforeState(func(read int) error {
		if read == n {
			cancel()
		}
		return nil
	})
	return ctx
}

// submitted are the partitions of every Reassign call, in order.
func submitted(f *kafka.Fake) []string {
	var out []string
	for _, b := range f.Reassigned() {
		for _, pa := range b {
			out = append(out, pa.TP().String())
		}
	}
	return out
}

// movePlan moves t-0..t-(n-1) to [3,4] and keeps t-5 where it is.
func movePlan(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, `{"topic":"t","partition":`+string(rune('0'+i))+`,"replicas":[3,4]}`)
	}
	parts = append(parts, `{"topic":"t","partition":5,"replicas":[1,2]}`)
	return `{"version":1,"partitions":[` + strings.Join(parts, ",") + "]}\n"
}

type result struct {
	out, errw string
	res       Result
	err       error
}

// runExecute runs the plan as fdud execute does: parsed once, then Run, and
// on success the plan passed on (or the list written) on stdout.
func runExecute(t *testing.T, ctx context.Context, o Options, cl kafka.Cluster, plan string) result {
	t.Helper()
	var out, errw bytes.Buffer
	var res Result
	var err error
	var p Plan
	if o.Mode != ModeList {
		p, err = ParsePlan([]byte(plan))
	}
	if err == nil {
		res, err = Run(ctx, Input{Plan: p, Options: o}, Deps{Cluster: cl, Stderr: &errw})
	}
	switch {
	case err != nil:
	case o.Mode == ModeList:
		err = WriteList(&out, &errw, res.InFlight)
	case o.Mode == ModeExecute:
		out.Write(p.Doc)
	}
	t.Logf("stderr:\n%s", errw.String())
	return result{out.String(), errw.String(), res, err}
}

func testOptions(t *testing.T) Options {
	dir := t.TempDir()
	return Options{StateDir: filepath.Join(dir, "state"), RollbackFile: filepath.Join(dir, "rollback.json"), PollInterval: time.Millisecond,
		Now: func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) }}
}

func TestRunSubmitsAndPassesThePlanOn(t *testing.T) {
	f := sixPartitions()
	o := testOptions(t)
	plan := movePlan(2)
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.out != plan {
		t.Errorf("stdout = %q, want the plan unchanged", r.out)
	}
	if got := f.Reassigned(); len(got) != 1 || len(got[0]) != 2 {
		t.Fatalf("reassign calls = %v, want one with t-0 and t-1 (t-5 is at its target)", got)
	}
	for _, want := range []string{
		"Using the " + kafka.AdminAPIPath + " path.",
		"Current partition replica assignment",
		"Save this to use as the --reassignment-json-file option during rollback",
		"Successfully started partition reassignments for t-0,t-1",
		"Rollback plan saved to " + o.RollbackFile,
		"Skipping 1 partitions already at their target: t-5",
	} {
		if !strings.Contains(r.errw, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	rb, err := os.ReadFile(o.RollbackFile)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"t","partition":1,"replicas":[1,2],"log_dirs":["any","any"]}]}` + "\n"
	if string(rb) != want {
		t.Errorf("rollback file = %s, want %s", rb, want)
	}

	// The same plan again: in flight, not resubmitted; the rollback file of
	// the first run is kept.
	r = runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(f.Reassigned()) != 1 {
		t.Errorf("re-run resubmitted in-flight partitions: %v", f.Reassigned())
	}
	if !strings.Contains(r.errw, "Kept the existing rollback file") {
		t.Error("re-run did not say it kept the first rollback file")
	}
	if got, _ := os.ReadFile(o.RollbackFile); string(got) != want {
		t.Error("re-run overwrote the first rollback file")
	}
	// Once complete, a re-run does nothing.
	f.Complete()
	r = runExecute(t, context.Background(), o, f, plan)
	if r.err != nil || !strings.Contains(r.errw, "nothing to do") || len(f.Reassigned()) != 1 {
		t.Errorf("completed plan re-run: %v, %d reassign calls", r.err, len(f.Reassigned()))
	}
}

func TestRunBadPlansChangeNothing(t *testing.T) {
	tests := []struct {
		name, plan, want string
		fake             kafka.FakeOptions
	}{
		{name: "malformed JSON", plan: `{"partitions":[{"topic":"t"`, want: "not valid reassignment JSON"},
		{name: "unknown topic", plan: `{"partitions":[{"topic":"nope","partition":0,"replicas":[1,2]}]}`, want: "topic nope does not exist"},
		{name: "duplicate partition", plan: `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4]},{"topic":"t","partition":0,"replicas":[5,6]}]}`,
			want: "partition already listed"},
		{name: "dead broker", plan: `{"partitions":[{"topic":"t","partition":0,"replicas":[3,9]}]}`, want: "broker 9 is not alive"},
		{name: "RF change", plan: `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4,5]}]}`, want: "replication factor would change from 2 to 3"},
		{name: "wrong log dir", plan: `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4],"log_dirs":["any","data"]}]}`, want: "not valid reassignment JSON"},
		{name: "log dir move without a mover", plan: `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4],"log_dirs":["any","/data"]}]}`,
			want: "cannot move replicas between log directories", fake: kafka.FakeOptions{ZooKeeper: true}},
		{name: "one good, one bad", plan: `{"partitions":[{"topic":"t","partition":0,"replicas":[3,4]},{"topic":"t","partition":9,"replicas":[3,4]}]}`,
			want: "topic t has no partition 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sixPartitionsWith(tt.fake)
			o := testOptions(t)
			o.Throttle = 1000
			r := runExecute(t, context.Background(), o, f, tt.plan)
			if !cluster.IsInvalid(r.err) || !strings.Contains(r.err.Error(), tt.want) {
				t.Fatalf("err = %v, want an input error containing %q", r.err, tt.want)
			}
			if len(f.Changes()) != 0 || len(configsLeft(f)) != 0 {
				t.Errorf("a bad plan changed the cluster: changes %+v, configs %v", f.Changes(), configsLeft(f))
			}
			if r.out != "" {
				t.Errorf("stdout = %q, want nothing", r.out)
			}
			if _, err := os.Stat(o.RollbackFile); err == nil {
				t.Error("rollback file written for a bad plan")
			}
		})
	}
}

func TestRunRefusesWhenBusy(t *testing.T) {
	t.Run("other reassignments in flight", func(t *testing.T) {
		f := sixPartitions()
		reassigning(f, "t", 4, 5, 6)
		o := testOptions(t)
		r := runExecute(t, context.Background(), o, f, movePlan(2))
		if !errors.Is(r.err, cluster.ErrBusy) || !strings.Contains(r.err.Error(), "t-4") || len(f.Changes()) != 0 {
			t.Fatalf("err = %v (changes %+v), want ErrBusy naming t-4 and no change", r.err, f.Changes())
		}
		o.Additional = true
		if r := runExecute(t, context.Background(), o, f, movePlan(2)); r.err != nil {
			t.Fatalf("with --additional: %v", r.err)
		}
	})
	// Regression (real Kafka 2.4.1): on the ZooKeeper path, --additional
	// --throttle next to another reassignment set the throttles, then failed
	// "cluster busy" and left them on a plan that never started.
	t.Run("ZooKeeper path, --additional: refused before any change", func(t *testing.T) {
		f := sixPartitionsWith(kafka.FakeOptions{ZooKeeper: true})
		reassigning(f, "t", 4, 5, 6)
		o := testOptions(t)
		o.Additional, o.Throttle = true, 1000
		r := runExecute(t, context.Background(), o, f, movePlan(2))
		if !errors.Is(r.err, cluster.ErrBusy) || !strings.Contains(r.err.Error(), "--additional needs the Admin API path") ||
			len(f.Changes()) != 0 || len(configsLeft(f)) != 0 {
			t.Fatalf("err = %v (changes %+v, configs %v), want ErrBusy before any change", r.err, f.Changes(), configsLeft(f))
		}
	})
	t.Run("busy at submission: the throttles set for it are removed", func(t *testing.T) {
		f := sixPartitions()
		f.Fail("Reassign", fmt.Errorf("%w: /admin/reassign_partitions exists", cluster.ErrBusy))
		o := testOptions(t)
		o.Throttle = 1000
		r := runExecute(t, context.Background(), o, f, movePlan(2))
		if !errors.Is(r.err, cluster.ErrBusy) || len(configsLeft(f)) != 0 || len(f.Reassigned()) != 1 ||
			!strings.Contains(r.errw, "Nothing of the plan started: removed the throttles") {
			t.Fatalf("err = %v, configs left %v\n%s", r.err, configsLeft(f), r.errw)
		}
	})
	t.Run("a partition of the plan in flight elsewhere", func(t *testing.T) {
		f := sixPartitions()
		reassigning(f, "t", 0, 5, 6)
		o := testOptions(t)
		o.Additional = true
		r := runExecute(t, context.Background(), o, f, movePlan(2))
		if !errors.Is(r.err, cluster.ErrBusy) || !strings.Contains(r.err.Error(), "t-0 (being reassigned to [5 6]") {
			t.Fatalf("err = %v", r.err)
		}
	})
	t.Run("the lock is held", func(t *testing.T) {
		f := sixPartitions()
		o := testOptions(t)
		l, err := clusterlock.Acquire(context.Background(), clusterlock.Options{StateDir: o.StateDir, Command: "fdud execute", Plan: "plan-x"})
		if err != nil {
			t.Fatal(err)
		}
		r := runExecute(t, context.Background(), o, f, movePlan(2))
		if !errors.Is(r.err, cluster.ErrBusy) || !strings.Contains(r.err.Error(), "plan-x") || len(f.Changes()) != 0 {
			t.Fatalf("err = %v, want ErrBusy naming the holder", r.err)
		}
		l.Release()
		if r := runExecute(t, context.Background(), o, f, movePlan(2)); r.err != nil {
			t.Fatalf("after the holder released: %v", r.err)
		}
	})
}

func TestRunBatches(t *testing.T) {
	f := sixPartitions()
	f.CompleteAfterFirstRead()
	o := testOptions(t)
	o.MaxPartitionMovements = 2
	r := runExecute(t, context.Background(), o, f, movePlan(5))
	if r.err != nil {
		t.Fatal(r.err)
	}
	if f.MaxInFlight() != 2 {
		t.Errorf("most reassignments in flight = %d, want 2", f.MaxInFlight())
	}
	var sizes []int
	for _, b := range f.Reassigned() {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("batch sizes = %v, want [2 2 1]", sizes)
	}
	if !strings.Contains(r.errw, "Batch 3: submitted 1 partitions") || r.out != movePlan(5) {
		t.Errorf("no progress lines or plan not passed on")
	}
}

// Regression (real Kafka 2.4.1): a batching execute submitted the next
// batch to a broker that had died meanwhile and stopped on Kafka's raw
// "Replica assignment is invalid". Liveness is checked before each batch;
// partitions that need a dead broker wait, the others go on, and the run
// ends naming the broker and what it held back.
func TestRunBatchesAroundADeadBroker(t *testing.T) {
	f := sixPartitions()
	f.BeforeState(func(read int) error {
		if read == 3 { // after the first batch: broker 4 dies
			bs, _ := f.Brokers(context.Background())
			f.SetBrokers(slices.DeleteFunc(bs, func(b cluster.Broker) bool { return b.ID == 4 })...)
		}
		if read > 1 {
			f.Complete()
		}
		return nil
	})
	o := testOptions(t)
	o.MaxPartitionMovements = 1
	plan := `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[3,4]},{"topic":"t","partition":1,"replicas":[5,6]},` +
		`{"topic":"t","partition":2,"replicas":[3,4]},{"topic":"t","partition":3,"replicas":[5,6]}]}`
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err == nil || !strings.Contains(r.err.Error(), "need brokers that are not alive (4)") || !strings.Contains(r.err.Error(), "t-2") {
		t.Fatalf("err = %v, want one naming broker 4 and t-2", r.err)
	}
	if !strings.Contains(r.errw, "Broker 4 is not alive: holding back 1 partitions that need it (t-2)") {
		t.Errorf("no word of the dead broker:\n%s", r.errw)
	}
	if got := submitted(f); !slices.Equal(got, []string{"t-0", "t-1", "t-3"}) {
		t.Errorf("submitted %v, want t-0, t-1, t-3 (t-2 needs the dead broker)", got)
	}
}

func TestRunBatchesPerBroker(t *testing.T) {
	f := newFake([]int32{1, 2, 3, 4}, map[string][][]int32{"t": {{1, 2}, {1, 2}, {3, 4}}})
	f.CompleteAfterFirstRead()
	o := testOptions(t)
	o.MaxMovesPerBroker = 1
	plan := `{"partitions":[{"topic":"t","partition":0,"replicas":[3,2]},{"topic":"t","partition":1,"replicas":[4,2]},{"topic":"t","partition":2,"replicas":[1,4]}]}`
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	// t-0 involves 1,3; t-1 involves 1,4 (waits for t-0); t-2 involves 1,3 (waits too).
	if len(f.Reassigned()) != 3 || f.MaxInFlight() != 1 {
		t.Errorf("batches %v, max in flight %d", f.Reassigned(), f.MaxInFlight())
	}
}

func TestRunInterruptedAndResumed(t *testing.T) {
	f := sixPartitions()
	o := testOptions(t)
	o.MaxPartitionMovements = 2
	// The first batch never completes; the run is interrupted while waiting.
	ctx := interruptedAtRead(f, 3)
	r := runExecute(t, ctx, o, f, movePlan(5))
	if !errors.Is(r.err, context.Canceled) || !strings.Contains(r.err.Error(), "re-run the same plan") {
		t.Fatalf("err = %v, want context.Canceled with advice", r.err)
	}
	if r.out != "" {
		t.Error("an interrupted run passed the plan on")
	}
	if len(f.Reassigned()) != 1 {
		t.Fatalf("reassign calls before the interruption = %d, want 1", len(f.Reassigned()))
	}
	// The lock was released: a re-run gets it, skips what is in flight and completes.
	f.CompleteAfterFirstRead() // the first read of the re-run sees t-0 and t-1 still in flight
	r = runExecute(t, context.Background(), o, f, movePlan(5))
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.errw, "Not resubmitting 2 partitions already being reassigned to their target: t-0,t-1") {
		t.Error("re-run did not skip the in-flight partitions")
	}
	times := map[string]int{}
	for _, tp := range submitted(f) {
		times[tp]++
	}
	for tp, n := range times {
		if n != 1 {
			t.Errorf("%s submitted %d times", tp, n)
		}
	}
	if len(times) != 5 {
		t.Errorf("%d partitions submitted, want 5", len(times))
	}
}

func TestRunThrottlesAndCancel(t *testing.T) {
	f := sixPartitions()
	f.SetConfig(kafka.BrokerEntity, "1", map[string]string{kafka.LeaderThrottledRate: "500"})
	o := testOptions(t)
	o.Throttle = 1000
	plan := movePlan(1)
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	// The result says what was done, so that a front end need not read
	// the throttle store or the cluster again to print it.
	if r.res.Throttled == nil || len(r.res.Throttled.Entities()) == 0 {
		t.Errorf("result: throttles set = %v, want the record", r.res.Throttled)
	}
	if len(r.res.Current.Partitions) != 2 || !slices.Equal(r.res.Current.Partitions[0].Replicas, []int32{1, 2}) {
		t.Errorf("result: current = %v, want t-0 and t-5 on [1 2]", r.res.Current)
	}
	topic := config(f, kafka.TopicEntity, "t")
	if topic[kafka.LeaderThrottledReplicas] != "0:1,0:2" || topic[kafka.FollowerThrottledReplicas] != "0:3,0:4" {
		t.Errorf("topic throttles = %v", topic)
	}
	if got := config(f, kafka.BrokerEntity, "1")[kafka.LeaderThrottledRate]; got != "500" {
		t.Errorf("operator's lower rate on broker 1 changed to %s", got)
	}
	if got := config(f, kafka.BrokerEntity, "4")[kafka.FollowerThrottledRate]; got != "1000" {
		t.Errorf("broker 4 follower rate = %q", got)
	}
	c := o
	c.Mode = ModeCancel
	c.Throttle = 0
	r = runExecute(t, context.Background(), c, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !slices.Equal(cancelled(f), []cluster.TopicPartition{{Topic: "t", Partition: 0}}) {
		t.Errorf("cancelled %v", cancelled(f))
	}
	if !slices.Equal(r.res.Cancelled, cancelled(f)) || r.res.ThrottlesRemoved == nil {
		t.Errorf("result: cancelled %v, throttles removed %v", r.res.Cancelled, r.res.ThrottlesRemoved)
	}
	want := map[throttle.Entity]map[string]string{{Kind: kafka.BrokerEntity, Name: "1"}: {kafka.LeaderThrottledRate: "500"}}
	if got := configsLeft(f); !maps.EqualFunc(got, want, maps.Equal) {
		t.Errorf("configs after cancel = %v, want %v", got, want)
	}
	if r.out != "" || !strings.Contains(r.errw, "Successfully cancelled partition reassignments for t-0") {
		t.Errorf("cancel output: out %q", r.out)
	}
}

// Kafka's --cancel --preserve-throttles cancels and keeps the throttles;
// compat's --cancel used to remove them all the same.
func TestCancelPreservingThrottles(t *testing.T) {
	f := sixPartitions()
	o := testOptions(t)
	o.Throttle = 1000
	plan := movePlan(1)
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	o.Mode, o.Throttle, o.PreserveThrottles = ModeCancel, 0, true
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.res.Cancelled) != 1 || r.res.ThrottlesRemoved != nil {
		t.Errorf("result: cancelled %v, throttles removed %v; want t-0 cancelled, throttles kept", r.res.Cancelled, r.res.ThrottlesRemoved)
	}
	if got := config(f, kafka.BrokerEntity, "4")[kafka.FollowerThrottledRate]; got != "1000" {
		t.Errorf("broker 4 follower rate = %q, want the throttle kept", got)
	}
}

func TestRunCreateTopicsAndLogDirs(t *testing.T) {
	f := newDirFake()
	o := testOptions(t)
	o.CreateTopics = true
	plan := `{"partitions":[{"topic":"new","partition":1,"replicas":[2,3]},{"topic":"new","partition":0,"replicas":[1,2]},` +
		`{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","any"]}]}`
	if r := runExecute(t, context.Background(), o, f, plan); r.err != nil {
		t.Fatal(r.err)
	}
	created := f.Calls("CreateTopic")
	if len(created) != 1 || created[0].Names[0] != "new" || len(created[0].Assignment) != 2 ||
		!slices.Equal(created[0].Assignment[0], []int32{1, 2}) || !slices.Equal(created[0].Assignment[1], []int32{2, 3}) {
		t.Errorf("created %+v", created)
	}
	if moved := f.Calls("MoveLogDirs"); len(moved) != 1 || len(moved[0].Plan) != 1 || moved[0].Plan[0].LogDirs[0] != "/data/b" {
		t.Errorf("log dir moves %+v", moved)
	}
	if len(f.Reassigned()) != 0 {
		t.Errorf("reassigned %v; nothing needed a reassignment", f.Reassigned())
	}
}

func TestList(t *testing.T) {
	f := sixPartitions()
	reassigning(f, "t", 3, 2, 5)
	o := Options{Mode: ModeList}
	r := runExecute(t, context.Background(), o, f, "")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.errw, "t-3: replicas: 2,5. adding: 5. removing: 1.") {
		t.Errorf("stderr = %q", r.errw)
	}
	if r.out != `{"version":1,"partitions":[{"topic":"t","partition":3,"replicas":[2,5],"log_dirs":["any","any"]}]}`+"\n" {
		t.Errorf("stdout = %q", r.out)
	}
}

// Issue 9: a runbook may run from a read-only working directory; the default
// rollback file then goes to the state directory, and its path is printed.
// (Tests run as root, which ignores permissions: a working directory that
// is a file fails the same way.)
func TestRollbackFallsBackToTheStateDir(t *testing.T) {
	f := sixPartitions()
	o := testOptions(t)
	o.RollbackFile = ""
	o.WorkDir = filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(o.WorkDir, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	r := runExecute(t, context.Background(), o, f, movePlan(1))
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := filepath.Join(o.StateDir, "fdud-rollback-20240506T070809.json")
	if !strings.Contains(r.errw, "Rollback plan saved to "+want) || !strings.Contains(r.errw, "saving it in the state directory") {
		t.Errorf("stderr does not say the rollback plan went to %s", want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Error(err)
	}
	if len(f.Reassigned()) != 1 {
		t.Errorf("reassign calls %v", f.Reassigned())
	}
}

// Issue 9: the last line says what happened. A plan that only creates
// topics has nothing running in the background, and without --throttle
// there are no throttles to remove.
func TestRunLastLineSaysWhatHappened(t *testing.T) {
	for _, tc := range []struct {
		name     string
		plan     string
		throttle int64
		want     string
	}{
		{"only new topics", `{"partitions":[{"topic":"new","partition":0,"replicas":[1,2]}]}`, -1,
			"Nothing to reassign: the plan's new topics were created"},
		{"moves without a throttle", movePlan(1), -1,
			"The reassignment runs in the background: run fdud verify with the same plan to follow it.\n"},
		{"moves with a throttle", movePlan(1), 1000,
			"run fdud verify with the same plan to follow it and, once complete, remove the throttles."},
		// Only a new preferred leader: no replica is added, nothing is
		// copied, and no throttle is set, so none is there to remove (it
		// said the inter-broker throttle limit was set, and to remove it).
		{"preferred leaders only, with a throttle", `{"partitions":[{"topic":"t","partition":0,"replicas":[2,1]}]}`, 1000,
			"No throttle set: no partition of the plan adds a replica, so nothing is copied.\n" +
				"Successfully started partition reassignments for t-0\n" +
				"The reassignment runs in the background: run fdud verify with the same plan to follow it.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t)
			o.CreateTopics, o.Throttle, o.LogDirThrottle = true, tc.throttle, -1
			r := runExecute(t, context.Background(), o, sixPartitions(), tc.plan)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !strings.HasSuffix(r.errw, tc.want) && !strings.Contains(r.errw, tc.want) {
				t.Errorf("stderr lacks %q", tc.want)
			}
			if tc.name == "only new topics" && strings.Contains(r.errw, "in the background") {
				t.Errorf("a plan that only creates topics says a reassignment runs in the background")
			}
			if tc.name == "preferred leaders only, with a throttle" && strings.Contains(r.errw, "throttle limit was set") {
				t.Errorf("no throttle was set, but stderr says one was:\n%s", r.errw)
			}
		})
	}
}

// Issue 9: the advice on interruption fits the path: the ZooKeeper path
// cannot cancel a reassignment, so it does not offer --cancel.
func TestInterruptionAdviceFitsThePath(t *testing.T) {
	for _, path := range []string{kafka.AdminAPIPath, kafka.ZooKeeperPath} {
		t.Run(path, func(t *testing.T) {
			f := sixPartitionsWith(kafka.FakeOptions{ZooKeeper: path == kafka.ZooKeeperPath})
			o := testOptions(t)
			o.MaxPartitionMovements = 2
			ctx := interruptedAtRead(f, 3)
			r := runExecute(t, ctx, o, f, movePlan(5))
			if !errors.Is(r.err, context.Canceled) {
				t.Fatalf("err = %v", r.err)
			}
			// The ZooKeeper path cancels only with the Admin API's address
			// beside it (Kafka 2.4+), and says so.
			want := "or cancel the moves in flight with fdud execute --cancel and the same plan"
			if path == kafka.ZooKeeperPath {
				want = "--bootstrap-server beside --zookeeper (before 2.4 there is no cancel"
			}
			if !strings.Contains(r.err.Error(), want) {
				t.Errorf("%s: advice %q, want %q", path, r.err, want)
			}
		})
	}
}

// Real Kafka 2.4.1: right after a reassignment finished, a broker's metadata
// still showed the union of old and new replicas while the reassignment was
// no longer listed; the batcher took that for a reassignment cancelled by
// someone and stopped. It waits for the next poll instead.
func TestRunBatchesRideOutMetadataLag(t *testing.T) {
	f := sixPartitions()
	f.BeforeState(func(read int) error {
		if read == 1 {
			return nil
		}
		for _, p := range f.Partitions() {
			if p.Reassigning() && slices.Equal(p.Replicas, []int32{1, 2}) { // first look: finished, metadata lagging
				p.Replicas, p.Target, p.Adding, p.Removing = []int32{3, 4, 1, 2}, nil, nil, nil
				f.SetPartitions(p)
			}
		}
		for _, p := range f.Partitions() {
			if !p.Reassigning() && len(p.Replicas) == 4 && read%2 == 0 {
				p.Replicas = []int32{3, 4}
				f.SetPartitions(p)
			}
		}
		return nil
	})
	o := testOptions(t)
	o.MaxPartitionMovements = 1
	r := runExecute(t, context.Background(), o, f, movePlan(3))
	if r.err != nil {
		t.Fatalf("execute: %v", r.err)
	}
	if len(f.Reassigned()) != 3 {
		t.Errorf("%d batches submitted, want 3", len(f.Reassigned()))
	}
}
