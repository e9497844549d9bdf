package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/progress"
)

func newExecuteCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "execute",
		Usage:     "check a reassignment plan against the cluster and start it, throttled, batched, under a lock",
		UsageText: "fdud execute [--bootstrap-server HOST:PORT | --zookeeper HOST:PORT[/chroot]] [options] (--reassignment-json-file plan.json | < plan.json) [| fdud verify ...]",
		Description: `Reads a plan in Kafka's reassignment JSON (stdin, or --reassignment-json-file; the
output of kafka-reassign-partitions.sh --generate works too: its proposed plan is
used) and checks every entry against the live cluster before changing anything:
topics and partitions exist, brokers are alive, no partition or broker is listed
twice, the replication factor stays (unless --allow-replication-factor-change),
log directories are well-formed. Any problem: every offending entry is named,
exit 2, nothing changed.

Then, holding the cluster lock (an ephemeral ZooKeeper node /fdud/lock with
--zookeeper; otherwise a lock in the cluster's topic __fdud_state, which a run
silent for 2 minutes loses to the next), it saves the
rollback plan, sets the throttles merged with those already present (recording
exactly what it set, so that fdud verify removes only that), and submits the
partitions not yet at their target. On stdout it passes the plan on unchanged,
so fdud verify can follow in a pipe.

Without batching it returns once the reassignment is started, like Kafka's tool.
With --max-partition-movements or --max-moves-per-broker it stays in the
foreground and submits batches as earlier ones complete, with its progress on
stderr: partitions done and, when the brokers report replica sizes (Kafka 1.0+;
with --zookeeper, through --bootstrap-server), bytes copied, rate and time left,
else messages copied (from the replicas' offsets); a bar on a terminal. Re-running the same plan
is safe: partitions at their target are skipped, partitions already moving to it
are not resubmitted.

EXAMPLES:
   fdud generate --bootstrap-server k:9092 --domains domains.json \
     | fdud execute --bootstrap-server k:9092 --throttle 50000000 \
     | fdud verify --bootstrap-server k:9092 --domains domains.json --wait

   # old cluster, through ZooKeeper, 10 partitions at a time, rollback kept
   fdud execute --zookeeper zk1:2181/kafka --reassignment-json-file plan.json \
     --max-partition-movements 10 --rollback-file /var/lib/kafka/rollback.json

   fdud execute --bootstrap-server k:9092 --list
   fdud execute --bootstrap-server k:9092 --cancel --reassignment-json-file plan.json

   Every flag can also be set by its environment variable (FDUD_THROTTLE, ...).`,
		Flags: append(clusterFlags(),
			&cli.StringFlag{Name: "reassignment-json-file", EnvVars: []string{"FDUD_REASSIGNMENT_JSON_FILE"},
				Usage: "the plan, Kafka's reassignment JSON `FILE` (default: stdin)"},
			rateFlag("throttle", "FDUD_THROTTLE",
				"replication throttle for the moving replicas, `RATE` in bytes per second (50000000, 50MB or 50MB/s; -1 or none: none); merged with throttles already set"),
			rateFlag("replica-alter-log-dirs-throttle", "FDUD_REPLICA_ALTER_LOG_DIRS_THROTTLE",
				"throttle for moves between log directories of a broker, `RATE` in bytes per second (-1 or none: none)"),
			&cli.BoolFlag{Name: "additional", EnvVars: []string{"FDUD_ADDITIONAL"},
				Usage: "run even though other reassignments are in flight"},
			&cli.BoolFlag{Name: "allow-replication-factor-change", EnvVars: []string{"FDUD_ALLOW_REPLICATION_FACTOR_CHANGE"},
				Usage: "accept plans that change a partition's number of replicas"},
			&cli.BoolFlag{Name: "create-topics", EnvVars: []string{"FDUD_CREATE_TOPICS"},
				Usage: "create topics of the plan that do not exist yet, with exactly the planned replicas"},
			&cli.StringFlag{Name: "rollback-file", EnvVars: []string{"FDUD_ROLLBACK_FILE"},
				Usage: "where to save the rollback plan (default ./fdud-rollback-YYYYMMDDTHHMMSS.json); an existing file is kept"},
			&cli.IntFlag{Name: "max-partition-movements", DefaultText: "no limit", EnvVars: []string{"FDUD_MAX_PARTITION_MOVEMENTS"},
				Usage: "batching: at most `N` reassignments in flight across the cluster (0: submit all at once)"},
			&cli.IntFlag{Name: "max-moves-per-broker", DefaultText: "no limit", EnvVars: []string{"FDUD_MAX_MOVES_PER_BROKER"},
				Usage: "batching: at most `N` reassignments in flight that add or remove a replica on any one broker"},
			&cli.DurationFlag{Name: "poll-interval", Value: 10 * time.Second, EnvVars: []string{"FDUD_POLL_INTERVAL"},
				Usage: "batching: how often to check for completed reassignments"},
			&cli.DurationFlag{Name: "max-wait", DefaultText: "no limit", EnvVars: []string{"FDUD_MAX_WAIT"},
				Usage: "batching: give up waiting after this long, exit 3 (0: no limit); re-run to continue"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Second, EnvVars: []string{"FDUD_TIMEOUT"},
				Usage: "how long to wait for log directory moves to start, a `DURATION` such as 30s or 2m (fdud compat takes Kafka's milliseconds)"},
			&cli.BoolFlag{Name: "cancel", EnvVars: []string{"FDUD_CANCEL"},
				Usage: "cancel the plan's reassignments in flight (Admin API path) and remove the throttles fdud set for it"},
			&cli.BoolFlag{Name: "list", Usage: "show the reassignments in flight (their targets as JSON on stdout)"},
			&cli.StringFlag{Name: "state-dir", EnvVars: []string{"FDUD_STATE_DIR"},
				Usage: "`DIR` of throttle records an earlier fdud kept there, still cleaned up (default $XDG_STATE_HOME/fdud or ~/.local/state/fdud); records and the lock are now in the cluster (__fdud_state) or ZooKeeper"},
		),
		CustomHelpTemplate: cli.CommandHelpTemplate + `
EXIT STATUS:
   0  the plan was started (or completed, when batching), or there was nothing to do
   1  error talking to Kafka or ZooKeeper, or writing the rollback file
   2  bad flags or a bad plan (every offending entry is named); nothing was changed
   3  --max-wait elapsed while batching; re-run the same plan to continue
   5  busy: another fdud run holds the lock, or other reassignments are in flight (see --additional)
 130  interrupted; submitted reassignments keep going; re-run the same plan to continue
`,
		Action: func(c *cli.Context) error {
			o := execute.Options{
				Throttle:              rate(c, "throttle"),
				LogDirThrottle:        rate(c, "replica-alter-log-dirs-throttle"),
				Additional:            c.Bool("additional"),
				AllowRFChange:         c.Bool("allow-replication-factor-change"),
				CreateTopics:          c.Bool("create-topics"),
				RollbackFile:          c.String("rollback-file"),
				MaxPartitionMovements: c.Int("max-partition-movements"),
				MaxMovesPerBroker:     c.Int("max-moves-per-broker"),
				PollInterval:          c.Duration("poll-interval"),
				MaxWait:               c.Duration("max-wait"),
				Timeout:               c.Duration("timeout"),
				StateDir:              c.String("state-dir"),
			}
			planFile := c.String("reassignment-json-file")
			switch {
			case c.Bool("cancel") && c.Bool("list"):
				return commandLineError(c, cluster.Invalidf("--cancel and --list exclude each other"))
			case c.Bool("list") && planFile != "":
				return commandLineError(c, cluster.Invalidf("--list takes no plan and no throttle"))
			case c.Bool("cancel"):
				o.Mode = execute.ModeCancel
			case c.Bool("list"):
				o.Mode = execute.ModeList
			}
			if err := o.Validate(); err != nil {
				return commandLineError(c, err)
			}
			in := execute.Input{Options: o}
			if o.Mode != execute.ModeList {
				// A bad plan is refused before connecting to anything.
				var err error
				if in.Plan, err = readExecutePlan(planFile, s.in); err != nil {
					return err
				}
			}
			s := s // this run's streams: stderr may go through the bar
			var bar *progress.Bar
			if o.Batching() && isTerminal(s.err) {
				// A bar in place of the progress lines; messages and
				// logs go through it so that they do not run into it.
				bar = progress.NewBar(s.err)
				s.err = bar.Writer()
			}
			log := newLogger(c, s)
			deps := execute.Deps{Stderr: s.err, Logger: log}
			if bar != nil {
				deps.Progress = bar
			}
			if o.Mode == execute.ModeList || len(in.Plan.Assignment.Partitions) > 0 {
				// An empty plan needs no cluster: nothing to do, exit 0.
				conns, err := connectCluster(c.Context, clusterOptions(c, log), o.Mode != execute.ModeList)
				if err != nil {
					return err
				}
				defer conns.Close()
				deps.Cluster, deps.ZooKeeper = conns.Cluster, conns.ZooKeeper
			}
			if o.Mode == execute.ModeList {
				fmt.Fprintf(s.err, "Using the %s path.\n", deps.Cluster.Path())
			}
			res, err := execute.Run(c.Context, in, deps)
			switch {
			case err != nil:
				return err
			case o.Mode == execute.ModeList:
				return execute.WriteList(s.out, s.err, res.InFlight)
			case o.Mode == execute.ModeExecute:
				// Passed on unchanged, so fdud verify can follow in a pipe.
				if _, err := s.out.Write(in.Plan.Doc); err != nil {
					return fmt.Errorf("write the plan to stdout: %w", err)
				}
			}
			return nil
		},
	}
}
