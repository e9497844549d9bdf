package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/internal/zookeeper"
	"github.com/fdud/fdud/verify"
)

const verifyDescription = `Compares the plan (Kafka's reassignment JSON, on stdin or in
--reassignment-json-file) with the cluster and prints, on stderr, the lines
kafka-reassign-partitions.sh --verify prints:

   Status of partition reassignment:
   Reassignment of partition orders-0 is complete.
   Reassignment of partition orders-1 is still in progress.
   There is no active reassignment of partition orders-2, but replica set is 1,2 rather than 3,1.

followed by fdud's notes (indented "  note:" lines: a replica order that differs
from the plan, a leader that is not the preferred one) and a summary.

Once no partition of the plan is in flight, verify removes exactly the throttles
fdud execute set for this plan and restores what was there before (unless
--preserve-throttles). The record of those throttles is in ZooKeeper with
--zookeeper, else in the cluster's topic __fdud_state, from any host (a record an
earlier fdud left in --state-dir is still found).

It does so holding the cluster lock fdud execute holds (/fdud/lock with
--zookeeper, else the lock in the cluster's topic __fdud_state),
taken without waiting and given back right after. A batching execute keeps that
lock until its last batch, and between two batches nothing is in flight; so
while another run holds the lock verify keeps the throttles, says who holds it
("fdud execute (pid 4242, host admin-1) still holds the cluster lock: throttles
kept; run verify again when it finishes") and exits 3. With --wait it keeps
waiting until the lock is free (or --timeout). --preserve-throttles leaves the
lock alone.

With --domains, verify also checks the spread of the plan's partitions (of every
partition with --all) across fault domains, update domains and zones, prints the
FD x UD grid of brokers, and for each single domain says which partitions would go
offline, or fall below min.insync.replicas, if it went down. Risk that no
placement can avoid, given the cluster's domains, replication factor and
min.insync.replicas, is structural: it is reported apart, with the fix ("add a
fault domain (3 in all), or use replication factor 4"), and does not fail the
run unless --fail-on-structural-risk. Partitions under-replicated now are always
listed.

stdout stays empty unless --format json: then it carries the report
(schemas/verify-report.schema.json). --prometheus FILE writes node_exporter
textfile-collector metrics (atomically) for dashboards and alerts.

EXAMPLES:
   # after fdud execute, in the same pipe: wait for the moves, then clean up
   fdud execute --bootstrap-server k1:9092 --throttle 50000000 < plan.json \
     | fdud verify --bootstrap-server k1:9092 --domains domains.json --wait --timeout 2h

   # Kafka 0.9 to 2.3 (ZooKeeper path), JSON report for a script
   fdud verify --zookeeper zk1:2181/kafka --reassignment-json-file plan.json --format json > report.json

   # cron: the whole cluster's spread and risk as Prometheus metrics
   fdud verify --bootstrap-server k1:9092 --domains zk:zk1:2181/kafka --all \
     --prometheus /var/lib/node_exporter/textfile/fdud.prom < /dev/null

   # move leadership to the planned leaders once the plan is complete
   fdud verify --bootstrap-server k1:9092 --reassignment-json-file plan.json --wait --elect-leaders

EXIT STATUS (verify):
   0  every partition of the plan is complete (and, with --domains, spread and not at risk)
   1  error talking to Kafka or ZooKeeper; or nothing is in flight but some partitions
      are not on their planned replicas (the reassignment failed or was cancelled); or
      the plan is complete but fdud's throttles could not be removed (still throttled)
   2  bad flags or bad input (plan, domains)
   3  still in progress (with --wait: still in progress at --timeout); also when
      nothing is in flight but another fdud run holds the cluster lock, so the
      throttles were kept (fdud execute of this plan between batches; exit 1 or 4
      instead when the plan is not as planned or at risk and the holder is not
      executing this plan)
   4  complete, but partitions violate the spread, are under-replicated, or would go
      offline or below min.insync.replicas if one fault domain, update domain or
      zone went down where a better placement would avoid it. Structural risk,
      which no placement avoids (replication factor 3 and min.insync.replicas 2
      over two fault domains), is reported with its fix and counted in
      fdud_partitions_structural_risk, but exits 0 unless --fail-on-structural-risk
 130  interrupted`

