package verify

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/schemas"
)

type recordedProgress struct {
	updates  [][2]int
	finished int
}

func (p *recordedProgress) Update(c Counts, _ *progress.Estimate, _ time.Duration) {
	p.updates = append(p.updates, [2]int{c.Complete, c.Partitions})
}
func (p *recordedProgress) Finish() { p.finished++ }

func TestRun(t *testing.T) {
	live := brokers(1, 2, 3, 4, 5, 6, 7, 8, 9)
	settled := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{
		part("a", 0, 1, 5, 9), part("a", 1, 2, 6, 7), part("other", 0, 1, 4, 7),
	}}
	inFlight := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{
		moving("a", 0, r(1, 2, 3), r(1, 5, 9)), part("a", 1, 2, 6, 7), part("other", 0, 1, 4, 7),
	}}
	elsewhere := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{
		part("a", 0, 1, 2, 3), part("a", 1, 2, 6, 7),
	}}
	badSpread := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{
		part("a", 0, 1, 4, 7), part("a", 1, 2, 6, 7),
	}}
	notPreferred := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{
		part("a", 0, 1, 5, 9), part("a", 1, 2, 6, 7),
	}}
	notPreferred.Partitions[0].Leader = 5
	notPreferred.Partitions[1].Leader = 6
	notPreferred.Partitions[1].ISR = r(6, 7) // preferred leader 2 is out of sync: skip it

	thePlan := plan(pa("a", 0, 1, 5, 9), pa("a", 1, 2, 6, 7))
	cases := []struct {
		name      string
		states    []*cluster.State
		opts      Options
		throttles int // entities recorded before the run; -1: no record store
		removeErr error
		wantErr   error
		wantOut   Outcome
		// after the run
		removes   int
		entities  int
		elected   []string
		updates   int // progress updates, at least
		stderrHas []string
	}{
		{name: "complete and spread", states: []*cluster.State{settled}, throttles: 3,
			opts: Options{Domains: grid3x3()}, wantOut: OutcomeComplete, removes: 1,
			stderrHas: []string{"Reassignment of partition a-0 is complete.", "Throttles: removed", "Spread: all 2 of the plan's partitions"}},
		{name: "in progress keeps throttles", states: []*cluster.State{inFlight}, throttles: 3,
			opts: Options{}, wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, entities: 3,
			stderrHas: []string{"Reassignment of partition a-0 is still in progress.", "stay on 3 entities"}},
		{name: "wait until done", states: []*cluster.State{inFlight, inFlight, settled}, throttles: 2,
			opts: Options{Wait: true, PollInterval: time.Millisecond}, wantOut: OutcomeComplete, removes: 1, updates: 3},
		{name: "wait survives a failed read", states: []*cluster.State{inFlight, nil, settled}, throttles: -1,
			opts: Options{Wait: true, PollInterval: time.Millisecond}, wantOut: OutcomeComplete, updates: 2},
		{name: "wait times out", states: []*cluster.State{inFlight}, throttles: 1,
			opts:    Options{Wait: true, PollInterval: time.Millisecond, Timeout: 20 * time.Millisecond},
			wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, entities: 1, updates: 1},
		{name: "complete but throttles could not be removed", states: []*cluster.State{settled}, throttles: 2,
			removeErr: errors.New("broker 5: connection refused"), opts: Options{},
			wantErr: ErrThrottlesLeft, wantOut: OutcomeThrottlesLeft, removes: 1, entities: 2,
			stderrHas: []string{"Throttles: could not remove fdud's throttles: broker 5: connection refused"}},
		{name: "not as planned", states: []*cluster.State{elsewhere}, throttles: 1,
			opts: Options{}, wantErr: ErrNotAsPlanned, wantOut: OutcomeNotAsPlanned, removes: 1,
			stderrHas: []string{"There is no active reassignment of partition a-0, but replica set is 1,2,3 rather than 1,5,9."}},
		{name: "complete but not spread", states: []*cluster.State{badSpread}, throttles: -1,
			opts:    Options{Plan: plan(pa("a", 0, 1, 4, 7), pa("a", 1, 2, 6, 7)), Domains: grid3x3()},
			wantErr: cluster.ErrAtRisk, wantOut: OutcomeAtRisk,
			stderrHas: []string{"a-0 on 1,4,7: 3 replicas in FD0", "FD0    (brokers 1,4,7): 1 offline"}},
		{name: "spread of all partitions", states: []*cluster.State{settled}, throttles: -1,
			opts: Options{All: true, Domains: grid3x3()}, wantErr: cluster.ErrAtRisk, wantOut: OutcomeAtRisk,
			stderrHas: []string{"Spread: 1 of 3 of all partitions break the placement rules", "other-0 on 1,4,7"}},
		{name: "all without a plan", states: []*cluster.State{settled}, throttles: -1,
			opts: Options{Plan: plan(), All: true}, wantOut: OutcomeComplete},
		{name: "elect leaders", states: []*cluster.State{notPreferred}, throttles: -1,
			// a-1's preferred leader is out of sync: under-replicated, at risk.
			opts: Options{ElectLeaders: true}, wantErr: cluster.ErrAtRisk, wantOut: OutcomeAtRisk, elected: []string{"a-0"},
			stderrHas: []string{"Preferred leader election requested for 1 partitions: a-0", "skipped for 1 partitions", "a-1"}},
		{name: "no election while in flight", states: []*cluster.State{inFlight}, throttles: -1,
			opts: Options{ElectLeaders: true}, wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress},
		{name: "preserve throttles", states: []*cluster.State{settled}, throttles: 4,
			opts: Options{PreserveThrottles: true}, wantOut: OutcomeComplete, entities: 4,
			stderrHas: []string{"kept on 4 entities (--preserve-throttles)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc := scripted(t, tc.states...)
			o := tc.opts
			if o.Plan.Partitions == nil && tc.name != "all without a plan" {
				o.Plan = thePlan
			}
			o.Format = FormatJSON
			o.PrometheusFile = filepath.Join(t.TempDir(), "fdud.prom")
			var th *fakeThrottles
			var stdout, stderr bytes.Buffer
			prog := &recordedProgress{}
			env := Env{Stdout: &stdout, Stderr: &stderr, Progress: prog}
			if tc.throttles >= 0 {
				th = &fakeThrottles{entities: tc.throttles, err: tc.removeErr}
				env.Throttles = th
			}
			res, err := runWritten(context.Background(), o, fc, env)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v\n%s", err, tc.wantErr, stderr.String())
			}
			if res.Outcome() != tc.wantOut {
				t.Errorf("outcome %s, want %s", res.Outcome(), tc.wantOut)
			}
			if th != nil && (th.removes != tc.removes || th.entities != tc.entities) {
				t.Errorf("throttles: %d removals, %d entities left; want %d, %d", th.removes, th.entities, tc.removes, tc.entities)
			}
			if th != nil && res.Throttles.Entities != tc.entities {
				t.Errorf("reported %d throttled entities, want %d", res.Throttles.Entities, tc.entities)
			}
			if got := names(elected(fc)); !slices.Equal(got, tc.elected) {
				t.Errorf("elected %v, want %v", got, tc.elected)
			}
			if len(prog.updates) < tc.updates || (o.Wait && prog.finished != 1) {
				t.Errorf("progress: %v updates, %d finishes", prog.updates, prog.finished)
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if err := schemas.Validate(schemas.VerifyReport, stdout.Bytes()); err != nil {
				t.Errorf("report does not validate: %v\n%s", err, stdout.String())
			}
			if !strings.Contains(stdout.String(), `"outcome": "`+string(tc.wantOut)+`"`) {
				t.Errorf("report outcome is not %s:\n%s", tc.wantOut, stdout.String())
			}
			prom, err := os.ReadFile(o.PrometheusFile)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parseExposition(string(prom)); err != nil {
				t.Errorf("metrics: %v\n%s", err, prom)
			}
		})
	}
}

