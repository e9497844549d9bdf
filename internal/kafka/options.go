package kafka

import (
	"log/slog"
	"time"

	"github.com/fdud/fdud/internal/zookeeper"
)

// Options says how to reach a cluster.
type Options struct {
	// BootstrapServers are HOST:PORT pairs (--bootstrap-server, comma-separated).
	BootstrapServers []string
	// CommandConfig is the path of a Kafka client properties file
	// (--command-config): security.protocol, sasl.mechanism, sasl.jaas.config,
	// ssl.* with PEM material.
	CommandConfig string
	// ZooKeeper is HOST:PORT[,HOST:PORT][/chroot] (--zookeeper). When set, the
	// ZooKeeper path is used for reassignments and configs.
	ZooKeeper       string
	ZooKeeperDigest zookeeper.Secret
	// Timeout bounds each request to the cluster; 0 means 30 s.
	Timeout time.Duration
	Logger  *slog.Logger
}
