package verify

import (
	"fmt"
	"io"
	"time"

	"github.com/fdud/fdud/internal/progress"
)

// Bar is a progress bar for a terminal: one line redrawn in place. It
// fills by bytes copied when the brokers report sizes, else by messages
// copied when they report offsets, else by partitions.
type Bar struct {
	bar *progress.Bar
}

// NewBar returns a bar drawing on w, which should be a terminal.
func NewBar(w io.Writer) *Bar { return &Bar{bar: progress.NewBar(w)} }

func (b *Bar) Update(c Counts, bytes *progress.Estimate, elapsed time.Duration) {
	fraction := 1.0
	if c.Partitions > 0 {
		fraction = float64(c.Complete) / float64(c.Partitions)
	}
	text := fmt.Sprintf("%d/%d partitions done%s  %s", c.Complete, c.Partitions, rest(c), elapsed.Round(time.Second))
	if bytes != nil {
		// Bytes first: a narrow terminal cuts the line's end.
		fraction = bytes.Fraction()
		text = bytes.String() + "; " + text
	}
	b.bar.Draw(fraction, text)
}

// rest says what is not done yet: moving, and waiting (nothing in flight,
// not on the planned replicas: not submitted yet by a batching fdud
// execute, or failed, which verify says once the wait is over).
func rest(c Counts) string {
	var s string
	if c.InProgress > 0 {
		s += fmt.Sprintf(", %d moving", c.InProgress)
	}
	if c.NotAsPlanned > 0 {
		s += fmt.Sprintf(", %d waiting (not submitted yet)", c.NotAsPlanned)
	}
	return s
}

func (b *Bar) Finish() { b.bar.Finish() }

// Writer returns a writer for messages around the bar (see
// progress.Bar.Writer).
func (b *Bar) Writer() io.Writer { return b.bar.Writer() }

// Lines reports progress as plain lines, for logs and pipes: one line when
// the count changes, and one at least every Every (default 1 minute) so a
// log shows the wait is alive.
type Lines struct {
	w        io.Writer
	Every    time.Duration
	last     Counts
	lastAt   time.Duration
	reported bool
}

// NewLines returns a line reporter writing to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: w, Every: time.Minute} }

func (l *Lines) Update(c Counts, bytes *progress.Estimate, elapsed time.Duration) {
	if l.reported && c == l.last && elapsed-l.lastAt < l.Every {
		return
	}
	var copied string
	if bytes != nil {
		copied = "; " + bytes.String()
	}
	fmt.Fprintf(l.w, "verify: %d of %d partitions done%s%s (%s elapsed)\n",
		c.Complete, c.Partitions, rest(c), copied, elapsed.Round(time.Second))
	l.last, l.lastAt, l.reported = c, elapsed, true
}

func (l *Lines) Finish() {}
