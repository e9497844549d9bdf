package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/compat"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/verify"
)

// The kafka-reassign-partitions front end: Kafka's command line, parsed by
// package compat, runs the stages through the same wiring as fdud's own
// commands (connectCluster, resolveDomains, readKafkaPlan, verifyWith, ...)
// and prints Kafka's text with compat.Printer.

// compatEnv is what a Kafka command line runs with.
type compatEnv struct {
	compat.Env // the FDUD_* settings fdud's commands share
	// Stdout receives Kafka's text, as Kafka's tool prints it there.
	Stdout io.Writer
	// Stderr receives fdud's own notes: warnings, the verify report, the
	// grid. Runbooks that grep stdout are not disturbed by them.
	Stderr io.Writer
	Stdin  io.Reader
	Logger *slog.Logger
}

// compatRunner is one Kafka command line being carried out.
type compatRunner struct {
	o   compat.Options
	env compatEnv
	log *slog.Logger
	p   compat.Printer
	cc  clusterConfig
}

// runCompat carries out the action of a parsed Kafka command line with
// fdud's stages and prints Kafka's text on env.Stdout. Outcomes come back as
// errors the CLI maps to exit codes (cluster.ErrInProgress,
// cluster.ErrAtRisk, cluster.ErrBusy, verify.ErrNotAsPlanned, input
// errors); see kafkaExit for Kafka's always-zero behaviour.
func runCompat(ctx context.Context, o compat.Options, env compatEnv) error {
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &compatRunner{o: o, env: env, log: log, p: compat.Printer{W: env.Stdout, Style: o.OutputStyle()},
		cc: clusterConfig{BootstrapServer: o.BootstrapServer, CommandConfig: o.CommandConfig, ZooKeeper: o.ZooKeeper,
			ZooKeeperDigest: env.ZooKeeperDigest, Timeout: env.RequestTimeout, Logger: log}}
	switch o.Action {
	case compat.Generate:
		return r.generate(ctx)
	case compat.Execute:
		return r.execute(ctx, execute.ModeExecute)
	case compat.Cancel:
		return r.execute(ctx, execute.ModeCancel)
	case compat.Verify:
		return r.verify(ctx)
	case compat.List:
		return r.list(ctx)
	}
	return cluster.Invalidf("unknown action %q", o.Action)
}

func (r *compatRunner) domainEnv() domainEnv {
	return domainEnv{Stdin: r.env.Stdin, Stderr: r.env.Stderr, Logger: r.log, ZooKeeperDigest: r.env.ZooKeeperDigest}
}

func (r *compatRunner) execute(ctx context.Context, mode execute.Mode) error {
	plan, err := readKafkaPlan(r.o.ReassignmentJSONFile)
	if err != nil {
		return err
	}
	cs, err := connectCluster(ctx, r.cc, true)
	if err != nil {
		return err
	}
	defer cs.Close()
	eo := execute.Options{
		Mode:           mode,
		Throttle:       r.o.Throttle,
		LogDirThrottle: r.o.LogDirsThrottle,
		Additional:     r.o.Additional,
		// Kafka's --execute takes a change of the replica count (the
		// documented way to raise the replication factor), so compat does.
		AllowRFChange: true,
		// Kafka's tool prints the current assignment on stdout; so does
		// ExecuteCurrent below, once.
		NoCurrentBlock: true,
		Timeout:        r.o.Timeout,
		RollbackFile:   r.env.RollbackFile,
		StateDir:       r.env.StateDir,
	}
	if mode == execute.ModeCancel {
		eo = execute.Options{Mode: mode, Throttle: -1, LogDirThrottle: -1, PreserveThrottles: r.o.PreserveThrottles,
			Timeout: r.o.Timeout, StateDir: r.env.StateDir}
	}
	// The plan is not passed on: Kafka's tool prints no plan.
	res, err := execute.Run(ctx, execute.Input{Plan: plan, Options: eo},
		execute.Deps{Cluster: cs.Cluster, ZooKeeper: cs.ZooKeeper, Stderr: r.env.Stderr, Logger: r.log})
	if mode == execute.ModeExecute && res.OthersInFlight && !r.o.Additional {
		// execute refuses (exit 5); say it in Kafka's words.
		r.p.Existing()
	}
	if err != nil {
		return err
	}
	if mode == execute.ModeCancel {
		r.p.Cancelled(res.Cancelled)
		if res.ThrottlesRemoved != nil {
			r.p.ThrottlesCleared(entities(res.ThrottlesRemoved))
		}
		return nil
	}
	r.p.ExecuteCurrent(res.Current)
	// Only the throttles execute set: a plan that adds no replica sets none.
	r.p.ThrottleSet(res.InterBrokerRate, res.LogDirRate)
	r.p.Started(plan.Assignment)
	return nil
}

