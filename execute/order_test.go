package execute

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestHARisk(t *testing.T) {
	// Brokers 1-6 on 2 FDs x 3 UDs: FD = (id-1)/3, UD = (id-1)%3.
	doms := map[int32]cluster.Domain{}
	for id := int32(1); id <= 6; id++ {
		doms[id] = cluster.Domain{FaultDomain: int(id-1) / 3, UpdateDomain: int(id-1) % 3}
	}
	cases := []struct {
		reps   []int32
		minISR int
		want   int
	}{
		{[]int32{1, 2}, 1, riskOffline},     // both in FD0
		{[]int32{1, 4}, 1, riskOffline},     // both in UD0
		{[]int32{1, 5}, 1, riskNone},        // spread
		{[]int32{1, 5}, 2, riskBelowISR},    // one failure leaves 1 < 2
		{[]int32{1, 5, 3}, 2, riskBelowISR}, // FD0 holds 1 and 3: losing it leaves 1
		{[]int32{1, 5, 9}, 2, riskNone},     // 9 has no known domain: it survives
		{[]int32{7}, 1, riskNone},           // no known domain at all
		{nil, 2, riskNone},                  // a new topic
	}
	for _, c := range cases {
		if got := haRisk(c.reps, doms, c.minISR); got != c.want {
			t.Errorf("haRisk(%v, minISR %d) = %s, want %s", c.reps, c.minISR, riskNames[got], riskNames[c.want])
		}
	}
}

// TestOrderForHA: offline-risk partitions first, then below-ISR ones, then
// the rest; smaller first within a group; plan order on ties.
func TestOrderForHA(t *testing.T) {
	doms := map[int32]cluster.Domain{}
	for id := int32(1); id <= 6; id++ {
		doms[id] = cluster.Domain{FaultDomain: int(id-1) / 3, UpdateDomain: int(id-1) % 3}
	}
	item := func(i int, topic string, cur ...int32) Item {
		return Item{Index: i, Plan: cluster.PartitionAssignment{Topic: topic, Partition: int32(i)}, Current: cur}
	}
	items := []Item{
		item(0, "spread", 1, 5), // rest, 10
		item(1, "isr2", 1, 5),   // below ISR, 30
		item(2, "spread", 1, 2), // offline, 50
		item(3, "spread", 4, 1), // offline, 20
		item(4, "spread", 2, 6), // rest, 10 (tie with 0: plan order)
		item(5, "new"),          // rest, 0
	}
	size := map[int32]int64{0: 10, 1: 30, 2: 50, 3: 20, 4: 10}
	got, groups := orderForHA(items, doms,
		func(topic string) int {
			if topic == "isr2" {
				return 2
			}
			return 1
		},
		func(tp cluster.TopicPartition) int64 { return size[tp.Partition] })
	var order []int
	for _, it := range got {
		order = append(order, it.Index)
	}
	want := []int{3, 2, 1, 5, 0, 4}
	if len(order) != len(want) {
		t.Fatalf("order %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if groups != [3]int{2, 1, 3} {
		t.Errorf("groups %v", groups)
	}
}

// TestRunBatchOrder: with racks FD<n>UD<m>, batches submit first the
// partitions one domain failure would take offline (smaller first), then
// the rest (smaller first), whatever the plan's order.
func TestRunBatchOrder(t *testing.T) {
	f := newFake([]int32{1, 2, 3, 4, 5, 6}, map[string][][]int32{"a": {{1, 5}, {1, 2}, {1, 6}, {2, 3}}})
	var racked []cluster.Broker
	for id := int32(1); id <= 6; id++ {
		racked = append(racked, cluster.Broker{ID: id, Host: "127.0.0.1", Port: 9092, Rack: fmt.Sprintf("FD%dUD%d", (id-1)/3, (id-1)%3)})
	}
	f.SetBrokers(racked...)
	for p, size := range []int64{20, 900, 10, 5} {
		f.SetSize(cluster.TopicPartition{Topic: "a", Partition: int32(p)}, size)
	}
	f.CompleteAfterFirstRead()
	o := testOptions(t)
	o.MaxPartitionMovements = 1
	plan := `{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[2,4]},{"topic":"a","partition":1,"replicas":[1,5]},` +
		`{"topic":"a","partition":2,"replicas":[3,4]},{"topic":"a","partition":3,"replicas":[2,6]}]}`
	r := runExecute(t, context.Background(), o, f, plan)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got, want := submitted(f), []string{"a-3", "a-1", "a-2", "a-0"}; !slices.Equal(got, want) {
		t.Errorf("submitted %v, want %v", got, want)
	}
	if !strings.Contains(r.errw, "Batch order: 2 partitions offline if one domain fails first, then 0 below min.insync.replicas if one domain fails, then 2 more; smallest first in each group.") {
		t.Errorf("no batch order line:\n%s", r.errw)
	}
}
