package execute

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// BenchmarkReadPlan reads and checks a plan of 100,000 partitions (RF 3,
// 300 brokers) as execute does before it contacts the cluster. fdud
// verify reads its plan with cluster.ParseAssignment, benchmarked in
// generate's BenchmarkRun/*/parse. Measured on the 2-core machine (2
// December 2026): 0.016 s, 8.6 MB allocated.
func BenchmarkReadPlan(b *testing.B) {
	a := cluster.Assignment{Version: 1}
	for t := range 1000 {
		for p := range 100 {
			first := int32(1000 + (t*7+p)%300)
			a.Partitions = append(a.Partitions, cluster.PartitionAssignment{
				Topic: fmt.Sprintf("topic-%05d", t), Partition: int32(p),
				Replicas: []int32{first, 1000 + (first+1)%300, 1000 + (first+2)%300}})
		}
	}
	var buf bytes.Buffer
	if err := cluster.WriteAssignment(&buf, a); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePlan(data); err != nil {
			b.Fatal(err)
		}
	}
}
