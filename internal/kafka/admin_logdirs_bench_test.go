package kafka

import (
	"context"
	"log/slog"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// BenchmarkMoveLogDirs moves 1,000 partitions' replicas on two brokers (2,000
// replica moves, one request per broker) and reads them back, against
// kfake on loopback: the cost of fdud's side plus encoding, not a broker's.
func BenchmarkMoveLogDirs(b *testing.B) {
	c, m := startLogDirCluster(b)
	const n = 1000
	var tps []cluster.TopicPartition
	for p := range int32(n) {
		tp := cluster.TopicPartition{Topic: "big", Partition: p}
		tps = append(tps, tp)
		for br := range int32(3) {
			m.host(br, tp, "/data/a")
		}
	}
	a := logDirAdmin(b, c, nil)
	a.log = slog.New(slog.DiscardHandler)
	plans := [2][]cluster.PartitionAssignment{}
	for i, dir := range []string{"/data/b", "/data/a"} {
		for _, tp := range tps {
			plans[i] = append(plans[i], cluster.PartitionAssignment{Topic: tp.Topic, Partition: tp.Partition,
				Replicas: []int32{0, 1, 2}, LogDirs: []string{dir, dir, cluster.AnyLogDir}})
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := a.MoveLogDirs(ctx, plans[i%2]); err != nil {
			b.Fatal(err)
		}
		dirs, err := a.DescribeLogDirs(ctx, []int32{0, 1}, tps)
		if err != nil {
			b.Fatal(err)
		}
		m.finish()
		if p, _ := LogDirPlacement(plans[i%2][n-1], dirs, false); p != LogDirsMoving {
			b.Fatalf("placement %v", p)
		}
		i++
	}
}
