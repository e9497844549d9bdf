package compat

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
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
		return reworded(err, words)
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
		// domains kafkaDomains made up are racks or brokers.
		fmt.Fprintf(r.env.Stderr, "fdud: partitions breaking the placement rules before: %d, after: %d\n",
			rep.ViolationsBefore.Partitions, rep.ViolationsAfter.Partitions)
	}
	for _, c := range rep.Compromises {
		fmt.Fprintf(r.env.Stderr, "fdud: warning: %s\n", words(c.String()))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(r.env.Stderr, "fdud: warning: %s\n", words(w))
	}
	if len(res.Plan.Partitions) == 0 {
		fmt.Fprintln(r.env.Stderr, "fdud: nothing to move: every partition in scope is already placed by the rules")
	}
	return nil
}

// domains returns the brokers' domains: from --domains / FDUD_DOMAINS, or,
// without them, what Kafka's tool would use (see kafkaDomains). words
// rewrites the planner's messages in terms of what the domains stand for.
func (r *runner) domains(ctx context.Context, st *cluster.State) (map[int32]cluster.Domain, func(string) string, error) {
	same := func(s string) string { return s }
	if r.o.Domains == "" {
		m, note, err := kafkaDomains(st.Brokers, r.o.BrokerList, r.o.DisableRackAware)
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(r.env.Stderr, "fdud: no domains given (--domains or FDUD_DOMAINS): %s\n", note)
		return m, kafkaWording(st.Brokers, r.o.BrokerList, r.o.DisableRackAware), nil
	}
	if r.o.DisableRackAware {
		r.log.Info("--disable-rack-aware has no effect: placement follows the domains given")
	}
	d, err := domainsrc.Resolve(ctx, r.o.Domains, domainsrc.Deps{
		Stdin: r.env.Stdin, Stderr: r.env.Stderr, Logger: r.log, ZooKeeperDigest: r.env.ZooKeeperDigest,
		Brokers: stateBrokers{st}, AllowMissing: true,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("domains %s: %w", r.o.Domains, err)
	}
	return d.Map(), same, nil
}

// kafkaWording rewrites the planner's messages about the domains
// kafkaDomains makes up: fault domains are racks (or brokers) and update
// domains are brokers, so "2 replicas in FD0" reads "2 replicas in rack
// "r1"" and no FD or UD that does not exist is named.
func kafkaWording(brokers []cluster.Broker, brokerList []int32, disableRackAware bool) func(string) string {
	racks, _ := racksOf(brokers, brokerList)
	byRack := len(racks) > 0 && !disableRackAware
	fdWord, fdShort := "broker", "broker"
	if byRack {
		fdWord, fdShort = "rack", "rack"
	}
	fdValue := regexp.MustCompile(`\bFD(\d+)\b`)
	udValue := regexp.MustCompile(`\bUD(\d+)\b`)
	words := strings.NewReplacer(
		"fault domains", fdWord+"s", "fault domain", fdWord,
		"update domains", "brokers", "update domain", "broker",
		"FD x UD cells", fdWord+"s", "per FD", "per "+fdShort, "per UD", "per broker")
	return func(s string) string {
		s = fdValue.ReplaceAllStringFunc(s, func(v string) string {
			n, _ := strconv.Atoi(v[2:])
			if byRack && n < len(racks) {
				return fmt.Sprintf("rack %q", racks[n])
			}
			return "broker " + v[2:]
		})
		s = udValue.ReplaceAllString(s, "broker $1")
		return words.Replace(s)
	}
}

// reworded is err with its message rewritten by words; errors.Is and As
// still see err.
func reworded(err error, words func(string) string) error {
	if err == nil {
		return nil
	}
	return &rewordedError{msg: words(err.Error()), err: err}
}

type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }

// kafkaDomains gives the placement Kafka's own --generate would follow when
// fdud knows no FD/UD: each broker.rack is a fault domain and each broker its
// own update domain, so replicas spread over racks as evenly as possible;
// with --disable-rack-aware, or when no broker has a rack, each broker is a
// domain of its own. Like Kafka, it refuses racks on only some of the
// brokers that may hold replicas (brokerList, or every broker when empty).
func kafkaDomains(brokers []cluster.Broker, brokerList []int32, disableRackAware bool) (map[int32]cluster.Domain, string, error) {
	racks, missing := racksOf(brokers, brokerList)
	m := make(map[int32]cluster.Domain, len(brokers))
	if disableRackAware || len(racks) == 0 {
		for _, b := range brokers {
			m[b.ID] = cluster.Domain{FaultDomain: int(b.ID), UpdateDomain: int(b.ID)}
		}
		why := "no broker has broker.rack"
		if disableRackAware {
			why = "--disable-rack-aware"
		}
		return m, why + ", so the plan only spreads replicas over distinct brokers of --broker-list, as Kafka's tool does", nil
	}
	if len(missing) > 0 {
		return nil, "", cluster.Invalidf("Not all brokers have rack information (none on brokers %s). "+
			"Add --disable-rack-aware in command line to make replica assignment without rack information.", strings.Join(missing, ", "))
	}
	for _, b := range brokers {
		fd := slices.Index(racks, b.Rack)
		if fd < 0 { // a rack-less broker outside --broker-list holds nothing new
			fd = len(racks) + int(b.ID)
		}
		m[b.ID] = cluster.Domain{FaultDomain: fd, UpdateDomain: int(b.ID)}
	}
	return m, fmt.Sprintf("each broker.rack (%s) counts as a fault domain, so replicas spread over racks as Kafka's rack-aware tool does", strings.Join(racks, ", ")), nil
}

// racksOf returns the racks of the brokers that may hold replicas
// (brokerList, or every broker when empty), sorted, and those of them
// without a rack.
func racksOf(brokers []cluster.Broker, brokerList []int32) (racks, missing []string) {
	inScope := func(b cluster.Broker) bool { return len(brokerList) == 0 || slices.Contains(brokerList, b.ID) }
	for _, b := range brokers {
		switch {
		case !inScope(b):
		case b.Rack == "":
			missing = append(missing, fmt.Sprint(b.ID))
		case !slices.Contains(racks, b.Rack):
			racks = append(racks, b.Rack)
		}
	}
	slices.Sort(racks)
	return racks, missing
}

// stateBrokers lists the brokers of a state already read.
type stateBrokers struct{ st *cluster.State }

func (s stateBrokers) Brokers(context.Context) ([]cluster.Broker, error) { return s.st.Brokers, nil }
