package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/internal/sizes"
	"github.com/fdud/fdud/schemas"
	"github.com/fdud/fdud/verify"
)

// tickingClock returns a clock that moves on by step at every reading.
func tickingClock(step time.Duration) func() time.Time {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { now = now.Add(step); return now }
}

// movingFake is brokers 1-4 with t-0 and t-1 on [1,2], both being
// reassigned to [3,4], playing what o chooses; the plan is that target.
func movingFake(t *testing.T, o kafka.FakeOptions) (*kafka.Fake, cluster.Assignment) {
	t.Helper()
	var bs []cluster.Broker
	for id := range int32(4) {
		bs = append(bs, cluster.Broker{ID: id + 1, Host: "127.0.0.1", Port: 9092})
	}
	f := kafka.NewFakeWith(o, "c1", bs...)
	ctx := context.Background()
	if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}, {1, 2}}, nil); err != nil {
		t.Fatal(err)
	}
	plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "t", Partition: 0, Replicas: []int32{3, 4}}, {Topic: "t", Partition: 1, Replicas: []int32{3, 4}}}}
	if err := f.Reassign(ctx, plan.Partitions); err != nil {
		t.Fatal(err)
	}
	return f, plan
}

// TestWaitShowsBytes: while verify --wait waits, the progress lines say
// how much of the new replicas is copied, from the brokers' replica sizes.
func TestWaitShowsBytes(t *testing.T) {
	f, plan := movingFake(t, kafka.FakeOptions{})
	// 1000 bytes each, 250 copied per poll: done at the fourth.
	for _, p := range plan.Partitions {
		f.SetSize(p.TP(), 1000)
	}
	f.CopyPerRead(250)
	res, got := waitLines(t, context.Background(), f, plan)
	if len(got) != 4 {
		t.Fatalf("%d progress lines, want 4", len(got))
	}
	for i, want := range []string{
		"verify: 0 of 2 partitions done, 2 moving; 1000 B of 3.9 KiB copied (25%) (2s elapsed)",
		"verify: 0 of 2 partitions done, 2 moving; 2.0 KiB of 3.9 KiB copied (50%), 500 B/s, ETA 4s (4s elapsed)",
		"verify: 0 of 2 partitions done, 2 moving; 2.9 KiB of 3.9 KiB copied (75%), 500 B/s, ETA 2s (6s elapsed)",
		"verify: 2 of 2 partitions done; 3.9 KiB of 3.9 KiB copied (100%), 500 B/s (8s elapsed)",
	} {
		if got[i] != want {
			t.Errorf("line %d: %q, want %q", i+1, got[i], want)
		}
	}
	if res.BytesRemaining == nil || *res.BytesRemaining != 0 {
		t.Errorf("bytes remaining %v, want 0", res.BytesRemaining)
	}
	// One read per poll, each of the plan's partitions alone: the bytes
	// remaining at the end come from the last poll's read.
	reads := f.Calls("ReplicaSizes")
	if len(reads) != len(got) {
		t.Errorf("%d size reads for %d polls", len(reads), len(got))
	}
	want := []cluster.TopicPartition{{Topic: "t", Partition: 0}, {Topic: "t", Partition: 1}}
	for i, c := range reads {
		if !slices.Equal(c.TPs, want) {
			t.Errorf("read %d asked for %v, want %v", i+1, c.TPs, want)
		}
	}
}

// TestWaitShowsLogDirBytes: a log-dir move counts too, its future
// replica's size out of the current replica's, as the Fake's mover copies
// it; the partition is done once the future replica took over.
func TestWaitShowsLogDirBytes(t *testing.T) {
	f := kafka.NewFakeWith(kafka.FakeOptions{LogDirs: []string{"/a", "/b"}}, "c1",
		cluster.Broker{ID: 1, Host: "127.0.0.1", Port: 9092}, cluster.Broker{ID: 2, Host: "127.0.0.1", Port: 9092})
	ctx := context.Background()
	if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}}, nil); err != nil {
		t.Fatal(err)
	}
	plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"/b", cluster.AnyLogDir}}}}
	if err := f.MoveLogDirs(ctx, plan.Partitions); err != nil {
		t.Fatal(err)
	}
	f.SetSize(plan.Partitions[0].TP(), 1000)
	f.CopyPerRead(400)
	res, got := waitLines(t, ctx, f, plan)
	want := []string{
		"verify: 0 of 1 partitions done, 1 moving; 400 B of 1000 B copied (40%) (2s elapsed)",
		"verify: 0 of 1 partitions done, 1 moving; 800 B of 1000 B copied (80%), 200 B/s, ETA 1s (4s elapsed)",
		"verify: 1 of 1 partitions done; 1000 B of 1000 B copied (100%), 150 B/s (6s elapsed)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.BytesRemaining == nil || *res.BytesRemaining != 0 {
		t.Errorf("bytes remaining %v, want 0", res.BytesRemaining)
	}
}

// TestWaitShowsMessages: where no sizes can be read (the ZooKeeper path
// without --bootstrap-server, Kafka 0.9), the progress lines count the
// messages copied, from the replicas' offsets.
func TestWaitShowsMessages(t *testing.T) {
	f, plan := movingFake(t, kafka.FakeOptions{ZooKeeper: true})
	// 10 messages each (1000 bytes), 2, 5, 7, 10 copied at the polls.
	for _, p := range plan.Partitions {
		f.SetSize(p.TP(), 10*kafka.FakeMessageBytes)
	}
	f.CopyPerRead(250)
	res, got := waitLines(t, context.Background(), f, plan)
	want := []string{
		"verify: 0 of 2 partitions done, 2 moving; 8 of 40 messages copied (20%) (2s elapsed)",
		"verify: 0 of 2 partitions done, 2 moving; 20 of 40 messages copied (50%), 6 messages/s, ETA 3s (4s elapsed)",
		"verify: 0 of 2 partitions done, 2 moving; 28 of 40 messages copied (70%), 5 messages/s, ETA 2s (6s elapsed)",
		"verify: 2 of 2 partitions done; 40 of 40 messages copied (100%), 5 messages/s (8s elapsed)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.BytesRemaining != nil {
		t.Errorf("bytes remaining %v without sizes", *res.BytesRemaining)
	}
	if res.MessagesRemaining == nil || *res.MessagesRemaining != 0 {
		t.Errorf("messages remaining %v once complete, want 0", res.MessagesRemaining)
	}
}

