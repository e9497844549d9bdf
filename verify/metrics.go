package verify

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/atomicfile"
	"github.com/fdud/fdud/internal/cluster"
)

// RenderMetrics writes the result in the Prometheus text exposition format
// read by node_exporter's textfile collector. Every metric has HELP and
// TYPE lines; series are in a stable order. It is pure.
func RenderMetrics(w io.Writer, r *Result) error {
	var b strings.Builder
	gauge := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	if r.Domains != nil {
		gauge("fdud_partitions_at_risk", "Partitions in scope that violate the spread in a dimension, or would go offline or below min.insync.replicas if one domain of it failed, where a better placement would avoid it (structural risk is fdud_partitions_structural_risk).")
		for _, d := range r.Risk.Dimensions {
			fmt.Fprintf(&b, "fdud_partitions_at_risk{dimension=%s} %d\n", labelValue(DimensionName(d)), r.Risk.AtRisk[d])
		}
		gauge("fdud_partitions_structural_risk", "Partitions in scope that are spread as well as the cluster's domains allow and would still go offline or below min.insync.replicas if one domain of the dimension failed: fixed by adding domains or replicas, not by a reassignment.")
		for _, d := range r.Risk.Dimensions {
			fmt.Fprintf(&b, "fdud_partitions_structural_risk{dimension=%s} %d\n", labelValue(DimensionName(d)), r.Risk.Structural[d])
		}
		gauge("fdud_partitions_offline_if_domain_down", "Partitions in scope that would have no live replica if every broker in the domain went down.")
		for _, d := range r.Risk.WhatIf {
			fmt.Fprintf(&b, "fdud_partitions_offline_if_domain_down{dimension=%s,domain=%s} %d\n",
				labelValue(DimensionName(d.Dimension)), labelValue(domainLabel(d)), len(d.Offline))
		}
		gauge("fdud_partitions_below_min_isr_if_domain_down", "Partitions in scope that would keep fewer live replicas than min.insync.replicas if every broker in the domain went down.")
		for _, d := range r.Risk.WhatIf {
			fmt.Fprintf(&b, "fdud_partitions_below_min_isr_if_domain_down{dimension=%s,domain=%s} %d\n",
				labelValue(DimensionName(d.Dimension)), labelValue(domainLabel(d)), len(d.BelowMinISR))
		}
		gauge("fdud_partitions_spread_violations", "Partitions in scope whose replicas break the placement rules.")
		fmt.Fprintf(&b, "fdud_partitions_spread_violations %d\n", len(r.Risk.Violations))
	}
	under, catching := 0, 0
	for _, u := range r.Risk.UnderReplicated {
		if u.OnlyCatchingUp() {
			catching++
		} else {
			under++
		}
	}
	gauge("fdud_partitions_under_replicated", "Partitions in scope whose ISR lacks some of their replicas (not counting replicas a reassignment is adding), or that have no leader.")
	fmt.Fprintf(&b, "fdud_partitions_under_replicated %d\n", under)
	gauge("fdud_partitions_catching_up", "Partitions in scope whose replicas are in sync but for those a reassignment is adding (kafka-topics.sh --under-replicated-partitions lists them).")
	fmt.Fprintf(&b, "fdud_partitions_catching_up %d\n", catching)
	gauge("fdud_reassignments_in_flight", "Partitions of the plan with a reassignment in flight.")
	fmt.Fprintf(&b, "fdud_reassignments_in_flight %d\n", r.Counts.InProgress)
	gauge("fdud_partitions_not_as_planned", "Partitions of the plan with nothing in flight whose replicas are not the planned ones.")
	fmt.Fprintf(&b, "fdud_partitions_not_as_planned %d\n", r.Counts.NotAsPlanned)
	if r.BytesRemaining != nil {
		gauge("fdud_bytes_remaining", "Bytes the plan still has to copy: for each replica it adds, the partition's size less what the new replica holds (when the brokers report sizes).")
		fmt.Fprintf(&b, "fdud_bytes_remaining %d\n", *r.BytesRemaining)
	}
	if r.MessagesRemaining != nil {
		gauge("fdud_messages_remaining", "Messages the plan still has to copy, where the brokers report no sizes (Kafka 0.9, the ZooKeeper path without --bootstrap-server): for each replica it adds, the leader's log end offset less the new replica's.")
		fmt.Fprintf(&b, "fdud_messages_remaining %d\n", *r.MessagesRemaining)
	}
	if r.Records != nil {
		gauge("fdud_throttle_records", "Plans whose throttle record fdud still holds (verify --all): throttles left on the cluster until a verify or execute --cancel of the plan removes them.")
		fmt.Fprintf(&b, "fdud_throttle_records %d\n", len(r.Records))
	}
	gauge("fdud_throttles_set", "Brokers and topics that still carry replication throttles fdud set for the plan.")
	fmt.Fprintf(&b, "fdud_throttles_set %d\n", r.Throttles.Entities)
	gauge("fdud_verify_complete", "1 when no partition of the plan is in flight or off plan, else 0.")
	fmt.Fprintf(&b, "fdud_verify_complete %d\n", boolInt(r.Counts.InProgress == 0 && r.Counts.NotAsPlanned == 0))
	gauge("fdud_verify_last_run_timestamp_seconds", "When fdud verify last ran, in seconds since the Unix epoch.")
	fmt.Fprintf(&b, "fdud_verify_last_run_timestamp_seconds %s\n",
		strconv.FormatFloat(float64(r.Time.UnixMilli())/1000, 'f', -1, 64))
	_, err := io.WriteString(w, b.String())
	return err
}

// domainLabel is the domain's name without decoration: "FD0", "UD3", or
// the zone's own name.
func domainLabel(d DomainRisk) string {
	if d.Dimension == cluster.ZoneDim {
		if z, err := strconv.Unquote(strings.TrimPrefix(d.Domain, "zone ")); err == nil {
			return z
		}
	}
	return d.Domain
}

// labelValue quotes a label value as the exposition format wants: only
// backslash, double quote and newline are escaped (Go's %q escapes more,
// which Prometheus would read back differently).
func labelValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WriteMetricsFile writes the metrics to path atomically: a temporary file
// in the same directory, then a rename, so the textfile collector never
// reads half a file. The temporary name does not end in .prom, which the
// collector ignores.
func WriteMetricsFile(path string, r *Result) error {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	defer f.Abort()
	if err := RenderMetrics(f, r); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	// Exactly 0644 whatever the umask: node_exporter runs as another user.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	return nil
}
