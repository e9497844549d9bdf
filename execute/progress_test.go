package execute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// fourMoving: brokers 1-6, topic t with t-0..t-3 on [1,2], playing what o
// chooses; the plan moves all four to [3,4], two at a time, with a clock
// that ticks a second at every reading.
func fourMoving(t *testing.T, o kafka.FakeOptions) (*kafka.Fake, Input) {
	t.Helper()
	var bs []cluster.Broker
	for id := range int32(6) {
		bs = append(bs, cluster.Broker{ID: id + 1, Host: "127.0.0.1", Port: 9092})
	}
	f := kafka.NewFakeWith(o, "c1", bs...)
	if err := f.CreateTopic(context.Background(), "t", [][]int32{{1, 2}, {1, 2}, {1, 2}, {1, 2}}, nil); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for p := range 4 {
		parts = append(parts, fmt.Sprintf(`{"topic":"t","partition":%d,"replicas":[3,4]}`, p))
	}
	plan, err := ParsePlan([]byte(`{"version":1,"partitions":[` + strings.Join(parts, ",") + "]}"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opts := Options{StateDir: filepath.Join(dir, "state"), RollbackFile: filepath.Join(dir, "rollback.json"),
		PollInterval: time.Millisecond, MaxPartitionMovements: 2,
		Now: func() time.Time { now = now.Add(time.Second); return now }}
	return f, Input{Plan: plan, Options: opts}
}

// copying makes t-0..t-(n-1) 1000 bytes large, copied 250 bytes per
// State read: a reassignment completes on the fourth read after it
// started.
func copying(f *kafka.Fake, n int) {
	for p := range n {
		f.SetSize(cluster.TopicPartition{Topic: "t", Partition: int32(p)}, 1000)
	}
	f.CopyPerRead(250)
}

// TestBatchProgressInBytes: while batching, the progress lines say how
// much of the new replicas is copied (from the brokers' replica sizes),
// the rate and the time left; partitions done count in full.
func TestBatchProgressInBytes(t *testing.T) {
	f, in := fourMoving(t, kafka.FakeOptions{})
	copying(f, 4)
	var errw bytes.Buffer
	if _, err := Run(context.Background(), in, Deps{Cluster: f, Stderr: &errw}); err != nil {
		t.Fatal(err)
	}
	t.Logf("stderr:\n%s", errw.String())
	progress := progressLines(errw.String())
	want := []string{
		"Progress: 0 of 4 done, 2 in flight, 2 waiting; 1000 B of 7.8 KiB copied (12%).",
		"Progress: 0 of 4 done, 2 in flight, 2 waiting; 2.0 KiB of 7.8 KiB copied (25%), 1000 B/s, ETA 6s.",
		"Progress: 0 of 4 done, 2 in flight, 2 waiting; 2.9 KiB of 7.8 KiB copied (37%), 1000 B/s, ETA 5s.",
		"Progress: 2 of 4 done, 0 in flight, 2 waiting; 3.9 KiB of 7.8 KiB copied (50%), 1000 B/s, ETA 4s.",
	}
	if len(progress) != len(want) {
		t.Fatalf("progress lines:\n%s", strings.Join(progress, "\n"))
	}
	for i, w := range want {
		if progress[i] != w {
			t.Errorf("line %d: %q, want %q", i+1, progress[i], w)
		}
	}
	// Each read asks for the plan's partitions alone (sorted: the batch
	// order's read, then one per poll), never for every partition.
	var planned []cluster.TopicPartition
	for _, p := range in.Plan.Assignment.Partitions {
		planned = append(planned, p.TP())
	}
	for i, c := range f.Calls("ReplicaSizes") {
		if !slices.Equal(slices.SortedFunc(slices.Values(c.TPs), cluster.TopicPartition.Compare), planned) {
			t.Errorf("read %d asked for %v, want %v", i+1, c.TPs, planned)
		}
	}
}

// TestBatchProgressInMessages: where sizes cannot be read (the ZooKeeper
// path without --bootstrap-server, Kafka 0.9), the progress lines count
// the messages copied, from the replicas' offsets.
func TestBatchProgressInMessages(t *testing.T) {
	f, in := fourMoving(t, kafka.FakeOptions{ZooKeeper: true})
	copying(f, 4) // 1000 bytes: 10 messages of kafka.FakeMessageBytes
	var errw bytes.Buffer
	if _, err := Run(context.Background(), in, Deps{Cluster: f, Stderr: &errw}); err != nil {
		t.Fatal(err)
	}
	var progress []string
	for _, l := range strings.Split(errw.String(), "\n") {
		if strings.HasPrefix(l, "Progress: ") {
			progress = append(progress, l)
		}
	}
	want := []string{
		// Four adding replicas at 2, 5, 7 messages (250 bytes a read), then
		// the first batch done in full.
		"Progress: 0 of 4 done, 2 in flight, 2 waiting; 8 of 80 messages copied (10%).",
		"Progress: 0 of 4 done, 2 in flight, 2 waiting; 20 of 80 messages copied (25%), 12 messages/s, ETA 5s.",
		"Progress: 0 of 4 done, 2 in flight, 2 waiting; 28 of 80 messages copied (35%), 10 messages/s, ETA 5s.",
		"Progress: 2 of 4 done, 0 in flight, 2 waiting; 40 of 80 messages copied (50%), 11 messages/s, ETA 4s.",
	}
	if !slices.Equal(progress, want) {
		t.Errorf("progress lines:\n%s\nwant:\n%s", strings.Join(progress, "\n"), strings.Join(want, "\n"))
	}
}

// TestBatchProgressWithoutSizes: a path that reads neither sizes nor
// offsets (brokers unreachable) keeps the partition counts, and says so
// once, at debug level.
func TestBatchProgressWithoutSizes(t *testing.T) {
	f, in := fourMoving(t, kafka.FakeOptions{ZooKeeper: true})
	f.Fail("ReplicaOffsets", errors.New("brokers unreachable"))
	// Every batch is done by the next read.
	f.BeforeState(func(int) error { f.Complete(); return nil })
	var errw, logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := Run(context.Background(), in, Deps{Cluster: f, Stderr: &errw, Logger: log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errw.String(), "\nProgress: 2 of 4 done, 0 in flight, 2 waiting.\n") || strings.Contains(errw.String(), "copied") {
		t.Errorf("stderr:\n%s", errw.String())
	}
	if n := strings.Count(logs.String(), "progress counts partitions only"); n != 1 {
		t.Errorf("said %d times that there are no sizes:\n%s", n, logs.String())
	}
}

// drawn records a Progress display, and marks where it finished in the
// messages (out).
type drawn struct {
	draws    []string
	finished int
	out      *bytes.Buffer
}

func (d *drawn) Draw(fraction float64, text string) {
	d.draws = append(d.draws, fmt.Sprintf("%.2f %s", fraction, text))
}
func (d *drawn) Finish() { d.finished++; d.out.WriteString("[bar finished]\n") }

// TestBatchProgressDisplay: with a Progress display (a bar on a terminal)
// the progress goes there, filled by bytes, instead of into lines. Once the
// last batch is submitted it is drawn with the counts after it and
// finished before the closing line, which so comes last (it used to stay
// below that line with the counts before the last batch).
func TestBatchProgressDisplay(t *testing.T) {
	f, in := fourMoving(t, kafka.FakeOptions{})
	copying(f, 4)
	var errw bytes.Buffer
	d := &drawn{out: &errw}
	if _, err := Run(context.Background(), in, Deps{Cluster: f, Stderr: &errw, Progress: d}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errw.String(), "Progress: ") {
		t.Errorf("progress lines beside the display:\n%s", errw.String())
	}
	// The last draw is after the last batch went in: the bar stays on
	// screen, so it shows nothing waiting (issue 9: it kept the last
	// poll's "2 waiting" under "All 4 partitions submitted").
	if len(d.draws) != 5 || d.draws[0] != "0.12 1000 B of 7.8 KiB copied (12%); 0 of 4 done, 2 in flight, 2 waiting" ||
		d.draws[4] != "0.50 3.9 KiB of 7.8 KiB copied (50%), 1000 B/s, ETA 4s; 2 of 4 done, 2 in flight, 0 waiting" {
		t.Errorf("draws:\n%s", strings.Join(d.draws, "\n"))
	}
	if d.finished != 1 || !strings.Contains(errw.String(), "[bar finished]\nAll 4 partitions submitted (2 done, 2 in flight).") {
		t.Errorf("finished %d times, want once before the closing line:\n%s", d.finished, errw.String())
	}
}

// TestBatchProgressCountsLogDirMoves: the bytes include the log-dir moves
// of the replicas a partition keeps (the Fake's mover copies them as the
// brokers copy new replicas), not only the new replicas: t-0 and t-1 each
// gain a replica on 3 and move their replica on 1 into /b, one at a time.
func TestBatchProgressCountsLogDirMoves(t *testing.T) {
	var bs []cluster.Broker
	for id := range int32(3) {
		bs = append(bs, cluster.Broker{ID: id + 1, Host: "127.0.0.1", Port: 9092})
	}
	f := kafka.NewFakeWith(kafka.FakeOptions{LogDirs: []string{"/a", "/b"}}, "c1", bs...)
	if err := f.CreateTopic(context.Background(), "t", [][]int32{{1, 2}, {1, 2}}, nil); err != nil {
		t.Fatal(err)
	}
	copying(f, 2)
	plan, err := ParsePlan([]byte(`{"version":1,"partitions":[` +
		`{"topic":"t","partition":0,"replicas":[1,3],"log_dirs":["/b","any"]},` +
		`{"topic":"t","partition":1,"replicas":[1,3],"log_dirs":["/b","any"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opts := Options{StateDir: filepath.Join(dir, "state"), RollbackFile: filepath.Join(dir, "rollback.json"),
		PollInterval: time.Millisecond, MaxPartitionMovements: 1,
		Now: func() time.Time { now = now.Add(time.Second); return now }}
	var errw bytes.Buffer
	if _, err := Run(context.Background(), Input{Plan: plan, Options: opts}, Deps{Cluster: f, Stderr: &errw}); err != nil {
		t.Fatal(err)
	}
	t.Logf("stderr:\n%s", errw.String())
	progress := progressLines(errw.String())
	// 1000 B per partition to its new replica on 3, 1000 B into /b on 1;
	// 250 B of each per poll.
	want := []string{
		"Progress: 0 of 2 done, 1 in flight, 1 waiting; 500 B of 3.9 KiB copied (12%).",
		"Progress: 0 of 2 done, 1 in flight, 1 waiting; 1000 B of 3.9 KiB copied (25%), 500 B/s, ETA 6s.",
		"Progress: 0 of 2 done, 1 in flight, 1 waiting; 1.5 KiB of 3.9 KiB copied (37%), 500 B/s, ETA 5s.",
		"Progress: 1 of 2 done, 0 in flight, 1 waiting; 2.0 KiB of 3.9 KiB copied (50%), 500 B/s, ETA 4s.",
	}
	if !slices.Equal(progress, want) {
		t.Errorf("progress lines:\n%s\nwant:\n%s", strings.Join(progress, "\n"), strings.Join(want, "\n"))
	}
}

// progressLines are the "Progress: " lines of what a run wrote on stderr.
func progressLines(stderr string) []string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "Progress: ") {
			lines = append(lines, l)
		}
	}
	return lines
}
