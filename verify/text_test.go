package verify

import (
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// Regression (real Kafka 2.4.1): verify printed "removed the throttles fdud
// set" while its clean-up had left every rate in place as "changed by
// someone else". What the clean-up leaves is said, value by value.
func TestWriteTextThrottlesLeft(t *testing.T) {
	tests := []struct {
		name string
		t    ThrottleOutcome
		want []string
		not  []string
	}{
		{"all removed", ThrottleOutcome{Checked: true, Removed: true},
			[]string{"Throttles: removed the throttles fdud set for this plan.\n"}, []string{"except"}},
		{"some left", ThrottleOutcome{Checked: true, Removed: true, Left: []string{"broker 1: leader.replication.throttled.rate is \"7\", not the 5000 fdud set: changed by someone else since, leaving it"}},
			[]string{"except 1 values (someone else changed them since, or they were never set):\n", "  broker 1: leader.replication.throttled.rate is \"7\""},
			[]string{"for this plan.\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteText(&b, &Result{Throttles: tt.t}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("text lacks %q:\n%s", w, b.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("text has %q:\n%s", n, b.String())
				}
			}
		})
	}
}

// Regression (real Kafka 2.4.1): during a reassignment verify printed
// "Under-replicated now: none" while kafka-topics.sh
// --under-replicated-partitions listed the partitions, whose ISR lacked the
// replicas being added. They are listed, as catching up, and not as risk.
func TestUnderReplicatedWhileCatchingUp(t *testing.T) {
	st := &cluster.State{Brokers: brokers(1, 2, 3), Partitions: []cluster.PartitionState{
		moving("a", 0, r(1, 2), r(1, 3)), part("a", 1, 1, 2),
	}}
	risk := Assess(AssessInput{Partitions: st.Partitions, Live: r(1, 2, 3)})
	if len(risk.UnderReplicated) != 1 || !risk.UnderReplicated[0].OnlyCatchingUp() || risk.AtRiskTotal != 0 {
		t.Fatalf("under-replicated %+v, at risk %d: want a-0 catching up and no risk", risk.UnderReplicated, risk.AtRiskTotal)
	}
	var b strings.Builder
	if err := WriteText(&b, &Result{Risk: risk}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Under-replicated now: 1 partitions (1 only because replicas being added are catching up):",
		"a-0 replicas 1,2,3, in sync 1,2 (being added, catching up: 3)"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
}

// Issue 9: while a batching execute of the plan holds the lock, the status
// lines said its partitions not submitted yet were waiting, but the summary
// line counted them "not as planned", the words for failed or cancelled.
func TestSummaryCountsWaitingPartitions(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"batching execute between batches", Result{Counts: Counts{Partitions: 4, Complete: 1, NotAsPlanned: 3},
			LockHolder: &LockHolder{Name: "fdud execute (pid 1, host a)", ThisPlan: true}},
			"Summary: 4 partitions in the plan: 1 complete, 0 still in progress, 3 waiting to be submitted.\n"},
		{"one in flight", Result{Counts: Counts{Partitions: 4, Complete: 1, InProgress: 1, NotAsPlanned: 2}},
			"Summary: 4 partitions in the plan: 1 complete, 1 still in progress, 2 waiting to be submitted.\n"},
		{"nothing underway: failed or cancelled", Result{Counts: Counts{Partitions: 4, Complete: 1, NotAsPlanned: 3}},
			"Summary: 4 partitions in the plan: 1 complete, 0 still in progress, 3 not as planned.\n"},
		{"another run holds the lock", Result{Counts: Counts{Partitions: 4, Complete: 1, NotAsPlanned: 3},
			LockHolder: &LockHolder{Name: "fdud execute (pid 1, host a)"}},
			"Summary: 4 partitions in the plan: 1 complete, 0 still in progress, 3 not as planned.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteText(&b, &tt.r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("text lacks %q:\n%s", tt.want, b.String())
			}
		})
	}
}
