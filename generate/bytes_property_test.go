package generate

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// withSizes gives every partition of in a random size (some empty) and every
// broker the sum of its replicas as its disk usage; with tight, a capacity
// between 1.1 and 2.6 times that usage (plus 1 GiB), so that disks limit the plan.
func withSizes(rng *rand.Rand, in Input, tight bool) Input {
	u := &sizes.Usage{Partitions: map[cluster.TopicPartition]int64{}, Used: map[int32]int64{}, Capacity: map[int32]int64{}}
	for _, p := range in.Current.Partitions {
		s := int64(0)
		if rng.IntN(8) > 0 {
			s = 1 + rng.Int64N(10*gib)
		}
		u.Partitions[p.TP()] = s
		for _, b := range p.Replicas {
			u.Used[b] += s
		}
	}
	if tight {
		for id := range in.Domains {
			u.Capacity[id] = int64(float64(u.Used[id]+gib) * (1.1 + 1.5*rng.Float64()))
		}
	}
	in.Sizes = u
	return in
}

// TestPlanBytesProperties checks, over generated clusters with sizes: a
// plan never fills a receiving broker beyond --max-disk-usage; without
// --balance it moves exactly the minimal-movement bytes (each partition's
// size times the fewest replicas that repair it, found by brute force), or,
// when that plan would fill disks, no more than that minimum with the full
// brokers receiving nothing; every partition placed by the rules meets
// them; and --balance-by bytes leaves no fault domain's byte spread wider
// than the plan without it.
func TestPlanBytesProperties(t *testing.T) {
	shapes := []shape{
		{fds: 2, uds: 3, perCell: 1, topics: 4, maxRF: 3},
		{fds: 3, uds: 3, perCell: 2, topics: 4, maxRF: 4},
		{fds: 3, uds: 5, perCell: 2, emptyCell: 0.3, topics: 5, maxRF: 5},
		{fds: 2, uds: 7, perCell: 2, emptyCell: 0.2, dead: 2, topics: 5, maxRF: 4},
		{fds: 3, uds: 4, perCell: 3, emptyCell: 0.5, dead: 3, topics: 5, maxRF: 5},
		{fds: 2, uds: 3, zones: 2, perCell: 1, emptyCell: 0.2, topics: 4, maxRF: 4},
	}
	variants := []struct {
		name  string
		tight bool
		opts  Options
	}{
		{"sizes", false, Options{}},
		{"disks", true, Options{}},
		{"disks-90", true, Options{MaxDiskUsage: 0.9}},
		{"disks-exclude", true, Options{ExcludeBrokers: []int32{1}}},
		{"balance", false, Options{Balance: true}},
		{"balance-bytes", false, Options{Balance: true, BalanceBy: BalanceBytes}},
		{"balance-bytes-disks", true, Options{Balance: true, BalanceBy: BalanceBytes}},
	}
	const casesPerShape = 8
	for si, sh := range shapes {
		for _, v := range variants {
			for c := range casesPerShape {
				t.Run(fmt.Sprintf("shape%d/%s/%d", si, v.name, c), func(t *testing.T) {
					t.Parallel()
					rng := rand.New(rand.NewPCG(uint64(si)+1000, uint64(c)))
					in := withSizes(rng, genCluster(rng, sh), v.tight)
					opts := v.opts
					opts.Seed = uint64(c)
					if len(opts.ExcludeBrokers) > 0 {
						opts.ExcludeBrokers = []int32{slices.Min(slices.Collect(maps.Keys(in.Domains)))}
					}
					checkBytes(t, in, opts)
				})
			}
		}
	}
}

