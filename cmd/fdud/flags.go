package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flags shared by the commands that talk to a cluster. Names follow
// kafka-reassign-partitions.sh; each can also come from the environment, so
// cron jobs need not repeat them.
func clusterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "bootstrap-server", EnvVars: []string{"FDUD_BOOTSTRAP_SERVER"},
			Usage: "Kafka brokers to connect to, `HOST:PORT[,HOST:PORT]`"},
		&cli.StringFlag{Name: "command-config", EnvVars: []string{"FDUD_COMMAND_CONFIG"},
			Usage: "Kafka client properties `FILE` (security.protocol, sasl.*, ssl.* with PEM files)"},
		&cli.StringFlag{Name: "zookeeper", EnvVars: []string{"FDUD_ZOOKEEPER"},
			Usage: "ZooKeeper of a ZooKeeper-mode cluster, `HOST:PORT[/chroot]`; selects the ZooKeeper path"},
		&cli.StringFlag{Name: "zookeeper-digest", EnvVars: []string{"FDUD_ZOOKEEPER_DIGEST"},
			Usage: "ZooKeeper digest credentials `USER:PASSWORD` (prefer the environment variable: flags show in ps)"},
		&cli.DurationFlag{Name: "request-timeout", Value: 30 * time.Second, EnvVars: []string{"FDUD_REQUEST_TIMEOUT"},
			Usage: "bound on each request to Kafka or ZooKeeper"},
	}
}
