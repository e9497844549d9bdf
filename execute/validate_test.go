package execute

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// testState: brokers 1-4 alive (5 is dead); orders has partitions 0-1 on [1,2,3], [2,3,5].
func testState() *cluster.State {
	f := newFake([]int32{1, 2, 3, 4}, map[string][][]int32{"orders": {{1, 2, 3}, {2, 3, 5}}})
	st, _ := f.State(context.Background(), nil)
	return st
}

func pa(topic string, p int32, replicas ...int32) cluster.PartitionAssignment {
	return cluster.PartitionAssignment{Topic: topic, Partition: p, Replicas: replicas}
}

func TestValidate(t *testing.T) {
	adminAPI := checkOptions{LogDirs: true, Path: kafka.AdminAPIPath}
	tests := []struct {
		name string
		plan []cluster.PartitionAssignment
		o    checkOptions
		want []string // one substring per expected problem, in order
	}{
		{name: "valid move", plan: []cluster.PartitionAssignment{pa("orders", 0, 4, 2, 3)}, o: adminAPI},
		{name: "unknown topic", plan: []cluster.PartitionAssignment{pa("payments", 0, 1, 2, 3)}, o: adminAPI,
			want: []string{"partitions[0] (payments-0): topic payments does not exist"}},
		{name: "unknown partition", plan: []cluster.PartitionAssignment{pa("orders", 0, 1, 2, 3), pa("orders", 7, 1, 2, 3)}, o: adminAPI,
			want: []string{"partitions[1] (orders-7): topic orders has no partition 7 (it has 2 partitions)"}},
		{name: "dead broker", plan: []cluster.PartitionAssignment{pa("orders", 0, 1, 2, 9)}, o: adminAPI,
			want: []string{"broker 9 is not alive"}},
		// Issue 9: orders-1's replica on broker 5 exists; nothing is placed
		// there, but the move could not complete while 5 is down.
		{name: "dead broker that is an existing replica", plan: []cluster.PartitionAssignment{pa("orders", 1, 4, 3, 5)}, o: adminAPI,
			want: []string{"broker 5 is down (not registered in the cluster) and holds a replica of this partition that the plan keeps"}},
		{name: "dead broker in a partition already at target is fine",
			plan: []cluster.PartitionAssignment{pa("orders", 1, 2, 3, 5)}, o: adminAPI},
		{name: "replication factor change", plan: []cluster.PartitionAssignment{pa("orders", 0, 1, 2)}, o: adminAPI,
			want: []string{"replication factor would change from 3 to 2"}},
		{name: "replication factor change allowed", plan: []cluster.PartitionAssignment{pa("orders", 0, 1, 2, 3, 4)},
			o: checkOptions{AllowRFChange: true, LogDirs: true}},
		{name: "duplicate partition and broker", plan: []cluster.PartitionAssignment{pa("orders", 0, 1, 2, 4), pa("orders", 0, 3, 3, 1)}, o: adminAPI,
			want: []string{"partitions[1] (orders-0): partition already listed at partitions[0]", "broker 3 listed twice"}},
		{name: "log dirs on the ZooKeeper path",
			plan: []cluster.PartitionAssignment{{Topic: "orders", Partition: 0, Replicas: []int32{1, 2, 3}, LogDirs: []string{"/data/2", "any", "any"}}},
			o:    checkOptions{Path: kafka.ZooKeeperPath},
			want: []string{"cannot move replicas between log directories"}},
		{name: "malformed log dirs",
			plan: []cluster.PartitionAssignment{{Topic: "orders", Partition: 0, Replicas: []int32{1, 2, 3}, LogDirs: []string{"data", "/a/../b"}}},
			o:    adminAPI,
			want: []string{"log_dirs has 2 entries for 3 replicas", `log dir "data"`, `log dir "/a/../b"`}},
		{name: "new topic needs every partition and one replication factor",
			plan: []cluster.PartitionAssignment{pa("new", 0, 1, 2), pa("new", 2, 2, 3, 4)},
			o:    checkOptions{CreateTopics: true, LogDirs: true},
			want: []string{"not partition 1", "partitions[1] (new-2): new topic new: 3 replicas, but partitions[0] has 2"}},
		{name: "every problem is named",
			plan: []cluster.PartitionAssignment{pa("payments", 0, 1), pa("orders", 0, 1, 2, 9), pa("orders", 1, 1, 2)},
			o:    adminAPI,
			want: []string{"payments-0", "broker 9", "orders-1): replication factor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validatePlan(cluster.Assignment{Version: 1, Partitions: tt.plan}, testState(), tt.o)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestParsePlan(t *testing.T) {
	plain := `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,2]}]}` + "\n\n"
	kafkaText := "Current partition replica assignment\n" +
		`{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2,3],"log_dirs":["any","any","any"]}]}` + "\n\n" +
		"Proposed partition reassignment configuration\n" +
		`{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,2],"log_dirs":["any","any","any"]}]}` + "\n"
	tests := []struct {
		name     string
		in       string
		pass     string
		replicas []int32
		err      string
	}{
		{name: "plain JSON passes byte for byte", in: plain, pass: plain, replicas: []int32{3, 1, 2}},
		{name: "Kafka's tool output: the proposed plan", in: kafkaText,
			pass:     `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,2],"log_dirs":["any","any","any"]}]}` + "\n",
			replicas: []int32{3, 1, 2}},
		{name: "malformed JSON", in: `{"version":1,"partitions":[`, err: "not valid reassignment JSON"},
		{name: "empty", in: " \n", err: "the plan is empty"},
		{name: "schema: wrong log dir", in: `{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["data"]}]}`, err: "not valid reassignment JSON"},
		{name: "duplicates, each named",
			in:  `{"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]},{"topic":"t","partition":0,"replicas":[3]}]}`,
			err: "the plan has 2 problems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePlan([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !cluster.IsInvalid(err) {
					t.Fatalf("err = %v, want an input error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Doc) != tt.pass {
				t.Errorf("pass = %q, want %q", got.Doc, tt.pass)
			}
			if !slices.Equal(got.Assignment.Partitions[0].Replicas, tt.replicas) {
				t.Errorf("replicas = %v", got.Assignment.Partitions[0].Replicas)
			}
		})
	}
	_, err := ParsePlan([]byte(`{"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}`))
	var pe *PlanError
	if !errors.As(err, &pe) || pe.Problems[0].Index != 1 {
		t.Errorf("duplicate not reported as a PlanError at index 1: %v", err)
	}
}

func TestNextBatch(t *testing.T) {
	move := func(p int32, from, to []int32) Item {
		return Item{Plan: pa("t", p, to...), Current: from, Status: Pending}
	}
	pending := []Item{
		move(0, []int32{1, 2}, []int32{3, 2}), // brokers 1,3
		move(1, []int32{1, 2}, []int32{1, 4}), // brokers 2,4
		move(2, []int32{1, 2}, []int32{3, 4}), // brokers 1,2,3,4
		move(3, []int32{5, 6}, []int32{6, 5}), // reorder: no broker
	}
	tests := []struct {
		name     string
		inflight []flight
		limits   Limits
		want     []int32
	}{
		{name: "no limits: everything", want: []int32{0, 1, 2, 3}},
		{name: "cluster-wide limit", limits: Limits{Partitions: 2}, want: []int32{0, 1}},
		{name: "cluster-wide limit counts what is in flight", limits: Limits{Partitions: 2},
			inflight: []flight{{Brokers: []int32{9}}}, want: []int32{0}},
		{name: "per-broker limit skips ahead in plan order", limits: Limits{PerBroker: 1}, want: []int32{0, 1, 3}},
		{name: "per-broker limit counts others' reassignments", limits: Limits{PerBroker: 1},
			inflight: []flight{{Brokers: []int32{3}}}, want: []int32{1, 3}},
		{name: "full: nothing", limits: Limits{Partitions: 1}, inflight: []flight{{}}, want: nil},
		{name: "a too-big move still starts when nothing is in flight", limits: Limits{PerBroker: 1},
			want: []int32{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pending
			if strings.HasPrefix(tt.name, "a too-big") {
				in = pending[2:3]
			}
			var got []int32
			for _, it := range nextBatch(in, tt.inflight, tt.limits) {
				got = append(got, it.Plan.Partition)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("batch = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	f := newFake([]int32{1, 2, 3, 4}, map[string][][]int32{"t": {{1, 2}, {1, 2}, {1, 2}, {1, 2}}, "other": {{1, 2}}})
	reassigning(f, "t", 2, 4, 3)
	reassigning(f, "t", 3, 2, 4)
	reassigning(f, "other", 0, 3, 4)
	st, _ := f.State(context.Background(), nil)
	plan := cluster.Assignment{Partitions: []cluster.PartitionAssignment{
		pa("t", 0, 1, 2), pa("t", 1, 3, 2), pa("t", 2, 3, 4), pa("t", 3, 1, 3), pa("new", 0, 1, 2),
	}}
	items, others := Classify(plan, st)
	var got []Status
	for _, it := range items {
		got = append(got, it.Status)
	}
	if want := []Status{Done, Pending, InFlight, Conflict, Create}; !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if len(others) != 1 || others[0].Topic != "other" {
		t.Errorf("others = %v", others)
	}
}
