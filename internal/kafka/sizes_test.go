package kafka

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// TestAddLogDirs maps DescribeLogDirs answers onto the sizes model: replica
// sizes always, volume sizes only from version 4 (Kafka 3.3), a failed
// directory's error by Kafka's name.
func TestAddLogDirs(t *testing.T) {
	answer := func(version int16) *kmsg.DescribeLogDirsResponse {
		resp := kmsg.NewPtrDescribeLogDirsResponse()
		resp.Version = version
		d := kmsg.NewDescribeLogDirsResponseDir()
		d.Dir, d.TotalBytes, d.UsableBytes = "/data/a", 1000, 400
		topic := kmsg.NewDescribeLogDirsResponseDirTopic()
		topic.Topic = "orders"
		for _, p := range []struct {
			n      int32
			size   int64
			future bool
		}{{0, 300, false}, {1, 50, true}} {
			rp := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
			rp.Partition, rp.Size, rp.IsFuture = p.n, p.size, p.future
			topic.Partitions = append(topic.Partitions, rp)
		}
		d.Topics = append(d.Topics, topic)
		bad := kmsg.NewDescribeLogDirsResponseDir()
		bad.Dir, bad.ErrorCode = "/data/b", 56 // KAFKA_STORAGE_ERROR
		resp.Dirs = append(resp.Dirs, d, bad)
		return resp
	}
	for _, c := range []struct {
		version  int16
		capacity int64
		known    bool
	}{{3, 0, false}, {4, 1000, true}} {
		var l sizes.LogDirs
		addLogDirs(&l, 7, answer(c.version))
		if !l.Answered(7) || len(l.Dirs) != 2 {
			t.Fatalf("v%d: %+v", c.version, l)
		}
		if l.Dirs[1].Error == "" || l.Dirs[0].Error != "" {
			t.Errorf("v%d: dir errors %q, %q", c.version, l.Dirs[0].Error, l.Dirs[1].Error)
		}
		got, ok := l.ReportedCapacity(7)
		if ok != c.known || got != c.capacity {
			t.Errorf("v%d: capacity %d, %v; want %d, %v", c.version, got, ok, c.capacity, c.known)
		}
		size, ok := l.PartitionSize(cluster.TopicPartition{Topic: "orders", Partition: 0}, 7, []int32{7})
		if !ok || size != 300 {
			t.Errorf("v%d: orders-0 = %d, %v", c.version, size, ok)
		}
		if _, ok := l.PartitionSize(cluster.TopicPartition{Topic: "orders", Partition: 1}, 7, nil); ok {
			t.Errorf("v%d: a future replica gives orders-1 a size", c.version)
		}
	}
}

func TestReadSizesNeedsBootstrap(t *testing.T) {
	_, err := ReadSizes(context.Background(), Options{ZooKeeper: "127.0.0.1:1"}, []int32{1})
	if !errors.Is(err, ErrNoSizes) {
		t.Fatalf("err = %v, want ErrNoSizes", err)
	}
}
