package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/term"
)

// Bar is a one-line progress bar on a terminal, redrawn in place with a
// carriage return. Lines written through Writer while it is drawn clear it
// first and draw it again below them, so messages and bar do not mix.
//
// The line never reaches the terminal's last column: a line that wraps
// puts the carriage return on its last row, so every redraw would leave
// the rows above behind (on an 80-column terminal, a screen of stale
// bars). The bar itself narrows first, then the text is cut.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	cols  func() int // the terminal's width in columns, 0 when unknown
	width int        // of the bar itself, at most
	line  string     // the bar as last drawn; "" when not drawn
}

// minWidth is the narrowest the bar itself gets on a narrow terminal.
const minWidth = 10

// NewBar returns a bar drawing on w, which should be a terminal: when it
// is one (an *os.File), its width is read at each draw, so that the bar
// follows a resized window.
func NewBar(w io.Writer) *Bar {
	b := &Bar{w: w, width: 30, cols: func() int { return 0 }}
	if f, ok := w.(*os.File); ok {
		b.cols = func() int {
			c, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return c
		}
	}
	return b
}

// Draw shows the bar filled to fraction (0 to 1) followed by text. It
// writes over the line drawn before, padding with blanks where the new one
// is shorter, in one write: no blank line flashes between two draws.
func (b *Bar) Draw(fraction float64, text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	line := b.format(fraction, text)
	pad := max(0, utf8.RuneCountInString(b.line)-utf8.RuneCountInString(line))
	if c := b.cols(); c > 0 {
		pad = min(pad, c-1-utf8.RuneCountInString(line))
	}
	fmt.Fprint(b.w, "\r"+line+strings.Repeat(" ", pad))
	b.line = line
}

// format lays out the line for the terminal's width (see Bar).
func (b *Bar) format(fraction float64, text string) string {
	width := b.width
	room := b.cols() - 1 // columns the line may use; < 0 when the width is unknown
	if room >= 0 {
		width = max(minWidth, min(width, room-3-utf8.RuneCountInString(text)))
	}
	filled := int(max(0, min(1, fraction)) * float64(width))
	line := fmt.Sprintf("[%s%s] %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), text)
	if room >= 0 && utf8.RuneCountInString(line) > room {
		line = string([]rune(line)[:max(0, room)])
	}
	return line
}

// clear blanks the drawn bar and returns to the line's start.
func (b *Bar) clear() {
	if b.line != "" {
		fmt.Fprint(b.w, "\r"+strings.Repeat(" ", utf8.RuneCountInString(b.line))+"\r")
	}
}

// Finish ends the bar: it stays on screen as last drawn and what follows
// starts on the next line.
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
		fmt.Fprint(b.w, "\r"+b.line)
	} else {
		// A partial line: the bar comes back with the next Draw.
		b.line = ""
	}
	return n, err
}
