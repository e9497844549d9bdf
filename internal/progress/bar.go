package progress

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Bar is a one-line progress bar on a terminal, redrawn in place with a
// carriage return. Lines written through Writer while it is drawn clear it
// first and draw it again below them, so messages and bar do not mix.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	width int
	line  string // the bar as last drawn; "" when not drawn
}

// NewBar returns a bar drawing on w, which should be a terminal.
func NewBar(w io.Writer) *Bar { return &Bar{w: w, width: 30} }

// Draw shows the bar filled to fraction (0 to 1) followed by text.
func (b *Bar) Draw(fraction float64, text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	filled := int(max(0, min(1, fraction)) * float64(b.width))
	line := fmt.Sprintf("[%s%s] %s", strings.Repeat("#", filled), strings.Repeat(".", b.width-filled), text)
	b.clear()
	fmt.Fprint(b.w, "\r"+line+" ")
	b.line = line
}

// clear blanks the drawn bar and returns to the line's start.
func (b *Bar) clear() {
	if b.line != "" {
		fmt.Fprint(b.w, "\r"+strings.Repeat(" ", len(b.line)+1)+"\r")
	}
}

// Finish ends the bar: it stays on screen and what follows starts on the
// next line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.line != "" {
		fmt.Fprintln(b.w)
		b.line = ""
	}
}

// Writer returns a writer for the messages around the bar: each write
// clears the bar, and once a line is complete the bar is drawn again.
func (b *Bar) Writer() io.Writer { return barWriter{b} }

type barWriter struct{ b *Bar }

func (w barWriter) Write(p []byte) (int, error) {
	b := w.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.line == "" {
		return b.w.Write(p)
	}
	b.clear()
	n, err := b.w.Write(p)
	if err == nil && bytes.HasSuffix(p, []byte("\n")) {
		fmt.Fprint(b.w, "\r"+b.line+" ")
	} else {
		// A partial line: the bar comes back with the next Draw.
		b.line = ""
	}
	return n, err
}
