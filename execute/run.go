package execute

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/internal/zookeeper"
)

// run holds what one Run needs.
type run struct {
	o    Options
	cl   kafka.Cluster
	zk   *zookeeper.Conn
	errw io.Writer
	log  *slog.Logger
	plan cluster.Assignment
	id   string
	lock *clusterlock.Lock
	res  *Result
	// created counts the topics this run created (--create-topics).
	created int
	// seen is the state read last (for the batch order: broker racks).
	seen *cluster.State
	// progress shows batching's progress in place; nil: lines on errw.
	progress Progress
	// throttled: the plan has a throttle record (throttles it relies on),
	// so verify has throttles to remove once it is complete.
	throttled bool
}

// Run carries out in.Mode: it executes in.Plan, cancels it, or lists the
// reassignments in flight. Messages for people go to deps.Stderr; what was
// done comes back in the Result (the front ends pass the plan on, print
// Kafka's lines, list what is in flight). Nothing is changed unless the
// whole plan is valid. Every path out releases the cluster lock, including
// cancellation of ctx.
func Run(ctx context.Context, in Input, deps Deps) (res Result, err error) {
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	errw := deps.Stderr
	if errw == nil {
		errw = io.Discard
	}
	o := in.Options
	if err := o.Validate(); err != nil {
		return res, err
	}
	cl := deps.Cluster
	if o.Mode != ModeList && len(in.Plan.Assignment.Partitions) == 0 {
		// generate found nothing to do: not an error, and nothing to lock.
		res.Empty = true
		fmt.Fprintln(errw, EmptyPlanLine(o.Mode))
		return res, nil
	}
	if cl == nil {
		return res, errors.New("execute: no cluster given")
	}
	if o.Mode == ModeList {
		res.InFlight, err = list(ctx, cl)
		return res, err
	}
	if deps.ZooKeeper == nil && o.StateDir == "" {
		if o.StateDir, err = throttle.DefaultStateDir(); err != nil {
			return res, err
		}
	}
	r := &run{o: o, cl: cl, zk: deps.ZooKeeper, errw: errw, log: log, plan: in.Plan.Assignment,
		id: throttle.PlanID(in.Plan.Assignment), res: &res, progress: deps.Progress}
	fmt.Fprintf(errw, "Using the %s path.\n", cl.Path())

	cmd := clusterlock.ExecuteCommand
	if o.Mode == ModeCancel {
		cmd += " --cancel"
	}
	lo := clusterlock.Options{ZooKeeper: r.zk, Kafka: kafka.StateTopicOf(cl), StateDir: o.StateDir, Plan: r.id, Command: cmd, Logger: log}
	r.lock, err = clusterlock.Acquire(ctx, lo)
	if err != nil {
		return res, err
	}
	defer func() {
		if rerr := r.lock.Release(); rerr != nil {
			log.Error("release the cluster lock", "err", rerr)
			if err == nil {
				err = rerr
			}
		}
	}()
	log.Debug("cluster lock taken", "where", r.lock.Where(), "plan", r.id)

	if o.Mode == ModeCancel {
		return res, r.cancel(ctx)
	}
	return res, r.execute(ctx)
}

// store opens the throttle records where this run keeps them.
func (r *run) store(ctx context.Context) (throttle.Store, error) {
	return throttle.OpenStore(ctx, throttle.StoreOptions{ZooKeeper: r.zk, Kafka: kafka.StateTopicOf(r.cl), StateDir: r.o.StateDir, Logger: r.log})
}

func (r *run) state(ctx context.Context) (*cluster.State, error) {
	st, err := r.cl.State(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read the cluster's state: %w", err)
	}
	r.seen = st
	return st, nil
}

func (r *run) execute(ctx context.Context) error {
	items, err := r.classifyPlan(ctx)
	if err != nil {
		return err
	}
	byStatus := map[Status][]Item{}
	for _, it := range items {
		byStatus[it.Status] = append(byStatus[it.Status], it)
	}
	if r.reportSkipped(byStatus, len(items)) {
		return nil
	}
	// The rollback plan goes to disk before the first change.
	if err := r.saveRollback(items); err != nil {
		return err
	}
	if err := r.createTopics(ctx, byStatus[Create]); err != nil {
		return err
	}
	if err := r.throttle(ctx, items); err != nil {
		return err
	}
	// Replicas that exist (or are being created) move now; those of pending
	// partitions once their reassignment is submitted, since a broker only
	// moves a replica it hosts.
	if err := r.moveLogDirs(ctx, append(slices.Clone(byStatus[LogDirs]), byStatus[InFlight]...)); err != nil {
		return err
	}
	if r.o.Batching() {
		return r.batches(ctx, r.orderPending(ctx, byStatus[Pending]), byStatus[InFlight])
	}
	return r.submitAll(ctx, byStatus[Pending], byStatus[InFlight])
}

