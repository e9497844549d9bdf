package generate

import (
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// TestLeadersOutsideScopeMakeNoPlan pins a bug: the leader balance counted
// the preferred leaders of every topic, so a second `generate --topics
// orders` after an execute, which creates fdud's state topic, proposed
// preferred-leader reorders of orders with no data moved. Only the leaders of
// the topics in scope count, and never those of fdud's own state topic.
func TestLeadersOutsideScopeMakeNoPlan(t *testing.T) {
	// examples/at-risk after its plan: spread, one leader per broker 1-3.
	orders := [][]int32{{1, 6}, {2, 4}, {3, 5}}
	tests := []struct {
		name   string
		topics []string
		extra  cluster.PartitionAssignment
	}{
		{"state topic led by broker 1, --topics orders", []string{"orders"},
			cluster.PartitionAssignment{Topic: cluster.StateTopic, Replicas: []int32{1, 5, 3}}},
		{"state topic led by broker 2, every topic", nil,
			cluster.PartitionAssignment{Topic: cluster.StateTopic, Replicas: []int32{2, 4, 6}}},
		{"another topic led by broker 3, --topics orders", []string{"orders"},
			cluster.PartitionAssignment{Topic: "audit", Replicas: []int32{3, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Domains: fullGrid(2, 3), Current: assignment("orders", orders...)}
			in.Current.Partitions = append(in.Current.Partitions, tt.extra)
			res, err := Plan(in, Options{Topics: tt.topics})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Plan.Partitions) != 0 {
				t.Errorf("plan %v (leader changes %d): want none", res.Plan.Partitions, res.Report.LeaderChanges)
			}
		})
	}
}
