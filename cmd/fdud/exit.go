package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/cluster"
)

// Exit codes. They are part of fdud's interface: cron jobs and monitoring
// branch on them. Keep exitCodesHelp and the README in step.
const (
	exitOK         = 0 // done: plan written, applied, complete and spread
	exitError      = 1 // failure talking to Kafka, ZooKeeper or Azure, or I/O
	exitBadInput   = 2 // bad flags or input document; nothing was changed
	exitInProgress = 3 // verify: reassignment still running
	exitAtRisk     = 4 // verify: complete but spread violated / at risk; generate: rules cannot be met
	exitBusy       = 5 // another fdud run holds the lock, or other reassignments are in flight
	exitChanged    = 6 // domains --publish: the stored domain changed (not a failure)
	exitCanceled   = 130
)

const exitCodesHelp = `
EXIT STATUS:
   0  success (generate: plan written, possibly empty; execute, verify: an empty plan, nothing
      to do; verify: complete and spread, structural risk alone reported but not failed)
   1  error talking to Kafka, ZooKeeper or Azure, or reading/writing files
   2  bad command line (unknown command or flag, a value of the wrong form), bad input
      document, or --command-config settings the brokers refuse; nothing was changed
   3  verify: reassignment still in progress
   4  partitions at risk: verify found what a plan could fix (spread violated, under-replicated;
      structural risk only with --fail-on-structural-risk); generate cannot meet the rules (see --force)
   5  busy: another fdud run holds the lock, or other reassignments are in flight (see --additional)
   6  domains --publish: the stored domain changed (a repair is due)
 130  interrupted
`

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var ec cli.ExitCoder
	if _, ok := asUsageError(err); ok {
		return exitBadInput
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, cluster.ErrChanged):
		return exitChanged
	case errors.Is(err, cluster.ErrBusy):
		return exitBusy
	case errors.Is(err, cluster.ErrAtRisk):
		return exitAtRisk
	case errors.Is(err, cluster.ErrInProgress):
		return exitInProgress
	case cluster.IsInvalid(err):
		return exitBadInput
	case errors.As(err, &ec):
		return ec.ExitCode()
	case isUsageError(err):
		return exitBadInput
	case errors.Is(err, context.Canceled):
		return exitCanceled
	}
	return exitError
}

// isUsageError recognises urfave/cli's complaints about the command line.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"flag provided but not defined", "Required flag", "invalid value", "flag needs an argument", "No help topic", "Invalid value"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// reportError prints err for people (outcomes that are not failures print
// nothing extra) and returns the exit code.
func reportError(w io.Writer, err error) int {
	code := exitCode(err)
	if ue, ok := asUsageError(err); ok {
		fmt.Fprintln(w, ue.Error())
		return code
	}
	if err != nil && code != exitChanged {
		msg := err.Error()
		if code == exitCanceled {
			// Go's words for a Ctrl-C or SIGTERM, at the end of the chain.
			if m, ok := strings.CutSuffix(msg, context.Canceled.Error()); ok {
				msg = m + "interrupted"
			}
		}
		if msg != "" {
			fmt.Fprintf(w, "fdud: %s\n", msg)
		}
	}
	return code
}
