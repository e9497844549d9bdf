package generate

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fdud/fdud/internal/sizes"
)

// writeSizes writes the byte figures of the summary, when sizes are known.
func writeSizes(ew *errWriter, r Report) {
	s := r.Sizes
	if s == nil || r.BytesToMove == nil {
		return
	}
	ew.printf("bytes to move: %s (%d bytes)", sizes.Format(*r.BytesToMove), *r.BytesToMove)
	if r.EstimatedSeconds != nil {
		ew.printf("; about %s at --throttle %d bytes/s (the busiest broker's inbound bytes over the rate)",
			formatSeconds(*r.EstimatedSeconds), s.ThrottleBytesPerSecond)
	}
	ew.printf("\n")
	var rows []BrokerBytes
	for _, b := range s.Brokers {
		if b.BytesIn != 0 || b.BytesOut != 0 || (b.Capacity > 0 && b.UsageAfter() > s.MaxDiskUsage) {
			rows = append(rows, b) // changed, or beyond its limit
		}
	}
	if len(rows) > 0 {
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "broker\tin\tout\tused before\tafter\tcapacity\tusage before\tafter\t\n")
		for _, b := range rows {
			capacity, before, after := "-", "-", "-"
			if b.Capacity > 0 {
				capacity = sizes.Format(b.Capacity)
				before, after = fmt.Sprintf("%.0f%%", 100*b.UsageBefore()), fmt.Sprintf("%.0f%%", 100*b.UsageAfter())
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", b.ID, sizes.Format(b.BytesIn), sizes.Format(b.BytesOut),
				sizes.Format(b.UsedBefore), sizes.Format(b.UsedAfter), capacity, before, after)
		}
		tw.Flush()
	}
	if len(s.Largest) > 0 {
		ew.printf("largest partitions moved:\n")
		for _, p := range s.Largest {
			ew.printf("  %s-%d  %s  %s -> %s\n", p.Topic, p.Partition, sizes.Format(p.Moved), ids(p.Before), ids(p.After))
		}
	}
	ew.printf("\n")
}

// formatSeconds renders an estimate for people: "2h05m", "7m", "40s".
func formatSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// WriteTable writes the per-partition view of a plan: each partition, its
// replicas before and after, its size and why it changes.
func WriteTable(w io.Writer, moves []Move) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "PARTITION\tREPLICAS\tSIZE\tWHY\n")
	for _, m := range moves {
		size := "?"
		if m.Size >= 0 {
			size = sizes.Format(m.Size)
		}
		fmt.Fprintf(tw, "%s\t%s -> %s\t%s\t%s\n", m.TopicPartition, ids(m.Before), ids(m.After), size, strings.Join(m.Reasons, ", "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write the per-partition table: %w", err)
	}
	return nil
}

func ids(xs []int32) string {
	if len(xs) == 0 {
		return "[]"
	}
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, x)
	}
	return b.String()
}
