package main

import (
	"regexp"
	"strings"
	"testing"
)

// Issue 9, the command line: a mistake on the command line exits 2 (never
// 3, which cron reads as "still in progress") with one short message that
// names the flag and points at --help, not 40-90 lines of help; Go's
// internals never show.
func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown command", nil, []string{"bogus"}, `fdud: unknown command "bogus" (commands: domains, generate, execute, verify, compat, lock, unlock, completion, version) (see 'fdud --help')`},
		{"help on an unknown command", nil, []string{"help", "bogus"}, `fdud: unknown command "bogus" (see 'fdud --help')`},
		{"unknown flag", nil, []string{"generate", "--bogus"}, "fdud generate: unknown flag --bogus (see 'fdud generate --help')"},
		{"unknown global flag", nil, []string{"--bogus", "generate"}, "fdud: unknown flag --bogus (see 'fdud --help')"},
		{"flag without its value", nil, []string{"verify", "--format"}, "fdud verify: --format needs a value (see 'fdud verify --help')"},
		{"timeout in milliseconds", nil, []string{"verify", "--wait", "--timeout", "600000"},
			`fdud verify: --timeout: "600000" is not a duration: a number with a unit, such as 90s, 30m or 2h (see 'fdud verify --help')`},
		{"execute's timeout is a duration too", nil, []string{"execute", "--timeout", "10000"}, `--timeout: "10000" is not a duration`},
		{"a rate in exponent notation", nil, []string{"execute", "--throttle", "9.99e10"}, `fdud execute: --throttle: "9.99e10" is not a rate in bytes per second above 0 (50000000, 50MB or 50MB/s; -1 or none: none)`},
		{"a throttle of 0 (Kafka would replicate nothing)", nil, []string{"execute", "--throttle", "0"}, `fdud execute: --throttle: "0" is not a rate`},
		{"a bad value from the environment", map[string]string{"FDUD_THROTTLE": "fast"}, []string{"execute"},
			`fdud execute: --throttle (from environment variable "FDUD_THROTTLE"): "fast" is not a rate in bytes per second above 0 (50000000, 50MB or 50MB/s; -1 or none: none) (see 'fdud execute --help')`},
		{"generate's throttle is the same rate", nil, []string{"generate", "--throttle", "fast"}, `fdud generate: --throttle: "fast" is not a rate`},
		{"a number too big", nil, []string{"execute", "--max-partition-movements", "9.99e10"}, `fdud execute: --max-partition-movements: "9.99e10" is not a whole number`},
		{"a bad duration from the environment", map[string]string{"FDUD_REQUEST_TIMEOUT": "30"}, []string{"generate"},
			`--request-timeout (from environment variable "FDUD_REQUEST_TIMEOUT"): "30" is not a duration`},
		{"bad log level", nil, []string{"--log-level", "loud", "version"}, `fdud: --log-level: "loud" is not debug, info, warn or error`},
		{"bad log level after the command", nil, []string{"generate", "--log-level", "loud"}, `fdud generate: --log-level: "loud" is not debug, info, warn or error`},
		// Mistakes found after parsing (a list of the wrong form, a missing
		// or conflicting flag) name the command and point at its --help too.
		{"a list of the wrong form", nil, []string{"generate", "--broker-list", "1-x", "--domains", "d.json", "--current-assignment", "c.json"},
			`fdud generate: --broker-list: "1-x" is not a range of broker ids (want LOW-HIGH) (see 'fdud generate --help')`},
		{"a required flag missing", map[string]string{"FDUD_DOMAINS": ""}, []string{"generate", "--current-assignment", "c.json"},
			"fdud generate: --domains is required: a domains JSON file, - for stdin, or a source such as zk:HOST:PORT (see 'fdud generate --help')"},
		{"flags that exclude each other", nil, []string{"execute", "--cancel", "--list"},
			"fdud execute: --cancel and --list exclude each other (see 'fdud execute --help')"},
		{"a value out of range", nil, []string{"execute", "--max-partition-movements", "-3"},
			"fdud execute: --max-partition-movements and --max-moves-per-broker must be positive (0: no batching) (see 'fdud execute --help')"},
		{"an argument where none is taken", nil, []string{"verify", "plan.json"}, "fdud verify: verify takes no arguments"},
		{"lock without a cluster", map[string]string{"FDUD_ZOOKEEPER": "", "FDUD_BOOTSTRAP_SERVER": ""}, []string{"lock", "--", "true"}, "fdud lock: give --zookeeper HOST:PORT[/chroot] or --bootstrap-server HOST:PORT"},
	}
	goInternals := regexp.MustCompile(`strconv\.|parse error|Incorrect Usage|×10|NAME:|USAGE:`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FDUD_THROTTLE", "")
			t.Setenv("FDUD_REQUEST_TIMEOUT", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, stdout, stderr := runFdud(t, "", tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
			if n := strings.Count(stderr, "\n"); n > 1 || goInternals.MatchString(stderr) {
				t.Errorf("want one short line without Go internals or the help text, got %d lines:\n%s", n, stderr)
			}
		})
	}
}

