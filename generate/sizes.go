package generate

import (
	"context"
	"fmt"
	"io"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// DefaultMaxDiskUsage is --max-disk-usage's default: no broker is planned
// above 85% of its capacity.
const DefaultMaxDiskUsage = 0.85

// SizeConfig is what an operator said about data sizes.
type SizeConfig struct {
	// LogDirsFile is --log-dirs: what kafka-log-dirs.sh --describe printed
	// (a file, or - for stdin).
	LogDirsFile string
	// Capacity is --broker-capacity.
	Capacity sizes.Capacity
	// TableTo receives the per-partition view (--format table): "-" for
	// stderr, a file name, or "" for none.
	TableTo string
	// NoSizes skips asking a live cluster for replica sizes (--no-sizes).
	NoSizes bool
}

// validate checks the size flags against the rest of the configuration.
func (s SizeConfig) validate(c Config) error {
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

// usage reads the sizes of the partitions in current: from --log-dirs, or
// from the live brokers (state not nil) unless NoSizes. It returns nil when
// there are none. A live cluster that cannot report them (Kafka before 1.0)
// gets a warning, not an error, unless the options need sizes.
func (c Config) usage(ctx context.Context, current cluster.Assignment, env Env, state *cluster.State, warnings *[]string) (*sizes.Usage, error) {
	s := c.Sizes
	var l sizes.LogDirs
	var lead sizes.Leadership
	switch {
	case s.LogDirsFile != "":
		data, err := readInput(s.LogDirsFile, env.Stdin, "log dirs")
		if err != nil {
			return nil, err
		}
		if l, err = sizes.ParseLogDirs(data); err != nil {
			return nil, fmt.Errorf("log dirs %s: %w", s.LogDirsFile, err)
		}
	case state != nil && !s.NoSizes && env.ReadSizes != nil:
		ids := make([]int32, len(state.Brokers))
		for i, b := range state.Brokers {
			ids[i] = b.ID
		}
		var err error
		l, err = env.ReadSizes(ctx, ids)
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
		lead = stateLeadership(state)
	default:
		return nil, nil
	}
	u := sizes.NewUsage(l, current, s.Capacity, lead)
	return &u, nil
}

// needsSizes reports whether the options cannot do without sizes.
func (c Config) needsSizes() bool {
	return c.Sizes.Capacity.All > 0 || len(c.Sizes.Capacity.PerBroker) > 0 || c.Options.BalanceBy == BalanceBytes
}

// stateLeadership gives each partition's leader and ISR as the live
// cluster reports them.
func stateLeadership(state *cluster.State) sizes.Leadership {
	idx := make(map[cluster.TopicPartition]int, len(state.Partitions))
	for i, p := range state.Partitions {
		idx[p.TP()] = i
	}
	return func(tp cluster.TopicPartition) (int32, []int32) {
		i, ok := idx[tp]
		if !ok {
			return -1, nil
		}
		p := state.Partitions[i]
		isr := p.ISR
		if isr == nil {
			isr = []int32{}
		}
		return p.Leader, isr
	}
}

// writeTable writes the per-partition view, if asked for, to stderr or its
// file.
func (s SizeConfig) writeTable(stderr io.Writer, res Result) error {
	switch s.TableTo {
	case "":
		return nil
	case "-":
		if err := WriteTable(stderr, res.Moves); err != nil {
			return err
		}
		_, err := fmt.Fprintln(stderr)
		return err
	}
	return writeFile(s.TableTo, func(w io.Writer) error { return WriteTable(w, res.Moves) })
}
