package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/schemas"
)

func runFdud(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errw bytes.Buffer
	code = run(ctx, append([]string{"fdud"}, args...), strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

const onePartition = `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2]}]}`

// Bad input exits 2 before any cluster is contacted (127.0.0.1:1 refuses).
func TestVerifyCommandBadInput(t *testing.T) {
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"empty stdin", "", nil, "no plan"},
		{"malformed plan", "{", nil, "reassignment document does not match its schema"},
		{"plan file missing", "", []string{"--reassignment-json-file", "/nonexistent/plan.json"}, "no such file"},
		{"bad format", onePartition, []string{"--format", "yaml"}, "--format must be text or json"},
		{"timeout without wait", onePartition, []string{"--timeout", "1m"}, "--timeout only applies with --wait"},
		{"two documents on stdin", onePartition, []string{"--domains", "-"}, "cannot both come from stdin"},
		// Domains are resolved once connected; bad flags beside them are
		// refused before.
		{"bad format with domains", onePartition, []string{"--domains", "zk:127.0.0.1:1", "--format", "yaml"}, "--format must be text or json"},
		{"stray argument", onePartition, []string{"plan.json"}, "verify takes no arguments"},
		{"unknown flag", onePartition, []string{"--throttle", "5"}, "fdud verify: unknown flag --throttle (see 'fdud verify --help')"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--bootstrap-server", "127.0.0.1:1"}, tc.args...)
			code, stdout, stderr := runFdud(t, tc.stdin, args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d\n%s", code, exitBadInput, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
		})
	}
}

func TestVerifyCommandUnreachable(t *testing.T) {
	code, _, stderr := runFdud(t, onePartition, "verify", "--bootstrap-server", "127.0.0.1:1", "--request-timeout", "2s")
	if code != exitError {
		t.Errorf("exit %d, want %d\n%s", code, exitError, stderr)
	}
}

func TestVerifyCommandHelp(t *testing.T) {
	code, stderr, stdout := runFdud(t, "", "verify", "--help") // help is on stdout
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stderr %q", code, stdout)
	}
	for _, s := range []string{"EXIT STATUS (verify)", "3  still in progress", "4  complete, but partitions violate",
		"--prometheus FILE", "FDUD_PROMETHEUS", "--elect-leaders", "EXAMPLES:", "Status of partition reassignment:",
		"another fdud run holds the cluster lock, so the", "still holds the cluster lock: throttles", "--preserve-throttles leaves the"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("help lacks %q", s)
		}
	}
}

// The command against a real cluster through the ZooKeeper path: exit codes
// for complete and not-as-planned plans, the JSON report on stdout, the
// metrics file from the environment, and the removal of the plan's throttle
// record from ZooKeeper.
func TestVerifyCommandRealKafka(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 3})
	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1, 2}, {2, 3}})
	dir := t.TempDir()
	domains := filepath.Join(dir, "domains.json")
	if err := os.WriteFile(domains, []byte(`{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":0},`+
		`{"id":2,"fault_domain":1,"update_domain":1},{"id":3,"fault_domain":2,"update_domain":2}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2]},{"topic":"orders","partition":1,"replicas":[2,3]}]}`

	// A throttle record for this plan, where execute leaves it when it has
	// ZooKeeper. (It names no configs: Kafka 0.9 predates throttles.)
	plan, err := cluster.ParseAssignment([]byte(complete))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state") // not used: ZooKeeper holds the records
	store, err := throttle.OpenStore(context.Background(), throttle.StoreOptions{ZooKeeper: k.ZK(t)})
	if err != nil {
		t.Fatal(err)
	}
	id := throttle.PlanID(plan)
	if err := store.Save(context.Background(), &throttle.Record{Version: 1, PlanID: id, Updated: time.Now()}); err != nil {
		t.Fatal(err)
	}

	prom := filepath.Join(dir, "fdud.prom")
	t.Setenv("FDUD_PROMETHEUS", prom)
	code, stdout, stderr := runFdud(t, complete, "verify", "--zookeeper", k.ZooKeeperConnect,
		"--domains", domains, "--format", "json", "--state-dir", state)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s", code, stderr)
	}
	if err := schemas.Validate(schemas.VerifyReport, []byte(stdout)); err != nil {
		t.Errorf("report: %v\n%s", err, stdout)
	}
	for _, s := range []string{"Reassignment of partition orders-0 is complete.", "Throttles: removed"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	if rec, err := store.Load(context.Background(), id); err != nil || rec != nil {
		t.Errorf("throttle record still there (%v, %v)", rec, err)
	}
	metrics, err := os.ReadFile(prom)
	if err != nil || !strings.Contains(string(metrics), "fdud_verify_complete 1\n") {
		t.Errorf("metrics (%v):\n%s", err, metrics)
	}

	elsewhere := `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1]}]}`
	code, stdout, stderr = runFdud(t, elsewhere, "verify", "--zookeeper", k.ZooKeeperConnect, "--legacy-status-lines")
	if code != exitError || stdout != "" {
		t.Errorf("not as planned: exit %d (want %d), stdout %q\n%s", code, exitError, stdout, stderr)
	}
	if !strings.Contains(stderr, "Reassignment of partition [orders,0] failed") {
		t.Errorf("stderr lacks Kafka 0.9's failed line:\n%s", stderr)
	}

	// Spread at risk: both replicas of risky-0 in FD0 (brokers 1 and 3).
	k.CreateTopicWithAssignment(t, "risky", [][]int32{{1, 3}})
	if err := os.WriteFile(domains, []byte(`{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":0},`+
		`{"id":2,"fault_domain":1,"update_domain":1},{"id":3,"fault_domain":0,"update_domain":2}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runFdud(t, "", "verify", "--zookeeper", k.ZooKeeperConnect, "--domains", domains, "--all")
	if code != exitAtRisk {
		t.Errorf("at risk: exit %d, want %d\n%s", code, exitAtRisk, stderr)
	}
	if !strings.Contains(stderr, "risky-0 on 1,3: 2 replicas in FD0") {
		t.Errorf("stderr lacks the violation:\n%s", stderr)
	}
}
