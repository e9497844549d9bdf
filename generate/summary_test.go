package generate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// On 1,000 brokers (17 a cell) the summary stays readable: counts per cell,
// the brokers that change most; --summary all shows everything.
func TestSummaryLargeCluster(t *testing.T) {
	in := kafkaDefault(newRand(1), 1000, 3, 20, 100, 30, 3)
	res, err := Plan(in, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var auto, all bytes.Buffer
	if err := WriteSummary(&auto, res.Report, SummaryAuto); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(&all, res.Report, SummaryAll); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(auto.String(), "\n")
	for _, l := range lines {
		if len(l) > 120 {
			t.Errorf("line of %d characters: %s", len(l), l)
		}
	}
	if len(lines) > 100 {
		t.Errorf("summary of %d lines:\n%s", len(lines), auto.String())
	}
	for _, want := range []string{
		"1000 brokers; eligible brokers hold",
		"brokers whose counts change most (every broker: --summary all, or --report):",
		"brokers, replicas and preferred leaders after the plan, by update domain (rows) and fault domain",
		"FD0 brokers  replicas  leaders  FD1 brokers",
		"  UD19  ",
	} {
		if !strings.Contains(auto.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, auto.String())
		}
	}
	if rows := strings.Count(auto.String(), "  eligible  "); rows != topBrokerRows {
		t.Errorf("%d broker rows, want the top %d", rows, topBrokerRows)
	}

	if rows := strings.Count(all.String(), "  eligible  "); rows != 1000 {
		t.Errorf("--summary all: %d broker rows, want 1000", rows)
	}
	if !strings.Contains(all.String(), "brokers by fault domain (rows) and update domain (columns)") ||
		!strings.Contains(all.String(), "1000,1060,1120") {
		t.Errorf("--summary all does not list the grid's broker ids")
	}
}

// The counts of a crowded grid add up, and tally marks.
func TestSummaryCellCounts(t *testing.T) {
	r := Report{Grid: []cluster.GridCell{{FaultDomain: 0, UpdateDomain: 0, Brokers: []int32{1, 2, 3, 4, 5}}}}
	for id := int32(1); id <= 5; id++ {
		status := statusNames[statusEligible]
		if id == 5 {
			status = statusNames[statusExcluded]
		}
		r.Brokers = append(r.Brokers, BrokerReport{ID: id, Status: status, ReplicasAfter: int(id), LeadersAfter: 1})
	}
	var b bytes.Buffer
	WriteSummary(&b, r, SummaryAuto)
	if !strings.Contains(b.String(), "\n  UD0 ") {
		t.Fatalf("no UD0 row:\n%s", b.String())
	}
	row := strings.SplitN(strings.SplitN(b.String(), "\n  UD0 ", 2)[1], "\n", 2)[0]
	if got, want := strings.Join(strings.Fields(row), " "), "5 (1x) 15 5"; got != want {
		t.Errorf("UD0 row %q, want brokers, replicas, leaders %q:\n%s", got, want, b.String())
	}
}

func TestParseSummaryDetail(t *testing.T) {
	for in, want := range map[string]SummaryDetail{"": SummaryAuto, "auto": SummaryAuto, "all": SummaryAll} {
		if got, err := ParseSummaryDetail(in); err != nil || got != want {
			t.Errorf("ParseSummaryDetail(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSummaryDetail("full"); !cluster.IsInvalid(err) {
		t.Errorf("ParseSummaryDetail(full) = %v, want an input error", err)
	}
}
