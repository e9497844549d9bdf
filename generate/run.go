package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/atomicfile"
	"github.com/fdud/fdud/internal/cluster"
)

// Config is one `fdud generate` run as the operator asked for it.
type Config struct {
	// Domains is the --domains value: a file, "-" for stdin, or a source
	// spec that domainsrc.Resolve understands.
	Domains string
	// CurrentAssignment is a file (or "-") in Kafka's reassignment format,
	// or the text Kafka's tool prints. Empty: read the live cluster, or,
	// without one, plan only a new topic on an empty cluster.
	CurrentAssignment string
	// Live is set when cluster flags were given; Env.ReadState reads it.
	Live bool
	// TopicsToMoveFile is Kafka's --topics-to-move-json-file.
	TopicsToMoveFile string
	// CurrentFile receives the rollback plan; ReportFile the JSON report.
	CurrentFile string
	ReportFile  string
	// Summary is the detail of the summary on stderr (--summary).
	Summary SummaryDetail
	Options Options
}

// Validate checks the configuration before any work is done.
func (c Config) Validate() error {
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
	return c.Options.Validate()
}

// Env is what Run needs from its surroundings.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Logger         *slog.Logger
	// ReadState reads the live cluster (all topics); nil unless Config.Live.
	ReadState func(ctx context.Context) (*cluster.State, error)
	// DomainDeps is passed to domainsrc.Resolve; Run fills in Stdin and,
	// when live, the broker list.
	DomainDeps domainsrc.Deps
}

// Run reads the inputs, plans, and writes the plan (stdout), the rollback
// (--current-file), the report (--report) and a summary (stderr). Nothing is
// written to stdout unless the plan is complete.
func Run(ctx context.Context, cfg Config, env Env) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var in Input
	var warnings []string
	var state *cluster.State
	if cfg.Live {
		var err error
		if state, err = env.ReadState(ctx); err != nil {
			return fmt.Errorf("read cluster state: %w", err)
		}
		in.Live = make([]int32, 0, len(state.Brokers))
		for _, b := range state.Brokers {
			in.Live = append(in.Live, b.ID)
		}
		in.Current, warnings = currentFromState(state)
	}
	doms, err := resolveDomains(ctx, cfg.Domains, env, log, state)
	if err != nil {
		return err
	}
	in.Domains = doms.Map()
	if cfg.CurrentAssignment != "" {
		if in.Current, err = readAssignment(cfg.CurrentAssignment, env.Stdin); err != nil {
			return err
		}
	}
	opts, err := cfg.planOptions(env.Stdin)
	if err != nil {
		return err
	}

	log.Debug("planning", "partitions", len(in.Current.Partitions), "brokers", len(in.Domains))
	res, planErr := Plan(in, opts)
	if planErr != nil && !errors.Is(planErr, cluster.ErrAtRisk) {
		return planErr
	}
	if len(warnings) > 0 {
		res.Report.Warnings = append(warnings, res.Report.Warnings...)
	}
	return writeResult(cfg, env, res, planErr)
}

// resolveDomains reads the domains from --domains. With a live cluster
// (state not nil) a domain source lists its brokers from the state already
// read, and may leave some out.
func resolveDomains(ctx context.Context, spec string, env Env, log *slog.Logger, state *cluster.State) (cluster.Domains, error) {
	deps := env.DomainDeps
	deps.Stdin = env.Stdin
	if deps.Logger == nil {
		deps.Logger = log
	}
	if state != nil {
		deps.Brokers = stateBrokers{state}
		deps.AllowMissing = true // the planner decides: an error only if such a broker holds replicas
	}
	doms, err := domainsrc.Resolve(ctx, spec, deps)
	if err != nil {
		return doms, fmt.Errorf("domains from %s: %w", spec, err)
	}
	return doms, nil
}

