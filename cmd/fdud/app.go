package main

import (
	"context"
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
people go to stderr.`,
		Reader:               s.in,
		Writer:               s.err, // help and usage are for people: stderr
		ErrWriter:            s.err,
		EnableBashCompletion: true,
		HideVersion:          true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "log-level", Value: "info", EnvVars: []string{"FDUD_LOG_LEVEL"},
				Usage: "diagnostics on stderr: debug, info, warn or error"},
		},
		Commands:              commands(s),
		ExitErrHandler:        func(*cli.Context, error) {}, // run maps errors to exit codes
		CustomAppHelpTemplate: cli.AppHelpTemplate + exitCodesHelp,
	}
}

// newLogger returns the logger for a command, writing text to stderr.
func newLogger(c *cli.Context, s streams) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
}
