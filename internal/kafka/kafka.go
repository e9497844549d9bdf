// Package kafka is fdud's access to a Kafka cluster. Cluster is what the
// stages need; two implementations serve it: the Admin API (Kafka 2.4 and
// later, through sarama; admin*.go) and ZooKeeper (older and ZooKeeper-mode
// clusters, through the znodes Kafka's controller watches; zk*.go). Connect
// picks one and says which; ReadState is the one-shot read for generate.
package kafka

import (
	"context"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// Cluster is a connection to one Kafka cluster.
type Cluster interface {
	// Path names the access path in use, for the operator:
	// "Admin API (Kafka 2.4+)" or "ZooKeeper". It is for display only:
	// what the path can do is in Capabilities.
	Path() string

	// Capabilities says what this access path can do.
	Capabilities() Capabilities

	// Brokers reads the live brokers (id, address, broker.rack), sorted by
	// id: State's Brokers without reading partitions.
	Brokers(ctx context.Context) ([]cluster.Broker, error)

	// State reads live brokers and every partition's replicas, ISR and leader.
	// Partitions being reassigned carry their original replicas in Replicas
	// and the target in Target. topics limits the read; nil means all topics.
	State(ctx context.Context, topics []string) (*cluster.State, error)

	// Reassign submits new replica lists for the given partitions, and only
	// those. A per-partition failure is reported in a *PartitionErrors.
	Reassign(ctx context.Context, plan []cluster.PartitionAssignment) error

	// CancelReassignments cancels in-flight reassignments of the partitions.
	CancelReassignments(ctx context.Context, tps []cluster.TopicPartition) error

	// DescribeConfigs returns the dynamic configuration set on each named
	// entity (broker ids as decimal strings, or topic names). For brokers,
	// the name ClusterDefault reads the cluster-wide default; a broker's own
	// entries do not include it.
	DescribeConfigs(ctx context.Context, kind EntityKind, names []string) (map[string]map[string]string, error)

	// AlterConfigs sets and deletes keys of one entity's dynamic configuration
	// incrementally, leaving every other key as it is.
	AlterConfigs(ctx context.Context, kind EntityKind, name string, set map[string]string, del []string) error

	// AlterConfigOps changes one entity's dynamic configuration with a list
	// of operations, applied together, editing lists on the cluster side
	// (see "Config operations" below).
	AlterConfigOps(ctx context.Context, kind EntityKind, name string, ops []ConfigOp) error

	// ClusterID reads the cluster's id (Kafka 0.10.1 and later): the same
	// from every broker, every access path and every machine, so it tells
	// apart records fdud keeps for different clusters. "" with no error
	// means the cluster has none (Kafka before 0.10.1).
	ClusterID(ctx context.Context) (string, error)

	// CreateTopic creates a topic with exactly the given replica assignment
	// (index = partition id) and topic configs.
	CreateTopic(ctx context.Context, topic string, assignment [][]int32, configs map[string]string) error

	// ElectPreferredLeaders asks the controller to move leadership of each
	// partition to its first replica.
	ElectPreferredLeaders(ctx context.Context, tps []cluster.TopicPartition) error

	Close() error
}

// Capabilities says what an access path can do, as data, so that callers
// neither compare its display name nor probe for methods. The interface
// fields are nil where the path lacks the capability.
type Capabilities struct {
	// OneBatch: the controller takes a new batch of reassignments only when
	// none is in flight (ZooKeeper's /admin/reassign_partitions), so batches
	// run one after another and nothing can be added beside another
	// reassignment (--additional).
	OneBatch bool
	// Cancel: CancelReassignments works through this path alone. The
	// ZooKeeper path cancels only through the same cluster's Admin API
	// (Kafka 2.4+, --bootstrap-server beside --zookeeper).
	Cancel bool
	// LogDirMover moves replicas between log directories; LogDirDescriber
	// says where they are (the Admin API path).
	LogDirMover     LogDirMover
	LogDirDescriber LogDirDescriber
	// StateTopic keeps fdud's shared state (lock, throttle records,
	// published domains) in the cluster (the Admin API path); the
	// ZooKeeper path keeps it in ZooKeeper.
	StateTopic StateTopic
	// Sizer reports replica sizes and log-dir capacity (DescribeLogDirs,
	// Kafka 1.0+: the Admin API path, and the ZooKeeper path when the
	// brokers' addresses are given too).
	Sizer ReplicaSizer
	// Offsets reads replicas' log end offsets and partitions' log start
	// offsets (ListOffsets): both paths, every release.
	Offsets OffsetReader
}

// ReplicaSizer reports the size of the replicas of tps on the given
// brokers, per log directory, and the directories' capacity where the
// broker reports it. tps nil asks for every partition (generate sizes the
// whole cluster); a poll that follows a plan names its partitions, so that
// each broker answers for those alone (DescribeLogDirs takes topics and
// partitions) however many the cluster holds. tps empty asks for the
// directories only.
type ReplicaSizer interface {
	ReplicaSizes(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error)
}

// EntityKind is the kind of entity a configuration belongs to.
type EntityKind string

const (
	BrokerEntity EntityKind = "brokers"
	TopicEntity  EntityKind = "topics"
)

// ClusterDefault, as the name of a BrokerEntity, is the cluster-wide
// dynamic default broker configuration (kafka-configs --entity-type brokers
// --entity-default; the Admin API's broker resource with an empty name,
// DYNAMIC_DEFAULT_BROKER_CONFIG; /config/brokers/<default> in ZooKeeper). It
// applies to every broker without a value of its own. DescribeConfigs reads
// it; AlterConfigs refuses it: fdud never changes the default.
const ClusterDefault = ""

// Unreported is the value DescribeConfigs gives a broker throttle rate
// (BrokerRateKeys) the broker does not report at all: Kafka 2.4's
// DescribeConfigs leaves these keys out, set or not, although brokers
// enforce them (ZooKeeper holds them). Such a key's value is unknown, not
// absent; it never equals a real config value. ZooKeeper reads never give it.
const Unreported = "\x00unreported"

// BrokerRateKeys are the broker throttle rates, which some releases'
// DescribeConfigs does not report (see Unreported).
var BrokerRateKeys = []string{LeaderThrottledRate, FollowerThrottledRate, LogDirsThrottledRate}

// Throttle configuration keys, as Kafka's own tool sets them.
const (
	LeaderThrottledRate       = "leader.replication.throttled.rate"
	FollowerThrottledRate     = "follower.replication.throttled.rate"
	LogDirsThrottledRate      = "replica.alter.log.dirs.io.max.bytes.per.second"
	LeaderThrottledReplicas   = "leader.replication.throttled.replicas"
	FollowerThrottledReplicas = "follower.replication.throttled.replicas"
	MinInsyncReplicas         = "min.insync.replicas"
)

// ReassignmentLister is implemented by both paths: the partitions of topics
// (all when nil) with a reassignment in flight, as State reports them.
type ReassignmentLister interface {
	ListReassignments(ctx context.Context, topics []string) ([]cluster.PartitionState, error)
}

// LogDirMover moves replicas between log directories of their broker
// (AlterReplicaLogDirs, Kafka 1.1+) for plan entries whose log_dirs name a
// path; "any" entries are left alone. The Admin API path implements it
// (through franz-go: sarama has no AlterReplicaLogDirs request); the
// ZooKeeper path does not. Capabilities.LogDirMover says which; callers
// refuse such plans when it is nil.
//
// MoveLogDirs asks each broker holding a replica with a named directory to
// move it there. A broker answers REPLICA_NOT_AVAILABLE (NOT_LEADER_OR_FOLLOWER
// on newer Kafka) for a replica it does not host yet: a reassignment is
// about to create it. The broker remembers the directory, and MoveLogDirs asks
// again until the replica exists or ctx ends, as Kafka's tool does, so it is
// called after the reassignment is submitted, with a deadline. Per-partition
// failures come back in a *PartitionErrors (Op "move log dirs").
type LogDirMover interface {
	MoveLogDirs(ctx context.Context, plan []cluster.PartitionAssignment) error
}

// LogDirDescriber reads where replicas live on their brokers
// (DescribeLogDirs). The Admin API path implements it
// (Capabilities.LogDirDescriber).
type LogDirDescriber interface {
	// DescribeLogDirs asks each of brokers about the partitions tps (every
	// partition when nil). A broker that could not be asked is in the map
	// with Err set; the call itself fails only when no broker could be
	// reached at all.
	DescribeLogDirs(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (map[int32]BrokerLogDirs, error)
}

// Config operations. Cluster.AlterConfigOps changes one entity's dynamic
// configuration with a list of operations, applied together: on the Admin
// API path as one IncrementalAlterConfigs request (the broker applies all of
// them or none), on the ZooKeeper path as one compare-and-set write of the
// entity's znode (retried when someone else wrote in between) and one change
// notification.
// Keys not named keep their values. Each key may appear once.
//
// The list operations read and change the list on the cluster side, so
// entries somebody else adds or removes at the same time are kept:
//   - ConfigAppend adds each entry not already in the list, at its end (an
//     entry already there is not added twice, except, on the Admin API path
//     with ZooKeeper-mode brokers, one somebody adds in the same instant:
//     Kafka takes a duplicate entry as one); an absent or empty list becomes
//     just the entries. Appending to a list that is ListWildcard
//     fails with an error wrapping ErrWildcardList and changes nothing:
//     callers must not append to "*".
//   - ConfigSubtract removes each entry (every occurrence; ZooKeeper-mode
//     brokers remove one occurrence per entry named); entries not in
//     the list, a list that is ListWildcard, and an absent key are left
//     alone (no-op). A list left with no entries stays as an empty value,
//     as Kafka leaves it (an empty list throttles nothing); callers that
//     want the key gone delete it.
//
// On the Admin API path the implementation reads the entity first (one
// DescribeConfigs) and works around broker bugs: a ConfigAppend to a list
// that reads as absent or empty is sent as a set of the entries, because
// early ZooKeeper-mode brokers fail an APPEND to an absent key (KAFKA-9644)
// and later ones, until apache/kafka#12503 (2022), write a leading empty
// entry that their own throttle parsing then fails on. Only that case is a
// read-then-write on the client: a list somebody creates in the same
// instant is overwritten. Entries the read shows in the list already are not
// sent (ZooKeeper-mode brokers would append them again), and a
// ConfigSubtract on a key that reads as absent or empty is not sent
// (KAFKA-9644 again). KRaft controllers before 3.3 (early access) take a
// multi-entry value as one entry (KAFKA-13862).
//
// ApplyConfigOps applies operations to a configuration in memory with the
// same semantics (for fakes).

var (
	_ ReassignmentLister = (*adminCluster)(nil)
	_ ReassignmentLister = (*zkCluster)(nil)
	_ LogDirMover        = (*adminCluster)(nil)
	_ LogDirDescriber    = (*adminCluster)(nil)
)