func newVerifyCommand(s streams) *cli.Command {
	flags := append(clusterFlags(),
		&cli.StringFlag{Name: "reassignment-json-file", EnvVars: []string{"FDUD_REASSIGNMENT_JSON_FILE"},
			Usage: "the plan, Kafka's reassignment JSON `FILE` (default: stdin)"},
		&cli.StringFlag{Name: "domains", EnvVars: []string{"FDUD_DOMAINS"},
			Usage: "broker domains: a domains JSON `FILE`, - for stdin, or a source spec (zk:HOST:PORT[/chroot], rack, ...)"},
		&cli.BoolFlag{Name: "all", EnvVars: []string{"FDUD_VERIFY_ALL"},
			Usage: "assess spread and risk of every partition of the cluster, not only the plan's (the plan is then optional)"},
		&cli.BoolFlag{Name: "wait", EnvVars: []string{"FDUD_VERIFY_WAIT"},
			Usage: "poll until no partition of the plan is in flight and fdud execute has let go of the cluster lock (or --timeout)"},
		&cli.DurationFlag{Name: "timeout", DefaultText: "no limit", EnvVars: []string{"FDUD_VERIFY_TIMEOUT"},
			Usage: "with --wait, give up after this long and exit 3 (0: no limit)"},
		&cli.DurationFlag{Name: "poll-interval", Value: verify.DefaultPollInterval, EnvVars: []string{"FDUD_POLL_INTERVAL"},
			Usage: "with --wait, how often to read the cluster"},
		&cli.BoolFlag{Name: "preserve-throttles", EnvVars: []string{"FDUD_PRESERVE_THROTTLES"},
			Usage: "keep the throttles fdud set even when the plan is done (the cluster lock is then not taken)"},
		&cli.BoolFlag{Name: "elect-leaders", EnvVars: []string{"FDUD_ELECT_LEADERS"},
			Usage: "once nothing is in flight, run a preferred leader election where the leader is not the first replica"},
		&cli.StringFlag{Name: "format", Value: verify.FormatText, EnvVars: []string{"FDUD_VERIFY_FORMAT"},
			Usage: "stdout: text (nothing; the report is on stderr) or json (the verify report)"},
		&cli.StringFlag{Name: "prometheus", EnvVars: []string{"FDUD_PROMETHEUS"},
			Usage: "write Prometheus textfile-collector metrics to `FILE` (atomically)"},
		&cli.StringFlag{Name: "state-dir", EnvVars: []string{"FDUD_STATE_DIR"},
			Usage: "`DIR` where an earlier fdud kept throttle records without --zookeeper, still cleaned up (default $XDG_STATE_HOME/fdud)"},
		&cli.IntFlag{Name: "min-insync-replicas", Value: 1, EnvVars: []string{"FDUD_MIN_INSYNC_REPLICAS"},
			Usage: "min.insync.replicas of topics that do not set it (the brokers' default, which clients cannot read)"},
		&cli.BoolFlag{Name: "fail-on-structural-risk", EnvVars: []string{"FDUD_FAIL_ON_STRUCTURAL_RISK"},
			Usage: "exit 4 for structural risk too (risk no placement avoids, e.g. replication factor 3 and min.insync.replicas 2 over two fault domains); by default it is reported and counted, with its fix"},
		&cli.BoolFlag{Name: "legacy-status-lines", EnvVars: []string{"FDUD_LEGACY_STATUS_LINES"},
			Usage: `print Kafka 0.8-2.4's lines ("Reassignment of partition [orders,0] completed successfully")`},
	)
	return &cli.Command{
		Name:        "verify",
		Usage:       "check a reassignment: completion, throttle clean-up, domain spread and what-if",
		UsageText:   "fdud verify [--bootstrap-server HOST:PORT | --zookeeper HOST:PORT[/chroot]] [options] < plan.json",
		Description: verifyDescription,
		Flags:       flags,
		Action:      func(c *cli.Context) error { return runVerify(c, s) },
	}
}

