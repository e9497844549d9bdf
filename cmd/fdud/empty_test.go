package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/schemas"
)

// Issue 9, semantics 1: on a cluster that is already spread, generate
// writes an empty plan; execute and verify must take it as success (exit 0,
// one line), not as bad input (verify exited 2 with "the plan has no
// partitions"). No cluster is contacted: 127.0.0.1:1 refuses connections.
func TestEmptyPlanFlowsThroughEveryStage(t *testing.T) {
	code, plan, stderr := runFdud(t, "", "generate",
		"--domains", "../../examples/at-risk/domains.json", "--current-assignment", "../../examples/at-risk/current.json")
	if code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	// The repaired cluster: planning it again has nothing to do.
	code, plan, stderr = runFdud(t, plan, "generate",
		"--domains", "../../examples/at-risk/domains.json", "--current-assignment", "-")
	if code != 0 || strings.TrimSpace(plan) != `{"version":1,"partitions":[]}` {
		t.Fatalf("generate of a spread cluster: exit %d, plan %q\n%s", code, plan, stderr)
	}
	if !strings.HasSuffix(stderr, "fdud generate: nothing to do: every partition in scope meets the rules; the plan is empty.\n") {
		t.Errorf("generate's summary does not end saying there is nothing to do:\n%s", stderr)
	}

	oneLine := func(t *testing.T, stage, stderr, want string) {
		t.Helper()
		if lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n"); len(lines) != 1 || !strings.Contains(lines[0], want) {
			t.Errorf("%s: stderr is not one line saying %q:\n%s", stage, want, stderr)
		}
	}
	cluster := []string{"--bootstrap-server", "127.0.0.1:1", "--request-timeout", "2s"}

	code, out, stderr := runFdud(t, plan, append([]string{"execute", "--throttle", "1000"}, cluster...)...)
	if code != 0 {
		t.Errorf("execute: exit %d, want 0\n%s", code, stderr)
	}
	if out != plan {
		t.Errorf("execute passes on %q, want the plan %q", out, plan)
	}
	oneLine(t, "execute", stderr, "nothing to do")

	code, _, stderr = runFdud(t, plan, append([]string{"execute", "--cancel"}, cluster...)...)
	if code != 0 {
		t.Errorf("execute --cancel: exit %d, want 0\n%s", code, stderr)
	}
	oneLine(t, "execute --cancel", stderr, "nothing to cancel")

	for _, args := range [][]string{nil, {"--wait", "--timeout", "1m"}, {"--domains", "../../examples/at-risk/domains.json"}} {
		code, out, stderr = runFdud(t, plan, append(append([]string{"verify"}, cluster...), args...)...)
		if code != 0 || out != "" {
			t.Errorf("verify %v: exit %d, stdout %q; want 0 and nothing\n%s", args, code, out, stderr)
		}
		oneLine(t, "verify", stderr, "nothing to verify")
	}

	prom := filepath.Join(t.TempDir(), "fdud.prom")
	code, _, stderr = runFdud(t, plan, append([]string{"verify", "--prometheus", prom}, cluster...)...)
	metrics, err := os.ReadFile(prom)
	if code != 0 || err != nil || !strings.Contains(string(metrics), "fdud_verify_complete 1\n") ||
		!strings.Contains(string(metrics), "fdud_verify_last_run_timestamp_seconds ") {
		t.Errorf("verify --prometheus: exit %d, %v; metrics:\n%s\n%s", code, err, metrics, stderr)
	}

	code, out, stderr = runFdud(t, plan, append([]string{"verify", "--format", "json"}, cluster...)...)
	if code != 0 {
		t.Errorf("verify --format json: exit %d, want 0\n%s", code, stderr)
	}
	if err := schemas.Validate(schemas.VerifyReport, []byte(out)); err != nil {
		t.Errorf("verify --format json: the report does not match its schema: %v\n%s", err, out)
	}
}
