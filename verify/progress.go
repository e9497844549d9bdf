package verify

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Bar is a progress bar for a terminal: one line redrawn in place.
type Bar struct {
	w     io.Writer
	width int
	drawn bool
}

// NewBar returns a bar drawing on w, which should be a terminal.
func NewBar(w io.Writer) *Bar { return &Bar{w: w, width: 30} }

func (b *Bar) Update(c Counts, elapsed time.Duration) {
	filled := b.width
	if c.Partitions > 0 {
		filled = c.Complete * b.width / c.Partitions
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d partitions done%s  %s ",
		strings.Repeat("#", filled), strings.Repeat(".", b.width-filled), c.Complete, c.Partitions, rest(c), elapsed.Round(time.Second))
	b.drawn = true
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

func (b *Bar) Finish() {
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

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

func (l *Lines) Update(c Counts, elapsed time.Duration) {
	if l.reported && c == l.last && elapsed-l.lastAt < l.Every {
		return
	}
	fmt.Fprintf(l.w, "verify: %d of %d partitions done%s (%s elapsed)\n",
		c.Complete, c.Partitions, rest(c), elapsed.Round(time.Second))
	l.last, l.lastAt, l.reported = c, elapsed, true
}

func (l *Lines) Finish() {}
