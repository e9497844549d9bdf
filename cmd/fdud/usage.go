package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/cluster"
)

// usageError is a mistake on the command line: an unknown command or flag,
// a value of the wrong form. It exits 2 (never 3, which cron reads as "still
// in progress") with one short message and a pointer to --help, not the
// whole help text.
type usageError struct {
	cmd string // "fdud generate"
	msg string
}

func (e *usageError) Error() string {
	return fmt.Sprintf("%s: %s (see '%s --help')", e.cmd, e.msg, e.cmd)
}

// commandLineError makes an input error found in a command's flags a
// usageError: the command's name, and a pointer to its --help, like every
// other mistake on the command line. Other errors pass unchanged.
func commandLineError(c *cli.Context, err error) error {
	if err == nil || !cluster.IsInvalid(err) {
		return err
	}
	return &usageError{cmd: commandPath(c), msg: err.Error()}
}

// commandPath names the command of c as typed: "fdud" or "fdud generate".
func commandPath(c *cli.Context) string {
	if c == nil || c.Command == nil || c.Command.Name == "" || c.Command.HelpName == "" {
		return "fdud"
	}
	return c.Command.HelpName
}

// What urfave/cli and Go's flag package say, and what fdud says instead.
var (
	reUndefined  = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reNeedsValue = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	reBadValue   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*): `)
	reBadEnv     = regexp.MustCompile(`^could not parse "(.*)" (?:as .* value )?from (.*?) (?:as value )?for flag ([^:]*): `)
	reNoTopic    = regexp.MustCompile(`^No help topic for '(.*)'$`)
)

// onUsageError turns urfave/cli's complaint about the command line into a
// usageError that names the flag and the form its value takes, without Go's
// internals ("strconv.ParseInt: ...").
func onUsageError(c *cli.Context, err error, _ bool) error {
	cmd := commandPath(c)
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		return &usageError{cmd: cmd, msg: "unknown flag " + dashes(m[1])}
	}
	if m := reNeedsValue.FindStringSubmatch(msg); m != nil {
		return &usageError{cmd: cmd, msg: dashes(m[1]) + " needs a value"}
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("%s: %q is not %s", dashes(m[2]), m[1], expectedForm(c, m[2]))}
	}
	if m := reBadEnv.FindStringSubmatch(msg); m != nil {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("%s (from %s): %q is not %s", dashes(m[3]), m[2], m[1], expectedForm(c, m[3]))}
	}
	return &usageError{cmd: cmd, msg: msg}
}

func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// expectedForm describes the values a flag of c takes.
func expectedForm(c *cli.Context, name string) string {
	var flags []cli.Flag
	if c != nil && c.Command != nil {
		flags = append(flags, c.Command.Flags...)
	}
	if c != nil && c.App != nil {
		flags = append(flags, c.App.Flags...)
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return formOf(f)
			}
		}
	}
	return "a valid value"
}

func formOf(f cli.Flag) string {
	switch f := f.(type) {
	case *cli.DurationFlag:
		return "a duration: a number with a unit, such as 90s, 30m or 2h"
	case *cli.IntFlag, *cli.Int64Flag:
		return "a whole number"
	case *cli.UintFlag, *cli.Uint64Flag:
		return "a whole number, 0 or more"
	case *cli.BoolFlag:
		return "true or false"
	case *cli.GenericFlag:
		if _, ok := f.Value.(*rateValue); ok {
			return "a rate in bytes per second above 0 (50000000, 50MB or 50MB/s; -1 or none: none)"
		}
	}
	return "a valid value"
}

// unknownCommand is the root's action: fdud alone shows the help; anything
// else is a command fdud does not have.
func unknownCommand(c *cli.Context) error {
	if !c.Args().Present() {
		return cli.ShowAppHelp(c)
	}
	names := make([]string, 0, len(c.App.Commands))
	for _, cmd := range c.App.Commands {
		if !cmd.Hidden && cmd.Name != "help" {
			names = append(names, cmd.Name)
		}
	}
	return &usageError{cmd: "fdud", msg: fmt.Sprintf("unknown command %q (commands: %s)", c.Args().First(), strings.Join(names, ", "))}
}

// asUsageError recognises usage errors, including urfave/cli's own ones
// that do not pass through onUsageError ("fdud help bogus").
func asUsageError(err error) (*usageError, bool) {
	var ue *usageError
	if err == nil {
		return nil, false
	}
	if errors.As(err, &ue) {
		return ue, true
	}
	if m := reNoTopic.FindStringSubmatch(err.Error()); m != nil {
		return &usageError{cmd: "fdud", msg: fmt.Sprintf("unknown command %q", m[1])}, true
	}
	return nil, false
}
