package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/sizes"
)

// The edges of fdud generate's data awareness: --log-dirs, the brokers'
// own sizes, --broker-capacity, and the per-partition table. The planner
// (generate.Plan) gets the sizes as generate.Input.Sizes.

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
		rateFlag("throttle", "FDUD_THROTTLE",
			"with sizes, estimate the time to finish at this replication throttle, `RATE` in bytes per second (50000000, 50MB or 50MB/s)"),
		&cli.StringFlag{Name: "format", EnvVars: []string{"FDUD_FORMAT"}, Value: "summary",
			Usage: "what stderr shows: summary, or table to add one line per partition of the plan (replicas before -> after, size, why it moves), `summary|table`"},
		&cli.StringFlag{Name: "table-file", EnvVars: []string{"FDUD_TABLE_FILE"},
			Usage: "write the per-partition table to `FILE` instead of stderr"},
		&cli.StringFlag{Name: "balance-by", EnvVars: []string{"FDUD_BALANCE_BY"}, Value: generate.BalanceReplicas,
			Usage: "what --balance evens out among the brokers of each fault domain: replica counts (small partitions first when sizes are known), or disk use, moving as few bytes as it can (needs sizes; the share of capacity used when every broker's capacity is known, else bytes), `replicas|bytes`"},
	}
}

// sizeConfig is what an operator said about data sizes.
type sizeConfig struct {
	// LogDirsFile is --log-dirs: what kafka-log-dirs.sh --describe printed
	// (a file, or - for stdin).
	LogDirsFile string
	// NoSizes skips asking a live cluster for replica sizes (--no-sizes).
	NoSizes bool
	// Capacity is --broker-capacity.
	Capacity sizes.Capacity
	// TableTo receives the per-partition view (--format table): "-" for
	// stderr, a file name, or "" for none.
	TableTo string
}

// readSizeFlags reads the size flags into cfg.
func readSizeFlags(c *cli.Context, cfg *generateConfig) error {
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
	if r := rate(c, "throttle"); r > 0 {
		cfg.Options.Throttle = r
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

// validate checks the size flags against the rest of the configuration.
func (s sizeConfig) validate(c generateConfig) error {
	switch {
	case s.LogDirsFile == "-" && (c.Domains == "-" || c.CurrentAssignment == "-" || c.TopicsToMoveFile == "-"):
		return cluster.Invalidf("only one input can read stdin (--log-dirs -)")
	case s.TableTo != "" && s.TableTo != "-" && (s.TableTo == c.ReportFile || s.TableTo == c.CurrentFile):
		return cluster.Invalidf("the per-partition table and --report or --current-file name the same file %q", s.TableTo)
	case s.LogDirsFile != "" && c.Live:
		return cluster.Invalidf("--log-dirs describes a cluster offline; with --bootstrap-server fdud asks the brokers (drop --log-dirs)")
	case (s.Capacity.All > 0 || len(s.Capacity.PerBroker) > 0) && s.LogDirsFile == "" && (!c.Live || s.NoSizes):
		return cluster.Invalidf("--broker-capacity needs replica sizes: give --log-dirs FILE (what kafka-log-dirs.sh --describe prints), or a live cluster without --no-sizes")
	}
	return nil
}

// needsSizes reports whether the options cannot do without sizes.
func (c generateConfig) needsSizes() bool {
	return c.Sizes.Capacity.All > 0 || len(c.Sizes.Capacity.PerBroker) > 0 || c.Options.BalanceBy == generate.BalanceBytes
}

// usage reads the sizes of the partitions in current: from --log-dirs, or
// from the live brokers (state not nil) unless --no-sizes. It returns nil
// when there are none. A live cluster that cannot report them (Kafka before
// 1.0) gets a warning, not an error, unless the options need sizes.
func (c generateConfig) usage(ctx context.Context, current cluster.Assignment, env generateEnv, state *cluster.State, warnings *[]string) (*sizes.Usage, error) {
	s := c.Sizes
	var l sizes.LogDirs
	var lead sizes.Leadership
	switch {
	case s.LogDirsFile != "":
		data, err := readInput(s.LogDirsFile, env.Stdin, "log dirs", "--log-dirs")
		if err != nil {
			return nil, err
		}
		if l, err = sizes.ParseLogDirs(data); err != nil {
			return nil, fmt.Errorf("log dirs %s: %w", s.LogDirsFile, err)
		}
	case state != nil && !s.NoSizes:
		read := env.ReadSizes
		if read == nil {
			read = func(ctx context.Context, brokers []int32) (sizes.LogDirs, error) {
				return kafka.ReadSizes(ctx, env.Cluster.kafkaOptions(), brokers)
			}
		}
		ids := make([]int32, len(state.Brokers))
		for i, b := range state.Brokers {
			ids[i] = b.ID
		}
		var err error
		l, err = read(ctx, ids)
		if err != nil {
			if c.needsSizes() || ctx.Err() != nil {
				return nil, fmt.Errorf("replica sizes are needed (--broker-capacity, --balance-by bytes): %w", err)
			}
			if len(l.Brokers) == 0 {
				*warnings = append(*warnings, fmt.Sprintf("no replica sizes: %v; the plan counts replicas only", err))
				return nil, nil
			}
			*warnings = append(*warnings, fmt.Sprintf("some brokers did not report replica sizes (their disk use is estimated from the partitions they hold): %v", err))
		}
		lead = sizes.StateLeadership(state)
	default:
		return nil, nil
	}
	u := sizes.NewUsage(l, current, s.Capacity, lead)
	return &u, nil
}

// writeTable writes the per-partition view, if asked for, to stderr or its
// file.
func (s sizeConfig) writeTable(stderr io.Writer, res generate.Result) error {
	switch s.TableTo {
	case "":
		return nil
	case "-":
		if err := generate.WriteTable(stderr, res.Moves); err != nil {
			return err
		}
		_, err := fmt.Fprintln(stderr)
		return err
	}
	return writeFileAtomic(s.TableTo, func(w io.Writer) error { return generate.WriteTable(w, res.Moves) })
}
