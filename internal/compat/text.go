package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// The text Kafka's tool prints. Runbooks grep for these, so they are kept
// byte for byte: Modern from Kafka 2.5+'s ReassignPartitionsCommand (and
// Kafka37 from its Java rewrite, which differs in one status line), Legacy
// from the ZooKeeper-era tool (checked against Kafka 0.9.0.1's own output,
// kept in testdata/kafka-0.9).
const (
	rollbackHint = "Save this to use as the --reassignment-json-file option during rollback"

	verifyWarning       = "Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed."
	legacyVerifyWarning = "Warning: You must run Verify periodically, until the reassignment completes, to ensure the throttle is removed. You can also alter the throttle by rerunning the Execute command passing a new value."

	existingReassignment = "Cannot execute because there is an existing partition assignment.  Use --additional to override this and " +
		"create a new partition assignment in addition to the existing one. The --additional flag can also be used to change " +
		"the throttle by resubmitting the current reassignment."

	throttleRemoved = "Throttle was removed."
	noReassignments = "No partition reassignments found."
	noneActive      = "None of the specified partition reassignments are active."
	noneMovesActive = "None of the specified partition moves are active."
)

// Printer writes Kafka's text in one style.
type Printer struct {
	W     io.Writer
	Style Style
}

// assignmentJSON renders a in the style's JSON: sorted by topic and
// partition; Modern always carries log_dirs, Legacy (Kafka 0.9) only when a
// replica names a directory.
func (p Printer) assignmentJSON(a cluster.Assignment) string {
	a = cluster.Assignment{Version: 1, Partitions: slices.Clone(a.Partitions)}
	a.Sort()
	var buf bytes.Buffer
	if p.Style == Legacy && !movesLogDirs(a) {
		type legacyPartition struct {
			Topic     string  `json:"topic"`
			Partition int32   `json:"partition"`
			Replicas  []int32 `json:"replicas"`
		}
		doc := struct {
			Version    int               `json:"version"`
			Partitions []legacyPartition `json:"partitions"`
		}{Version: 1, Partitions: make([]legacyPartition, len(a.Partitions))}
		for i, pa := range a.Partitions {
			r := pa.Replicas
			if r == nil {
				r = []int32{}
			}
			doc.Partitions[i] = legacyPartition{pa.Topic, pa.Partition, r}
		}
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(doc) // cannot fail: plain strings and numbers
	} else {
		cluster.WriteAssignment(&buf, a) // cannot fail writing to a buffer
	}
	return strings.TrimRight(buf.String(), "\n")
}

func movesLogDirs(a cluster.Assignment) bool {
	for _, pa := range a.Partitions {
		if pa.MovesLogDirs() {
			return true
		}
	}
	return false
}

func (p Printer) line(s string) { fmt.Fprintln(p.W, s) }

// Generate prints --generate's two documents: the current assignment of the
// partitions in scope and the proposed one.
func (p Printer) Generate(current, proposed cluster.Assignment) {
	if p.Style == Legacy {
		fmt.Fprintf(p.W, "%s\n\n%s\n%s\n\n%s\n", cluster.CurrentHeading, p.assignmentJSON(current),
			cluster.ProposedHeading, p.assignmentJSON(proposed))
		return
	}
	fmt.Fprintf(p.W, "%s\n%s\n\n%s\n%s\n", cluster.CurrentHeading, p.assignmentJSON(current),
		cluster.ProposedHeading, p.assignmentJSON(proposed))
}

// ExecuteCurrent prints, before anything changes, the current assignment of
// the plan's partitions: the rollback plan.
func (p Printer) ExecuteCurrent(current cluster.Assignment) {
	fmt.Fprintf(p.W, "%s\n\n%s\n\n%s\n", cluster.CurrentHeading, p.assignmentJSON(current), rollbackHint)
}

// ThrottleSet prints the throttle warning and the rates of the throttles
// set; a rate of 0 or less is a kind none was set of. Kafka's tool prints
// these lines whenever --throttle is given; fdud prints them only for
// throttles it set, so that stdout never claims a throttle fdud's own
// report on stderr says was not set (a plan that adds no replica).
func (p Printer) ThrottleSet(interBroker, logDirs int64) {
	if interBroker <= 0 && logDirs <= 0 {
		return
	}
	if p.Style == Legacy {
		p.line(legacyVerifyWarning)
		if interBroker > 0 {
			fmt.Fprintf(p.W, "The throttle limit was set to %d B/s\n", interBroker)
		}
		return
	}
	p.line(verifyWarning)
	if interBroker > 0 {
		fmt.Fprintf(p.W, "The inter-broker throttle limit was set to %d B/s\n", interBroker)
	}
	if logDirs > 0 {
		fmt.Fprintf(p.W, "The replica-alter-dir throttle limit was set to %d B/s\n", logDirs)
	}
}

