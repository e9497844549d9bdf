// Package progress estimates and shows how a long-running copy is going:
// the rate over a recent window and the time left (rate.go, pure), and a
// one-line bar redrawn in place on a terminal (bar.go).
package progress

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fdud/fdud/internal/sizes"
)

// DefaultWindow is the span the rate is measured over: long enough to
// smooth a few polls, short enough to follow a throttle change.
const DefaultWindow = 2 * time.Minute

// sample is one reading of the bytes done.
type sample struct {
	at   time.Time
	done int64
}

// Meter estimates a rate from readings of a growing count over a sliding
// window. A reading below the one before (a partition whose size went
// unknown, a cancelled move) starts the window afresh. It is pure: the
// caller passes the time of each reading.
type Meter struct {
	Window  time.Duration // 0 means DefaultWindow
	samples []sample
}

// Add records that done bytes were done at time at.
func (m *Meter) Add(at time.Time, done int64) {
	if n := len(m.samples); n > 0 && (done < m.samples[n-1].done || at.Before(m.samples[n-1].at)) {
		m.samples = m.samples[:0]
	}
	m.samples = append(m.samples, sample{at, done})
	w := m.Window
	if w <= 0 {
		w = DefaultWindow
	}
	// Keep the newest reading at or before the window's start as its
	// anchor, so the rate spans the whole window once there is one.
	first := 0
	for i := range m.samples {
		if at.Sub(m.samples[i].at) >= w {
			first = i
		}
	}
	m.samples = m.samples[first:]
}

// Rate is bytes per second over the window; ok is false before two
// readings some time apart.
func (m *Meter) Rate() (perSecond float64, ok bool) {
	if len(m.samples) < 2 {
		return 0, false
	}
	a, b := m.samples[0], m.samples[len(m.samples)-1]
	span := b.at.Sub(a.at).Seconds()
	if span <= 0 {
		return 0, false
	}
	return float64(b.done-a.done) / span, true
}

// ETA is the time the remaining bytes take at the given rate; ok is false
// when there is no rate to go by (nothing copied within the window), or
// nothing remains.
func ETA(remaining int64, perSecond float64) (time.Duration, bool) {
	if remaining <= 0 || perSecond <= 0 {
		return 0, false
	}
	s := float64(remaining) / perSecond
	if s > math.MaxInt64/float64(time.Second) {
		return 0, false
	}
	return time.Duration(s * float64(time.Second)).Round(time.Second), true
}

// Estimate is how far a copy is, for display.
type Estimate struct {
	sizes.Copied
	// Rate is bytes copied per second over the window, valid when
	// HaveRate; ETA the time left, valid when HaveETA.
	Rate     float64
	HaveRate bool
	ETA      time.Duration
	HaveETA  bool
	// Growth is how fast the partitions being copied grow (producers
	// writing to their leaders), bytes per second over the window: the
	// copy chases a moving target. Valid when HaveGrowth.
	Growth     float64
	HaveGrowth bool
	// Behind: the partitions grow at least as fast as they are copied, so
	// the new replicas do not catch up (Kafka completes a reassignment
	// only once they do): raise the throttle, or wait for producers to
	// slow down.
	Behind bool
}

// Fraction is the share done, 0 to 1 (1 when there is nothing to copy).
func (e Estimate) Fraction() float64 {
	if e.Total <= 0 {
		return 1
	}
	return math.Min(1, float64(e.Done)/float64(e.Total))
}

// String reads "1.2 GiB of 4.0 GiB copied (30%), 12.0 MiB/s, ETA 4m10s",
// or in messages "1200 of 5000 messages copied (24%), 40 messages/s, ETA
// 1m35s", with what is unknown left out, and says when the copy does not
// catch up.
func (e Estimate) String() string {
	amount, what := sizes.Format, "size"
	if e.Messages {
		amount = func(n int64) string { return strconv.FormatInt(n, 10) + " messages" }
		what = "offsets"
	}
	done := amount(e.Done)
	if e.Messages {
		done = strconv.FormatInt(e.Done, 10)
	}
	s := fmt.Sprintf("%s of %s copied (%d%%)", done, amount(e.Total), int(e.Fraction()*100))
	if e.HaveRate {
		s += ", " + amount(int64(math.Round(e.Rate))) + "/s"
	}
	if e.HaveETA {
		s += ", ETA " + e.ETA.String()
	}
	if e.Behind {
		s += ", not catching up: the partitions grow " + amount(int64(math.Round(e.Growth))) + "/s"
	}
	if e.Unknown > 0 {
		s += fmt.Sprintf(" (%d partitions of unknown %s not counted)", e.Unknown, what)
	}
	return s
}

// Estimator turns readings of a copy into estimates. The time left counts
// with the target moving: what remains shrinks by the copy rate less the
// rate the partitions grow at (their leaders' sizes, read on the same poll),
// so a copy under a throttle near the producers' rate is not promised to
// end at the copy rate alone.
type Estimator struct {
	Copied Meter // bytes the new replicas hold
	Total  Meter // bytes they need: the partitions' sizes, growing
	// counted is the number of partitions the last reading summed: when it
	// changes (a batch submitted, a size known or lost) Total jumps, which
	// is no growth, so its window starts afresh.
	counted int
}

// Add records a reading taken at time at and returns the estimate.
func (x *Estimator) Add(at time.Time, c sizes.Copied) Estimate {
	if c.Counted != x.counted {
		x.Total = Meter{Window: x.Total.Window}
		x.counted = c.Counted
	}
	x.Copied.Add(at, c.Done)
	x.Total.Add(at, c.Total)
	e := Estimate{Copied: c}
	e.Rate, e.HaveRate = x.Copied.Rate()
	e.Growth, e.HaveGrowth = x.Total.Rate()
	if !e.HaveRate {
		return e
	}
	net := e.Rate
	if e.HaveGrowth {
		net -= e.Growth
		e.Behind = c.Remaining() > 0 && e.Rate > 0 && net <= 0
	}
	e.ETA, e.HaveETA = ETA(c.Remaining(), net)
	return e
}
