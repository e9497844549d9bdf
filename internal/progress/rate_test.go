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

// TestEstimateMovingTarget: the time left counts with the partitions
// growing while they are copied (readings 10 s apart); a jump in the
// total from partitions added, or a drop from retention, is not growth.
func TestEstimateMovingTarget(t *testing.T) {
	type step struct {
		done, total int64
		counted     int
	}
	for _, c := range []struct {
		name  string
		steps []step
		want  string // the last estimate
	}{
		{"steady target", []step{{0, 10000, 1}, {1000, 10000, 1}, {2000, 10000, 1}},
			"2.0 KiB of 9.8 KiB copied (20%), 100 B/s, ETA 1m20s"},
		{"growing target: remaining shrinks by copy less growth", []step{{0, 10000, 1}, {1000, 10500, 1}, {2000, 11000, 1}},
			"2.0 KiB of 10.7 KiB copied (18%), 100 B/s, ETA 3m0s"},
		{"producers outrun the copy", []step{{0, 10000, 1}, {1000, 12000, 1}, {2000, 14000, 1}},
			"2.0 KiB of 13.7 KiB copied (14%), 100 B/s, not catching up: the partitions grow 200 B/s"},
		{"as fast as the copy", []step{{0, 10000, 1}, {1000, 11000, 1}},
			"1000 B of 10.7 KiB copied (9%), 100 B/s, not catching up: the partitions grow 100 B/s"},
		{"a partition added is no growth", []step{{0, 10000, 1}, {1000, 10000, 1}, {2000, 20000, 2}},
			"2.0 KiB of 19.5 KiB copied (10%), 100 B/s, ETA 3m0s"},
		{"then growth counts again", []step{{0, 10000, 1}, {1000, 10000, 1}, {2000, 20000, 2}, {3000, 20500, 2}},
			"2.9 KiB of 20.0 KiB copied (14%), 100 B/s, ETA 5m50s"},
		{"retention shrinks the target", []step{{0, 10000, 1}, {1000, 10000, 1}, {2000, 9000, 1}},
			"2.0 KiB of 8.8 KiB copied (22%), 100 B/s, ETA 1m10s"},
		{"stalled: no ETA, not said behind", []step{{0, 10000, 1}, {0, 10500, 1}},
			"0 B of 10.3 KiB copied (0%), 0 B/s"},
		{"done while growing", []step{{0, 10000, 1}, {11000, 11000, 1}},
			"10.7 KiB of 10.7 KiB copied (100%), 1.1 KiB/s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var x Estimator
			var e Estimate
			for i, s := range c.steps {
				e = x.Add(t0.Add(time.Duration(i)*10*time.Second), sizes.Copied{Done: s.done, Total: s.total, Counted: s.counted})
			}
			if got := e.String(); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestEstimateMessages: where sizes are unknown the same estimate counts
// messages (offsets), with a rate and an ETA in messages.
func TestEstimateMessages(t *testing.T) {
	msgs := func(done, total int64, unknown int) sizes.Copied {
		return sizes.Copied{Done: done, Total: total, Unknown: unknown, Counted: 1, Messages: true}
	}
	for _, c := range []struct {
		name  string
		steps []sizes.Copied
		want  string
	}{
		{"first reading", []sizes.Copied{msgs(0, 5000, 0)}, "0 of 5000 messages copied (0%)"},
		{"a rate and an ETA", []sizes.Copied{msgs(0, 5000, 0), msgs(1200, 5000, 0)},
			"1200 of 5000 messages copied (24%), 120 messages/s, ETA 32s"},
		{"producers outrun the copy", []sizes.Copied{msgs(0, 5000, 0), msgs(100, 6000, 0)},
			"100 of 6000 messages copied (1%), 10 messages/s, not catching up: the partitions grow 100 messages/s"},
		{"unknown offsets said", []sizes.Copied{msgs(10, 100, 2)}, "10 of 100 messages copied (10%) (2 partitions of unknown offsets not counted)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var x Estimator
			var e Estimate
			for i, s := range c.steps {
				e = x.Add(t0.Add(time.Duration(i)*10*time.Second), s)
			}
			if got := e.String(); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
