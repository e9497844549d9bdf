package main

import (
	"strings"
	"testing"
)

func TestGenerateSizeFlags(t *testing.T) {
	ex := "../../examples/at-risk/"
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"bad capacity", []string{"--log-dirs", ex + "log-dirs.txt", "--broker-capacity", "lots"}, 2, `"lots" is not a size`},
		{"capacity without sizes", []string{"--broker-capacity", "2TiB"}, 2, "--broker-capacity needs replica sizes"},
		{"missing log dirs file", []string{"--log-dirs", ex + "nope.txt"}, 2, "nope.txt"},
		{"log dirs", []string{"--log-dirs", ex + "log-dirs.txt", "--broker-capacity", "1TiB,6:2TiB"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"generate", "--domains", ex + "domains.json", "--current-assignment", ex + "current.json"}, c.args...)
			code, _, stderr := runFdud(t, "", args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
		})
	}
}

func TestGenerateBalanceBy(t *testing.T) {
	ex := "../../examples/at-risk/"
	base := []string{"generate", "--domains", ex + "domains.json", "--current-assignment", ex + "current.json"}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"bytes without sizes", []string{"--balance", "--balance-by", "bytes"}, 2, "--balance-by bytes needs replica sizes"},
		{"bytes without balance", []string{"--log-dirs", ex + "log-dirs.txt", "--balance-by", "bytes"}, 2, "add --balance"},
		{"unknown", []string{"--balance", "--balance-by", "leaders"}, 2, "replicas or bytes"},
		{"replicas by default", []string{"--balance-by", "replicas"}, 0, ""},
		{"bytes", []string{"--log-dirs", ex + "log-dirs.txt", "--balance", "--balance-by", "bytes"}, 0, "bytes to move:"},
		{"table to a file", []string{"--log-dirs", ex + "log-dirs.txt", "--table-file", t.TempDir() + "/table.txt"}, 0, ""},
		{"bad format", []string{"--format", "yaml"}, 2, "summary or table"},
		{"bad usage", []string{"--max-disk-usage", "150%"}, 2, "at most 100"},
		{"bad throttle", []string{"--throttle", "fast"}, 2, "bytes per second"},
		{"throttle with a unit per second", []string{"--log-dirs", ex + "log-dirs.txt", "--throttle", "50MB/s"}, 0, "about 21m at --throttle 50000000 bytes/s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runFdud(t, "", append(base, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
		})
	}
}
