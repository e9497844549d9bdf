package sizes

import (
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestMessageProgress(t *testing.T) {
	tp := func(p int32) cluster.TopicPartition { return cluster.TopicPartition{Topic: "t", Partition: p} }
	// t-0: log start 100, leader 1 at 1100 (1000 messages); 3 has copied
	// up to 500, 4 is not created yet. t-1: log start 0, leader 1 at 50;
	// 5 reports 80 (it led before and is ahead of the leader's view), 6
	// reports 0. t-2 has no log start reported; t-3 no leader's offset.
	var o Offsets
	o.SetStart(tp(0), 100)
	o.SetEnd(tp(0), 1, 1100)
	o.SetEnd(tp(0), 3, 500)
	o.SetEnd(tp(0), 7, 50) // an old copy below the log start
	o.SetStart(tp(1), 0)
	o.SetEnd(tp(1), 1, 50)
	o.SetEnd(tp(1), 5, 80)
	o.SetEnd(tp(1), 6, 0)
	o.SetEnd(tp(2), 1, 10)
	o.SetStart(tp(3), 0)
	o.SetEnd(tp(3), 2, 10)
	for _, c := range []struct {
		name  string
		parts []Copying
		want  Copied
	}{
		{"nothing to copy", nil, Copied{Messages: true}},
		{"an order change copies nothing", []Copying{{TP: tp(0), Leader: 1}}, Copied{Messages: true}},
		{"partly copied, one not created", []Copying{{TP: tp(0), Adding: []int32{3, 4}, Leader: 1}},
			Copied{Done: 400, Total: 2000, Counted: 1, Messages: true}},
		{"complete counts in full", []Copying{{TP: tp(0), Adding: []int32{3, 4}, Leader: 1, Complete: true}},
			Copied{Done: 2000, Total: 2000, Counted: 1, Messages: true}},
		{"capped at the leader's, never below the log start", []Copying{{TP: tp(1), Adding: []int32{5, 6}, Leader: 1}},
			Copied{Done: 50, Total: 100, Counted: 1, Messages: true}},
		{"follower below the log start holds nothing", []Copying{{TP: tp(0), Adding: []int32{7}, Leader: 1}},
			Copied{Done: 0, Total: 1000, Counted: 1, Messages: true}},
		{"leader unknown", []Copying{{TP: tp(0), Adding: []int32{3}, Leader: -1}}, Copied{Unknown: 1, Messages: true}},
		{"log start unknown", []Copying{{TP: tp(2), Adding: []int32{3}, Leader: 1}}, Copied{Unknown: 1, Messages: true}},
		{"leader's offset unknown", []Copying{{TP: tp(3), Adding: []int32{3}, Leader: 1}}, Copied{Unknown: 1, Messages: true}},
		{"log-dir moves not counted", []Copying{{TP: tp(0), MovingTo: map[int32]string{1: "/b"}, Leader: 1}}, Copied{Messages: true}},
		{"known and unknown", []Copying{{TP: tp(0), Adding: []int32{3}, Leader: 1}, {TP: tp(2), Adding: []int32{3}, Leader: 1}},
			Copied{Done: 400, Total: 1000, Unknown: 1, Counted: 1, Messages: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := MessageProgress(c.parts, o); got != c.want {
				t.Errorf("MessageProgress = %+v, want %+v", got, c.want)
			}
		})
	}
}
