package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// Report is the JSON document verify writes with --format json
// (schemas/verify-report.schema.json). Lists are never null.
type Report struct {
	Version         int                 `json:"version"`
	Time            string              `json:"time"` // RFC 3339, UTC
	Path            string              `json:"path,omitempty"`
	Outcome         Outcome             `json:"outcome"`
	Complete        bool                `json:"complete"`
	Summary         ReportSummary       `json:"summary"`
	Partitions      []ReportPartition   `json:"partitions"`
	Throttles       ReportThrottles     `json:"throttles"`
	LeaderElection  *ReportElection     `json:"leader_election,omitempty"`
	UnderReplicated []ReportReplication `json:"under_replicated"`
	Spread          *ReportSpread       `json:"spread,omitempty"`
	WaitedSeconds   float64             `json:"waited_seconds"`
	BytesRemaining  *int64              `json:"bytes_remaining,omitempty"`
	// MessagesRemaining: where sizes are unknown, from the offsets.
	MessagesRemaining *int64            `json:"messages_remaining,omitempty"`
	TimedOut          bool              `json:"timed_out"`
	LockHolder        *ReportLockHolder `json:"lock_holder,omitempty"`
	ThrottleRecords   []ReportRecord    `json:"throttle_records,omitempty"`
}

// ReportRecord is a plan whose throttle record fdud still holds (--all).
type ReportRecord struct {
	Plan     string `json:"plan"`
	Entities int    `json:"entities"`
	Updated  string `json:"updated,omitempty"` // RFC 3339, UTC
	Host     string `json:"host,omitempty"`
}

// ReportLockHolder is another run that held the cluster lock once nothing
// was in flight, so the throttles were kept.
type ReportLockHolder struct {
	Name     string `json:"name"`
	ThisPlan bool   `json:"executing_this_plan"`
}

type ReportSummary struct {
	Partitions         int `json:"partitions"`
	Complete           int `json:"complete"`
	InProgress         int `json:"in_progress"`
	NotAsPlanned       int `json:"not_as_planned"`
	OrderDiffers       int `json:"order_differs"`
	LeaderNotPreferred int `json:"leader_not_preferred"`
	UnderReplicated    int `json:"under_replicated"`
	AtRisk             int `json:"at_risk"`
	StructuralRisk     int `json:"structural_risk"`
}

type ReportPartition struct {
	Topic           string  `json:"topic"`
	Partition       int32   `json:"partition"`
	Status          Status  `json:"status"`
	Planned         []int32 `json:"planned_replicas"`
	Current         []int32 `json:"current_replicas"`
	Target          []int32 `json:"target_replicas,omitempty"`
	ISR             []int32 `json:"isr"`
	Leader          int32   `json:"leader"`
	Missing         bool    `json:"missing,omitempty"`
	OrderDiffers    bool    `json:"order_differs,omitempty"`
	TargetDiffers   bool    `json:"target_differs,omitempty"`
	LeaderPreferred bool    `json:"leader_preferred"`
}

type ReportThrottles struct {
	Checked   bool     `json:"checked"`
	Entities  int      `json:"entities"`
	Removed   bool     `json:"removed"`
	Left      []string `json:"left,omitempty"`
	Preserved bool     `json:"preserved"`
	Error     string   `json:"error,omitempty"`
}

type ReportElection struct {
	Requested []string `json:"requested"`
	Skipped   []string `json:"skipped"`
}

type ReportReplication struct {
	Topic       string  `json:"topic"`
	Partition   int32   `json:"partition"`
	Replicas    []int32 `json:"replicas"`
	ISR         []int32 `json:"isr"`
	MinISR      int     `json:"min_insync_replicas"`
	BelowMinISR bool    `json:"below_min_insync_replicas"`
	Offline     bool    `json:"offline"`
	CatchingUp  []int32 `json:"catching_up,omitempty"`
}

type ReportSpread struct {
	Scope      string             `json:"scope"` // "plan" or "all"
	Partitions int                `json:"partitions"`
	Dimensions []string           `json:"dimensions"`
	AtRisk     map[string]int     `json:"at_risk"` // per dimension
	Violations []ReportViolation  `json:"violations"`
	WhatIf     []ReportDomainRisk `json:"what_if"`
	NoDomain   []int32            `json:"brokers_without_domain"`
	Brokers    []ReportBroker     `json:"brokers"`
	// Structural is the risk no placement avoids, by cause, with the fix.
	Structural []ReportStructural `json:"structural_risk"`
}

type ReportStructural struct {
	Dimension         string `json:"dimension"`
	Domains           int    `json:"domains"`
	ReplicationFactor int    `json:"replication_factor"`
	MinISR            int    `json:"min_insync_replicas"`
	Partitions        int    `json:"partitions"`
	Offline           bool   `json:"offline"`
	Fix               string `json:"fix"`
}

type ReportViolation struct {
	Topic      string   `json:"topic"`
	Partition  int32    `json:"partition"`
	Replicas   []int32  `json:"replicas"`
	Dimensions []string `json:"dimensions"`
	Reasons    []string `json:"reasons"`
}

type ReportDomainRisk struct {
	Dimension   string   `json:"dimension"`
	Domain      string   `json:"domain"`
	Brokers     []int32  `json:"brokers"`
	Offline     []string `json:"offline"`
	BelowMinISR []string `json:"below_min_insync_replicas"`
}

type ReportBroker struct {
	ID           int32  `json:"id"`
	FaultDomain  int    `json:"fault_domain"`
	UpdateDomain int    `json:"update_domain"`
	Zone         string `json:"zone,omitempty"`
	Live         bool   `json:"live"`
}