// classifyPlan reads the cluster, checks the plan against it and says what
// each partition needs. Nothing is changed unless the whole plan is valid
// and no other reassignment is in the way (see busy).
func (r *run) classifyPlan(ctx context.Context) ([]Item, error) {
	plan := r.plan
	st, err := r.state(ctx)
	if err != nil {
		return nil, err
	}
	r.res.Current = currentOf(plan, st)
	logDirs := r.cl.Capabilities().LogDirMover != nil
	if err := planError(validatePlan(plan, st, checkOptions{
		AllowRFChange: r.o.AllowRFChange, CreateTopics: r.o.CreateTopics, LogDirs: logDirs, Path: r.cl.Path(),
	})); err != nil {
		return nil, err
	}
	items, others := Classify(plan, st)
	r.res.OthersInFlight = len(others) > 0
	// The ZooKeeper path has one /admin/reassign_partitions for the whole
	// cluster: it cannot run beside another reassignment, --additional or
	// not, and must say so before it changes anything.
	additional := r.o.Additional && !r.cl.Capabilities().OneBatch
	if err := busy(items, others, additional); err != nil {
		if r.o.Additional && !additional {
			err = fmt.Errorf("%w (--additional needs the Admin API path: the ZooKeeper path holds one reassignment at a time)", err)
		}
		return nil, err
	}
	// Planned log dirs must exist on their brokers; those already reached
	// are not moved again.
	dirs, err := r.readLogDirs(ctx, items)
	if err != nil {
		return nil, err
	}
	if err := planError(logDirProblems(items, dirs)); err != nil {
		return nil, err
	}
	return settleLogDirs(items, dirs), nil
}

// reportSkipped says which partitions are skipped, at their target already
// or in flight to it, and reports whether that leaves nothing to do.
func (r *run) reportSkipped(byStatus map[Status][]Item, total int) (allDone bool) {
	if n := len(byStatus[Done]); n > 0 {
		fmt.Fprintf(r.errw, "Skipping %d partitions already at their target: %s\n", n, tpList(byStatus[Done]))
	}
	if n := len(byStatus[InFlight]); n > 0 {
		fmt.Fprintf(r.errw, "Not resubmitting %d partitions already being reassigned to their target: %s\n", n, tpList(byStatus[InFlight]))
	}
	if len(byStatus[Done]) == total {
		fmt.Fprintf(r.errw, "All %d partitions of the plan are at their target already: nothing to do.\n", total)
		return true
	}
	return false
}

// saveRollback prints the current assignment of the partitions that change,
// as Kafka's tool does, and saves it to the rollback file.
func (r *run) saveRollback(items []Item) error {
	rb := rollbackPlan(items)
	if len(rb.Partitions) == 0 {
		return nil
	}
	if !r.o.NoCurrentBlock {
		fmt.Fprint(r.errw, "Current partition replica assignment\n\n")
		cluster.WriteAssignment(r.errw, rb)
		fmt.Fprint(r.errw, "\nSave this to use as the --reassignment-json-file option during rollback\n")
	}
	path, kept, err := writeRollback(r.o.RollbackFile, r.o.WorkDir, r.o.now(), rb)
	if err != nil && r.o.RollbackFile == "" {
		// A runbook's working directory may be read-only: the state
		// directory is fdud's own.
		dir, derr := r.stateDir()
		if derr != nil {
			return errors.Join(err, derr)
		}
		r.log.Debug("the working directory is not writable; rollback plan in the state directory", "err", err)
		fmt.Fprintf(r.errw, "Cannot write the rollback plan in the working directory; saving it in the state directory %s instead.\n", dir)
		path, kept, err = writeRollback("", dir, r.o.now(), rb)
	}
	if err != nil {
		return err
	}
	if kept != "" {
		fmt.Fprintf(r.errw, "Kept the existing rollback file %s (written by an earlier run, before the plan started).\n", kept)
	}
	fmt.Fprintf(r.errw, "Rollback plan saved to %s\n", path)
	return nil
}

