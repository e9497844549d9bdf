package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/kafka"
)

// newLockCommand is `fdud lock`: run a command while holding a cluster-wide
// lock, so that a script's steps (plan, execute, verify) run as one unit.
// It is separate from the lock execute takes for itself.
func newLockCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "lock",
		Usage:     "run a command while holding a cluster-wide lock (for scripts and cron jobs)",
		ArgsUsage: "-- COMMAND [ARG...]",
		Description: `Takes the lock, runs COMMAND, releases the lock and exits with COMMAND's exit
code. When another run holds the lock, exits 5 at once and names the holder.
With --zookeeper the lock is an ephemeral ZooKeeper node (/fdud/locks/NAME
under the cluster's chroot): ZooKeeper drops it if this process dies, so a
crash never leaves the cluster locked. With --bootstrap-server instead (KRaft,
Kafka 4) it is lock run-NAME in the cluster's topic __fdud_state, held with a
heartbeat: a holder silent for 2 minutes loses it to the next run, and
fdud unlock --name run-NAME breaks it. Either is a different lock from the one
fdud execute takes, so COMMAND may run fdud execute.

Example (what examples/cron/fdud-cron.sh does):
  fdud lock --zookeeper zk1:2181/kafka --name repair -- ./repair.sh
  fdud lock --bootstrap-server k1:9092 --name repair -- ./repair.sh`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "zookeeper", EnvVars: []string{"FDUD_ZOOKEEPER"},
				Usage: "ZooKeeper holding the lock, `HOST:PORT[/chroot]` (the Kafka cluster's)"},
			&cli.StringFlag{Name: "bootstrap-server", EnvVars: []string{"FDUD_BOOTSTRAP_SERVER"},
				Usage: "without --zookeeper: Kafka brokers whose topic __fdud_state holds the lock, `HOST:PORT[,HOST:PORT]`"},
			&cli.StringFlag{Name: "command-config", EnvVars: []string{"FDUD_COMMAND_CONFIG"},
				Usage: "Kafka client properties `FILE` (security.protocol, sasl.*, ssl.* with PEM files)"},
			&cli.DurationFlag{Name: "request-timeout", Value: 30 * time.Second, EnvVars: []string{"FDUD_REQUEST_TIMEOUT"},
				Usage: "bound on each request to Kafka"},
			&cli.StringFlag{Name: "zookeeper-digest", EnvVars: []string{"FDUD_ZOOKEEPER_DIGEST"},
				Usage: "ZooKeeper digest credentials `USER:PASSWORD` (prefer the environment variable)"},
			&cli.StringFlag{Name: "name", Value: "default", Usage: "lock `NAME`: runs with the same name exclude each other"},
		},
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) == 0 {
				return cluster.Invalidf("fdud lock: no command given (fdud lock --zookeeper ... -- COMMAND [ARG...])")
			}
			name := c.String("name")
			if name == "" || strings.ContainsAny(name, "/ ") {
				return cluster.Invalidf("--name %q: want a word without slashes or spaces", name)
			}
			log := newLogger(c, s)
			ctx := c.Context
			lo := clusterlock.Options{Node: "/fdud/locks/" + name, Command: strings.Join(args, " "), Logger: log}
			cc := clusterOptions(c, log)
			switch {
			case cc.ZooKeeper != "":
				conn, err := cc.zookeeper(ctx)
				if err != nil {
					return err
				}
				defer conn.Close()
				lo.ZooKeeper = conn
			case c.String("bootstrap-server") != "":
				cl, err := kafka.Connect(ctx, cc.kafkaOptions())
				if err != nil {
					return err
				}
				defer cl.Close()
				if lo.Kafka = kafka.StateTopicOf(cl); lo.Kafka == nil {
					return fmt.Errorf("fdud lock: the %s path keeps no lock in the cluster; give --zookeeper", cl.Path())
				}
				lo.KafkaName = "run-" + name
			default:
				return &usageError{cmd: commandPath(c), msg: "give --zookeeper HOST:PORT[/chroot] or --bootstrap-server HOST:PORT (or FDUD_ZOOKEEPER, FDUD_BOOTSTRAP_SERVER)"}
			}
			l, err := clusterlock.Acquire(ctx, lo)
			if err != nil {
				return err
			}
			defer l.Release()
			log.Debug("lock taken", "lock", l.Where())

			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = s.in, s.out, s.err
			// On interrupt, ask the command to stop and give it time to clean
			// up (execute removes throttles it set) before the lock goes.
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
			cmd.WaitDelay = 5 * time.Minute
			err = cmd.Run()
			var ee *exec.ExitError
			switch {
			case err == nil:
				return nil
			case errors.As(err, &ee) && ee.ExitCode() >= 0:
				return cli.Exit("", ee.ExitCode())
			case ctx.Err() != nil:
				return ctx.Err()
			}
			return fmt.Errorf("run %s: %w", args[0], err)
		},
	}
}
