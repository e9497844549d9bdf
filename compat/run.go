package compat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fdud/fdud/cluster"
	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/kafka"
	"github.com/fdud/fdud/throttle"
	"github.com/fdud/fdud/verify"
	"github.com/fdud/fdud/zookeeper"
)

// Env is what Run reads from and writes to.
type Env struct {
	// Stdout receives Kafka's text, as Kafka's tool prints it there.
	Stdout io.Writer
	// Stderr receives fdud's own notes: warnings, the verify report, the
	// grid. Runbooks that grep stdout are not disturbed by them.
	Stderr io.Writer
	Stdin  io.Reader
	Logger *slog.Logger
	// ZooKeeperDigest authenticates to ZooKeeper (FDUD_ZOOKEEPER_DIGEST).
	ZooKeeperDigest zookeeper.Secret
	// RequestTimeout bounds each request to Kafka or ZooKeeper; 0 means 30 s.
	RequestTimeout time.Duration
	// StateDir holds the lock and throttle records when there is no
	// ZooKeeper; "" is fdud's default.
	StateDir string
	// PollInterval is how often --verify --wait reads the cluster; 0 is verify's default.
	PollInterval time.Duration
	// RollbackFile is where --execute writes the rollback plan before any
	// change; "" is execute's default (a timestamped file in the working
	// directory, named on stderr).
	RollbackFile string
}

func (e Env) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// Run carries out the action of a parsed Kafka command line with fdud's
// stages and prints Kafka's text on env.Stdout. Outcomes come back as errors
// the CLI maps to exit codes (cluster.ErrInProgress, cluster.ErrAtRisk,
// cluster.ErrBusy, verify.ErrNotAsPlanned, input errors); see KafkaExit for
// Kafka's always-zero behaviour.
func Run(ctx context.Context, o Options, env Env) error {
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	r := &runner{o: o, env: env, log: env.logger(), p: Printer{W: env.Stdout, Style: o.OutputStyle()}}
	if o.DisableRackAware && o.Domains != "" {
		r.log.Info("--disable-rack-aware has no effect: placement follows the domains given")
	}
	switch o.Action {
	case Generate:
		return r.generate(ctx)
	case Execute:
		return r.execute(ctx, execute.ModeExecute)
	case Cancel:
		return r.execute(ctx, execute.ModeCancel)
	case Verify:
		return r.verify(ctx)
	case List:
		return r.list(ctx)
	}
	return cluster.Invalidf("unknown action %q", o.Action)
}

type runner struct {
	o   Options
	env Env
	log *slog.Logger
	p   Printer
}

func (r *runner) kafkaOptions() kafka.Options {
	var servers []string
	for _, h := range strings.Split(r.o.BootstrapServer, ",") {
		if h = strings.TrimSpace(h); h != "" {
			servers = append(servers, h)
		}
	}
	return kafka.Options{
		BootstrapServers: servers,
		CommandConfig:    r.o.CommandConfig,
		ZooKeeper:        r.o.ZooKeeper,
		ZooKeeperDigest:  r.env.ZooKeeperDigest,
		Timeout:          r.env.RequestTimeout,
		Logger:           r.log,
	}
}

// zk opens the ZooKeeper session that holds the lock and throttle records,
// or returns nil when the command line names no ZooKeeper.
func (r *runner) zk(ctx context.Context) (*zookeeper.Conn, error) {
	if r.o.ZooKeeper == "" {
		return nil, nil
	}
	return zookeeper.Connect(ctx, zookeeper.Options{Connect: r.o.ZooKeeper, Digest: r.env.ZooKeeperDigest, Logger: r.log})
}

// connect opens the cluster and, with --zookeeper, a ZooKeeper session for
// the lock and throttle records; closeAll closes both.
func (r *runner) connect(ctx context.Context) (cl kafka.Cluster, conn *zookeeper.Conn, closeAll func(), err error) {
	cl, err = kafka.Connect(ctx, r.kafkaOptions())
	if err != nil {
		return nil, nil, nil, err
	}
	if conn, err = r.zk(ctx); err != nil {
		cl.Close()
		return nil, nil, nil, err
	}
	return cl, conn, func() {
		if conn != nil {
			conn.Close()
		}
		cl.Close()
	}, nil
}

