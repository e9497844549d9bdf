package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// version and commit are set at build time with
// -ldflags "-X main.version=v1.2.3 -X main.commit=$(git rev-parse --short HEAD)";
// else they come from the build info (module version, VCS stamp) if any.
var version, commit = "", ""

// versionString is what fdud --version and fdud version print after
// "fdud version ": the release, the commit and the Go version.
func versionString() string {
	v, rev, dirty := version, commit, false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	switch {
	case rev == "":
		rev = "unknown"
	case len(rev) > 12:
		rev = rev[:12]
	}
	if dirty {
		rev += "+modified"
	}
	return fmt.Sprintf("%s (commit %s, %s, %s/%s)", v, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print fdud's version, commit and Go version (also: fdud --version)",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return &usageError{cmd: commandPath(c), msg: fmt.Sprintf("unexpected argument %q", c.Args().First())}
			}
			_, err := fmt.Fprintf(s.out, "fdud version %s\n", versionString())
			return err
		},
	}
}