// --help and --version are asked for: stdout, exit 0. fdud version says
// the same as fdud --version: version, commit and Go version.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"generate", "--help"}, {"help", "execute"}, {"verify", "-h"}, {"compat", "--help"}} {
		code, stdout, stderr := runFdud(t, "", args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "--bootstrap-server") {
			t.Errorf("%v: exit %d, stderr %q, stdout %.80q; want 0 and the help on stdout", args, code, stderr, stdout)
		}
	}
	code, byFlag, stderr := runFdud(t, "", "--version")
	if code != 0 || stderr != "" || !regexp.MustCompile(`^fdud version \S+ \(commit \S+, go1\.[0-9.]+\S*, \w+/\w+\)\n$`).MatchString(byFlag) {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, byFlag, stderr)
	}
	if code, byCmd, _ := runFdud(t, "", "version"); code != 0 || byCmd != byFlag {
		t.Errorf("fdud version: exit %d, %q; want %q", code, byCmd, byFlag)
	}
}

// Global flags work after the command name too: --log-level debug after
// generate turns on generate's debug lines.
func TestLogLevelAfterCommand(t *testing.T) {
	args := []string{"--domains", "../../examples/at-risk/domains.json", "--current-assignment", "../../examples/at-risk/current.json"}
	for _, tc := range []struct {
		args  []string
		debug bool
	}{
		{append([]string{"generate"}, args...), false},
		{append([]string{"--log-level", "debug", "generate"}, args...), true},
		{append(append([]string{"generate"}, args...), "--log-level", "debug"), true},
		{append(append([]string{"--log-level", "debug", "generate"}, args...), "--log-level", "warn"), false},
	} {
		code, _, stderr := runFdud(t, "", tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, stderr)
		}
		if got := strings.Contains(stderr, "level=DEBUG"); got != tc.debug {
			t.Errorf("%v: debug lines %t, want %t\n%s", tc.args, got, tc.debug, stderr)
		}
	}
}

// Help tells the truth: no default that is really "unset" shown as a number
// ("(default: 0)" for --replication-factor), and no usage line that would
// truncate the plan it reads (`< plan.json > plan.json`).
func TestHelpDefaultsAreTrue(t *testing.T) {
	misleading := regexp.MustCompile(`\(default: (0|-1|0s)\)|< *(\S+) *> *(\S+)`)
	for _, cmd := range []string{"domains", "generate", "execute", "verify", "lock", "completion", "version"} {
		code, stdout, _ := runFdud(t, "", cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "--seed ") {
				continue // seed 0 is a seed like any other
			}
			if m := misleading.FindStringSubmatch(line); m != nil && (m[2] == "" || m[2] == m[3]) {
				t.Errorf("%s --help: %q", cmd, strings.TrimSpace(line))
			}
		}
	}
}
