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

func (b *Bar) Update(done, total int, elapsed time.Duration) {
	filled := b.width
	if total > 0 {
		filled = done * b.width / total
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d partitions done  %s ",
		strings.Repeat("#", filled), strings.Repeat(".", b.width-filled), done, total, elapsed.Round(time.Second))
	b.drawn = true
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
	last     int
	lastAt   time.Duration
	reported bool
}

// NewLines returns a line reporter writing to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: w, Every: time.Minute} }

func (l *Lines) Update(done, total int, elapsed time.Duration) {
	if l.reported && done == l.last && elapsed-l.lastAt < l.Every {
		return
	}
	fmt.Fprintf(l.w, "verify: %d of %d partitions done, %d in progress (%s elapsed)\n",
		done, total, total-done, elapsed.Round(time.Second))
	l.last, l.lastAt, l.reported = done, elapsed, true
}

func (l *Lines) Finish() {}
