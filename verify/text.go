package verify

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// maxListed bounds the partition names printed per line; the JSON report
// has them all.
const maxListed = 10

// WriteStatus writes Kafka's status heading and one line per planned
// partition, each followed by fdud's notes (indented, so a grep for Kafka's
// lines is not disturbed). With waiting (the plan is still being carried
// out: partitions in flight, or its batching execute holds the lock), a
// partition with nothing in flight that is not on its planned replicas has
// not been submitted yet: it is shown as waiting, not as Kafka's "no active
// reassignment", which means failed or cancelled.
func WriteStatus(w io.Writer, ss []PartitionStatus, waiting bool) error {
	var b strings.Builder
	b.WriteString(StatusHeading + "\n")
	for _, s := range ss {
		if waiting && s.Status == NotAsPlanned {
			fmt.Fprintf(&b, "Reassignment of partition %s is waiting: not submitted yet (replica set is %s, planned %s).\n",
				s.TP, joinIDs(s.Current, ","), joinIDs(s.Planned, ","))
			continue
		}
		b.WriteString(StatusLine(s) + "\n")
		for _, n := range Notes(s) {
			b.WriteString("  note: " + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the human report that follows the status lines: the
// summary, throttles, leader election, the grid, spread and what-if.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	c := r.Counts
	if c.Partitions > 0 {
		// While the plan is underway, what is not on its planned replicas
		// waits for its batch, as the status lines say.
		notAs := "not as planned"
		if r.Underway() {
			notAs = "waiting to be submitted"
		}
		fmt.Fprintf(&b, "Summary: %d partitions in the plan: %d complete, %d still in progress, %d %s",
			c.Partitions, c.Complete, c.InProgress, c.NotAsPlanned, notAs)
		if c.LeaderNotPreferred > 0 {
			fmt.Fprintf(&b, "; %d complete but not led by their preferred leader", c.LeaderNotPreferred)
		}
		if n := r.BytesRemaining; n != nil && *n > 0 {
			fmt.Fprintf(&b, "; %s still to copy", sizes.Format(*n))
		}
		if n := r.MessagesRemaining; n != nil && *n > 0 {
			fmt.Fprintf(&b, "; %d messages still to copy", *n)
		}
		b.WriteString(".\n")
	}
	t := r.Throttles
	switch {
	case r.LockHolder != nil:
		writeLockHeld(&b, r)
	case t.Error != "":
		fmt.Fprintf(&b, "Throttles: could not remove fdud's throttles: %s\n", t.Error)
	case t.Removed && len(t.Left) > 0:
		fmt.Fprintf(&b, "Throttles: removed the throttles fdud set for this plan, except %d values (someone else changed them since, or they were never set):\n", len(t.Left))
		for _, l := range t.Left {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	case t.Removed:
		b.WriteString("Throttles: removed the throttles fdud set for this plan.\n")
	case t.Preserved && t.Entities > 0:
		fmt.Fprintf(&b, "Throttles: kept on %d entities (--preserve-throttles).\n", t.Entities)
	case t.Checked && t.Entities > 0:
		fmt.Fprintf(&b, "Throttles: fdud's throttles stay on %d entities until the reassignment is done.\n", t.Entities)
	}
	if e := r.Election; e != nil {
		if len(e.Requested) > 0 {
			fmt.Fprintf(&b, "Preferred leader election requested for %d partitions: %s\n", len(e.Requested), listTPs(e.Requested))
		} else {
			b.WriteString("Preferred leader election: every partition is led by its preferred leader.\n")
		}
		if len(e.Skipped) > 0 {
			fmt.Fprintf(&b, "Preferred leader election skipped for %d partitions whose preferred leader is not live and in sync: %s\n",
				len(e.Skipped), listTPs(e.Skipped))
		}
	}
	writeRecords(&b, r)
	writeRisk(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeLockHeld says why verify did not clean up: another run holds the
// cluster lock.
func writeLockHeld(b *strings.Builder, r *Result) {
	h, t := r.LockHolder, r.Throttles
	if t.Checked {
		fmt.Fprintf(b, "%s still holds the cluster lock: throttles kept; run verify again when it finishes.\n", h.Name)
	} else {
		fmt.Fprintf(b, "%s still holds the cluster lock; run verify again when it finishes.\n", h.Name)
	}
	if h.ThisPlan && r.Counts.NotAsPlanned > 0 {
		fmt.Fprintf(b, "It is executing this plan: the %d partitions not on their planned replicas may be waiting for their batch.\n", r.Counts.NotAsPlanned)
	}
}

func writeRisk(b *strings.Builder, r *Result) {
	k := r.Risk
	if r.Domains != nil {
		b.WriteString("Brokers by fault domain (rows) and update domain (columns):\n")
		writeGrid(b, r.Domains, r.Live)
		what := "the plan's partitions"
		if k.Scope == "all" {
			what = "all partitions"
		}
		if len(k.Violations) == 0 {
			fmt.Fprintf(b, "Spread: all %d of %s are spread across %s.\n", k.Partitions, what, dimList(k.Dimensions))
		} else {
			fmt.Fprintf(b, "Spread: %d of %d of %s break the placement rules:\n", len(k.Violations), k.Partitions, what)
			for i, v := range k.Violations {
				if i == maxListed {
					fmt.Fprintf(b, "  and %d more (see --format json)\n", len(k.Violations)-maxListed)
					break
				}
				fmt.Fprintf(b, "  %s on %s: %s\n", v.TP, joinIDs(v.Replicas, ","), strings.Join(v.Reasons, "; "))
			}
		}
		if len(k.NoDomain) > 0 {
			fmt.Fprintf(b, "Brokers without a domain (the what-if assumes they survive): %s\n", joinIDs(k.NoDomain, ","))
		}
		b.WriteString("If one domain went down:\n")
		for _, d := range k.WhatIf {
			fmt.Fprintf(b, "  %-6s (brokers %s): %d offline, %d below min.insync.replicas", d.Domain, joinIDs(d.Brokers, ","),
				len(d.Offline), len(d.BelowMinISR))
			if len(d.Offline) > 0 {
				fmt.Fprintf(b, "; offline: %s", listTPs(d.Offline))
			}
			if len(d.BelowMinISR) > 0 {
				fmt.Fprintf(b, "; below min ISR: %s", listTPs(d.BelowMinISR))
			}
			b.WriteString("\n")
		}
		writeStructural(b, k)
	}
	if n := len(k.UnderReplicated); n > 0 {
		catching := 0
		for _, u := range k.UnderReplicated {
			if u.OnlyCatchingUp() {
				catching++
			}
		}
		if catching > 0 {
			fmt.Fprintf(b, "Under-replicated now: %d partitions (%d only because replicas being added are catching up):\n", n, catching)
		} else {
			fmt.Fprintf(b, "Under-replicated now: %d partitions:\n", n)
		}
		for i, u := range k.UnderReplicated {
			if i == maxListed {
				fmt.Fprintf(b, "  and %d more (see --format json)\n", n-maxListed)
				break
			}
			fmt.Fprintf(b, "  %s replicas %s, in sync %s", u.TP, joinIDs(u.Replicas, ","), joinIDs(u.ISR, ","))
			switch {
			case u.Offline:
				b.WriteString(" (OFFLINE: no leader)")
			case u.BelowMinISR:
				fmt.Fprintf(b, " (below min.insync.replicas=%d)", u.MinISR)
			}
			if len(u.CatchingUp) > 0 {
				fmt.Fprintf(b, " (being added, catching up: %s)", joinIDs(u.CatchingUp, ","))
			}
			b.WriteString("\n")
		}
	} else if k.Partitions > 0 {
		b.WriteString("Under-replicated now: none.\n")
	}
}

// writeStructural explains risk no placement avoids, with the fix.
func writeStructural(b *strings.Builder, k Risk) {
	if k.StructuralTotal == 0 {
		return
	}
	fmt.Fprintf(b, "Structural risk (no placement avoids it; not counted as at risk, exit 0 unless --fail-on-structural-risk): %d partitions:\n", k.StructuralTotal)
	for _, g := range k.StructuralGroups {
		left := survivors(g.RF, g.Domains)
		loss := fmt.Sprintf("leaves %d replica(s), below min.insync.replicas=%d", left, g.MinISR)
		if g.Offline {
			loss = "leaves none: offline"
		}
		fmt.Fprintf(b, "  %d partitions at replication factor %d over %d %ss: one %s holds %d replicas, and its loss %s; fix: %s\n",
			g.Partitions, g.RF, g.Domains, g.Dimension, g.Dimension, g.RF-left, loss, g.Fix())
	}
}

// writeGrid draws the FD x UD grid of the brokers in the domains document,
// marking those that are not live with "!".
func writeGrid(b *strings.Builder, doms map[int32]cluster.Domain, live []int32) {
	var d cluster.Domains
	dead := false
	for id, dom := range doms {
		d.Brokers = append(d.Brokers, cluster.BrokerDomain{ID: id, FaultDomain: dom.FaultDomain,
			UpdateDomain: dom.UpdateDomain, Zone: dom.Zone})
		dead = dead || !slices.Contains(live, id)
	}
	cluster.NewGrid(d).Write(b, func(id int32) string {
		if slices.Contains(live, id) {
			return strconv.Itoa(int(id))
		}
		return strconv.Itoa(int(id)) + "!"
	})
	if dead {
		b.WriteString("(! = broker not live)\n")
	}
}

// WriteLegacyStatus writes the status lines of Kafka 0.8 to 2.4's tool.
func WriteLegacyStatus(w io.Writer, ss []PartitionStatus) error {
	var b strings.Builder
	b.WriteString(StatusHeading + "\n")
	for _, s := range ss {
		b.WriteString(LegacyStatusLine(s) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dimList(ds []cluster.Dimension) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String() + "s"
	}
	return strings.Join(s, ", ")
}

func listTPs(tps []cluster.TopicPartition) string {
	var s []string
	for i, tp := range tps {
		if i == maxListed {
			s = append(s, fmt.Sprintf("and %d more", len(tps)-maxListed))
			break
		}
		s = append(s, tp.String())
	}
	return strings.Join(s, ", ")
}

// writeRecords lists, with --all, the plans whose throttles fdud still
// holds on the cluster.
func writeRecords(b *strings.Builder, r *Result) {
	if r.Records == nil {
		return
	}
	if len(r.Records) == 0 {
		b.WriteString("Throttle records: none (fdud holds no throttles on this cluster).\n")
		return
	}
	fmt.Fprintf(b, "Throttle records: %d plans still hold throttles fdud set; fdud verify (or execute --cancel) with the plan removes them:\n", len(r.Records))
	for _, rec := range r.Records {
		fmt.Fprintf(b, "  %s: %d brokers and topics, updated %s", rec.Plan, rec.Entities, rec.Updated.UTC().Format(time.RFC3339))
		if rec.Host != "" {
			fmt.Fprintf(b, " on %s", rec.Host)
		}
		b.WriteString("\n")
	}
}
