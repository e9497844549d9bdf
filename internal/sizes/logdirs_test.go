package sizes

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func tp(t string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: t, Partition: p}
}

// golden39 is testdata's kafka-log-dirs.sh --describe document of Kafka
// 3.9, parsed.
func golden39(t *testing.T) LogDirs {
	t.Helper()
	data, err := os.ReadFile("testdata/kafka-log-dirs-3.9.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLogDirs(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestParseLogDirsGolden reads a document as kafka-log-dirs.sh --describe
// (3.9) prints it, the tool's two lines before the JSON included.
func TestParseLogDirsGolden(t *testing.T) {
	l := golden39(t)
	if want := []int32{1, 2, 3}; !reflect.DeepEqual(l.Brokers, want) {
		t.Errorf("brokers = %v, want %v", l.Brokers, want)
	}
	if len(l.Dirs) != 5 {
		t.Fatalf("dirs = %d, want 5: %+v", len(l.Dirs), l.Dirs)
	}
	offline := l.Dirs[3]
	if offline.Broker != 2 || offline.Path != "/data/c/kafka-logs" || offline.Error != "org.apache.kafka.common.errors.KafkaStorageException" || offline.TotalBytes != Unknown {
		t.Errorf("offline dir = %+v", offline)
	}
	wantOrders0 := []Replica{
		{Broker: 1, Dir: "/data/a/kafka-logs", Size: 1048576},
		{Broker: 1, Dir: "/data/b/kafka-logs", Size: 524288, Future: true},
		{Broker: 2, Dir: "/data/a/kafka-logs", Size: 1048000, OffsetLag: 12},
	}
	if got := l.Replicas[tp("orders", 0)]; !reflect.DeepEqual(got, wantOrders0) {
		t.Errorf("orders-0 = %+v\nwant %+v", got, wantOrders0)
	}
	if got := l.Replicas[tp("click-stream", 1)]; len(got) != 2 {
		t.Errorf("click-stream-1 (a topic with a dash) = %+v", got)
	}
	sizes := []struct {
		tp     cluster.TopicPartition
		leader int32
		isr    []int32
		want   int64
	}{
		{tp("orders", 0), -1, nil, 1048576},          // offline: the caught-up replica, never the future one
		{tp("orders", 0), 2, []int32{1, 2}, 1048000}, // the leader's
		{tp("orders", 0), 5, []int32{2}, 1048000},    // leader not reporting: the largest in sync
		{tp("click-stream", 1), -1, nil, 5242880},    // offline
		{tp("orders", 1), -1, nil, 2097152},          // offline: two caught up, the larger
		{tp("orders", 1), -1, []int32{3}, 2097100},   // in sync only
		{tp("orders", 1), -1, []int32{}, 2097152},    // none in sync: the largest
	}
	for _, c := range sizes {
		got, ok := l.PartitionSize(c.tp, c.leader, c.isr)
		if !ok || got != c.want {
			t.Errorf("PartitionSize(%s, leader %d, isr %v) = %d, %v; want %d", c.tp, c.leader, c.isr, got, ok, c.want)
		}
	}
	if _, ok := l.PartitionSize(tp("gone", 0), -1, nil); ok {
		t.Error("a partition nobody reports has a size")
	}
	// Broker 1 holds 1 MiB + 5 MiB + 2 MiB + a 512 KiB future copy.
	if got, want := l.Used(1), int64(1048576+5242880+2097152+524288); got != want {
		t.Errorf("Used(1) = %d, want %d", got, want)
	}
	if _, ok := l.ReportedCapacity(1); ok {
		t.Error("the tool's document reports no capacity")
	}
}

func TestParseLogDirsPlainJSONAndCapacityFields(t *testing.T) {
	doc := `{"version":1,"brokers":[{"broker":4,"logDirs":[` +
		`{"logDir":"/a","error":null,"totalBytes":1000,"usableBytes":400,"partitions":[{"partition":"t-0","size":100,"offsetLag":0,"isFuture":false}]},` +
		`{"logDir":"/b","error":null,"totalBytes":2000,"usableBytes":1500,"partitions":[]}]},{"broker":5,"logDirs":[]}]}`
	l, err := ParseLogDirs([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := l.ReportedCapacity(4); !ok || c != 3000 {
		t.Errorf("capacity = %d, %v; want 3000", c, ok)
	}
	if u := l.Used(4); u != 1100 {
		t.Errorf("used = %d, want 1100 (total less usable)", u)
	}
	if !l.Answered(5) || l.Used(5) != 0 {
		t.Errorf("broker 5 answered with no directories: answered %v, used %d", l.Answered(5), l.Used(5))
	}
}

func TestParseLogDirsErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"not json", "Querying brokers\nError: timed out", "not the JSON"},
		{"no version", `{"brokers":[]}`, `no "version"`},
		{"version 2", `{"version":2,"brokers":[]}`, "only version 1"},
		{"no broker", `{"version":1,"brokers":[{"logDirs":[]}]}`, "brokers[0]: no broker id"},
		{"broker twice", `{"version":1,"brokers":[{"broker":1,"logDirs":[]},{"broker":1,"logDirs":[]}]}`, "brokers[1]: broker 1 is listed twice"},
		{"no logDir", `{"version":1,"brokers":[{"broker":1,"logDirs":[{"partitions":[]}]}]}`, "brokers[0].logDirs[0] (broker 1): no logDir"},
		{"bad partition", `{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/a","partitions":[{"partition":"orders","size":1}]}]}]}`,
			`brokers[0].logDirs[0].partitions[0] (broker 1, /a): partition "orders" is not TOPIC-NUMBER`},
		{"no size", `{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/a","partitions":[{"partition":"t-1"}]}]}]}`, "(broker 1, t-1): no size"},
		{"negative size", `{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/a","partitions":[{"partition":"t-1","size":-1}]}]}]}`, "no size"},
		{"replica twice", `{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/a","partitions":[{"partition":"t-1","size":1}]},{"logDir":"/b","partitions":[{"partition":"t-1","size":1}]}]}]}`,
			"broker 1 reports t-1 twice (in /a and /b)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseLogDirs([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if !cluster.IsInvalid(err) {
				t.Errorf("%v is not an input error", err)
			}
		})
	}
}