func (r *compatRunner) verify(ctx context.Context) error {
	plan, err := readKafkaPlan(r.o.ReassignmentJSONFile)
	if err != nil {
		return err
	}
	vo := verify.Options{
		Plan:              plan.Assignment,
		Wait:              r.o.Wait,
		PreserveThrottles: r.o.PreserveThrottles,
		PollInterval:      r.env.PollInterval,
	}
	if r.o.Wait && r.o.TimeoutSet {
		vo.Timeout = r.o.Timeout
	}
	res, removed, err := verifyWith(ctx, verifyRequest{
		Options: vo, Domains: r.o.Domains, Cluster: r.cc, StateDir: r.env.StateDir,
		Deps:      verify.Deps{Logger: r.log},
		DomainEnv: r.domainEnv(),
	})
	if res == nil {
		return err
	}
	// fdud's report on stderr; Kafka's status lines on stdout, in the
	// chosen Kafka style.
	if werr := verify.WriteText(r.env.Stderr, res); werr != nil {
		return werr
	}
	r.p.VerifyStatus(kafkaStatuses(res.Statuses))
	for _, s := range res.Statuses {
		for _, n := range verify.Notes(s) {
			fmt.Fprintf(r.env.Stderr, "fdud: note: %s\n", n)
		}
	}
	if removed != nil {
		r.p.ThrottlesCleared(entities(removed))
	}
	return err
}

func (r *compatRunner) list(ctx context.Context) error {
	cs, err := connectCluster(ctx, r.cc, false)
	if err != nil {
		return err
	}
	defer cs.Close()
	res, err := execute.Run(ctx, execute.Input{Options: execute.Options{Mode: execute.ModeList}}, execute.Deps{Cluster: cs.Cluster, Logger: r.log})
	if err != nil {
		return err
	}
	r.p.List(inFlight(res.InFlight))
	return nil
}

// kafkaStatuses gives Kafka's printer what verify found.
func kafkaStatuses(ss []verify.PartitionStatus) []compat.PartitionStatus {
	out := make([]compat.PartitionStatus, len(ss))
	for i, s := range ss {
		out[i] = compat.PartitionStatus{TP: s.TP, Complete: s.Status == verify.Complete, Mismatch: s.Status == verify.NotAsPlanned && !s.Missing,
			Current: s.Current, Planned: s.Planned, Line: verify.StatusLine(s), LegacyLine: verify.LegacyStatusLine(s)}
	}
	return out
}

// inFlight describes the reassignments in flight as Kafka 2.4+ does: the
// full replica set (target first, then the replicas leaving), what is being
// added and what removed.
func inFlight(ps []cluster.PartitionState) []compat.InFlight {
	var out []compat.InFlight
	for _, p := range ps {
		f := compat.InFlight{TP: p.TP()}
		f.Adding, f.Removing = p.Moves()
		f.Replicas = slices.Clone(p.Target)
		for _, id := range p.Replicas {
			if !slices.Contains(f.Replicas, id) {
				f.Replicas = append(f.Replicas, id)
			}
		}
		out = append(out, f)
	}
	return out
}

// entities splits a throttle record's entities into broker ids and topics.
func entities(rec *throttle.Record) (brokers []int32, topics []string) {
	for _, e := range rec.Entities() {
		switch e.Kind {
		case kafka.BrokerEntity:
			var id int32
			if _, err := fmt.Sscan(e.Name, &id); err == nil {
				brokers = append(brokers, id)
			}
		case kafka.TopicEntity:
			topics = append(topics, e.Name)
		}
	}
	slices.Sort(brokers)
	slices.Sort(topics)
	return brokers, topics
}

// kafkaExit turns the outcome of action into Kafka 2.5+'s exit behaviour
// (--kafka-exit-codes): what --verify found (in progress, not as planned, at
// risk) is not a failure and exits 0; every failure exits 1.
func kafkaExit(action compat.Action, err error) error {
	switch {
	case err == nil:
		return nil
	case action == compat.Verify && (errors.Is(err, cluster.ErrInProgress) || errors.Is(err, cluster.ErrAtRisk) ||
		errors.Is(err, verify.ErrNotAsPlanned)):
		return nil
	}
	return cli.Exit(err.Error(), 1)
}
