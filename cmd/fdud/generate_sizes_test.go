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
