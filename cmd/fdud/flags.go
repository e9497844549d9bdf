package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/sizes"
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

// rateValue is a flag's replication rate in bytes per second: a whole
// number as Kafka's --throttle takes it, or with a unit (50MB, 50MB/s), so
// that one FDUD_THROTTLE serves generate's estimate and execute's
// throttle. -1 (Kafka's "no throttle"), none, and nothing at all leave it
// unset.
type rateValue struct{ bytes int64 }

func (r *rateValue) Set(s string) error {
	if t := strings.ToLower(strings.TrimSpace(s)); t == "" || t == "-1" || t == "none" {
		r.bytes = -1
		return nil
	}
	v, err := sizes.ParseRate(s)
	if err != nil {
		return err
	}
	r.bytes = v
	return nil
}

func (r *rateValue) String() string {
	if r == nil || r.bytes <= 0 {
		return ""
	}
	return strconv.FormatInt(r.bytes, 10)
}

// rateFlag is a --throttle-like flag, unset (-1) by default.
func rateFlag(name, env, usage string) *cli.GenericFlag {
	return &cli.GenericFlag{Name: name, EnvVars: []string{env}, Value: &rateValue{bytes: -1}, DefaultText: "none", Usage: usage}
}

// rate is the value of a rateFlag: bytes per second, or -1 when unset.
func rate(c *cli.Context, name string) int64 {
	if r, ok := c.Generic(name).(*rateValue); ok {
		return r.bytes
	}
	return -1
}
