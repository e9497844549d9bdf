package generate

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/fdud/fdud/internal/cluster"
)

// SummaryDetail says how much of a large cluster the summary shows.
type SummaryDetail int

const (
	// SummaryAuto shows every broker of a small cluster. Of a larger one
	// (more than allBrokerRows brokers) it shows the spread of the counts
	// and the brokers that change most; a grid too crowded to list broker
	// ids (cluster.Grid.Crowded) shows counts per cell.
	SummaryAuto SummaryDetail = iota
	// SummaryAll shows every broker and every broker id in the grid.
	SummaryAll
)

// ParseSummaryDetail reads --summary.
func ParseSummaryDetail(s string) (SummaryDetail, error) {
	switch s {
	case "", "auto":
		return SummaryAuto, nil
	case "all":
		return SummaryAll, nil
	}
	return SummaryAuto, cluster.Invalidf("--summary must be auto or all, not %q", s)
}

const (
	// allBrokerRows is the most brokers whose table SummaryAuto shows whole.
	allBrokerRows = 30
	// topBrokerRows is how many of the brokers that change most it shows
	// on larger clusters (the full table is in --report).
	topBrokerRows = 20
)

// Grid markers for brokers that may not hold replicas.
var statusMark = map[string]string{
	statusNames[statusDead]:      "!",
	statusNames[statusDown]:      "!",
	statusNames[statusExcluded]:  "x",
	statusNames[statusNotListed]: "-",
	statusNames[statusFull]:      "%",
}

