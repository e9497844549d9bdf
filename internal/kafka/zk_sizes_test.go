package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// TestZooKeeperPathSizes: with the brokers' addresses beside --zookeeper,
// the ZooKeeper path reports replica sizes through the brokers'
// DescribeLogDirs, one client serving every read; without them it offers
// no Sizer (and callers keep counting partitions).
func TestZooKeeperPathSizes(t *testing.T) {
	if (&zkCluster{}).Capabilities().Sizer != nil {
		t.Fatal("the ZooKeeper path without brokers' addresses claims to read sizes")
	}
	c, m := startLogDirCluster(t)
	s := &zkSizer{o: Options{BootstrapServers: c.ListenAddrs()[:1], Timeout: 10 * time.Second, Logger: testLogger(t)}}
	defer s.close()
	z := &zkCluster{sizer: s}
	sizer := z.Capabilities().Sizer
	if sizer == nil || !z.Capabilities().OneBatch {
		t.Fatalf("capabilities %+v", z.Capabilities())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Every partition, then t-0 alone.
	for i, c := range []struct {
		tps        []cluster.TopicPartition
		partitions int
	}{{nil, 3}, {[]cluster.TopicPartition{tpT(0)}, 1}} {
		l, err := sizer.ReplicaSizes(ctx, []int32{0, 1, 2}, c.tps)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Brokers) != 3 {
			t.Errorf("read %d: brokers %v answered", i, l.Brokers)
		}
		if size, ok := l.PartitionSize(tpT(0), 0, nil); !ok || size != 1024 {
			t.Errorf("read %d: t-0 = %d, %v; want 1024", i, size, ok)
		}
		if len(l.Replicas) != c.partitions {
			t.Errorf("read %d, of %v: %d partitions, want %d", i, c.tps, len(l.Replicas), c.partitions)
		}
	}
	first := s.kc
	if _, err := sizer.ReplicaSizes(ctx, []int32{1}, nil); err != nil || s.kc != first || first == nil {
		t.Errorf("a new client for another read (err %v)", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.describes[0] != 2 || m.describes[1] != 3 {
		t.Errorf("DescribeLogDirs requests per broker: %v", m.describes)
	}
}
