package testenv

import (
	"fmt"
	"testing"
)

// BenchmarkStartKafka measures how long a test waits for a Kafka cluster:
// from StartKafka until every broker serves metadata naming all brokers,
// with ZooKeeper already running (a test without one also pays for
// StartZooKeeper, about 0.3 s).
func BenchmarkStartKafka(b *testing.B) {
	zk := StartZooKeeper(b)
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("brokers=%d", n), func(b *testing.B) {
			for b.Loop() {
				k := StartKafka(b, KafkaOptions{Brokers: n, ZooKeeper: zk})
				b.StopTimer()
				k.killAll()
				b.StartTimer()
			}
		})
	}
}