func TestRunReadErrors(t *testing.T) {
	o := Options{Plan: plan(pa("a", 0, 1))}
	if _, err := runWritten(context.Background(), o, scripted(t, nil), Env{}); !errors.Is(err, errFakeDown) ||
		errors.Is(err, cluster.ErrInProgress) {
		t.Errorf("error %v, want the read failure", err)
	}

	// Cancelling (Ctrl-C) ends a wait with the context's error, not an outcome.
	ctx, cancel := context.WithCancel(context.Background())
	moving := &cluster.State{Partitions: []cluster.PartitionState{moving("a", 0, r(2), r(1))}}
	prog := &cancelAfter{n: 2, cancel: cancel}
	o.Wait, o.PollInterval = true, time.Millisecond
	_, err := runWritten(ctx, o, scripted(t, moving), Env{Progress: prog})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

type cancelAfter struct {
	n      int
	cancel func()
}

func (c *cancelAfter) Update(Counts, *progress.Estimate, time.Duration) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
}
func (c *cancelAfter) Finish() {}

// Validate checks everything; ValidateInput, which the CLI runs before it
// connects to resolve the domains, everything but the domains.
func TestValidate(t *testing.T) {
	p := plan(pa("a", 0, 1))
	cases := []struct {
		name string
		o    Options
		ok   bool
		// inputOK is ValidateInput's verdict.
		inputOK bool
	}{
		{"defaults", Options{Plan: p}, true, true},
		{"json", Options{Plan: p, Format: "json"}, true, true},
		{"bad format", Options{Plan: p, Format: "yaml"}, false, false},
		{"timeout without wait", Options{Plan: p, Timeout: time.Minute}, false, false},
		{"negative poll", Options{Plan: p, Wait: true, PollInterval: -time.Second}, false, false},
		{"negative min isr", Options{Plan: p, MinInsyncReplicas: -1}, false, false},
		{"empty plan (nothing to verify, issue 9)", Options{}, true, true},
		{"empty plan with all", Options{All: true}, true, true},
		{"bad domains", Options{Plan: p, Domains: &cluster.Domains{Brokers: []cluster.BrokerDomain{{ID: 1}, {ID: 1}}}}, false, true},
		{"bad domains and format", Options{Plan: p, Format: "yaml", Domains: &cluster.Domains{Brokers: []cluster.BrokerDomain{{ID: -1}}}}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []struct {
				name     string
				validate func(*Options) error
				ok       bool
			}{{"Validate", (*Options).Validate, tc.ok}, {"ValidateInput", (*Options).ValidateInput, tc.inputOK}} {
				o := tc.o
				err := v.validate(&o)
				if (err == nil) != v.ok {
					t.Fatalf("%s() = %v, want ok=%t", v.name, err, v.ok)
				}
				if err != nil && !cluster.IsInvalid(err) {
					t.Errorf("%s: error %v is not an input error", v.name, err)
				}
			}
		})
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	l := NewLines(&b)
	// Issue 9: only partitions complete as planned are done; those not
	// submitted yet by a batching execute are waiting, not done.
	l.Update(Counts{Partitions: 4, Complete: 1, InProgress: 1, NotAsPlanned: 2}, nil, time.Second)
	l.Update(Counts{Partitions: 4, Complete: 1, InProgress: 1, NotAsPlanned: 2}, nil, 2*time.Second) // unchanged and recent: silent
	l.Update(Counts{Partitions: 4, Complete: 3, InProgress: 1}, nil, 3*time.Second)
	l.Update(Counts{Partitions: 4, Complete: 3, InProgress: 1}, nil, 2*time.Minute) // unchanged but a minute later: a heartbeat
	want := "verify: 1 of 4 partitions done, 1 moving, 2 waiting (not submitted yet) (1s elapsed)\n" +
		"verify: 3 of 4 partitions done, 1 moving (3s elapsed)\n" +
		"verify: 3 of 4 partitions done, 1 moving (2m0s elapsed)\n"
	if b.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	bar := NewBar(&b)
	bar.Update(Counts{Partitions: 2, Complete: 1, NotAsPlanned: 1}, nil, time.Second)
	bar.Finish()
	if got := b.String(); !strings.HasPrefix(got, "\r[###############...............] 1/2") || !strings.HasSuffix(got, "\n") {
		t.Errorf("bar %q", got)
	}
}

