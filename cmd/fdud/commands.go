package main

import "github.com/urfave/cli/v2"

// commands lists fdud's commands; each is built in its own file.
func commands(s streams) []*cli.Command {
	return []*cli.Command{
		newDomainsCommand(s),
		newGenerateCommand(s),
		newExecuteCommand(s),
		newVerifyCommand(s),
		newCompatCommand(s),
		newLockCommand(s),
		newUnlockCommand(s),
		newCompletionCommand(s),
		newVersionCommand(s),
	}
}
