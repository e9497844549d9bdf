package progress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

func TestBar(t *testing.T) {
	var out bytes.Buffer
	b := NewBar(&out)
	b.width = 10
	w := b.Writer()
	fmt.Fprintln(w, "before any bar")
	b.Draw(0.25, "1 of 4 done")
	b.Draw(1.5, "4 of 4")
	fmt.Fprint(w, "Batch 2: submitted\n")
	b.Draw(-1, "0 of 4")
	b.Finish()
	b.Finish()
	fmt.Fprintln(w, "after")
	clear := func(n int) string { return "\r" + strings.Repeat(" ", n) + "\r" }
	want := "before any bar\n" +
		"\r[##........] 1 of 4 done" +
		"\r[##########] 4 of 4     " + // blanks over what the longer line left
		clear(len("[##########] 4 of 4")) + "Batch 2: submitted\n" + "\r[##########] 4 of 4" +
		"\r[..........] 0 of 4" +
		"\n" + "after\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestBarFitsTheTerminal: the line stays short of the terminal's last
// column (a wrapped line cannot be redrawn in place): the bar narrows down
// to 10, then the text is cut; an unknown width cuts nothing.
func TestBarFitsTheTerminal(t *testing.T) {
	text := "2 of 4 done, 1 in flight; 15.7 MiB of 48.9 MiB copied (32%)" // 59 columns
	for _, c := range []struct {
		name string
		cols int
		want string
	}{
		{"unknown width", 0, "[###############...............] " + text},
		{"wide", 200, "[###############...............] " + text},
		{"just room", 93, "[###############...............] " + text},
		{"one column short", 92, "[##############...............] " + text},
		{"narrower bar", 80, "[########.........] " + text},
		{"narrowest bar, text cut", 60, ("[#####.....] " + text)[:59]},
		{"tiny", 5, "[###"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			b := NewBar(&out)
			b.cols = func() int { return c.cols }
			b.Draw(0.5, text)
			if got := out.String(); got != "\r"+c.want {
				t.Errorf("got  %q\nwant %q", got, "\r"+c.want)
			}
			if c.cols > 0 && len(c.want) >= c.cols {
				t.Errorf("%d columns drawn on a terminal of %d", len(c.want), c.cols)
			}
		})
	}
}

// fakeSizer answers with the sizes of its turn and records the partitions
// each call asked for.
type fakeSizer struct {
	answers []sizes.LogDirs
	err     error
	calls   int
	asked   [][]cluster.TopicPartition
}

func (f *fakeSizer) ReplicaSizes(_ context.Context, _ []int32, tps []cluster.TopicPartition) (sizes.LogDirs, error) {
	f.calls++
	f.asked = append(f.asked, tps)
	if f.err != nil {
		return sizes.LogDirs{}, f.err
	}
	return f.answers[min(f.calls, len(f.answers))-1], nil
}

