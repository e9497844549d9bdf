package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/sizes"
)

// The edges of fdud generate: the files and specs it reads and writes. The
// stage itself, generate.Plan, is a pure function of resolved inputs.

// generateConfig is one `fdud generate` run as the operator asked for it:
// the files and specs to read and write (the edges), and the planner's options.
type generateConfig struct {
	// Domains is the --domains value: a file, "-" for stdin, or a source
	// spec (see resolveDomains).
	Domains string
	// CurrentAssignment is a file (or "-") in Kafka's reassignment format,
	// or the text Kafka's tool prints. Empty: read the live cluster, or,
	// without one, plan only a new topic on an empty cluster.
	CurrentAssignment string
	// Live is set when cluster flags were given.
	Live bool
	// TopicsToMoveFile is Kafka's --topics-to-move-json-file.
	TopicsToMoveFile string
	// CurrentFile receives the rollback plan; ReportFile the JSON report.
	CurrentFile string
	ReportFile  string
	// Summary is the detail of the summary on stderr (--summary).
	Summary generate.SummaryDetail
	Options generate.Options
	// Sizes are the replica sizes and disk capacities (--log-dirs, ...).
	Sizes sizeConfig
}

// Validate checks the configuration before any work is done.
func (c generateConfig) Validate() error {
	switch {
	case c.Domains == "":
		return cluster.Invalidf("--domains is required: a domains JSON file, - for stdin, or a source such as zk:HOST:PORT")
	case c.CurrentAssignment != "" && c.Live:
		return cluster.Invalidf("give either --current-assignment or a cluster (--bootstrap-server/--zookeeper), not both")
	case c.CurrentAssignment == "" && !c.Live && c.Options.NewTopic == "":
		return cluster.Invalidf("nothing to plan from: give --current-assignment FILE, or --bootstrap-server HOST:PORT (or --zookeeper), or --new-topic")
	case c.Domains == "-" && c.CurrentAssignment == "-":
		return cluster.Invalidf("--domains and --current-assignment cannot both read stdin")
	case c.Options.NewTopic != "" && c.TopicsToMoveFile != "":
		return cluster.Invalidf("new topic %q: --new-topic plans only the new topic; plan the topics of --topics-to-move-json-file in a run of their own", c.Options.NewTopic)
	case c.CurrentAssignment == "-" && c.TopicsToMoveFile == "-", c.Domains == "-" && c.TopicsToMoveFile == "-":
		return cluster.Invalidf("only one input can read stdin")
	}
	for _, f := range []struct{ flag, path string }{{"--current-file", c.CurrentFile}, {"--report", c.ReportFile}} {
		if f.path == "-" {
			return cluster.Invalidf("%s needs a file name: stdout carries the plan and stderr the summary", f.flag)
		}
	}
	if c.CurrentFile != "" && c.CurrentFile == c.ReportFile {
		return cluster.Invalidf("--current-file and --report name the same file %q", c.CurrentFile)
	}
	if err := c.Sizes.validate(c); err != nil {
		return err
	}
	return c.Options.Validate()
}

// generateEnv is what a fdud generate run reads and writes.
type generateEnv struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Logger         *slog.Logger
	// Cluster is the cluster to plan for, with generateConfig.Live.
	Cluster clusterConfig
	// ReadState reads the live cluster (every topic); nil reads it
	// through Cluster.
	ReadState func(ctx context.Context) (*cluster.State, error)
	// ReadSizes asks the live brokers for their log dirs and replica sizes;
	// nil asks them through Cluster.
	ReadSizes func(ctx context.Context, brokers []int32) (sizes.LogDirs, error)
	DomainEnv domainEnv
}

