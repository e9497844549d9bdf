package progress

import (
	"testing"
	"time"

	"github.com/fdud/fdud/internal/sizes"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type reading struct {
	after time.Duration // since t0
	done  int64
}

func TestMeterRate(t *testing.T) {
	for _, c := range []struct {
		name     string
		window   time.Duration
		readings []reading
		want     float64
		ok       bool
	}{
		{"no reading", 0, nil, 0, false},
		{"one reading", 0, []reading{{0, 100}}, 0, false},
		{"two at once", 0, []reading{{0, 100}, {0, 200}}, 0, false},
		{"steady", 0, []reading{{0, 0}, {10 * time.Second, 1000}, {20 * time.Second, 2000}}, 100, true},
		{"stalled", 0, []reading{{0, 500}, {10 * time.Second, 500}}, 0, true},
		{"only the window counts", 30 * time.Second,
			[]reading{{0, 0}, {10 * time.Second, 9000}, {40 * time.Second, 9300}, {50 * time.Second, 9400}}, 10, true},
		{"anchor at the window's start", 30 * time.Second,
			[]reading{{0, 0}, {20 * time.Second, 2000}, {30 * time.Second, 2500}, {50 * time.Second, 4500}}, 2500.0 / 30, true},
		{"a drop starts afresh", 0, []reading{{0, 0}, {10 * time.Second, 5000}, {20 * time.Second, 1000}}, 0, false},
		{"after a drop", 0, []reading{{0, 0}, {10 * time.Second, 5000}, {20 * time.Second, 1000}, {30 * time.Second, 1500}}, 50, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := Meter{Window: c.window}
			for _, r := range c.readings {
				m.Add(t0.Add(r.after), r.done)
			}
			got, ok := m.Rate()
			if ok != c.ok || got != c.want {
				t.Errorf("rate %v, %v; want %v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestETA(t *testing.T) {
	for _, c := range []struct {
		name      string
		remaining int64
		rate      float64
		want      time.Duration
		ok        bool
	}{
		{"done", 0, 100, 0, false},
		{"stalled", 1000, 0, 0, false},
		{"steady", 1000, 100, 10 * time.Second, true},
		{"rounded to seconds", 1000, 300, 3 * time.Second, true},
		{"hours", 36 << 30, 10 << 20, time.Hour + 1*time.Minute + 26*time.Second, true},
		{"beyond a Duration", 1 << 62, 1e-3, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ETA(c.remaining, c.rate)
			if ok != c.ok || got != c.want {
				t.Errorf("ETA %v, %v; want %v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestEstimate(t *testing.T) {
	var x Estimator
	copied := func(done, total int64) sizes.Copied { return sizes.Copied{Done: done, Total: total} }
	for _, c := range []struct {
		name  string
		after time.Duration
		c     sizes.Copied
		want  string
		frac  float64
	}{
		{"first reading: no rate yet", 0, copied(0, 4<<30), "0 B of 4.0 GiB copied (0%)", 0},
		{"a rate and an ETA", 10 * time.Second, copied(1<<30, 4<<30), "1.0 GiB of 4.0 GiB copied (25%), 102 MiB/s, ETA 30s", 0.25},
		{"unknown sizes said", 20 * time.Second, sizes.Copied{Done: 2 << 30, Total: 4 << 30, Unknown: 3},
			"2.0 GiB of 4.0 GiB copied (50%), 102 MiB/s, ETA 20s (3 partitions of unknown size not counted)", 0.5},
		{"done", 30 * time.Second, copied(4<<30, 4<<30), "4.0 GiB of 4.0 GiB copied (100%), 137 MiB/s", 1},
	} {
		e := x.Add(t0.Add(c.after), c.c)
		if got := e.String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if e.Fraction() != c.frac {
			t.Errorf("%s: fraction %v, want %v", c.name, e.Fraction(), c.frac)
		}
	}
	if f := (Estimate{}).Fraction(); f != 1 {
		t.Errorf("nothing to copy: fraction %v, want 1", f)
	}
}
