package compat

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/verify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./compat -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

func pa(topic string, p int32, replicas ...int32) cluster.PartitionAssignment {
	return cluster.PartitionAssignment{Topic: topic, Partition: p, Replicas: replicas}
}

func asg(ps ...cluster.PartitionAssignment) cluster.Assignment {
	return cluster.Assignment{Version: 1, Partitions: ps}
}

func tp(topic string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: topic, Partition: p}
}

// The same scenario as testdata/kafka-0.9 (captured from Kafka 0.9.0.1's own
// tool), so the legacy goldens can be compared with it line by line.
var (
	current09 = asg(pa("orders", 1, 1, 2), pa("orders", 2, 2, 3), pa("events", 1, 1), pa("orders", 0, 3, 1), pa("events", 0, 3))
	proposed  = asg(pa("orders", 1, 2, 3), pa("orders", 2, 3, 1), pa("orders", 0, 1, 2))
)

// kafkaStatuses is what the front end gives the printer (cmd/fdud's
// kafkaStatuses, repeated here to keep this package free of stages).
func kafkaStatuses(ss []verify.PartitionStatus) []PartitionStatus {
	out := make([]PartitionStatus, len(ss))
	for i, s := range ss {
		out[i] = PartitionStatus{TP: s.TP, Complete: s.Status == verify.Complete, Mismatch: s.Status == verify.NotAsPlanned && !s.Missing,
			Current: s.Current, Planned: s.Planned, Line: verify.StatusLine(s), LegacyLine: verify.LegacyStatusLine(s)}
	}
	return out
}

func statuses() []verify.PartitionStatus {
	return []verify.PartitionStatus{
		{TP: tp("events", 0), Status: verify.Complete, Planned: []int32{3}, Current: []int32{3}, Leader: 3},
		{TP: tp("orders", 0), Status: verify.Complete, Planned: []int32{1, 2}, Current: []int32{1, 2}, Leader: 1},
		{TP: tp("orders", 1), Status: verify.NotAsPlanned, Planned: []int32{2, 3}, Current: []int32{1, 2}, Leader: 1},
		{TP: tp("orders", 2), Status: verify.InProgress, Planned: []int32{3, 1}, Current: []int32{2, 3}, Target: []int32{3, 1}, Leader: 2},
	}
}

func TestStatusHeadingIsVerifys(t *testing.T) {
	if statusHeading != verify.StatusHeading {
		t.Errorf("heading %q, verify prints %q", statusHeading, verify.StatusHeading)
	}
}

func TestPrinterGolden(t *testing.T) {
	for _, style := range []Style{Modern, Legacy} {
		run := func(name string, f func(p Printer)) {
			t.Run(string(style)+"/"+name, func(t *testing.T) {
				var buf bytes.Buffer
				f(Printer{W: &buf, Style: style})
				golden(t, string(style)+"-"+name+".txt", buf.String())
			})
		}
		run("generate", func(p Printer) { p.Generate(current09, proposed) })
		run("execute", func(p Printer) {
			p.ExecuteCurrent(asg(current09.Partitions[0], current09.Partitions[1], current09.Partitions[3]))
			p.Started(proposed)
		})
		run("execute-throttled", func(p Printer) {
			p.ExecuteCurrent(asg(current09.Partitions[0]))
			p.ThrottleSet(50000000, 1000)
			p.Started(asg(proposed.Partitions[0]))
		})
		run("existing", func(p Printer) { p.Existing() })
		run("verify", func(p Printer) {
			p.VerifyStatus(kafkaStatuses(statuses()))
			p.ThrottlesCleared([]int32{1, 2, 3}, []string{"orders"})
		})
		run("verify-one-throttle", func(p Printer) {
			p.VerifyStatus(kafkaStatuses(statuses()[:1]))
			p.ThrottlesCleared([]int32{3}, []string{"events"})
		})
		run("cancel", func(p Printer) {
			p.Cancelled([]cluster.TopicPartition{tp("orders", 2), tp("orders", 0)})
			p.ThrottlesCleared([]int32{1, 2}, []string{"orders"})
		})
		run("cancel-none", func(p Printer) { p.Cancelled(nil) })
		run("list", func(p Printer) {
			p.List([]InFlight{
				{TP: tp("orders", 2), Replicas: []int32{3, 1, 2}, Adding: []int32{1}, Removing: []int32{2}},
				{TP: tp("events", 0), Replicas: []int32{2, 3}},
			})
		})
		run("list-empty", func(p Printer) { p.List(nil) })
	}
}

// Kafka 3.7's tool prints what 2.5+'s does, but for the completed status
// line.
func TestKafka37Style(t *testing.T) {
	print := func(style Style) string {
		var buf bytes.Buffer
		p := Printer{W: &buf, Style: style}
		p.Generate(current09, proposed)
		p.ThrottleSet(50000000, 1000)
		p.Started(proposed)
		p.VerifyStatus(kafkaStatuses(statuses()))
		p.ThrottlesCleared([]int32{1, 2, 3}, []string{"orders"})
		p.Cancelled([]cluster.TopicPartition{tp("orders", 2)})
		return buf.String()
	}
	modern, kafka37 := print(Modern), print(Kafka37)
	want := strings.ReplaceAll(modern, " is complete.\n", " is completed.\n")
	if want == modern {
		t.Fatal("the modern text has no completed partition to compare")
	}
	if kafka37 != want {
		t.Errorf("3.7 text:\n%s\nwant:\n%s", kafka37, want)
	}
	if !strings.Contains(kafka37, "Reassignment of partition events-0 is completed.\n") {
		t.Errorf("no 3.7 completed line in:\n%s", kafka37)
	}
}