// readPlan reads --reassignment-json-file (Kafka's JSON, or the text Kafka's
// tool prints: the proposed configuration is taken when both are there).
func (r *runner) readPlan() (cluster.Assignment, error) {
	f, err := os.Open(r.o.ReassignmentJSONFile)
	if err != nil {
		return cluster.Assignment{}, cluster.Invalid(err)
	}
	defer f.Close()
	data, err := cluster.ReadAll(f, r.o.ReassignmentJSONFile)
	if err != nil {
		return cluster.Assignment{}, err
	}
	if json := cluster.ExtractJSON(data, cluster.ProposedHeading); len(json) > 0 && json[0] == '{' {
		data = json
	}
	a, err := cluster.ParseAssignment(data)
	if err != nil {
		return cluster.Assignment{}, fmt.Errorf("%s: %w", r.o.ReassignmentJSONFile, err)
	}
	if len(a.Partitions) == 0 {
		return cluster.Assignment{}, cluster.Invalidf("Partition reassignment list cannot be empty (%s)", r.o.ReassignmentJSONFile)
	}
	return a, nil
}

// --- generate -------------------------------------------------------------

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

// --- execute and cancel ----------------------------------------------------

func (r *runner) execute(ctx context.Context, mode execute.Mode) error {
	plan, err := r.readPlan()
	if err != nil {
		return err
	}
	cl, conn, closeAll, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	// Every topic: reassignments of other topics in flight matter too.
	st, err := cl.State(ctx, nil)
	if err != nil {
		return fmt.Errorf("read cluster state: %w", err)
	}
	if mode == execute.ModeCancel {
		return r.cancel(ctx, cl, conn, plan, st)
	}
	if !r.o.Additional && anyReassigning(st) {
		// execute refuses as well (exit 5); say it in Kafka's words.
		r.p.Existing()
	}

	eo := execute.Options{
		Mode:           execute.ModeExecute,
		PlanFile:       r.o.ReassignmentJSONFile,
		Throttle:       r.o.Throttle,
		LogDirThrottle: r.o.LogDirsThrottle,
		Additional:     r.o.Additional,
		Timeout:        r.o.Timeout,
		RollbackFile:   r.env.RollbackFile,
		ZooKeeper:      conn,
		StateDir:       r.env.StateDir,
		Logger:         r.log,
	}
	// execute passes the plan on for pipes; Kafka's tool prints no plan.
	if err := execute.Run(ctx, eo, cl, r.env.Stdin, io.Discard, r.env.Stderr, r.log); err != nil {
		return err
	}
	r.p.ExecuteCurrent(currentOf(plan, st))
	r.p.ThrottleSet(r.o.Throttle, r.o.LogDirsThrottle)
	r.p.Started(plan)
	return nil
}

func anyReassigning(st *cluster.State) bool {
	for _, p := range st.Partitions {
		if p.Reassigning() {
			return true
		}
	}
	return false
}

// currentOf returns the current replicas of the plan's partitions.
func currentOf(plan cluster.Assignment, st *cluster.State) cluster.Assignment {
	idx := plan.Index()
	out := cluster.Assignment{Version: 1}
	for _, p := range st.Assignment().Partitions {
		if _, ok := idx[p.TP()]; ok {
			out.Partitions = append(out.Partitions, p)
		}
	}
	return out
}

func (r *runner) cancel(ctx context.Context, cl kafka.Cluster, conn *zookeeper.Conn, plan cluster.Assignment, st *cluster.State) error {
	idx := plan.Index()
	var active []cluster.TopicPartition
	for _, p := range st.Partitions {
		if _, ok := idx[p.TP()]; ok && p.Reassigning() {
			active = append(active, p.TP())
		}
	}
	rec := r.throttleRecord(ctx, conn, plan)
	eo := execute.Options{
		Mode: execute.ModeCancel, PlanFile: r.o.ReassignmentJSONFile, Throttle: -1, LogDirThrottle: -1,
		Timeout: r.o.Timeout, ZooKeeper: conn, StateDir: r.env.StateDir, Logger: r.log,
	}
	if err := execute.Run(ctx, eo, cl, r.env.Stdin, io.Discard, r.env.Stderr, r.log); err != nil {
		return err
	}
	r.p.Cancelled(active)
	if rec != nil && !r.o.PreserveThrottles && r.throttleRecord(ctx, conn, plan) == nil {
		r.p.ThrottlesCleared(entities(rec))
	}
	return nil
}

// throttleRecord loads what fdud set for the plan, or nil.
func (r *runner) throttleRecord(ctx context.Context, conn *zookeeper.Conn, plan cluster.Assignment) *throttle.Record {
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: conn, StateDir: r.env.StateDir, Logger: r.log})
	if err != nil {
		r.log.Debug("no throttle record store", "err", err)
		return nil
	}
	rec, err := store.Load(ctx, throttle.PlanID(plan))
	if err != nil {
		r.log.Warn("reading fdud's throttle record failed", "err", err)
		return nil
	}
	return rec
}

// entities splits a record's entities into broker ids and topics.
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

