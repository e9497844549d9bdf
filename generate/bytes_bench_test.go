package generate

import (
	"math/rand/v2"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// BenchmarkPlan100kSized: BenchmarkPlan100k's Kafka-default cluster with
// a size for every partition (up to 10 GiB) and a capacity for every
// broker, so that the byte report and the disk check run: what sizes cost
// on top of the plan (target: within BenchmarkPlan100k's 0.5 s).
func BenchmarkPlan100kSized(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := kafkaDefault(rng, 300, 3, 20, 1000, 100, 3)
	u := &sizes.Usage{Partitions: make(map[cluster.TopicPartition]int64, len(in.Current.Partitions)),
		Used: map[int32]int64{}, Capacity: map[int32]int64{}}
	for _, p := range in.Current.Partitions {
		s := rng.Int64N(10 << 30)
		u.Partitions[p.TP()] = s
		for _, id := range p.Replicas {
			u.Used[id] += s
		}
	}
	for id, used := range u.Used {
		u.Capacity[id] = 3 * used // room for the repair: no broker fills
	}
	in.Sizes = u
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"repair", Options{Seed: 1}},
		{"repair-table", Options{Seed: 1, Explain: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var res Result
			for b.Loop() {
				var err error
				if res, err = Plan(in, c.opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(*res.Report.BytesToMove)/(1<<40), "TiB-moved")
		})
	}
}
