package main

import "github.com/urfave/cli/v2"

func newExecuteCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:   "execute",
		Usage:  "not implemented yet",
		Action: notImplemented,
	}
}
