package execute

import (
	"context"
	"fmt"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/internal/sizes"
)

// Progress draws batching's progress in place (a bar on a terminal,
// progress.Bar) instead of the plain "Progress:" lines on Stderr.
type Progress interface {
	// Draw shows the share done (0 to 1) and a text saying how far.
	Draw(fraction float64, text string)
	// Finish ends the display; what follows starts on a new line.
	Finish()
}

// copies follows the bytes the batches copy to the replicas they add, and
// into the log directories planned for the replicas they keep (or, where
// no sizes are known, the messages they copy to the replicas they add,
// from the offsets: progress.Watch.Look): every
// partition the batches submit or found in flight, its new replicas
// counted in full once done.
type copies struct {
	watch progress.Watch
	items []Item
}

func (r *run) newCopies(pending, inflight []Item) *copies {
	caps := r.cl.Capabilities()
	c := &copies{watch: progress.Watch{Sizer: caps.Sizer, Offsets: caps.Offsets, Logger: r.log}}
	for _, it := range append(append([]Item{}, pending...), inflight...) {
		if itemCopying(it, cluster.PartitionState{Leader: -1}, false).Copies() {
			c.items = append(c.items, it)
		}
	}
	return c
}

// look reads the sizes (or offsets) and returns how far the copying is,
// or nil without either. open says whether a partition is still pending or
// in flight.
func (c *copies) look(ctx context.Context, r *run, live map[int32]bool, open func(cluster.TopicPartition) bool) *progress.Estimate {
	if len(c.items) == 0 || r.seen == nil {
		return nil
	}
	now := map[cluster.TopicPartition]cluster.PartitionState{}
	for _, p := range r.seen.Partitions {
		now[p.TP()] = p
	}
	parts := make([]sizes.Copying, 0, len(c.items))
	for _, it := range c.items {
		tp := it.Plan.TP()
		p, ok := now[tp]
		if !ok {
			p.Leader = -1
		}
		parts = append(parts, itemCopying(it, p, !open(tp)))
	}
	return c.watch.Look(ctx, r.o.now(), sortedIDs(live), parts)
}

// itemCopying is what item it copies, with p its partition now.
func itemCopying(it Item, p cluster.PartitionState, complete bool) sizes.Copying {
	return sizes.Copying{TP: it.Plan.TP(), Adding: sizes.Adding(it.Plan.Replicas, it.Current),
		MovingTo: sizes.MovingTo(it.Plan.Replicas, it.Plan.LogDirs, it.Current),
		Leader:   p.Leader, ISR: p.ISR, Complete: complete}
}

// report reads the progress after a poll and shows it (show).
func (b *batcher) report(ctx context.Context) {
	b.copied = nil
	if b.copies != nil {
		pending := make(map[cluster.TopicPartition]bool, len(b.pending))
		for _, it := range b.pending {
			pending[it.Plan.TP()] = true
		}
		open := func(tp cluster.TopicPartition) bool {
			_, inFlight := b.ours[tp]
			return inFlight || pending[tp]
		}
		b.copied = b.copies.look(ctx, b.r, b.live, open)
	}
	b.show(b.copied)
}

// show shows the counts and the bytes copied: a line on Stderr, or the
// Progress display.
func (b *batcher) show(copied *progress.Estimate) {
	counts := fmt.Sprintf("%d of %d done, %d in flight, %d waiting", b.done, b.total, len(b.ours), len(b.pending))
	if b.r.progress != nil {
		fraction := float64(b.done) / float64(max(1, b.total))
		text := counts
		if copied != nil {
			// Bytes first: a narrow terminal cuts the line's end, and the
			// messages above the bar repeat the counts at each batch.
			fraction, text = copied.Fraction(), copied.String()+"; "+counts
		}
		b.r.progress.Draw(fraction, text)
		return
	}
	if copied != nil {
		counts += "; " + copied.String()
	}
	fmt.Fprintf(b.r.errw, "Progress: %s.\n", counts)
}

// finishProgress ends the Progress display, if any, once.
func (r *run) finishProgress() {
	if r.progress != nil {
		r.progress.Finish()
		r.progress = nil
	}
}