func FuzzParseLogDirs(f *testing.F) {
	if data, err := os.ReadFile("testdata/kafka-log-dirs-3.9.txt"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/a","error":null,"partitions":[{"partition":"a-b-0","size":5,"offsetLag":0,"isFuture":true}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseLogDirs(data)
		if err != nil {
			if !cluster.IsInvalid(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		for tp, rs := range l.Replicas {
			for _, r := range rs {
				if r.Size < 0 || !l.Answered(r.Broker) {
					t.Fatalf("%s: %+v", tp, r)
				}
			}
		}
	})
}

func TestNewUsage(t *testing.T) {
	l := golden39(t)
	a := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: []int32{1, 2}},
		{Topic: "orders", Partition: 1, Replicas: []int32{2, 3, 1}},
		{Topic: "click-stream", Partition: 1, Replicas: []int32{1, 3}},
		{Topic: "new", Partition: 0, Replicas: []int32{3, 4}},
	}}
	c, err := ParseCapacity("10MiB,4:1GiB")
	if err != nil {
		t.Fatal(err)
	}
	u := NewUsage(l, a, c, nil)
	if u.Unsized != 1 {
		t.Errorf("unsized = %d, want 1 (new-0)", u.Unsized)
	}
	if got := u.Size(tp("orders", 1)); got != 2097152 {
		t.Errorf("orders-1 = %d", got)
	}
	if u.Capacity[1] != 10<<20 || u.Capacity[4] != 1<<30 {
		t.Errorf("capacity = %v", u.Capacity)
	}
	if _, ok := u.Used[4]; !ok || u.Used[4] != 0 {
		t.Errorf("broker 4 did not answer and holds only an unsized partition: used %v", u.Used)
	}
	var none *Usage
	if none.Size(tp("orders", 0)) != 0 {
		t.Error("nil usage has sizes")
	}
}

// TestParseLogDirsRealTool reads what Kafka 3.9.1's own kafka-log-dirs.sh
// printed for a topic of three partitions (replication factor 2) with
// 200, 400 and 600 KiB written (saved by the kafka package's
// TestIntegrationSizes with FDUD_SAVE_LOG_DIRS).
func TestParseLogDirsRealTool(t *testing.T) {
	data, err := os.ReadFile("testdata/kafka-log-dirs-3.9.1-real.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLogDirs(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Brokers) != 3 || len(l.Dirs) != 6 || len(l.Replicas) != 3 {
		t.Fatalf("brokers %v, %d dirs, %d partitions", l.Brokers, len(l.Dirs), len(l.Replicas))
	}
	for p, want := range []int64{206857, 413657, 620457} {
		got, ok := l.PartitionSize(tp("fdud-sizes-97f99534", int32(p)), -1, nil)
		if !ok || got != want {
			t.Errorf("partition %d: %d, want %d", p, got, want)
		}
		if n := len(l.Replicas[tp("fdud-sizes-97f99534", int32(p))]); n != 2 {
			t.Errorf("partition %d: %d replicas", p, n)
		}
	}
}