// TestLegacyMatchesKafka09 checks the legacy text against what Kafka 0.9.0.1's
// tool printed for the same cluster. Kafka 0.9 lists partitions in hash
// order; fdud sorts them, so lines are compared after sorting the JSON.
func TestLegacyMatchesKafka09(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "kafka-0.9", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	normalise := func(t *testing.T, text string) string {
		var out []string
		for _, l := range strings.Split(text, "\n") {
			if i := strings.Index(l, "{"); i >= 0 {
				a, err := cluster.ParseAssignment([]byte(l[i:]))
				if err != nil {
					t.Fatalf("line %q: %v", l, err)
				}
				a.Sort()
				var buf bytes.Buffer
				cluster.WriteAssignment(&buf, a)
				l = l[:i] + strings.TrimSpace(buf.String())
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	t.Run("generate", func(t *testing.T) {
		kafkaOut := read("gen.out")
		full := asg(pa("orders", 1, 2, 3), pa("orders", 2, 3, 1), pa("orders", 0, 1, 2), pa("events", 1, 1), pa("events", 0, 3))
		var buf bytes.Buffer
		Printer{W: &buf, Style: Legacy}.Generate(current09, full)
		if got, want := normalise(t, buf.String()), normalise(t, kafkaOut); got != want {
			t.Errorf("got:\n%s\nKafka 0.9 printed:\n%s", got, want)
		}
	})
	t.Run("execute", func(t *testing.T) {
		kafkaOut := read("exec.out")
		plan := asg(pa("orders", 1, 2, 3), pa("orders", 2, 3, 1), pa("orders", 0, 1, 2), pa("events", 1, 1), pa("events", 0, 3))
		var buf bytes.Buffer
		p := Printer{W: &buf, Style: Legacy}
		p.ExecuteCurrent(current09)
		p.Started(plan)
		if got, want := normalise(t, buf.String()), normalise(t, kafkaOut); got != want {
			t.Errorf("got:\n%s\nKafka 0.9 printed:\n%s", got, want)
		}
	})
	t.Run("verify", func(t *testing.T) {
		kafkaOut := read("ver.out")
		ss := []verify.PartitionStatus{
			{TP: tp("events", 0), Status: verify.Complete, Planned: []int32{3}, Current: []int32{3}},
			{TP: tp("events", 1), Status: verify.Complete, Planned: []int32{1}, Current: []int32{1}},
			{TP: tp("orders", 0), Status: verify.Complete, Planned: []int32{1, 2}, Current: []int32{1, 2}},
			{TP: tp("orders", 1), Status: verify.Complete, Planned: []int32{2, 3}, Current: []int32{2, 3}},
			{TP: tp("orders", 2), Status: verify.InProgress, Planned: []int32{3, 1}, Current: []int32{2, 3}},
		}
		var buf bytes.Buffer
		Printer{W: &buf, Style: Legacy}.VerifyStatus(kafkaStatuses(ss))
		sortLines := func(s string) string {
			ls := strings.Split(strings.TrimSpace(s), "\n")
			slices.Sort(ls[1:])
			return strings.Join(ls, "\n")
		}
		if got, want := sortLines(buf.String()), sortLines(kafkaOut); got != want {
			t.Errorf("got:\n%s\nKafka 0.9 printed:\n%s", got, want)
		}
	})
}

// Issue 9: only the throttles set are printed; a --throttle on a plan that
// adds no replica sets none, and stdout must not say one was set.
func TestThrottleSetPrintsOnlyThrottlesSet(t *testing.T) {
	for _, tc := range []struct {
		interBroker, logDirs int64
		style                Style
		want                 []string
	}{
		{0, 0, Modern, nil},
		{0, 0, Legacy, nil},
		{0, 1000, Modern, []string{verifyWarning, "The replica-alter-dir throttle limit was set to 1000 B/s"}},
		{0, 1000, Legacy, []string{legacyVerifyWarning}},
		{5000, 0, Modern, []string{verifyWarning, "The inter-broker throttle limit was set to 5000 B/s"}},
		{5000, 0, Legacy, []string{legacyVerifyWarning, "The throttle limit was set to 5000 B/s"}},
	} {
		var buf bytes.Buffer
		Printer{W: &buf, Style: tc.style}.ThrottleSet(tc.interBroker, tc.logDirs)
		var got []string
		if s := strings.TrimSuffix(buf.String(), "\n"); s != "" {
			got = strings.Split(s, "\n")
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s ThrottleSet(%d, %d) printed %q, want %q", tc.style, tc.interBroker, tc.logDirs, got, tc.want)
		}
	}
}