// NewReport turns a result into its JSON document.
func NewReport(r *Result) Report {
	c := r.Counts
	rep := Report{
		Version: 1, Time: r.Time.UTC().Format(time.RFC3339), Path: r.Path,
		Outcome: r.Outcome(), Complete: c.InProgress == 0 && c.NotAsPlanned == 0,
		Summary: ReportSummary{Partitions: c.Partitions, Complete: c.Complete, InProgress: c.InProgress,
			NotAsPlanned: c.NotAsPlanned, OrderDiffers: c.OrderDiffers, LeaderNotPreferred: c.LeaderNotPreferred,
			UnderReplicated: len(r.Risk.UnderReplicated), AtRisk: r.Risk.AtRiskTotal, StructuralRisk: r.Risk.StructuralTotal},
		Partitions: make([]ReportPartition, 0, len(r.Statuses)),
		Throttles: ReportThrottles{Checked: r.Throttles.Checked, Entities: r.Throttles.Entities,
			Removed: r.Throttles.Removed, Left: r.Throttles.Left, Preserved: r.Throttles.Preserved, Error: r.Throttles.Error},
		UnderReplicated:   make([]ReportReplication, 0, len(r.Risk.UnderReplicated)),
		WaitedSeconds:     r.Waited.Seconds(),
		TimedOut:          r.TimedOut,
		BytesRemaining:    r.BytesRemaining,
		MessagesRemaining: r.MessagesRemaining,
	}
	for _, s := range r.Statuses {
		rep.Partitions = append(rep.Partitions, ReportPartition{Topic: s.TP.Topic, Partition: s.TP.Partition,
			Status: s.Status, Planned: ids(s.Planned), Current: ids(s.Current), Target: s.Target, ISR: ids(s.ISR),
			Leader: s.Leader, Missing: s.Missing, OrderDiffers: s.OrderDiffers, TargetDiffers: s.TargetDiffers,
			LeaderPreferred: s.LeaderPreferred()})
	}
	if h := r.LockHolder; h != nil {
		rep.LockHolder = &ReportLockHolder{Name: h.Name, ThisPlan: h.ThisPlan}
	}
	if e := r.Election; e != nil {
		rep.LeaderElection = &ReportElection{Requested: names(e.Requested), Skipped: names(e.Skipped)}
	}
	for _, rec := range r.Records {
		rr := ReportRecord{Plan: rec.Plan, Entities: rec.Entities, Host: rec.Host}
		if !rec.Updated.IsZero() {
			rr.Updated = rec.Updated.UTC().Format(time.RFC3339)
		}
		rep.ThrottleRecords = append(rep.ThrottleRecords, rr)
	}
	for _, u := range r.Risk.UnderReplicated {
		rep.UnderReplicated = append(rep.UnderReplicated, ReportReplication{Topic: u.TP.Topic, Partition: u.TP.Partition,
			Replicas: ids(u.Replicas), ISR: ids(u.ISR), MinISR: u.MinISR, BelowMinISR: u.BelowMinISR, Offline: u.Offline,
			CatchingUp: u.CatchingUp})
	}
	if r.Domains != nil {
		k := r.Risk
		sp := &ReportSpread{Scope: k.Scope, Partitions: k.Partitions, Dimensions: []string{}, AtRisk: map[string]int{},
			Violations: []ReportViolation{}, WhatIf: []ReportDomainRisk{}, NoDomain: ids(k.NoDomain), Brokers: []ReportBroker{},
			Structural: []ReportStructural{}}
		for _, g := range k.StructuralGroups {
			sp.Structural = append(sp.Structural, ReportStructural{Dimension: DimensionName(g.Dimension), Domains: g.Domains,
				ReplicationFactor: g.RF, MinISR: g.MinISR, Partitions: g.Partitions, Offline: g.Offline, Fix: g.Fix()})
		}
		for _, d := range k.Dimensions {
			sp.Dimensions = append(sp.Dimensions, DimensionName(d))
			sp.AtRisk[DimensionName(d)] = k.AtRisk[d]
		}
		for _, v := range k.Violations {
			dims := []string{}
			for _, d := range v.Dimensions {
				dims = append(dims, DimensionName(d))
			}
			sp.Violations = append(sp.Violations, ReportViolation{Topic: v.TP.Topic, Partition: v.TP.Partition,
				Replicas: ids(v.Replicas), Dimensions: dims, Reasons: v.Reasons})
		}
		for _, d := range k.WhatIf {
			sp.WhatIf = append(sp.WhatIf, ReportDomainRisk{Dimension: DimensionName(d.Dimension), Domain: d.Domain,
				Brokers: ids(d.Brokers), Offline: names(d.Offline), BelowMinISR: names(d.BelowMinISR)})
		}
		var brokerIDs []int32
		for id := range r.Domains {
			brokerIDs = append(brokerIDs, id)
		}
		slices.Sort(brokerIDs)
		for _, id := range brokerIDs {
			d := r.Domains[id]
			sp.Brokers = append(sp.Brokers, ReportBroker{ID: id, FaultDomain: d.FaultDomain, UpdateDomain: d.UpdateDomain,
				Zone: d.Zone, Live: slices.Contains(r.Live, id)})
		}
		rep.Spread = sp
	}
	return rep
}

// WriteJSON writes the report as indented JSON followed by a newline.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewReport(r)); err != nil {
		return fmt.Errorf("write verify report: %w", err)
	}
	return nil
}

func ids(s []int32) []int32 {
	if s == nil {
		return []int32{}
	}
	return s
}

func names(tps []cluster.TopicPartition) []string {
	out := make([]string, len(tps))
	for i, tp := range tps {
		out[i] = tp.String()
	}
	return out
}