// TestMessagesRemaining: without sizes, a verify that does not wait
// reports the messages the new replicas still lack, from the offsets (in
// the summary, the report and the metrics); none when the offsets are
// unknown too.
func TestMessagesRemaining(t *testing.T) {
	f, plan := movingFake(t, kafka.FakeOptions{ZooKeeper: true})
	for _, p := range plan.Partitions {
		f.SetSize(p.TP(), 10*kafka.FakeMessageBytes)
	}
	f.Copy(300) // 3 of each partition's 10 messages into each of its 2 new replicas
	// Still in progress: the result comes with an error saying so.
	res, err := verify.Run(context.Background(), verify.Options{Plan: plan}, verify.Deps{Cluster: f})
	if res == nil {
		t.Fatal(err)
	}
	if res.BytesRemaining != nil || res.MessagesRemaining == nil {
		t.Fatalf("bytes remaining %v, messages remaining %v; want none and 28", res.BytesRemaining, res.MessagesRemaining)
	}
	if n := *res.MessagesRemaining; n != 28 {
		t.Fatalf("messages remaining %d, want 28", n)
	}
	var text, metrics bytes.Buffer
	if err := verify.WriteText(&text, res); err != nil {
		t.Fatal(err)
	}
	if err := verify.RenderMetrics(&metrics, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "; 28 messages still to copy.") || !strings.Contains(metrics.String(), "\nfdud_messages_remaining 28\n") {
		t.Errorf("summary or metrics lack the messages:\n%s\n%s", text.String(), metrics.String())
	}
	rep := verify.NewReport(res)
	if rep.MessagesRemaining == nil || *rep.MessagesRemaining != 28 {
		t.Errorf("report messages_remaining = %v", rep.MessagesRemaining)
	}
	if doc, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	} else if err := schemas.Validate(schemas.VerifyReport, doc); err != nil {
		t.Errorf("report against its schema: %v", err)
	}

	f.Fail("ReplicaOffsets", errors.New("brokers unreachable"))
	if res, err = verify.Run(context.Background(), verify.Options{Plan: plan}, verify.Deps{Cluster: f}); res == nil {
		t.Fatal(err)
	}
	if res.MessagesRemaining != nil {
		t.Errorf("messages remaining %d without offsets", *res.MessagesRemaining)
	}
}

// TestWaitWithoutSizes: with neither sizes nor offsets (the brokers cannot
// be reached for them), the partition counts remain, as before.
func TestWaitWithoutSizes(t *testing.T) {
	f, plan := movingFake(t, kafka.FakeOptions{ZooKeeper: true})
	f.Fail("ReplicaOffsets", errors.New("brokers unreachable"))
	var errw bytes.Buffer
	lines := verify.NewLines(&errw)
	o := verify.Options{Plan: plan, Wait: true, PollInterval: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	now := tickingClock(time.Second)
	_, err := verify.Run(ctx, o, verify.Deps{Cluster: f, Progress: lines, Now: func() time.Time {
		if calls++; calls == 6 {
			f.Complete()
		}
		return now()
	}})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if got := errw.String(); !strings.HasPrefix(got, "verify: 0 of 2 partitions done, 2 moving (") || strings.Contains(got, "copied") {
		t.Errorf("lines:\n%s", got)
	}
}

// TestBarWithBytes: on a terminal the bar fills by bytes when they are known.
func TestBarWithBytes(t *testing.T) {
	var out bytes.Buffer
	b := verify.NewBar(&out)
	c := verify.Counts{Partitions: 4, Complete: 1, InProgress: 3}
	b.Update(c, nil, 5*time.Second)
	e := progress.Estimate{Copied: sizes.Copied{Done: 3 << 20, Total: 4 << 20}}
	b.Update(c, &e, 7*time.Second)
	b.Finish()
	got := out.String()
	for _, want := range []string{
		"\r[#######.......................] 1/4 partitions done, 3 moving  5s\r",
		"\r[######################........] 3.0 MiB of 4.0 MiB copied (75%); 1/4 partitions done, 3 moving  7s\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("bar %q lacks %q", got, want)
		}
	}
}

// waitLines runs verify --wait of plan on f with a progress line per poll
// and a clock a second ahead at each reading, and returns the result and
// the lines.
func waitLines(t *testing.T, ctx context.Context, f *kafka.Fake, plan cluster.Assignment) (*verify.Result, []string) {
	t.Helper()
	var errw bytes.Buffer
	lines := verify.NewLines(&errw)
	lines.Every = time.Nanosecond // a line per poll
	o := verify.Options{Plan: plan, Wait: true, PollInterval: time.Millisecond}
	res, err := verify.Run(ctx, o, verify.Deps{Cluster: f, Progress: lines, Now: tickingClock(time.Second)})
	t.Logf("stderr:\n%s", errw.String())
	if err != nil {
		t.Fatal(err)
	}
	return res, strings.Split(strings.TrimSpace(errw.String()), "\n")
}
