package main

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/compat"
)

// kafkaToolNames are the names under which fdud behaves as `fdud compat`
// (a symlink named like Kafka's tool drops fdud into existing runbooks).
var kafkaToolNames = []string{"kafka-reassign-partitions", "kafka-reassign-partitions.sh"}

// compatArgs rewrites the command line of a binary invoked under one of
// kafkaToolNames into `fdud compat ...`; other command lines are unchanged.
func compatArgs(args []string) []string {
	if len(args) == 0 || !slices.Contains(kafkaToolNames, filepath.Base(args[0])) {
		return args
	}
	return append([]string{args[0], "compat"}, args[1:]...)
}

func newCompatCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:  "compat",
		Usage: "kafka-reassign-partitions.sh's command line, carried out by fdud (also: invoke fdud as kafka-reassign-partitions)",
		UsageText: `fdud compat --bootstrap-server HOST:9092 --generate --topics-to-move-json-file topics.json --broker-list 1,2,3 [--domains SPEC]
   fdud compat --bootstrap-server HOST:9092 --execute --reassignment-json-file plan.json [--throttle B/s]
   fdud compat --bootstrap-server HOST:9092 --verify --reassignment-json-file plan.json [--wait]
   ln -s "$(command -v fdud)" /usr/local/bin/kafka-reassign-partitions.sh   # then use Kafka's command line as is`,
		Description: compat.Usage(),
		// Kafka's own option syntax (jopt-simple) is parsed by package compat;
		// the stages run through the wiring of fdud's own commands (compat_run.go).
		SkipFlagParsing: true,
		HideHelp:        true,
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			kafkaCodes := slices.Contains(args, "--kafka-exit-codes")
			o, err := compat.Parse(args, os.Getenv)
			if err != nil {
				if kafkaCodes {
					return kafkaExit(compat.Generate, err)
				}
				return err
			}
			if o.Help {
				_, err := s.out.Write([]byte(compat.Usage())) // asked for: stdout
				return err
			}
			env := compatEnv{Stdout: s.out, Stderr: s.err, Stdin: s.in, Logger: newLogger(c, s)}
			if err := env.ReadEnviron(os.Getenv); err != nil {
				if kafkaCodes {
					return kafkaExit(o.Action, err)
				}
				return err
			}
			err = runCompat(c.Context, o, env)
			if o.KafkaExitCodes {
				return kafkaExit(o.Action, err)
			}
			return err
		},
	}
}
