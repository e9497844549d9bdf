package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/zookeeper"
)

// clusterConfig is how to reach the cluster, whichever front end read it:
// fdud's shared cluster flags (clusterOptions) or Kafka's command line
// (fdud compat). It is turned into kafka.Options in one place.
type clusterConfig struct {
	BootstrapServer string // HOST:PORT[,HOST:PORT]
	CommandConfig   string
	ZooKeeper       string // HOST:PORT[/chroot]; selects the ZooKeeper path
	ZooKeeperDigest zookeeper.Secret
	Timeout         time.Duration // per request; 0: kafka's default
	Logger          *slog.Logger
}

// clusterOptions reads the shared cluster flags.
func clusterOptions(c *cli.Context, log *slog.Logger) clusterConfig {
	return clusterConfig{
		BootstrapServer: c.String("bootstrap-server"),
		CommandConfig:   c.String("command-config"),
		ZooKeeper:       c.String("zookeeper"),
		ZooKeeperDigest: zookeeper.Secret(c.String("zookeeper-digest")),
		Timeout:         c.Duration("request-timeout"),
		Logger:          log,
	}
}

// kafkaOptions is the connection the configuration describes.
func (cc clusterConfig) kafkaOptions() kafka.Options {
	var servers []string
	for _, h := range strings.Split(cc.BootstrapServer, ",") {
		if h = strings.TrimSpace(h); h != "" {
			servers = append(servers, h)
		}
	}
	return kafka.Options{
		BootstrapServers: servers,
		CommandConfig:    cc.CommandConfig,
		ZooKeeper:        cc.ZooKeeper,
		ZooKeeperDigest:  cc.ZooKeeperDigest,
		Timeout:          cc.Timeout,
		Logger:           cc.Logger,
	}
}

// zookeeper opens a ZooKeeper session of its own (the lock, the throttle
// records), or returns nil when there is no ZooKeeper.
func (cc clusterConfig) zookeeper(ctx context.Context) (*zookeeper.Conn, error) {
	if cc.ZooKeeper == "" {
		return nil, nil
	}
	return zookeeper.Connect(ctx, zookeeper.Options{Connect: cc.ZooKeeper, Digest: cc.ZooKeeperDigest, Logger: cc.Logger})
}

// conns are the connections a stage runs on.
type conns struct {
	Cluster kafka.Cluster
	// ZooKeeper holds the cluster lock and the throttle records with
	// --zookeeper; nil otherwise (or when not asked for).
	ZooKeeper *zookeeper.Conn
}

// connectCluster opens the cluster and, with withZK and a ZooKeeper, a
// ZooKeeper session for the lock and throttle records.
func connectCluster(ctx context.Context, cc clusterConfig, withZK bool) (*conns, error) {
	cl, err := kafka.Connect(ctx, cc.kafkaOptions())
	if err != nil {
		return nil, err
	}
	c := &conns{Cluster: cl}
	if withZK {
		if c.ZooKeeper, err = cc.zookeeper(ctx); err != nil {
			cl.Close()
			return nil, err
		}
	}
	return c, nil
}

// Close closes the connections.
func (c *conns) Close() {
	if c.ZooKeeper != nil {
		c.ZooKeeper.Close()
	}
	c.Cluster.Close()
}
