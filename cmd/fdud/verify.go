package main

import "github.com/urfave/cli/v2"

func newVerifyCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:   "verify",
		Usage:  "not implemented yet",
		Action: notImplemented,
	}
}
