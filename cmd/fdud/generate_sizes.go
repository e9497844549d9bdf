package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/sizes"
)

// sizeFlags are generate's flags about data sizes and disks.
func sizeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-dirs", EnvVars: []string{"FDUD_LOG_DIRS"},
			Usage: "replica sizes offline: what kafka-log-dirs.sh --describe printed, `FILE` (or -); the plan then reports bytes to move and keeps disks below --max-disk-usage"},
		&cli.BoolFlag{Name: "no-sizes", EnvVars: []string{"FDUD_NO_SIZES"},
			Usage: "do not ask a live cluster for replica sizes (DescribeLogDirs, Kafka 1.0+): the plan then counts replicas only"},
		&cli.StringFlag{Name: "broker-capacity", EnvVars: []string{"FDUD_BROKER_CAPACITY"},
			Usage: "disk capacity for the log dirs of every broker (`SIZE`, e.g. 2TiB), per broker (1:2TiB,2:4TiB), or both (2TiB,3:4TiB); overrides what brokers report"},
		&cli.StringFlag{Name: "max-disk-usage", EnvVars: []string{"FDUD_MAX_DISK_USAGE"}, Value: "85%",
			Usage: "never plan a broker whose capacity is known beyond this share of it, `PERCENT`: such a plan fails (exit 4) unless --force"},
		&cli.StringFlag{Name: "throttle", EnvVars: []string{"FDUD_THROTTLE"},
			Usage: "with sizes, estimate the time to finish at this replication throttle, `RATE` in bytes per second (50000000, or 50MB)"},
		&cli.StringFlag{Name: "format", EnvVars: []string{"FDUD_FORMAT"}, Value: "summary",
			Usage: "what stderr shows: summary, or table to add one line per partition of the plan (replicas before -> after, size, why it moves), `summary|table`"},
		&cli.StringFlag{Name: "table-file", EnvVars: []string{"FDUD_TABLE_FILE"},
			Usage: "write the per-partition table to `FILE` instead of stderr"},
		&cli.StringFlag{Name: "balance-by", EnvVars: []string{"FDUD_BALANCE_BY"}, Value: generate.BalanceReplicas,
			Usage: "what --balance evens out among the brokers of each fault domain: replica counts (small partitions first when sizes are known), or bytes on disk, moving as few bytes as it can (needs sizes), `replicas|bytes`"},
	}
}

// sizeConfig reads the size flags into cfg.
func sizeConfig(c *cli.Context, cfg *generate.Config) error {
	cfg.Sizes.LogDirsFile = c.String("log-dirs")
	cfg.Sizes.NoSizes = c.Bool("no-sizes")
	if v := c.String("broker-capacity"); v != "" {
		capacity, err := sizes.ParseCapacity(v)
		if err != nil {
			return err
		}
		cfg.Sizes.Capacity = capacity
	}
	usage, err := parsePercent(c.String("max-disk-usage"))
	if err != nil {
		return err
	}
	cfg.Options.MaxDiskUsage = usage
	if v := c.String("throttle"); v != "" {
		rate, err := sizes.ParseBytes(v)
		if err != nil || rate == 0 {
			return cluster.Invalidf("--throttle %q: a rate in bytes per second above 0 (50000000, or 50MB)", v)
		}
		cfg.Options.Throttle = rate
	}
	switch f := c.String("format"); f {
	case "", "summary":
	case "table":
		cfg.Sizes.TableTo = "-"
	default:
		return cluster.Invalidf("--format must be summary or table, not %q", f)
	}
	if by := c.String("balance-by"); by != generate.BalanceReplicas {
		cfg.Options.BalanceBy = by
	}
	if f := c.String("table-file"); f != "" {
		cfg.Sizes.TableTo = f
	}
	return nil
}

// parsePercent reads --max-disk-usage: "85%" or "85" (percent).
func parsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil || v <= 0 || v > 100 {
		return 0, cluster.Invalidf("--max-disk-usage %q: a percentage above 0 and at most 100 (e.g. 85%%)", s)
	}
	return v / 100, nil
}

// sizeEnv lets generate ask a live cluster for replica sizes.
func sizeEnv(c *cli.Context, s streams, env *generate.Env) {
	o := kafkaOptions(c, s)
	env.ReadSizes = func(ctx context.Context, brokers []int32) (sizes.LogDirs, error) {
		return kafka.ReadSizes(ctx, o, brokers)
	}
}