// readAssignment reads --current-assignment.
func readAssignment(path string, stdin io.Reader) (cluster.Assignment, error) {
	data, err := readInput(path, stdin, "current assignment")
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
func (c Config) planOptions(stdin io.Reader) (Options, error) {
	opts := c.Options
	if c.TopicsToMoveFile == "" {
		return opts, nil
	}
	data, err := readInput(c.TopicsToMoveFile, stdin, "topics to move")
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
func writeResult(cfg Config, env Env, res Result, planErr error) error {
	if cfg.ReportFile != "" {
		if err := writeFile(cfg.ReportFile, func(w io.Writer) error { return WriteReport(w, res.Report) }); err != nil {
			return err
		}
	}
	if planErr != nil {
		WriteSummary(env.Stderr, res.Report, cfg.Summary)
		return planErr
	}
	if cfg.CurrentFile != "" {
		if err := writeFile(cfg.CurrentFile, func(w io.Writer) error { return cluster.WriteAssignment(w, res.Rollback) }); err != nil {
			return err
		}
	}
	if err := cluster.WriteAssignment(env.Stdout, res.Plan); err != nil {
		return err
	}
	if t := cfg.Options.NewTopic; t != "" {
		fmt.Fprintf(env.Stderr, "To create %s with Kafka's own tool instead of fdud execute --create-topics:\n  kafka-topics.sh --create --topic %s --replica-assignment %s\n\n",
			t, t, ReplicaAssignment(res.Plan, t))
	}
	if err := WriteSummary(env.Stderr, res.Report, cfg.Summary); err != nil {
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

// ReplicaAssignment renders topic's partitions of plan in the form
// kafka-topics.sh --replica-assignment takes: partitions in order, separated
// by commas, each a colon-separated replica list, preferred leader first
// ("1:2:3,2:3:4").
func ReplicaAssignment(plan cluster.Assignment, topic string) string {
	var parts []cluster.PartitionAssignment
	for _, p := range plan.Partitions {
		if p.Topic == topic {
			parts = append(parts, p)
		}
	}
	slices.SortFunc(parts, func(a, b cluster.PartitionAssignment) int { return int(a.Partition) - int(b.Partition) })
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, r := range p.Replicas {
			if j > 0 {
				b.WriteByte(':')
			}
			b.WriteString(strconv.Itoa(int(r)))
		}
	}
	return b.String()
}

// currentFromState returns the live assignment. A partition being
// reassigned is planned from its in-flight target, and a warning says so.
func currentFromState(s *cluster.State) (cluster.Assignment, []string) {
	a := cluster.Assignment{Version: 1, Partitions: make([]cluster.PartitionAssignment, 0, len(s.Partitions))}
	var moving []string
	n := 0
	for _, p := range s.Partitions {
		n += max(len(p.Replicas), len(p.Target))
	}
	ids := make([]int32, 0, n) // one backing array, not one per partition
	for _, p := range s.Partitions {
		reps := p.Replicas
		if p.Reassigning() {
			reps = p.Target
			moving = append(moving, p.TP().String())
		}
		pa := cluster.PartitionAssignment{Topic: p.Topic, Partition: p.Partition}
		if reps != nil {
			start := len(ids)
			ids = append(ids, reps...)
			pa.Replicas = ids[start:len(ids):len(ids)]
		}
		a.Partitions = append(a.Partitions, pa)
	}
	a.Sort()
	var warnings []string
	if len(moving) > 0 {
		const show = 10
		list := moving
		more := ""
		if len(list) > show {
			more = fmt.Sprintf(" and %d more", len(list)-show)
			list = list[:show]
		}
		warnings = append(warnings, fmt.Sprintf("%d partitions are being reassigned; planned from their in-flight targets: %v%s",
			len(moving), list, more))
	}
	return a, warnings
}

// stateBrokers lists the live brokers of a state already read.
type stateBrokers struct{ s *cluster.State }

func (b stateBrokers) Brokers(context.Context) ([]cluster.Broker, error) { return b.s.Brokers, nil }

func readInput(path string, stdin io.Reader, what string) ([]byte, error) {
	if path == "-" {
		return cluster.ReadAll(stdin, what+" from stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cluster.Invalidf("%s: %w", what, err)
	}
	defer f.Close()
	return cluster.ReadAll(f, path)
}

// writeFile writes a file the operator relies on (--report,
// --current-file): complete or not at all, and durable (see atomicfile).
func writeFile(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, 0o644, write)
}

// WriteReport writes the report as indented JSON.
func WriteReport(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
