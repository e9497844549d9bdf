package cluster

import (
	"slices"
	"testing"
)

func TestPartitionStateMoves(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		p                     PartitionState
		wantAdding, wantRemov []int32
	}{
		{name: "derived from target", p: PartitionState{Replicas: []int32{1, 2, 3}, Target: []int32{3, 4, 1}},
			wantAdding: []int32{4}, wantRemov: []int32{2}},
		{name: "Kafka 2.4+ lists win", p: PartitionState{Replicas: []int32{1, 2}, Target: []int32{1, 3},
			Adding: []int32{3}, Removing: []int32{2}}, wantAdding: []int32{3}, wantRemov: []int32{2}},
		{name: "reorder only", p: PartitionState{Replicas: []int32{1, 2}, Target: []int32{2, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, r := tc.p.Moves()
			if !slices.Equal(a, tc.wantAdding) || !slices.Equal(r, tc.wantRemov) {
				t.Fatalf("Moves() = %v, %v; want %v, %v", a, r, tc.wantAdding, tc.wantRemov)
			}
		})
	}
}

func TestStateInFlight(t *testing.T) {
	s := State{Partitions: []PartitionState{
		{Topic: "a", Partition: 0, Replicas: []int32{1}},
		{Topic: "a", Partition: 1, Replicas: []int32{1}, Target: []int32{2}},
		{Topic: "b", Partition: 0, Replicas: []int32{1}, Target: []int32{1}},
	}}
	got := s.InFlight()
	if len(got) != 2 || got[0].TP() != (TopicPartition{"a", 1}) || got[1].TP() != (TopicPartition{"b", 0}) {
		t.Fatalf("InFlight() = %v", got)
	}
}
