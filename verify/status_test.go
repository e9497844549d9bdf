package verify

import (
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestClassify(t *testing.T) {
	leaderElsewhere := part("o", 0, 1, 2, 3)
	leaderElsewhere.Leader = 2
	cases := []struct {
		name  string
		plan  cluster.PartitionAssignment
		state []cluster.PartitionState
		want  PartitionStatus
	}{
		{"complete", pa("o", 0, 1, 2, 3), []cluster.PartitionState{part("o", 0, 1, 2, 3)},
			PartitionStatus{Status: Complete, Current: r(1, 2, 3), Leader: 1}},
		{"complete, leader not preferred", pa("o", 0, 1, 2, 3), []cluster.PartitionState{leaderElsewhere},
			PartitionStatus{Status: Complete, Current: r(1, 2, 3), Leader: 2}},
		// Cancelling restores the set but not its order: complete, but the
		// planned leader is not first.
		{"order differs", pa("o", 0, 1, 2, 3), []cluster.PartitionState{part("o", 0, 3, 1, 2)},
			PartitionStatus{Status: Complete, Current: r(3, 1, 2), Leader: 3, OrderDiffers: true}},
		{"in progress", pa("o", 0, 4, 5, 6), []cluster.PartitionState{moving("o", 0, r(1, 2, 3), r(4, 5, 6))},
			PartitionStatus{Status: InProgress, Current: r(1, 2, 3), Target: r(4, 5, 6), Leader: 1}},
		{"in progress elsewhere", pa("o", 0, 4, 5, 6), []cluster.PartitionState{moving("o", 0, r(1, 2, 3), r(7, 8, 9))},
			PartitionStatus{Status: InProgress, Current: r(1, 2, 3), Target: r(7, 8, 9), Leader: 1, TargetDiffers: true}},
		{"not as planned", pa("o", 0, 4, 5, 6), []cluster.PartitionState{part("o", 0, 1, 2, 3)},
			PartitionStatus{Status: NotAsPlanned, Current: r(1, 2, 3), Leader: 1}},
		{"replication factor differs", pa("o", 0, 1, 2), []cluster.PartitionState{part("o", 0, 1, 2, 3)},
			PartitionStatus{Status: NotAsPlanned, Current: r(1, 2, 3), Leader: 1}},
		// Real Kafka 4.4 (KRaft), a target broker restarted mid-move: no
		// reassignment listed, replicas 2,3,1 for a plan of 2,3, broker 2
		// still catching up. In progress, not a failure.
		{"finishing, metadata lagging", pa("o", 0, 2, 3), []cluster.PartitionState{func() cluster.PartitionState {
			p := part("o", 0, 2, 3, 1)
			p.ISR, p.Leader = r(3, 1), 3
			return p
		}()}, PartitionStatus{Status: InProgress, Current: r(2, 3, 1), Leader: 3, Finishing: true}},
		{"missing partition", pa("o", 7, 1, 2), []cluster.PartitionState{part("o", 0, 1, 2)},
			PartitionStatus{Status: NotAsPlanned, Leader: -1, Missing: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(plan(tc.plan), &cluster.State{Brokers: brokers(1, 2, 3, 4, 5, 6), Partitions: tc.state})
			if len(got) != 1 {
				t.Fatalf("got %d statuses, want 1", len(got))
			}
			g, w := got[0], tc.want
			if g.Status != w.Status || !slices.Equal(g.Current, w.Current) || !slices.Equal(g.Target, w.Target) ||
				g.Leader != w.Leader || g.Missing != w.Missing || g.OrderDiffers != w.OrderDiffers || g.TargetDiffers != w.TargetDiffers {
				t.Errorf("got %+v\nwant %+v", g, w)
			}
			if g.TP != tc.plan.TP() || !slices.Equal(g.Planned, tc.plan.Replicas) {
				t.Errorf("got %s planned %v, want %s %v", g.TP, g.Planned, tc.plan.TP(), tc.plan.Replicas)
			}
		})
	}
}

func TestClassifySortsAndCounts(t *testing.T) {
	st := &cluster.State{Partitions: []cluster.PartitionState{
		part("b", 0, 1, 2), moving("a", 1, r(1, 2), r(2, 3)), part("a", 0, 2, 1), part("a", 2, 1, 2),
	}}
	ss := Classify(plan(pa("b", 0, 1, 2), pa("a", 2, 2, 3), pa("a", 1, 2, 3), pa("a", 0, 1, 2)), st)
	var order []string
	for _, s := range ss {
		order = append(order, s.TP.String())
	}
	if want := []string{"a-0", "a-1", "a-2", "b-0"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	c := Count(ss)
	want := Counts{Partitions: 4, Complete: 2, InProgress: 1, NotAsPlanned: 1, OrderDiffers: 1, LeaderNotPreferred: 0}
	if c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
}

// The lines must be exactly Kafka's, since runbooks grep for them.
func TestStatusLines(t *testing.T) {
	st := &cluster.State{Partitions: []cluster.PartitionState{
		part("orders", 0, 1, 2), moving("orders", 1, r(1, 2), r(2, 3)), part("orders", 2, 1, 2),
	}}
	ss := Classify(plan(pa("orders", 0, 1, 2), pa("orders", 1, 2, 3), pa("orders", 2, 3, 4), pa("gone", 0, 1)), st)
	var kafka, legacy []string
	for _, s := range ss {
		kafka = append(kafka, StatusLine(s))
		legacy = append(legacy, LegacyStatusLine(s))
	}
	wantKafka := []string{
		"There is no active reassignment of partition gone-0, but replica set is  rather than 1.",
		"Reassignment of partition orders-0 is complete.",
		"Reassignment of partition orders-1 is still in progress.",
		"There is no active reassignment of partition orders-2, but replica set is 1,2 rather than 3,4.",
	}
	wantLegacy := []string{
		"Reassignment of partition [gone,0] failed",
		"Reassignment of partition [orders,0] completed successfully",
		"Reassignment of partition [orders,1] is still in progress",
		"Reassignment of partition [orders,2] failed",
	}
	if !slices.Equal(kafka, wantKafka) {
		t.Errorf("Kafka lines:\n%s\nwant:\n%s", strings.Join(kafka, "\n"), strings.Join(wantKafka, "\n"))
	}
	if !slices.Equal(legacy, wantLegacy) {
		t.Errorf("legacy lines:\n%s\nwant:\n%s", strings.Join(legacy, "\n"), strings.Join(wantLegacy, "\n"))
	}

	var b strings.Builder
	if err := WriteStatus(&b, ss, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if lines[0] != StatusHeading {
		t.Errorf("first line %q, want %q", lines[0], StatusHeading)
	}
	var kafkaOnly []string
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "  note: ") {
			kafkaOnly = append(kafkaOnly, l)
		}
	}
	if !slices.Equal(kafkaOnly, wantKafka) {
		t.Errorf("WriteStatus without notes:\n%s", strings.Join(kafkaOnly, "\n"))
	}
	if !strings.Contains(b.String(), "  note: partition gone-0 does not exist") {
		t.Errorf("no note for the missing partition:\n%s", b.String())
	}
	// Issue 9: while the plan is being carried out, a partition with nothing
	// in flight off its planned replicas is waiting, not failed.
	b.Reset()
	if err := WriteStatus(&b, ss, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "There is no active reassignment of partition orders-2") ||
		!strings.Contains(b.String(), "Reassignment of partition orders-2 is waiting: not submitted yet") {
		t.Errorf("waiting partition:\n%s", b.String())
	}
}

func TestNotes(t *testing.T) {
	notPreferred := part("o", 0, 1, 2)
	notPreferred.Leader = 2
	leaderless := part("o", 0, 1, 2)
	leaderless.Leader = -1
	cases := []struct {
		name  string
		plan  cluster.PartitionAssignment
		state cluster.PartitionState
		want  string // substring of the only note; "" for none
	}{
		{"clean", pa("o", 0, 1, 2), part("o", 0, 1, 2), ""},
		{"order", pa("o", 0, 1, 2), part("o", 0, 2, 1), "planned preferred leader 1 is not first"},
		{"leader", pa("o", 0, 1, 2), notPreferred, "led by 2, not its preferred leader 1"},
		{"no leader", pa("o", 0, 1, 2), leaderless, "has no leader"},
		{"target", pa("o", 0, 1, 2), moving("o", 0, r(3, 4), r(5, 6)), "targets 5,6, not the planned 1,2"},
		{"in progress", pa("o", 0, 1, 2), moving("o", 0, r(3, 4), r(1, 2)), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ss := Classify(plan(tc.plan), &cluster.State{Partitions: []cluster.PartitionState{tc.state}})
			notes := Notes(ss[0])
			switch {
			case tc.want == "" && len(notes) > 0:
				t.Errorf("unexpected notes %q", notes)
			case tc.want != "" && (len(notes) != 1 || !strings.Contains(notes[0], tc.want)):
				t.Errorf("notes %q, want one containing %q", notes, tc.want)
			}
		})
	}
}