// WriteSummary writes the report for people: violations before and after,
// moves against the lower bound, leader changes, per-broker counts, and the
// FD x UD grid of brokers, in as much detail as asked.
func WriteSummary(w io.Writer, r Report, detail SummaryDetail) error {
	ew := &errWriter{w: w}
	ew.printf("fdud generate: %d partitions in scope, %d in the plan", r.PartitionsInScope, r.PartitionsChanged)
	if r.NewPartitions > 0 {
		ew.printf(" (%d of a new topic)", r.NewPartitions)
	}
	ew.printf("\n\n")

	ew.printf("%-35s %7s %7s\n", "partitions breaking", "before", "after")
	rows := []struct {
		name string
		b, a int
	}{
		{"any rule", r.ViolationsBefore.Partitions, r.ViolationsAfter.Partitions},
		{"zone spread", r.ViolationsBefore.Zone, r.ViolationsAfter.Zone},
		{"fault domain spread", r.ViolationsBefore.FaultDomain, r.ViolationsAfter.FaultDomain},
		{"update domain spread", r.ViolationsBefore.UpdateDomain, r.ViolationsAfter.UpdateDomain},
		{"replica on a dead/excluded broker", r.ViolationsBefore.Broker, r.ViolationsAfter.Broker},
	}
	for _, row := range rows {
		if row.name == "zone spread" && row.b == 0 && row.a == 0 {
			continue
		}
		ew.printf("  %-33s %7d %7d\n", row.name, row.b, row.a)
	}
	ew.printf("\nreplicas moved: %d (lower bound for the repair: %d", r.ReplicasMoved, r.MoveLowerBound)
	if r.BalanceMoves > 0 {
		ew.printf("; %d more to balance brokers", r.BalanceMoves)
	}
	ew.printf(")\n")
	ew.printf("per-FD spread (worst fault domain: most minus fewest replicas on one of its brokers): %d before, %d after the repair",
		r.FDSpreadBefore, r.FDSpreadRepair)
	if r.BalanceMoves > 0 {
		ew.printf(", %d after %d balance moves", r.FDSpreadAfter, r.BalanceMoves)
	}
	ew.printf("\n")
	if r.ReplicasRemoved > 0 {
		ew.printf("replicas removed (lower replication factor): %d\n", r.ReplicasRemoved)
	}
	if r.NewReplicas > 0 {
		ew.printf("replicas of the new topic: %d\n", r.NewReplicas)
	}
	ew.printf("preferred leader changes: %d\n\n", r.LeaderChanges)
	writeSizes(ew, r)

	writeBrokers(ew, r, detail)
	if len(r.UpdateDomains) > 0 {
		ew.printf("\npreferred leaders per update domain (what a reboot of it fails over):\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "UD\tbrokers\tbefore\tafter\t\n")
		for _, u := range r.UpdateDomains {
			fmt.Fprintf(tw, "UD%d\t%d\t%d\t%d\t\n", u.UpdateDomain, u.Brokers, u.LeadersBefore, u.LeadersAfter)
		}
		tw.Flush()
	}

	status := make(map[int32]string, len(r.Brokers))
	for _, b := range r.Brokers {
		status[b.ID] = b.Status
	}
	label := func(id int32) string { return strconv.Itoa(int(id)) + statusMark[status[id]] }
	if grid := (cluster.Grid{Cells: r.Grid}); detail == SummaryAuto && grid.Crowded() {
		writeCellCounts(ew, r, grid, label)
	} else {
		ew.printf("\nbrokers by fault domain (rows) and update domain (columns); ! down, x excluded, - not in --broker-list:\n")
		if ew.err == nil {
			ew.err = grid.WriteCells(ew, cluster.ListCell(label))
		}
	}
	for _, s := range r.Warnings {
		ew.printf("warning: %s\n", s)
	}
	for _, c := range r.Compromises {
		ew.printf("compromise: %s\n", c)
	}
	for _, c := range r.Infeasible {
		ew.printf("cannot place: %s\n", c)
	}
	return ew.err
}

func writeBrokers(ew *errWriter, r Report, detail SummaryDetail) {
	rows := r.Brokers
	if detail == SummaryAuto && len(rows) > allBrokerRows {
		lo, hi := spread(r.Brokers, func(b BrokerReport) (int, int) { return b.ReplicasBefore, b.ReplicasAfter })
		llo, lhi := spread(r.Brokers, func(b BrokerReport) (int, int) { return b.LeadersBefore, b.LeadersAfter })
		ew.printf("%d brokers; eligible brokers hold %s replicas before, %s after; %s preferred leaders before, %s after\n",
			len(r.Brokers), lo, hi, llo, lhi)
		rows = mostChanged(r.Brokers)
		switch n := changedBrokers(r.Brokers); {
		case n == 0:
			ew.printf("no broker's replica or preferred leader count changes (every broker: --summary all, or --report)\n")
			return
		case n > len(rows):
			ew.printf("the %d of %d brokers whose counts change most (every broker: --summary all, or --report):\n", len(rows), n)
		default:
			ew.printf("the %d brokers whose counts change (every broker: --summary all, or --report):\n", n)
		}
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "broker\tdomain\tstatus\treplicas\tleaders\n")
	for _, b := range rows {
		dom := "-"
		if b.FaultDomain != nil {
			dom = fmt.Sprintf("FD%d UD%d", *b.FaultDomain, *b.UpdateDomain)
			if b.Zone != "" {
				dom = b.Zone + " " + dom
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d -> %d\t%d -> %d\n", b.ID, dom, b.Status,
			b.ReplicasBefore, b.ReplicasAfter, b.LeadersBefore, b.LeadersAfter)
	}
	tw.Flush()
}

// change is how much a broker's counts change: replicas, then leaders.
func change(b BrokerReport) (replicas, leaders int) {
	abs := func(x int) int { return max(x, -x) }
	return abs(b.ReplicasAfter - b.ReplicasBefore), abs(b.LeadersAfter - b.LeadersBefore)
}

func changedBrokers(bs []BrokerReport) int {
	n := 0
	for _, b := range bs {
		if r, l := change(b); r+l > 0 {
			n++
		}
	}
	return n
}

// mostChanged returns up to topBrokerRows brokers whose counts change, the
// largest replica changes first (then leader changes), in id order.
func mostChanged(bs []BrokerReport) []BrokerReport {
	var out []BrokerReport
	for _, b := range bs {
		if r, l := change(b); r+l > 0 {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(a, b BrokerReport) int {
		ar, al := change(a)
		br, bl := change(b)
		return cmp.Or(cmp.Compare(br, ar), cmp.Compare(bl, al))
	})
	out = out[:min(len(out), topBrokerRows)]
	slices.SortFunc(out, func(a, b BrokerReport) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// writeCellCounts writes, for a grid too crowded to list broker ids, each
// cell's brokers, replicas and preferred leaders after the plan. Update
// domains are the rows: Azure has up to 20 of them but at most 3 fault
// domains, so the three counts of each fault domain fit side by side.
func writeCellCounts(ew *errWriter, r Report, grid cluster.Grid, label func(int32) string) {
	type counts struct{ replicas, leaders int }
	byID := make(map[int32]counts, len(r.Brokers))
	for _, b := range r.Brokers {
		byID[b.ID] = counts{b.ReplicasAfter, b.LeadersAfter}
	}
	ew.printf("\nbrokers, replicas and preferred leaders after the plan, by update domain (rows) and fault domain;\n")
	ew.printf("! down, x excluded, - not in --broker-list (broker ids: --summary all, or --report):\n")
	brokers := cluster.CountCell(label)
	for i, z := range grid.Zones() {
		if i > 0 {
			ew.printf("\n")
		}
		if len(grid.Zones()) > 1 || z != "" {
			ew.printf("zone %q:\n", z)
		}
		cells, fds, uds := grid.Zone(z)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t")
		for _, f := range fds {
			fmt.Fprintf(tw, "FD%d brokers\treplicas\tleaders\t", f)
		}
		fmt.Fprintln(tw)
		for _, u := range uds {
			fmt.Fprintf(tw, "UD%d\t", u)
			for _, f := range fds {
				c, ok := cells[[2]int{f, u}]
				if !ok || len(c.Brokers) == 0 {
					fmt.Fprint(tw, ".\t.\t.\t")
					continue
				}
				var sum counts
				for _, id := range c.Brokers {
					sum.replicas += byID[id].replicas
					sum.leaders += byID[id].leaders
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t", brokers(c), sum.replicas, sum.leaders)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil && ew.err == nil {
			ew.err = err
		}
	}
}

// spread renders the min-max range of a count over eligible brokers, before and after.
func spread(bs []BrokerReport, f func(BrokerReport) (int, int)) (before, after string) {
	first := true
	var bl, bh, al, ah int
	for _, b := range bs {
		if b.Status != statusNames[statusEligible] {
			continue
		}
		x, y := f(b)
		if first {
			bl, bh, al, ah, first = x, x, y, y, false
		}
		bl, bh, al, ah = min(bl, x), max(bh, x), min(al, y), max(ah, y)
	}
	return fmt.Sprintf("%d-%d", bl, bh), fmt.Sprintf("%d-%d", al, ah)
}

// errWriter remembers the first write error, so the summary code can stay linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}
