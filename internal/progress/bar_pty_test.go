//go:build linux

package progress

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal of the given width and returns its
// master and slave ends, or skips where the system has none.
func openPTY(t *testing.T, cols uint16) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	ioctl := func(f *os.File, req uintptr, arg unsafe.Pointer) {
		t.Helper()
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
			t.Fatalf("ioctl %#x on %s: %v", req, f.Name(), errno)
		}
	}
	var n uint32
	ioctl(m, syscall.TIOCGPTN, unsafe.Pointer(&n))
	var unlock int32
	ioctl(m, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ws := struct{ rows, cols, x, y uint16 }{24, cols, 0, 0}
	ioctl(s, syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
	return m, s
}

// TestBarOnATerminal draws the bar on a real pseudo-terminal 60 columns
// wide, as fdud does on stderr, and checks the bytes the terminal gets:
// the width read from the terminal (no line reaches its last column, so
// none wraps), redraws in place with blanks over a longer line's tail, a
// message above the bar through the terminal's newline translation, and
// the final newline.
func TestBarOnATerminal(t *testing.T) {
	m, s := openPTY(t, 60)
	got := make(chan []byte)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for !bytes.HasSuffix(all, []byte("end\r\n")) {
			n, err := m.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				break
			}
		}
		got <- all
	}()

	b := NewBar(s)
	w := b.Writer()
	long := "0 of 4 done, 2 in flight, 2 waiting; 6.0 MiB of 48.9 MiB copied (12%)"
	b.Draw(0.12, long)
	b.Draw(0.24, "1 of 4 done; 11.9 MiB of 48.9 MiB")
	fmt.Fprintln(w, "Batch 2: submitted 1 partitions")
	b.Draw(1, "4 of 4 done")
	b.Finish()
	fmt.Fprintln(w, "end")

	var out []byte
	select {
	case out = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal did not echo the output within 10s")
	}
	first := ("[#.........] " + long)[:59]
	second := "[#####..................] 1 of 4 done; 11.9 MiB of 48.9 MiB" // the bar narrowed to fit
	third := "[##############################] 4 of 4 done"
	want := "\r" + first +
		"\r" + second + strings.Repeat(" ", len(first)-len(second)) +
		"\r" + strings.Repeat(" ", len(second)) + "\r" + "Batch 2: submitted 1 partitions\r\n" + "\r" + second +
		"\r" + third + strings.Repeat(" ", len(second)-len(third)) +
		"\r\n" + "end\r\n"
	if string(out) != want {
		t.Errorf("the terminal got\n%q\nwant\n%q", out, want)
	}
	for _, l := range strings.FieldsFunc(string(out), func(r rune) bool { return r == '\r' || r == '\n' }) {
		if len(l) >= 60 {
			t.Errorf("%d columns on a terminal of 60 (wraps, and the next redraw leaves it behind): %q", len(l), l)
		}
	}
}
