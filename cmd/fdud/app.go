package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/urfave/cli/v2"
)

// streams are the process's standard streams, passed down so that commands
// can be run and tested without touching os.Stdin/Stdout/Stderr.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// run builds the app, runs it and returns the process exit code. Nothing
// below it exits the process, so deferred clean-up (locks, throttles) runs.
func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	s := streams{in: in, out: out, err: errw}
	app := newApp(s)
	err := app.RunContext(ctx, compatArgs(args)) // invoked as kafka-reassign-partitions(.sh): fdud compat
	return reportError(errw, err)
}

func newApp(s streams) *cli.App {
	cmds := commands(s)
	for _, c := range cmds {
		c.OnUsageError = onUsageError
		if !c.SkipFlagParsing {
			// Global flags work after the command name too.
			c.Flags = append(c.Flags, logLevelFlag(""))
		}
	}
	return &cli.App{
		Name:  "fdud",
		Usage: "keep Kafka replicas spread across Azure fault and update domains",
		Description: `fdud plans and carries out Kafka partition reassignments so that no single Azure
fault domain (FD) or update domain (UD) holds more replicas of a partition than it
must, moving as little data as possible. Plans are Kafka's own reassignment JSON.

The stages compose with pipes:
  fdud domains  --source imds|file|zk|rack|hdinsight|exec   > domains.json
  fdud generate --domains domains.json --bootstrap-server HOST:9092 \
    | fdud execute --bootstrap-server HOST:9092 --throttle 50000000 \
    | fdud verify  --bootstrap-server HOST:9092 --domains domains.json --wait

stdout carries only the machine-readable document of each stage; messages for
people go to stderr. --help and --version, asked for, go to stdout.`,
		Version:               versionString(),
		Reader:                s.in,
		Writer:                s.out, // --help, --version and completions, asked for
		ErrWriter:             s.err,
		EnableBashCompletion:  true,
		Flags:                 []cli.Flag{logLevelFlag("info")},
		Commands:              cmds,
		Action:                unknownCommand,
		OnUsageError:          onUsageError,
		ExitErrHandler:        func(*cli.Context, error) {}, // run maps errors to exit codes
		CustomAppHelpTemplate: cli.AppHelpTemplate + exitCodesHelp,
	}
}

// logLevelFlag is --log-level: on the app with its default, and on every
// command without one, so that it may follow the command name.
func logLevelFlag(def string) cli.Flag {
	f := &cli.StringFlag{Name: "log-level", Value: def,
		Usage: "diagnostics on stderr: debug, info, warn or error",
		Action: func(c *cli.Context, v string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(v)); err != nil {
				return &usageError{cmd: commandPath(c), msg: fmt.Sprintf("--log-level: %q is not debug, info, warn or error", v)}
			}
			return nil
		}}
	if def != "" {
		f.EnvVars = []string{"FDUD_LOG_LEVEL"}
	} else {
		f.Usage += " (default: the global --log-level)"
	}
	return f
}

// logLevel is the --log-level given after the command name, else the global one.
func logLevel(c *cli.Context) string {
	for _, cc := range c.Lineage() {
		if v := cc.String("log-level"); v != "" {
			return v
		}
	}
	return "info"
}

// newLogger returns the logger for a command, writing text to stderr.
func newLogger(c *cli.Context, s streams) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel(c))); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
}
