package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/compat"
	"github.com/fdud/fdud/internal/kafka"
)

func (r *compatRunner) generate(ctx context.Context) error {
	data, err := os.ReadFile(r.o.TopicsToMoveJSONFile)
	if err != nil {
		return cluster.Invalid(err)
	}
	topics, err := cluster.ParseTopicsToMove(data)
	if err != nil {
		return fmt.Errorf("%s: %w", r.o.TopicsToMoveJSONFile, err)
	}
	st, err := kafka.ReadState(ctx, r.cc.kafkaOptions(), nil)
	if err != nil {
		return err
	}
	// Read once, as fdud generate reads it: partitions being reassigned
	// are planned from their in-flight targets (their metadata shows the
	// old and new replicas together), and notes say which.
	in, notes := generate.FromState(st)
	current := in.Current
	have := current.Topics()
	for _, t := range topics {
		if !slices.Contains(have, t) {
			return cluster.Invalidf("Topic %s not found.", t)
		}
	}
	live := slices.Sorted(slices.Values(in.Live))
	var unknown []int32
	for _, id := range r.o.BrokerList {
		if !slices.Contains(live, id) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return cluster.Invalidf("--broker-list names brokers that are not live: %v (live: %v)", unknown, live)
	}

	domains, words, err := r.domains(ctx, st)
	if err != nil {
		return err
	}
	res, err := generate.Plan(generate.Input{Current: current, Domains: domains, Live: live}, generate.Options{
		Topics:     topics,
		BrokerList: r.o.BrokerList,
		// Kafka's --generate spreads the topics evenly over --broker-list;
		// balancing gives the same intent (new brokers get their share)
		// with as few moves as the rules allow.
		Balance: true,
	})
	if err != nil {
		var issues []string
		for _, i := range res.Report.Infeasible {
			issues = append(issues, i.String())
		}
		if len(issues) > 0 {
			fmt.Fprintf(r.env.Stderr, "fdud: partitions that cannot be placed by the rules:\n  %s\n", words(strings.Join(issues, "\n  ")))
		}
		return compat.Reworded(err, words)
	}

	inScope := cluster.Assignment{Version: 1}
	for _, p := range current.Partitions {
		if slices.Contains(topics, p.Topic) {
			inScope.Partitions = append(inScope.Partitions, p)
		}
	}
	r.p.Generate(inScope, res.Plan)
	rep := res.Report
	fmt.Fprintf(r.env.Stderr, "fdud: %d partitions in scope, %d change; %d replicas move (%d to repair the spread, %d to balance), %d preferred leaders change\n",
		rep.PartitionsInScope, rep.PartitionsChanged, rep.ReplicasMoved, rep.MoveLowerBound, rep.BalanceMoves, rep.LeaderChanges)
	if r.o.Domains != "" {
		fmt.Fprintf(r.env.Stderr, "fdud: partitions at risk before: %d (FD %d, UD %d), after: %d\n",
			rep.ViolationsBefore.Partitions, rep.ViolationsBefore.FaultDomain, rep.ViolationsBefore.UpdateDomain, rep.ViolationsAfter.Partitions)
	} else {
		// Without domains there are no FDs or UDs to speak of: the
		// domains compat.KafkaDomains made up are racks or brokers.
		fmt.Fprintf(r.env.Stderr, "fdud: partitions breaking the placement rules before: %d, after: %d\n",
			rep.ViolationsBefore.Partitions, rep.ViolationsAfter.Partitions)
	}
	for _, c := range rep.Compromises {
		fmt.Fprintf(r.env.Stderr, "fdud: warning: %s\n", words(c.String()))
	}
	for _, w := range append(notes, rep.Warnings...) {
		fmt.Fprintf(r.env.Stderr, "fdud: warning: %s\n", words(w))
	}
	if len(res.Plan.Partitions) == 0 {
		fmt.Fprintln(r.env.Stderr, "fdud: nothing to move: every partition in scope is already placed by the rules")
	}
	return nil
}

// domains returns the brokers' domains: from --domains / FDUD_DOMAINS,
// resolved as fdud generate resolves them, or, without them, what Kafka's
// tool would use (see compat.KafkaDomains). words rewrites the planner's
// messages in terms of what the domains stand for.
func (r *compatRunner) domains(ctx context.Context, st *cluster.State) (map[int32]cluster.Domain, func(string) string, error) {
	if r.o.Domains == "" {
		m, note, err := compat.KafkaDomains(st.Brokers, r.o.BrokerList, r.o.DisableRackAware)
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(r.env.Stderr, "fdud: no domains given (--domains or FDUD_DOMAINS): %s\n", note)
		return m, compat.KafkaWording(st.Brokers, r.o.BrokerList, r.o.DisableRackAware), nil
	}
	if r.o.DisableRackAware {
		r.log.Info("--disable-rack-aware has no effect: placement follows the domains given")
	}
	src := newClusterSource(r.cc, nil, st)
	defer src.Close()
	d, err := resolveDomains(ctx, r.o.Domains, forGenerate, src, r.domainEnv())
	if err != nil {
		return nil, nil, err
	}
	return d.Map(), func(s string) string { return s }, nil
}
