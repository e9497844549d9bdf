package compat

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/fdud/fdud/cluster"
	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/kafka"
)

func (r *runner) generate(ctx context.Context) error {
	data, err := os.ReadFile(r.o.TopicsToMoveJSONFile)
	if err != nil {
		return cluster.Invalid(err)
	}
	topics, err := cluster.ParseTopicsToMove(data)
	if err != nil {
		return fmt.Errorf("%s: %w", r.o.TopicsToMoveJSONFile, err)
	}
	st, err := kafka.ReadState(ctx, r.kafkaOptions(), nil)
	if err != nil {
		return err
	}
	current := st.Assignment()
	have := current.Topics()
	for _, t := range topics {
		if !slices.Contains(have, t) {
			return cluster.Invalidf("Topic %s not found.", t)
		}
	}
	live := make([]int32, 0, len(st.Brokers))
	for _, b := range st.Brokers {
		live = append(live, b.ID)
	}
	slices.Sort(live)
	var unknown []int32
	for _, id := range r.o.BrokerList {
		if !slices.Contains(live, id) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return cluster.Invalidf("--broker-list names brokers that are not live: %v (live: %v)", unknown, live)
	}

	domains, err := r.domains(ctx, st)
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
			fmt.Fprintf(r.env.Stderr, "fdud: partitions that cannot be placed by the rules:\n  %s\n", strings.Join(issues, "\n  "))
		}
		return err
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
	fmt.Fprintf(r.env.Stderr, "fdud: partitions at risk before: %d (FD %d, UD %d), after: %d\n",
		rep.ViolationsBefore.Partitions, rep.ViolationsBefore.FaultDomain, rep.ViolationsBefore.UpdateDomain, rep.ViolationsAfter.Partitions)
	for _, c := range rep.Compromises {
		fmt.Fprintf(r.env.Stderr, "fdud: warning: %s\n", c)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(r.env.Stderr, "fdud: warning: %s\n", w)
	}
	if len(res.Plan.Partitions) == 0 {
		fmt.Fprintln(r.env.Stderr, "fdud: nothing to move: every partition in scope is already placed by the rules")
	}
	return nil
}

// domains returns the brokers' domains: from --domains / FDUD_DOMAINS, or,
// without them, each live broker as its own fault and update domain, which
// makes the plan a rack-unaware spread over --broker-list, as Kafka's.
func (r *runner) domains(ctx context.Context, st *cluster.State) (map[int32]cluster.Domain, error) {
	if r.o.Domains != "" {
		d, err := domainsrc.Resolve(ctx, r.o.Domains, domainsrc.Deps{
			Stdin: r.env.Stdin, Stderr: r.env.Stderr, Logger: r.log, ZooKeeperDigest: r.env.ZooKeeperDigest,
			Brokers: stateBrokers{st}, AllowMissing: true,
		})
		if err != nil {
			return nil, fmt.Errorf("domains %s: %w", r.o.Domains, err)
		}
		return d.Map(), nil
	}
	fmt.Fprintln(r.env.Stderr, "fdud: no domains given (--domains or FDUD_DOMAINS): each broker counts as its own fault and update domain, "+
		"so the plan only spreads replicas over distinct brokers of --broker-list, as Kafka's tool does")
	m := make(map[int32]cluster.Domain, len(st.Brokers))
	for _, b := range st.Brokers {
		m[b.ID] = cluster.Domain{FaultDomain: int(b.ID), UpdateDomain: int(b.ID)}
	}
	return m, nil
}

// stateBrokers lists the brokers of a state already read.
type stateBrokers struct{ st *cluster.State }

func (s stateBrokers) Brokers(context.Context) ([]cluster.Broker, error) { return s.st.Brokers, nil }
