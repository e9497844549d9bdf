package main

import "github.com/urfave/cli/v2"

func newDomainsCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:   "domains",
		Usage:  "not implemented yet",
		Action: notImplemented,
	}
}