// runGenerate reads the inputs (the cluster once, the domains resolved as
// for every stage, the files), plans with generate.Plan, and writes the plan
// (stdout), the rollback (--current-file), the report (--report) and a
// summary (stderr). Nothing is written to stdout unless the plan is
// complete.
func runGenerate(ctx context.Context, cfg generateConfig, env generateEnv) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var in generate.Input
	var notes []string
	var src *clusterSource
	var st *cluster.State
	if cfg.Live {
		read := env.ReadState
		if read == nil {
			read = func(ctx context.Context) (*cluster.State, error) {
				return kafka.ReadState(ctx, env.Cluster.kafkaOptions(), nil)
			}
		}
		var err error
		st, err = read(ctx)
		if err != nil {
			return fmt.Errorf("read cluster state: %w", err)
		}
		in, notes = generate.FromState(st)
		src = newClusterSource(env.Cluster, nil, st)
		defer src.Close()
	}
	denv := env.DomainEnv
	denv.Stdin = env.Stdin
	doms, err := resolveDomains(ctx, cfg.Domains, forGenerate, src, denv)
	if err != nil {
		return err
	}
	in.Domains = doms.Map()
	if cfg.CurrentAssignment != "" {
		if in.Current, err = readCurrentAssignment(cfg.CurrentAssignment, env.Stdin); err != nil {
			return err
		}
	}
	opts, err := cfg.planOptions(env.Stdin)
	if err != nil {
		return err
	}
	if in.Sizes, err = cfg.usage(ctx, in.Current, env, st, &notes); err != nil {
		return err
	}
	opts.Explain = opts.Explain || cfg.Sizes.TableTo != ""

	log.Debug("planning", "partitions", len(in.Current.Partitions), "brokers", len(in.Domains))
	res, planErr := generate.Plan(in, opts)
	if planErr != nil && !errors.Is(planErr, cluster.ErrAtRisk) {
		return planErr
	}
	if len(notes) > 0 {
		res.Report.Warnings = append(notes, res.Report.Warnings...)
	}
	if err := cfg.Sizes.writeTable(env.Stderr, res); err != nil {
		return err
	}
	return writeGenerateResult(cfg, env, res, planErr)
}

// readCurrentAssignment reads --current-assignment.
func readCurrentAssignment(path string, stdin io.Reader) (cluster.Assignment, error) {
	data, err := readInput(path, stdin, "current assignment", "--current-assignment")
	if err != nil {
		return cluster.Assignment{}, err
	}
	a, err := cluster.ParseAssignment(data)
	if err != nil {
		return a, fmt.Errorf("current assignment %s: %w", path, err)
	}
	return a, nil
}

// planOptions returns the planner's options: cfg.Options plus the topics of
// --topics-to-move-json-file, if given, merged into --topics.
func (c generateConfig) planOptions(stdin io.Reader) (generate.Options, error) {
	opts := c.Options
	if c.TopicsToMoveFile == "" {
		return opts, nil
	}
	data, err := readInput(c.TopicsToMoveFile, stdin, "topics to move", "--topics-to-move-json-file")
	if err != nil {
		return opts, err
	}
	names, err := cluster.ParseTopicsToMove(data)
	if err != nil {
		return opts, fmt.Errorf("topics to move %s: %w", c.TopicsToMoveFile, err)
	}
	// Cloned: opts shares the caller's slice.
	opts.Topics = append(slices.Clone(opts.Topics), names...)
	slices.Sort(opts.Topics)
	opts.Topics = slices.Compact(opts.Topics)
	return opts, nil
}

// writeResult writes the report (--report) and the summary, and, unless
// planErr says the plan is incomplete, the rollback (--current-file) and
// the plan. It returns planErr when set.
func writeGenerateResult(cfg generateConfig, env generateEnv, res generate.Result, planErr error) error {
	if cfg.ReportFile != "" {
		if err := writeFileAtomic(cfg.ReportFile, func(w io.Writer) error { return generate.WriteReport(w, res.Report) }); err != nil {
			return err
		}
	}
	if planErr != nil {
		generate.WriteSummary(env.Stderr, res.Report, cfg.Summary)
		return planErr
	}
	if cfg.CurrentFile != "" {
		if err := writeFileAtomic(cfg.CurrentFile, func(w io.Writer) error { return cluster.WriteAssignment(w, res.Rollback) }); err != nil {
			return err
		}
	}
	if err := cluster.WriteAssignment(env.Stdout, res.Plan); err != nil {
		return err
	}
	if t := cfg.Options.NewTopic; t != "" {
		fmt.Fprintf(env.Stderr, "To create %s with Kafka's own tool instead of fdud execute --create-topics:\n  kafka-topics.sh --create --topic %s --replica-assignment %s\n\n",
			t, t, generate.ReplicaAssignment(res.Plan, t))
	}
	if err := generate.WriteSummary(env.Stderr, res.Report, cfg.Summary); err != nil {
		return err
	}
	if len(res.Plan.Partitions) == 0 {
		// The line to look for: the empty plan flows through execute and
		// verify, which say the same.
		_, err := fmt.Fprintln(env.Stderr, "fdud generate: nothing to do: every partition in scope meets the rules; the plan is empty.")
		return err
	}
	return nil
}

// readInput reads path, the value of flag, or stdin when path is "-"
// (which must not be a terminal: pipedStdin).
func readInput(path string, stdin io.Reader, what, flag string) ([]byte, error) {
	if path == "-" {
		return cluster.ReadAll(pipedStdin(stdin, what, flag+" FILE"), what+" from stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cluster.Invalidf("%s: %w", what, err)
	}
	defer f.Close()
	return cluster.ReadAll(f, path)
}
