package throttle

import (
	"context"

	"github.com/fdud/fdud/internal/kafka"
)

// Cluster is what throttle needs of a Kafka cluster: its entities' dynamic
// configuration and its id. Both of fdud's access paths (a kafka.Cluster)
// serve it, and so does kafka.Fake in tests.
type Cluster interface {
	// DescribeConfigs and AlterConfigs are kafka.Cluster's.
	DescribeConfigs(ctx context.Context, kind kafka.EntityKind, names []string) (map[string]map[string]string, error)
	AlterConfigs(ctx context.Context, kind kafka.EntityKind, name string, set map[string]string, del []string) error
	// AlterConfigOps edits lists on the cluster side, so that entries
	// somebody else changes at the same time are kept (see kafka.Cluster).
	AlterConfigOps(ctx context.Context, kind kafka.EntityKind, name string, ops []kafka.ConfigOp) error
	// ClusterID tells records of different clusters apart; "" when the
	// cluster has none (Kafka before 0.10.1).
	ClusterID(ctx context.Context) (string, error)
}

var _ Cluster = kafka.Cluster(nil)
