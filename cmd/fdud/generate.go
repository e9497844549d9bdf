package main

import "github.com/urfave/cli/v2"

func newGenerateCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:   "generate",
		Usage:  "not implemented yet",
		Action: notImplemented,
	}
}
