package verify

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// BenchmarkAssess measures the spread check and what-if over clusters of
// growing size: brokers over 3 FDs x 20 UDs, R=3 on brokers drawn from a
// fixed seed (so many partitions break the rules and are listed), 1% of
// them under-replicated.
func BenchmarkAssess(b *testing.B) {
	for _, size := range []struct{ brokers, partitions int }{{60, 10_000}, {60, 100_000}, {300, 1_000_000}} {
		rng := rand.New(rand.NewPCG(1, 2))
		doms := map[int32]cluster.Domain{}
		var live []int32
		for i := range size.brokers {
			id := int32(i + 1)
			doms[id] = cluster.Domain{FaultDomain: i % 3, UpdateDomain: (i / 3) % 20}
			live = append(live, id)
		}
		parts := make([]cluster.PartitionState, size.partitions)
		for i := range parts {
			var reps []int32
			for len(reps) < 3 {
				id := live[rng.IntN(len(live))]
				if !containsID(reps, id) {
					reps = append(reps, id)
				}
			}
			p := cluster.PartitionState{Topic: fmt.Sprintf("t%d", i%500), Partition: int32(i / 500), Replicas: reps,
				ISR: append([]int32(nil), reps...), Leader: reps[0]}
			if i%100 == 0 {
				p.ISR = p.ISR[:2]
			}
			parts[i] = p
		}
		in := AssessInput{Scope: "all", Partitions: parts, Live: live, Domains: doms}
		b.Run(fmt.Sprintf("brokers=%d/partitions=%d", size.brokers, size.partitions), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Assess(in)
			}
		})
	}
}

func containsID(s []int32, id int32) bool {
	for _, x := range s {
		if x == id {
			return true
		}
	}
	return false
}