// --- verify ----------------------------------------------------------------

func (r *runner) verify(ctx context.Context) error {
	plan, err := r.readPlan()
	if err != nil {
		return err
	}
	cl, conn, closeAll, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	vo := verify.Options{
		Plan:              plan,
		Wait:              r.o.Wait,
		PreserveThrottles: r.o.PreserveThrottles,
		PollInterval:      r.env.PollInterval,
	}
	if r.o.Wait && r.o.TimeoutSet {
		vo.Timeout = r.o.Timeout
	}
	if r.o.Domains != "" {
		st, err := cl.State(ctx, plan.Topics())
		if err != nil {
			return fmt.Errorf("read cluster state: %w", err)
		}
		d, err := domainsrc.Resolve(ctx, r.o.Domains, domainsrc.Deps{
			Stdin: r.env.Stdin, Stderr: r.env.Stderr, Logger: r.log, ZooKeeperDigest: r.env.ZooKeeperDigest,
			Brokers: stateBrokers{st}, AllowMissing: true,
		})
		if err != nil {
			return fmt.Errorf("domains %s: %w", r.o.Domains, err)
		}
		vo.Domains = &d
	}
	store, err := throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: conn, StateDir: r.env.StateDir, Logger: r.log})
	if err != nil {
		return err
	}
	tc := &throttleCleaner{cl: cl, store: store, planID: throttle.PlanID(plan), log: r.log}
	res, err := verify.Run(ctx, vo, cl, verify.Env{
		Stdout:    io.Discard,
		Stderr:    r.env.Stderr,
		StatusOut: io.Discard, // printed below, in the chosen Kafka style
		Logger:    r.log,
		Throttles: tc,
	})
	if res == nil {
		return err
	}
	r.p.VerifyStatus(res.Statuses)
	for _, s := range res.Statuses {
		for _, n := range verify.Notes(s) {
			fmt.Fprintf(r.env.Stderr, "fdud: note: %s\n", n)
		}
	}
	if tc.removed != nil {
		r.p.ThrottlesCleared(entities(tc.removed))
	}
	return err
}

// throttleCleaner gives verify the throttles fdud recorded for the plan and
// remembers what it removed, for Kafka's "Clearing ... throttles" lines.
type throttleCleaner struct {
	cl      kafka.Cluster
	store   throttle.Store
	planID  string
	log     *slog.Logger
	removed *throttle.Record
}

func (t *throttleCleaner) Entities(ctx context.Context) (int, error) {
	rec, err := t.store.Load(ctx, t.planID)
	if err != nil || rec == nil {
		return 0, err
	}
	return len(rec.Entities()), nil
}

func (t *throttleCleaner) Remove(ctx context.Context) (bool, error) {
	rec, err := t.store.Load(ctx, t.planID)
	if err != nil || rec == nil {
		return false, err
	}
	rm, err := throttle.Cleanup(ctx, t.cl, t.store, t.planID, t.log)
	if err != nil {
		return false, err
	}
	if rm.Removed {
		t.removed = rec
	}
	return rm.Removed, nil
}

var _ verify.Throttles = (*throttleCleaner)(nil)

// --- list ------------------------------------------------------------------

func (r *runner) list(ctx context.Context) error {
	cl, err := kafka.Connect(ctx, r.kafkaOptions())
	if err != nil {
		return err
	}
	defer cl.Close()
	st, err := cl.State(ctx, nil)
	if err != nil {
		return fmt.Errorf("read cluster state: %w", err)
	}
	r.p.List(inFlight(st))
	return nil
}

// inFlight describes the reassignments in flight as Kafka 2.4+ does: the
// full replica set (target first, then the replicas leaving), what is being
// added and what removed.
func inFlight(st *cluster.State) []InFlight {
	var out []InFlight
	for _, p := range st.Partitions {
		if !p.Reassigning() {
			continue
		}
		f := InFlight{TP: p.TP()}
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

// KafkaExit turns the outcome of action into Kafka 2.5+'s exit behaviour
// (--kafka-exit-codes): what --verify found (in progress, not as planned, at
// risk) is not a failure and exits 0; every failure exits 1.
func KafkaExit(action Action, err error) error {
	switch {
	case err == nil:
		return nil
	case action == Verify && (errors.Is(err, cluster.ErrInProgress) || errors.Is(err, cluster.ErrAtRisk) ||
		errors.Is(err, verify.ErrNotAsPlanned)):
		return nil
	}
	return &exitError{msg: err.Error(), code: 1}
}

// exitError carries an exit code without wrapping the outcome, so the CLI's
// sentinel checks do not override it.
type exitError struct {
	msg  string
	code int
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }
