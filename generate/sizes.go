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
	case (s.Capacity.All > 0 || len(s.Capacity.PerBroker) > 0) && s.LogDirsFile == "" && !c.Live:
		return cluster.Invalidf("--broker-capacity needs replica sizes: give --log-dirs FILE (what kafka-log-dirs.sh --describe prints)")
	}
	return nil
}

// usage reads the sizes of the partitions in current, or returns nil when
// none were given.
func (s SizeConfig) usage(_ context.Context, current cluster.Assignment, stdin io.Reader) (*sizes.Usage, error) {
	if s.LogDirsFile == "" {
		return nil, nil
	}
	data, err := readInput(s.LogDirsFile, stdin, "log dirs")
	if err != nil {
		return nil, err
	}
	l, err := sizes.ParseLogDirs(data)
	if err != nil {
		return nil, fmt.Errorf("log dirs %s: %w", s.LogDirsFile, err)
	}
	u := sizes.NewUsage(l, current, s.Capacity, nil)
	return &u, nil
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
