package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// Issue 9: typed at a terminal, every input that reads stdin says what it
// expected and the flag that takes a file, and exits 2, at once, instead of
// waiting silently for input nobody is going to type. Stdin is a real
// pseudo-terminal; no cluster is contacted (127.0.0.1:1 refuses).
func TestStdinReadersRefuseATerminal(t *testing.T) {
	const (
		domains = "../../examples/at-risk/domains.json"
		current = "../../examples/at-risk/current.json"
	)
	noCluster := []string{"--bootstrap-server", "127.0.0.1:1", "--request-timeout", "2s"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--domains", domains, "--current-assignment", "-"},
			"no current assignment: pipe it on stdin or pass --current-assignment FILE"},
		{[]string{"generate", "--domains", "-", "--current-assignment", current},
			"no domains: pipe it on stdin or pass --domains FILE"},
		{[]string{"generate", "--domains", domains, "--current-assignment", current, "--topics-to-move-json-file", "-"},
			"no topics to move: pipe it on stdin or pass --topics-to-move-json-file FILE"},
		{[]string{"generate", "--domains", domains, "--current-assignment", current, "--log-dirs", "-"},
			"no log dirs: pipe it on stdin or pass --log-dirs FILE"},
		{[]string{"domains", "--source", "-"}, "no domains: pipe it on stdin or pass --source FILE"},
		{append([]string{"execute"}, noCluster...), "no plan: pipe it on stdin or pass --reassignment-json-file"},
		{append([]string{"execute", "--reassignment-json-file", "-"}, noCluster...),
			"no plan: pipe it on stdin or pass --reassignment-json-file"},
		{append([]string{"verify"}, noCluster...), "no plan: pipe it on stdin or pass --reassignment-json-file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			tty := openTerminal(t)
			type outcome struct {
				code   int
				stderr string
			}
			done := make(chan outcome, 1)
			go func() {
				var out, errw bytes.Buffer
				code := run(context.Background(), append([]string{"fdud"}, tc.args...), tty, &out, &errw)
				done <- outcome{code, errw.String()}
			}()
			select {
			case o := <-done:
				if o.code != exitBadInput || !strings.Contains(o.stderr, tc.want) {
					t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", o.code, o.stderr, exitBadInput, tc.want)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("still waiting on the terminal after 20s; want exit %d and %q", exitBadInput, tc.want)
			}
		})
	}
}
