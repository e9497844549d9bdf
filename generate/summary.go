package generate

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/fdud/fdud/cluster"
)

// maxBrokerRows bounds the per-broker table on stderr; larger clusters get a
// one-line spread summary (the full table is in --report).
const maxBrokerRows = 100

// Grid markers for brokers that may not hold replicas.
var statusMark = map[string]string{
	statusNames[statusDead]:      "!",
	statusNames[statusDown]:      "!",
	statusNames[statusExcluded]:  "x",
	statusNames[statusNotListed]: "-",
}

// WriteSummary writes the report for people: violations before and after,
// moves against the lower bound, leader changes, per-broker counts, and the
// FD x UD grid of brokers.
func WriteSummary(w io.Writer, r Report, domains map[int32]cluster.Domain) error {
	ew := &errWriter{w: w}
	ew.printf("fdud generate: %d partitions in scope, %d in the plan", r.PartitionsInScope, r.PartitionsChanged)
	if r.NewPartitions > 0 {
		ew.printf(" (%d of a new topic)", r.NewPartitions)
	}
	ew.printf("\n\n")

	ew.printf("%-34s %7s %7s\n", "partitions breaking", "before", "after")
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
		ew.printf("  %-32s %7d %7d\n", row.name, row.b, row.a)
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

	writeBrokers(ew, r)
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
	ew.printf("\nbrokers by fault domain (rows) and update domain (columns); ! down, x excluded, - not in --broker-list:\n")
	if ew.err == nil {
		ew.err = cluster.Grid{Cells: r.Grid}.Write(ew, func(id int32) string {
			return strconv.Itoa(int(id)) + statusMark[status[id]]
		})
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

func writeBrokers(ew *errWriter, r Report) {
	if len(r.Brokers) > maxBrokerRows {
		lo, hi := spread(r.Brokers, func(b BrokerReport) (int, int) { return b.ReplicasBefore, b.ReplicasAfter })
		llo, lhi := spread(r.Brokers, func(b BrokerReport) (int, int) { return b.LeadersBefore, b.LeadersAfter })
		ew.printf("%d brokers; eligible brokers hold %s replicas before, %s after; %s preferred leaders before, %s after (per broker: --report)\n",
			len(r.Brokers), lo, hi, llo, lhi)
		return
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "broker\tdomain\tstatus\treplicas\tleaders\n")
	for _, b := range r.Brokers {
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