// Started prints the line that says the reassignment was submitted.
func (p Printer) Started(plan cluster.Assignment) {
	if p.Style == Legacy {
		fmt.Fprintf(p.W, "Successfully started reassignment of partitions %s\n", p.assignmentJSON(plan))
		return
	}
	tps := partitions(plan)
	fmt.Fprintf(p.W, "Successfully started partition reassignment%s for %s\n", plural(len(tps)), joinTPs(tps))
}

// Existing prints Kafka's refusal to start while reassignments are in flight.
func (p Printer) Existing() { p.line(existingReassignment) }

// statusHeading opens --verify's lines, in every style.
const statusHeading = "Status of partition reassignment:"

// PartitionStatus is one partition as --verify found it, in the terms
// Kafka's lines need; the front end fills it from verify's result.
type PartitionStatus struct {
	TP cluster.TopicPartition
	// Complete: the partition is on its planned replicas, nothing in flight.
	Complete bool
	// Mismatch: nothing in flight, but the partition is not on its planned
	// replicas (and exists).
	Mismatch         bool
	Current, Planned []int32
	// Line is the status line of Kafka 2.5+, LegacyLine that of the
	// ZooKeeper-era tool.
	Line, LegacyLine string
}

// VerifyStatus prints the status heading and one line per partition.
func (p Printer) VerifyStatus(statuses []PartitionStatus) {
	p.line(statusHeading)
	for _, s := range statuses {
		if p.Style == Legacy {
			if s.Mismatch {
				fmt.Fprintf(p.W, "ERROR: Assigned replicas (%s) don't match the list of replicas for reassignment (%s) for partition [%s,%d]\n",
					joinIDs(s.Current, ","), joinIDs(s.Planned, ","), s.TP.Topic, s.TP.Partition)
			}
			p.line(s.LegacyLine)
			continue
		}
		if p.Style == Kafka37 && s.Complete {
			fmt.Fprintf(p.W, "Reassignment of partition %s is completed.\n", s.TP)
			continue
		}
		p.line(s.Line)
	}
}

// ThrottlesCleared prints what verify or cancel removed. Modern Kafka names
// the brokers and topics; the ZooKeeper-era tool says one line.
func (p Printer) ThrottlesCleared(brokers []int32, topics []string) {
	if len(brokers) == 0 && len(topics) == 0 {
		return
	}
	if p.Style == Legacy {
		p.line(throttleRemoved)
		return
	}
	if len(brokers) > 0 {
		fmt.Fprintf(p.W, "Clearing broker-level throttles on broker%s %s\n", plural(len(brokers)), joinIDs(brokers, ","))
	}
	if len(topics) > 0 {
		fmt.Fprintf(p.W, "Clearing topic-level throttles on topic%s %s\n", plural(len(topics)), strings.Join(topics, ","))
	}
}

// Cancelled prints --cancel's result: the partitions whose reassignment was
// cancelled (none: Kafka's "none active" lines).
func (p Printer) Cancelled(tps []cluster.TopicPartition) {
	if len(tps) == 0 {
		p.line(noneActive)
	} else {
		tps = slices.Clone(tps)
		slices.SortFunc(tps, cluster.TopicPartition.Compare)
		fmt.Fprintf(p.W, "Successfully cancelled partition reassignment%s for: %s\n", plural(len(tps)), joinTPs(tps))
	}
	// Kafka prints this without a newline; fdud moves no log dirs on cancel,
	// so it always holds. The newline keeps the next line readable.
	p.line(noneMovesActive)
}

// InFlight is one reassignment in flight, for --list.
type InFlight struct {
	TP                         cluster.TopicPartition
	Replicas, Adding, Removing []int32
}

// List prints --list.
func (p Printer) List(rs []InFlight) {
	if len(rs) == 0 {
		p.line(noReassignments)
		return
	}
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b InFlight) int { return a.TP.Compare(b.TP) })
	p.line("Current partition reassignments:")
	for _, r := range rs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: replicas: %s.", r.TP, joinIDs(r.Replicas, ","))
		if len(r.Adding) > 0 {
			fmt.Fprintf(&b, " adding: %s.", joinIDs(r.Adding, ","))
		}
		if len(r.Removing) > 0 {
			fmt.Fprintf(&b, " removing: %s.", joinIDs(r.Removing, ","))
		}
		p.line(b.String())
	}
}

// partitions returns the plan's partitions, sorted.
func partitions(a cluster.Assignment) []cluster.TopicPartition {
	tps := make([]cluster.TopicPartition, len(a.Partitions))
	for i, pa := range a.Partitions {
		tps[i] = pa.TP()
	}
	slices.SortFunc(tps, cluster.TopicPartition.Compare)
	return tps
}

func joinTPs(tps []cluster.TopicPartition) string {
	s := make([]string, len(tps))
	for i, tp := range tps {
		s[i] = tp.String()
	}
	return strings.Join(s, ",")
}

func joinIDs(ids []int32, sep string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, sep)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