// TestWatch: readings at 10 s steps of a fake clock give a rate and an ETA;
// without sizes Look says so once, at debug level, and returns nil.
func TestWatch(t *testing.T) {
	tp := cluster.TopicPartition{Topic: "t", Partition: 0}
	at := func(have int64) sizes.LogDirs {
		var l sizes.LogDirs
		l.Answer(1)
		l.AddReplica(tp, sizes.Replica{Broker: 1, Size: 10000})
		l.AddReplica(tp, sizes.Replica{Broker: 2, Size: have})
		return l
	}
	parts := []sizes.Copying{{TP: tp, Adding: []int32{2}, Leader: 1}}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sizer := &fakeSizer{answers: []sizes.LogDirs{at(0), at(2000), at(4000)}}
	w := Watch{Sizer: sizer, Logger: log}
	var got []string
	for i := range 3 {
		e := w.Look(context.Background(), t0.Add(time.Duration(i)*10*time.Second), []int32{1, 2}, parts)
		got = append(got, e.String())
	}
	for i, a := range sizer.asked {
		if !slices.Equal(a, []cluster.TopicPartition{tp}) {
			t.Errorf("call %d asked for %v, want the partitions followed, %v", i, a, tp)
		}
	}
	want := []string{"0 B of 9.8 KiB copied (0%)", "2.0 KiB of 9.8 KiB copied (20%), 200 B/s, ETA 40s",
		"3.9 KiB of 9.8 KiB copied (40%), 200 B/s, ETA 30s"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []Sizer{nil, &fakeSizer{err: errors.New("kafka 0.9")}} {
		logs.Reset()
		w := Watch{Sizer: s, Logger: log}
		for range 3 {
			if e := w.Look(context.Background(), t0, []int32{1}, parts); e != nil {
				t.Errorf("sizer %v: estimate %v without sizes", s, e)
			}
		}
		if n := strings.Count(logs.String(), "level=DEBUG"); n != 1 || !strings.Contains(logs.String(), "progress counts partitions only") {
			t.Errorf("sizer %v: logged %d times:\n%s", s, n, logs.String())
		}
	}
}

type fakeOffsets struct {
	answers []sizes.Offsets
	calls   int
	leaders []map[cluster.TopicPartition]int32
	asked   []map[cluster.TopicPartition][]int32
}

func (f *fakeOffsets) ReplicaOffsets(_ context.Context, leaders map[cluster.TopicPartition]int32,
	replicas map[cluster.TopicPartition][]int32) (sizes.Offsets, error) {
	f.calls++
	f.leaders, f.asked = append(f.leaders, leaders), append(f.asked, replicas)
	return f.answers[min(f.calls, len(f.answers))-1], nil
}

// TestWatchMessages: without sizes, Look counts messages from the leader's
// and the adding replicas' offsets; with sizes it keeps to bytes and asks
// for no offsets.
func TestWatchMessages(t *testing.T) {
	tp := cluster.TopicPartition{Topic: "t", Partition: 0}
	at := func(have int64) sizes.Offsets {
		var o sizes.Offsets
		o.SetStart(tp, 100)
		o.SetEnd(tp, 1, 1100)
		o.SetEnd(tp, 2, 100+have)
		return o
	}
	parts := []sizes.Copying{{TP: tp, Adding: []int32{2}, Leader: 1}}
	offs := &fakeOffsets{answers: []sizes.Offsets{at(0), at(200), at(400)}}
	w := Watch{Sizer: &fakeSizer{err: errors.New("kafka 0.9")}, Offsets: offs}
	var got []string
	for i := range 3 {
		e := w.Look(context.Background(), t0.Add(time.Duration(i)*10*time.Second), []int32{1, 2}, parts)
		got = append(got, e.String())
	}
	want := []string{"0 of 1000 messages copied (0%)", "200 of 1000 messages copied (20%), 20 messages/s, ETA 40s",
		"400 of 1000 messages copied (40%), 20 messages/s, ETA 30s"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !maps.Equal(offs.leaders[0], map[cluster.TopicPartition]int32{tp: 1}) || !slices.Equal(offs.asked[0][tp], []int32{2}) {
		t.Errorf("asked leaders %v, replicas %v; want t-0 led by 1, adding 2", offs.leaders[0], offs.asked[0])
	}

	var l sizes.LogDirs
	l.Answer(1)
	l.AddReplica(tp, sizes.Replica{Broker: 1, Size: 10000})
	offs = &fakeOffsets{answers: []sizes.Offsets{at(0)}}
	w = Watch{Sizer: &fakeSizer{answers: []sizes.LogDirs{l}}, Offsets: offs}
	if e := w.Look(context.Background(), t0, []int32{1, 2}, parts); e == nil || e.Messages || e.String() != "0 B of 9.8 KiB copied (0%)" {
		t.Errorf("sizes known: %v, want bytes", e)
	}
	if offs.calls != 0 {
		t.Errorf("sizes known: offsets asked %d times", offs.calls)
	}

	// A log-dir move alone adds no replica: nothing to count in messages,
	// nothing asked.
	w = Watch{Offsets: offs}
	moves := []sizes.Copying{{TP: tp, MovingTo: map[int32]string{1: "/b"}, Leader: 1}}
	if e := w.Look(context.Background(), t0, []int32{1}, moves); e != nil || offs.calls != 0 {
		t.Errorf("log-dir move only: %v, offsets asked %d times", e, offs.calls)
	}
}