// min.insync.replicas comes from the topic's config, else from the default
// the operator gives: with two fault domains and R=3, losing the domain with
// two replicas leaves one, below a min ISR of 2.
func TestRunMinInsyncReplicas(t *testing.T) {
	twoFD := &cluster.Domains{Brokers: []cluster.BrokerDomain{
		{ID: 1, FaultDomain: 0, UpdateDomain: 0}, {ID: 2, FaultDomain: 1, UpdateDomain: 1}, {ID: 3, FaultDomain: 0, UpdateDomain: 2},
	}}
	st := &cluster.State{Brokers: brokers(1, 2, 3), Partitions: []cluster.PartitionState{
		part("strict", 0, 1, 2, 3), part("loose", 0, 1, 2, 3)}}
	p := plan(pa("strict", 0, 1, 2, 3), pa("loose", 0, 1, 2, 3))
	cases := []struct {
		name       string
		configs    map[string]map[string]string
		defaultISR int
		below      []string
	}{
		{"topic config", map[string]map[string]string{"strict": {"min.insync.replicas": "2"}}, 0, []string{"strict-0"}},
		{"default flag", nil, 2, []string{"loose-0", "strict-0"}},
		{"topic config overrides the default", map[string]map[string]string{"loose": {"min.insync.replicas": "1"}}, 2, []string{"strict-0"}},
		{"malformed config ignored", map[string]map[string]string{"strict": {"min.insync.replicas": "two"}}, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc := scripted(t, st)
			setTopicConfigs(fc, tc.configs)
			var text bytes.Buffer
			res, err := runWritten(context.Background(), Options{Plan: p, Domains: twoFD, MinInsyncReplicas: tc.defaultISR}, fc, Env{Stderr: &text})
			// Structural risk (issue 9): reported with its fix, exit 0 ...
			if err != nil || res.Risk.StructuralTotal != len(tc.below) || res.Risk.AtRiskTotal != 0 {
				t.Fatalf("error %v, structural %d, at risk %d; want nil, %d, 0", err, res.Risk.StructuralTotal, res.Risk.AtRiskTotal, len(tc.below))
			}
			if want := "fix: add a fault domain (3 in all), or use replication factor 4, or lower min.insync.replicas to 1"; len(tc.below) > 0 &&
				(!strings.Contains(text.String(), "Structural risk") || !strings.Contains(text.String(), want)) {
				t.Errorf("the report lacks the structural risk and %q:\n%s", want, text.String())
			}
			// ... unless asked to fail on it.
			_, err = runWritten(context.Background(), Options{Plan: p, Domains: twoFD, MinInsyncReplicas: tc.defaultISR, FailOnStructuralRisk: true},
				fc, Env{})
			if len(tc.below) > 0 && !errors.Is(err, cluster.ErrAtRisk) || len(tc.below) == 0 && err != nil {
				t.Fatalf("with FailOnStructuralRisk: error %v", err)
			}
			var below []string
			for _, d := range res.Risk.WhatIf {
				if d.Domain == "FD0" {
					below = names(d.BelowMinISR)
				}
			}
			if !slices.Equal(below, tc.below) {
				t.Errorf("below min ISR if FD0 fails: %v, want %v", below, tc.below)
			}
		})
	}
}
