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
}

// validate checks the size flags against the rest of the configuration.
func (s SizeConfig) validate(c Config) error {
	switch {
	case s.LogDirsFile == "-" && (c.Domains == "-" || c.CurrentAssignment == "-" || c.TopicsToMoveFile == "-"):
		return cluster.Invalidf("only one input can read stdin (--log-dirs -)")
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
