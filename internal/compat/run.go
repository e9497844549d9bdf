package compat

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/zookeeper"
)

// Env is what Run reads from and writes to.
type Env struct {
	// Stdout receives Kafka's text, as Kafka's tool prints it there.
	Stdout io.Writer
	// Stderr receives fdud's own notes: warnings, the verify report, the
	// grid. Runbooks that grep stdout are not disturbed by them.
	Stderr io.Writer
	Stdin  io.Reader
	Logger *slog.Logger
	// ZooKeeperDigest authenticates to ZooKeeper (FDUD_ZOOKEEPER_DIGEST).
	ZooKeeperDigest zookeeper.Secret
	// RequestTimeout bounds each request to Kafka or ZooKeeper; 0 means 30 s.
	RequestTimeout time.Duration
	// StateDir holds the lock and throttle records when there is no
	// ZooKeeper; "" is fdud's default.
	StateDir string
	// PollInterval is how often --verify --wait reads the cluster; 0 is verify's default.
	PollInterval time.Duration
	// RollbackFile is where --execute writes the rollback plan before any
	// change; "" is execute's default (a timestamped file in the working
	// directory, named on stderr).
	RollbackFile string
}

// ReadEnviron sets what fdud's commands read from FDUD_* environment
// variables, so that compat and fdud share them (throttle records in the same
// state directory, the same rollback file): FDUD_STATE_DIR,
// FDUD_ROLLBACK_FILE, FDUD_REQUEST_TIMEOUT, FDUD_POLL_INTERVAL and
// FDUD_ZOOKEEPER_DIGEST. (FDUD_DOMAINS is read by Parse;
// FDUD_ALLOW_REPLICATION_FACTOR_CHANGE needs nothing: compat's --execute
// always allows it, as Kafka's does.) A malformed duration is an input error
// naming the variable.
func (e *Env) ReadEnviron(getenv func(string) string) error {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	if v := get("FDUD_STATE_DIR"); v != "" {
		e.StateDir = v
	}
	if v := get("FDUD_ROLLBACK_FILE"); v != "" {
		e.RollbackFile = v
	}
	if v := get("FDUD_ZOOKEEPER_DIGEST"); v != "" {
		e.ZooKeeperDigest = zookeeper.Secret(v)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"FDUD_REQUEST_TIMEOUT", &e.RequestTimeout}, {"FDUD_POLL_INTERVAL", &e.PollInterval}} {
		v := get(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return cluster.Invalidf("environment variable %s: %q is not a duration: a number with a unit, such as 30s or 2m", d.name, v)
		}
		*d.dst = t
	}
	return nil
}

func (e Env) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// Run carries out the action of a parsed Kafka command line with fdud's
// stages and prints Kafka's text on env.Stdout. Outcomes come back as errors
// the CLI maps to exit codes (cluster.ErrInProgress, cluster.ErrAtRisk,
// cluster.ErrBusy, verify.ErrNotAsPlanned, input errors); see KafkaExit for
// Kafka's always-zero behaviour.
func Run(ctx context.Context, o Options, env Env) error {
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	r := &runner{o: o, env: env, log: env.logger(), p: Printer{W: env.Stdout, Style: o.OutputStyle()}}
	switch o.Action {
	case Generate:
		return r.generate(ctx)
	case Execute:
		return r.execute(ctx, execute.ModeExecute)
	case Cancel:
		return r.execute(ctx, execute.ModeCancel)
	case Verify:
		return r.verify(ctx)
	case List:
		return r.list(ctx)
	}
	return cluster.Invalidf("unknown action %q", o.Action)
}

type runner struct {
	o   Options
	env Env
	log *slog.Logger
	p   Printer
}

func (r *runner) kafkaOptions() kafka.Options {
	var servers []string
	for _, h := range strings.Split(r.o.BootstrapServer, ",") {
		if h = strings.TrimSpace(h); h != "" {
			servers = append(servers, h)
		}
	}
	return kafka.Options{
		BootstrapServers: servers,
		CommandConfig:    r.o.CommandConfig,
		ZooKeeper:        r.o.ZooKeeper,
		ZooKeeperDigest:  r.env.ZooKeeperDigest,
		Timeout:          r.env.RequestTimeout,
		Logger:           r.log,
	}
}

// zk opens the ZooKeeper session that holds the lock and throttle records,
// or returns nil when the command line names no ZooKeeper.
func (r *runner) zk(ctx context.Context) (*zookeeper.Conn, error) {
	if r.o.ZooKeeper == "" {
		return nil, nil
	}
	return zookeeper.Connect(ctx, zookeeper.Options{Connect: r.o.ZooKeeper, Digest: r.env.ZooKeeperDigest, Logger: r.log})
}

// connect opens the cluster and, with --zookeeper, a ZooKeeper session for
// the lock and throttle records; closeAll closes both.
func (r *runner) connect(ctx context.Context) (cl kafka.Cluster, conn *zookeeper.Conn, closeAll func(), err error) {
	cl, err = kafka.Connect(ctx, r.kafkaOptions())
	if err != nil {
		return nil, nil, nil, err
	}
	if conn, err = r.zk(ctx); err != nil {
		cl.Close()
		return nil, nil, nil, err
	}
	return cl, conn, func() {
		if conn != nil {
			conn.Close()
		}
		cl.Close()
	}, nil
}

// readPlan reads --reassignment-json-file (Kafka's JSON, or the text Kafka's
// tool prints: the proposed configuration is taken when both are there).
// Kafka's tool refuses an empty plan, and so does compat.
func (r *runner) readPlan() (execute.Plan, error) {
	p, err := execute.ReadPlan(r.o.ReassignmentJSONFile, nil)
	if err != nil {
		return execute.Plan{}, fmt.Errorf("%s: %w", r.o.ReassignmentJSONFile, err)
	}
	if len(p.Assignment.Partitions) == 0 {
		return execute.Plan{}, cluster.Invalidf("Partition reassignment list cannot be empty (%s)", r.o.ReassignmentJSONFile)
	}
	return p, nil
}