func checkBytes(t *testing.T, in Input, opts Options) {
	t.Helper()
	res, err := Plan(in, opts)
	if err != nil {
		if errors.Is(err, cluster.ErrAtRisk) || cluster.IsInvalid(err) {
			return
		}
		t.Fatalf("Plan: %v", err)
	}
	rep := res.Report
	if rep.Sizes == nil || rep.BytesToMove == nil {
		t.Fatal("a plan with sizes reports no bytes")
	}
	for _, b := range rep.Sizes.Brokers {
		if b.Capacity > 0 && b.BytesIn > 0 && float64(b.UsedAfter) > opts.diskLimit()*float64(b.Capacity) {
			t.Errorf("broker %d receives %d and ends at %d of %d, beyond %.0f%%", b.ID, b.BytesIn, b.UsedAfter, b.Capacity, 100*opts.diskLimit())
		}
	}
	bb := newBruteBound(in, opts)
	// Brokers kept from receiving (disks) act as down ones: they keep
	// their replicas and take none, so the bound is computed that way.
	fullIn := in
	if len(rep.Sizes.FullBrokers) > 0 {
		fullIn.Live = nil
		for id := range in.Domains {
			if alive(in, id) && !slices.Contains(rep.Sizes.FullBrokers, id) {
				fullIn.Live = append(fullIn.Live, id)
			}
		}
		slices.Sort(fullIn.Live)
	}
	fullBound := newBruteBound(fullIn, opts)
	next := after(t, in.Current, res.Plan)
	compromised := map[cluster.TopicPartition]bool{}
	for _, is := range rep.Compromises {
		compromised[cluster.TopicPartition{Topic: is.Topic, Partition: is.Partition}] = true
	}
	scope := inScope(in, opts)
	var moved, minimal, minimalFull int64
	for _, p := range in.Current.Partitions {
		tp := p.TP()
		if !scope[tp] || compromised[tp] {
			continue
		}
		got, size := next[tp], in.Sizes.Partitions[tp]
		if !bb.valid(got) {
			t.Errorf("%s: %v breaks the rules after the plan", tp, got)
		}
		if r := len(p.Replicas); !bb.valid(p.Replicas) {
			minimal += size * int64(r-bb.maxKeep(p.Replicas, r))
			minimalFull += size * int64(r-fullBound.maxKeep(p.Replicas, r))
		}
		for _, b := range got {
			if !slices.Contains(p.Replicas, b) {
				moved += size
			}
		}
	}
	if moved != *rep.BytesToMove {
		t.Errorf("report says %d bytes to move; independent count %d", *rep.BytesToMove, moved)
	}
	// Without --balance: the minimal-movement bytes, or, where that plan
	// would fill disks, the minimum without the full brokers receiving.
	if !opts.Balance && len(compromised) == 0 {
		switch {
		case len(rep.Sizes.FullBrokers) == 0 && moved != minimal:
			t.Errorf("without --balance the plan moves %d bytes; the minimal-movement bound is %d", moved, minimal)
		case moved > minimalFull:
			t.Errorf("with brokers %v full the plan moves %d bytes, more than the bound %d without them receiving (%d with)",
				rep.Sizes.FullBrokers, moved, minimalFull, minimal)
		}
	}
	if opts.BalanceBy == BalanceBytes {
		plain := opts
		plain.Balance, plain.BalanceBy = false, ""
		base, err := Plan(in, plain)
		if err != nil || !slices.Equal(base.Report.Sizes.FullBrokers, rep.Sizes.FullBrokers) {
			return // the disks shaped the two plans differently: not comparable
		}
		if got, was := byteSpread(res.Report), byteSpread(base.Report); got > was*(1+1e-9) {
			t.Errorf("--balance-by bytes: worst per-FD spread %g, %g without --balance", got, was)
		}
	}
}

// byteSpread is the worst (zone, FD)'s spread of disk use among its
// eligible brokers after the plan: of the share of capacity used when
// every one has a capacity, else of bytes.
func byteSpread(r Report) float64 {
	type fd struct {
		zone string
		fd   int
	}
	hi, lo := map[fd]float64{}, map[fd]float64{}
	fill := map[int32]float64{}
	shares := true
	for _, b := range r.Sizes.Brokers {
		fill[b.ID] = b.UsageAfter()
		shares = shares && b.Capacity > 0
	}
	for _, b := range r.Sizes.Brokers {
		if !shares {
			fill[b.ID] = float64(b.UsedAfter)
		}
	}
	for _, b := range r.Brokers {
		if b.Status != statusNames[statusEligible] || b.FaultDomain == nil {
			continue
		}
		k := fd{b.Zone, *b.FaultDomain}
		u := fill[b.ID]
		if h, ok := hi[k]; !ok || u > h {
			hi[k] = u
		}
		if l, ok := lo[k]; !ok || u < l {
			lo[k] = u
		}
	}
	var worst float64
	for k := range hi {
		worst = max(worst, hi[k]-lo[k])
	}
	return worst
}

// TestBalanceSmallFirst: with sizes known, --balance tries small partitions
// first, so over many clusters its plans move fewer bytes than the same
// balance blind to sizes (about 9% fewer over these seeds).
func TestBalanceSmallFirst(t *testing.T) {
	sh := shape{fds: 3, uds: 3, perCell: 3, topics: 8, maxRF: 3}
	var aware, blind int64
	n := 0
	for c := range 60 {
		rng := rand.New(rand.NewPCG(9, uint64(c)))
		in := withSizes(rng, genCluster(rng, sh), false)
		a, err := Plan(in, Options{Balance: true})
		if err != nil || a.Report.BalanceMoves == 0 {
			continue
		}
		sized := in.Sizes
		in.Sizes = nil
		b, err := Plan(in, Options{Balance: true})
		if err != nil {
			t.Fatal(err)
		}
		in.Sizes = sized
		b.addSizes(&in, &Options{})
		aware += *a.Report.BytesToMove
		blind += *b.Report.BytesToMove
		n++
	}
	if n < 20 || aware >= blind {
		t.Fatalf("%d plans with balance moves: %d bytes knowing sizes, %d blind", n, aware, blind)
	}
	t.Logf("%d plans: %d GiB knowing sizes, %d GiB blind", n, aware>>30, blind>>30)
}