func runVerify(c *cli.Context, s streams) error {
	ctx := c.Context
	bar := barFor(c.Bool("wait"), s.err)
	if bar != nil {
		// Messages and logs go through the bar so that they do not run
		// into it.
		s.err = bar.Writer()
	}
	log := newLogger(c, s)
	o := verify.Options{
		All: c.Bool("all"), Wait: c.Bool("wait"), Timeout: c.Duration("timeout"),
		PollInterval: c.Duration("poll-interval"), PreserveThrottles: c.Bool("preserve-throttles"),
		ElectLeaders: c.Bool("elect-leaders"), Format: c.String("format"), PrometheusFile: c.String("prometheus"),
		MinInsyncReplicas: c.Int("min-insync-replicas"), LegacyStatusLines: c.Bool("legacy-status-lines"),
		FailOnStructuralRisk: c.Bool("fail-on-structural-risk"),
	}
	if c.Args().Present() {
		return commandLineError(c, cluster.Invalidf("verify takes no arguments, got %q (the plan comes on stdin or --reassignment-json-file)", c.Args().First()))
	}
	spec := c.String("domains")
	planFile := c.String("reassignment-json-file")
	if spec == "-" && planFile == "" {
		return commandLineError(c, cluster.Invalidf("--domains - and the plan cannot both come from stdin; pass --reassignment-json-file"))
	}
	plan, err := readVerifyPlan(planFile, s.in, o.All)
	if err != nil {
		return err
	}
	o.Plan = plan
	// Validate before connecting: bad flags should not wait on a cluster.
	// The domains are resolved (and checked) once connected.
	if err := o.ValidateInput(); err != nil {
		return commandLineError(c, err)
	}
	req := verifyRequest{Options: o}
	if !o.NothingToVerify() {
		req.Domains, req.Cluster, req.StateDir = spec, clusterOptions(c, log), c.String("state-dir")
		req.Deps = verify.Deps{Logger: log}
		req.DomainEnv = domainEnv{Stdin: s.in, Stderr: s.err, Logger: log, ZooKeeperDigest: zookeeper.Secret(c.String("zookeeper-digest"))}
		switch {
		case bar != nil:
			req.Deps.Progress = bar
		case o.Wait:
			req.Deps.Progress = verify.NewLines(s.err)
		}
	}
	res, _, err := verifyWith(ctx, req)
	if res == nil {
		return err
	}
	werr := verify.Write(verify.Output{Stdout: s.out, Stderr: s.err}, o, res)
	if o.PrometheusFile != "" {
		werr = errors.Join(werr, verify.WriteMetricsFile(o.PrometheusFile, res))
	}
	if werr != nil {
		return werr
	}
	return err
}

// verifyRequest is one verify as a front end asks for it.
type verifyRequest struct {
	// Options hold the plan, parsed; the domains are resolved from Domains.
	Options verify.Options
	// Domains is the --domains spec; "" checks no spread.
	Domains  string
	Cluster  clusterConfig
	StateDir string // where an earlier fdud kept throttle records; "" for the default
	// Deps hold the logger and the progress display; verifyWith adds the
	// cluster, the throttle clean-up, the cluster lock and the throttle
	// records.
	Deps      verify.Deps
	DomainEnv domainEnv
}

// verifyWith connects, resolves the domains and runs verify with the
// throttle clean-up of the plan, the same way for fdud verify and
// kafka-reassign-partitions --verify. It returns verify's result, for the
// front end to render, and what the clean-up removed (nil when nothing).
// An empty plan (Options.NothingToVerify) needs no cluster.
func verifyWith(ctx context.Context, r verifyRequest) (*verify.Result, *throttle.Record, error) {
	o, log := r.Options, r.Deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.NothingToVerify() {
		res, err := verify.Run(ctx, o, verify.Deps{})
		return res, nil, err
	}
	cs, err := connectCluster(ctx, r.Cluster, true)
	if err != nil {
		return nil, nil, err
	}
	defer cs.Close()
	if r.Domains != "" {
		src := newClusterSource(r.Cluster, cs.Cluster, nil)
		d, err := resolveDomains(ctx, r.Domains, forVerify, src, r.DomainEnv)
		if err != nil {
			return nil, nil, err
		}
		o.Domains = &d
	}
	deps := r.Deps
	deps.Cluster = cs.Cluster
	var th *planThrottles
	if len(o.Plan.Partitions) > 0 {
		var lock verify.Lock
		if th, lock, err = openCleanup(ctx, cs, r.StateDir, o.Plan, log); err != nil {
			// The status is still worth having; say what was not done.
			log.Warn("cannot read fdud's throttle records; throttles are neither counted nor removed", "err", err)
		} else {
			deps.Throttles, deps.Lock = th, lock
		}
	}
	if o.All {
		if store, _, err := openThrottleStore(ctx, cs, r.StateDir, log); err != nil {
			log.Warn("cannot read fdud's throttle records; they are not listed", "err", err)
		} else {
			deps.Records = storeRecords{store: store}
		}
	}
	res, err := verify.Run(ctx, o, deps)
	var removed *throttle.Record
	if th != nil {
		removed = th.removed
	}
	return res, removed, err
}

// barFor returns a progress bar for a wait on a terminal, and nil anywhere
// else (a log file, a pipe, journald), where carriage returns would be
// noise: plain lines go there.
func barFor(wait bool, w io.Writer) *verify.Bar {
	if wait && isTerminal(w) {
		return verify.NewBar(w)
	}
	return nil
}

// isTerminal reports whether the stream is an *os.File on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