// stateDir returns the state directory, made if needed: StateDir, else
// fdud's default (with ZooKeeper, StateDir is not otherwise needed).
func (r *run) stateDir() (string, error) {
	dir := r.o.StateDir
	if dir == "" {
		var err error
		if dir, err = throttle.DefaultStateDir(); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	return dir, nil
}

// submitAll submits every pending partition at once, without batching, and
// leaves the reassignment running.
func (r *run) submitAll(ctx context.Context, pending []Item, inFlight []Item) error {
	if err := r.submit(ctx, pending); err != nil {
		if errors.Is(err, cluster.ErrBusy) && len(inFlight) == 0 {
			// Someone else's reassignment got in first: nothing of the
			// plan runs, so nothing may stay throttled for it.
			return r.undoThrottles(ctx, err)
		}
		return err
	}
	if err := r.moveLogDirs(ctx, pending); err != nil {
		return err
	}
	fmt.Fprintln(r.errw, r.afterSubmit(len(pending) > 0))
	return nil
}

// afterSubmit is the last line of a run that leaves the work to the
// cluster: what runs on, and what fdud verify is then for.
func (r *run) afterSubmit(moving bool) string {
	switch {
	case !moving && r.created > 0:
		return "Nothing to reassign: the plan's new topics were created with their planned replicas; fdud verify with the same plan checks them."
	case !moving:
		return "Nothing new to submit: run fdud verify with the same plan to follow the partitions already moving."
	case r.throttled:
		return "The reassignment runs in the background: run fdud verify with the same plan to follow it and, once complete, remove the throttles."
	}
	return "The reassignment runs in the background: run fdud verify with the same plan to follow it."
}

// busy refuses to run next to reassignments that are not the plan's (unless
// --additional), and always refuses when a partition of the plan is being
// reassigned elsewhere: two targets for one partition is never meant.
func busy(items []Item, others []cluster.PartitionState, additional bool) error {
	var conflicts []string
	for _, it := range items {
		if it.Status == Conflict {
			conflicts = append(conflicts, fmt.Sprintf("%s (being reassigned to %v, the plan says %v)", it.Plan.TP(), it.Target, it.Plan.Replicas))
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("%w: %d partitions of the plan are being reassigned to another target; wait for that to end or cancel it: %s",
			cluster.ErrBusy, len(conflicts), strings.Join(conflicts, "; "))
	}
	if len(others) > 0 && !additional {
		names := make([]string, 0, min(len(others), 20))
		for _, p := range others[:min(len(others), 20)] {
			names = append(names, p.TP().String())
		}
		more := ""
		if len(others) > 20 {
			more = fmt.Sprintf(" and %d more", len(others)-20)
		}
		return fmt.Errorf("%w: %d other partition reassignments are in flight (%s%s); wait for them, or pass --additional to run beside them",
			cluster.ErrBusy, len(others), strings.Join(names, ","), more)
	}
	return nil
}

func (r *run) createTopics(ctx context.Context, items []Item) error {
	byTopic := map[string][][]int32{}
	for _, it := range items {
		a := byTopic[it.Plan.Topic]
		for int(it.Plan.Partition) >= len(a) {
			a = append(a, nil)
		}
		a[it.Plan.Partition] = it.Plan.Replicas
		byTopic[it.Plan.Topic] = a
	}
	for _, topic := range sortedKeys(byTopic) {
		if err := r.lock.Check(ctx); err != nil {
			return err
		}
		if err := r.cl.CreateTopic(ctx, topic, byTopic[topic], nil); err != nil {
			return fmt.Errorf("create topic %s: %w", topic, err)
		}
		fmt.Fprintf(r.errw, "Created topic %s with %d partitions, replicas as planned.\n", topic, len(byTopic[topic]))
		r.created++
	}
	return nil
}

func (r *run) throttle(ctx context.Context, items []Item) error {
	if r.o.Throttle <= 0 && r.o.LogDirThrottle <= 0 {
		return nil
	}
	req := throttle.Request{PlanID: r.id, Rate: r.o.Throttle, LogDirRate: r.o.LogDirThrottle}
	for _, it := range items {
		if it.Status == Pending || it.Status == InFlight || it.Status == LogDirs {
			req.Moves = append(req.Moves, it.Move())
		}
	}
	store, err := r.store(ctx)
	if err != nil {
		return err
	}
	if r.zk == nil && kafka.StateTopicOf(r.cl) == nil {
		r.log.Warn("no ZooKeeper: the throttle record is kept on this machine only; run fdud verify here to remove the throttles")
	}
	if err := r.lock.Check(ctx); err != nil {
		return err
	}
	rec, err := throttle.Apply(ctx, r.cl, store, req, r.log)
	if err != nil {
		return err
	}
	if rec != nil && len(rec.Configs) > 0 {
		r.res.Throttled = rec
		r.res.InterBrokerRate, r.res.LogDirRate = ratesSet(rec, r.o.Throttle, r.o.LogDirThrottle)
	}
	r.throttled = rec != nil
	if rec == nil {
		// Nothing is copied: no partition adds a replica (preferred
		// leaders only, say), so there is nothing to throttle or remove.
		fmt.Fprintln(r.errw, "No throttle set: no partition of the plan adds a replica, so nothing is copied.")
		return nil
	}
	switch {
	case rec != nil && len(rec.Configs) > 0:
		fmt.Fprintf(r.errw, "Throttles set for %s (%d config keys, merged with those already present); fdud verify removes exactly these when the plan is complete.\n",
			r.id, len(rec.Configs))
	case rec != nil:
		fmt.Fprintf(r.errw, "Throttles for %s: those already present cover the plan; fdud set none.\n", r.id)
	}
	if r.res.InterBrokerRate > 0 || r.res.LogDirRate > 0 {
		fmt.Fprintf(r.errw, "Warning: You must run fdud verify periodically, until the reassignment completes, to ensure the throttle is removed.\n")
	}
	if r.res.InterBrokerRate > 0 {
		fmt.Fprintf(r.errw, "The inter-broker throttle limit was set to %d B/s\n", r.res.InterBrokerRate)
	}
	if r.res.LogDirRate > 0 {
		fmt.Fprintf(r.errw, "The replica-alter-dir throttle limit was set to %d B/s\n", r.res.LogDirRate)
	}
	return nil
}

// ratesSet returns the rates asked for of the kinds of throttle rec holds a
// config for (inter-broker: rates or replica lists; log dirs: the
// alter-log-dirs rate), 0 for a kind it holds none of or was not asked for.
func ratesSet(rec *throttle.Record, interBroker, logDirs int64) (int64, int64) {
	var ib, ld bool
	for _, c := range rec.Configs {
		if c.Key == kafka.LogDirsThrottledRate {
			ld = true
		} else {
			ib = true
		}
	}
	if !ib || interBroker < 0 {
		interBroker = 0
	}
	if !ld || logDirs < 0 {
		logDirs = 0
	}
	return interBroker, logDirs
}

func (r *run) moveLogDirs(ctx context.Context, items []Item) error {
	var moves []cluster.PartitionAssignment
	for _, it := range items {
		if it.Plan.MovesLogDirs() && it.Status != Create {
			moves = append(moves, it.Plan)
		}
	}
	if len(moves) == 0 {
		return nil
	}
	mover := r.cl.Capabilities().LogDirMover
	if mover == nil {
		return fmt.Errorf("the %s path cannot move replicas between log directories", r.cl.Path())
	}
	if err := r.lock.Check(ctx); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, r.o.timeout())
	defer cancel()
	if err := mover.MoveLogDirs(wctx, moves); err != nil {
		return fmt.Errorf("move replicas between log directories: %w", err)
	}
	fmt.Fprintf(r.errw, "Successfully started log directory moves for %d partitions.\n", len(moves))
	return nil
}

// submit starts the reassignment of items in one request.
func (r *run) submit(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	if err := r.lock.Check(ctx); err != nil {
		return err
	}
	plan := make([]cluster.PartitionAssignment, len(items))
	for i, it := range items {
		plan[i] = cluster.PartitionAssignment{Topic: it.Plan.Topic, Partition: it.Plan.Partition, Replicas: it.Plan.Replicas}
	}
	err := r.cl.Reassign(ctx, plan)
	var pe *kafka.PartitionErrors
	if errors.As(err, &pe) {
		failed := map[cluster.TopicPartition]bool{}
		for _, tp := range pe.Failed() {
			failed[tp] = true
		}
		var started []Item
		for _, it := range items {
			if !failed[it.Plan.TP()] {
				started = append(started, it)
			}
		}
		if len(started) > 0 {
			fmt.Fprintf(r.errw, "Successfully started partition reassignments for %s\n", tpList(started))
		}
		return fmt.Errorf("%w (re-run the same plan to retry them: started partitions are not resubmitted)", err)
	}
	if err != nil {
		return fmt.Errorf("submit reassignments: %w", err)
	}
	fmt.Fprintf(r.errw, "Successfully started partition reassignments for %s\n", tpList(items))
	return nil
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
