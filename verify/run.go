package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/internal/sizes"
)

// Run verifies the plan against the cluster: it reads the state (polling
// with Wait), removes fdud's throttles and elects preferred leaders once
// nothing is in flight, assesses spread and risk, and returns the result
// for the front ends to render (Write, WriteMetricsFile, or Kafka's lines),
// with the outcome as an error (nil when complete; see Result.Err). An
// error reading the cluster returns a nil result.
func Run(ctx context.Context, o Options, env Deps) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if o.NothingToVerify() {
		// generate found every partition in scope spread: the cluster is
		// not read.
		return &Result{Time: env.Now(), NothingToVerify: true}, nil
	}
	cl := env.Cluster
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var topics []string // nil: every topic
	if !o.All {
		topics = o.Plan.Topics()
	}

	start := env.Now()
	p, timedOut, err := poll(ctx, o, cl, env, log, topics, start)
	if err != nil {
		return nil, err
	}
	st, statuses := p.st, p.statuses
	res := &Result{Time: env.Now(), Path: cl.Path(), Statuses: statuses, Counts: Count(statuses), TimedOut: timedOut,
		LockHolder: p.holder, FailOnStructuralRisk: o.FailOnStructuralRisk}
	if o.Wait {
		res.Waited = env.Now().Sub(start)
	}
	idle := res.Counts.InProgress == 0

	res.Throttles = throttles(ctx, o, env, log, p)
	if p.unlock != nil {
		// Held for the clean-up only: execute may start as soon as it is done.
		if err := p.unlock(); err != nil {
			log.Warn("releasing the cluster lock failed (ZooKeeper drops it when this run ends)", "err", err)
		}
	}
	if o.ElectLeaders && idle {
		e, err := electLeaders(ctx, cl, statuses, st)
		if err != nil {
			return nil, err
		}
		res.Election = e
	}

	scope := "plan"
	parts := planPartitions(o.Plan, st)
	if o.All {
		scope, parts = "all", st.Partitions
		if env.Records != nil {
			recs, err := env.Records.List(ctx)
			if err != nil {
				log.Warn("listing fdud's throttle records failed", "err", err)
			}
			res.Records = append([]RecordInfo{}, recs...)
		}
	}
	live := make([]int32, 0, len(st.Brokers))
	for _, b := range st.Brokers {
		live = append(live, b.ID)
	}
	slices.Sort(live)
	in := AssessInput{Scope: scope, Partitions: parts, Live: live, Cluster: st.Partitions,
		MinISR: minISRs(ctx, cl, log, parts, o.MinInsyncReplicas)}
	if o.Domains != nil {
		in.Domains = o.Domains.Map()
		res.Domains, res.Live = in.Domains, live
	}
	res.Risk = Assess(in)
	res.BytesRemaining = readBytesRemaining(ctx, cl, live, statuses, p.sizes, log)
	if res.BytesRemaining == nil {
		res.MessagesRemaining = readMessagesRemaining(ctx, cl, statuses, log)
	}
	return res, res.Err()
}

// NothingToVerifyLine is what verify says about an empty plan.
const NothingToVerifyLine = "fdud verify: the plan has no partitions (nothing needed moving): nothing to verify."

// pass is one look at the cluster.
type pass struct {
	st       *cluster.State
	statuses []PartitionStatus
	// Once nothing of the plan is in flight, with Env.Lock and unless the
	// throttles are preserved: holder is another run holding the cluster
	// lock, lockErr a failure to find out, and unlock gives back the lock
	// this run took for the clean-up.
	holder  *LockHolder
	lockErr error
	unlock  func() error
	// sizes are the replica sizes read for the progress display after
	// this pass, nil when none were read.
	sizes *sizes.LogDirs
}

func (p pass) idle() bool { return Count(p.statuses).InProgress == 0 }

// catchingUp reports whether a partition of the plan is complete but not
// yet fully in sync while every replica of it is alive: a replica that
// stays changes leader with the move and can fall out of the ISR for a
// moment (seen on a loaded Kafka 0.9); it comes back by itself.
func (p pass) catchingUp() bool {
	for _, s := range p.statuses {
		if s.Status == Complete && len(s.ISR) < len(s.Current) &&
			!slices.ContainsFunc(s.Current, func(id int32) bool { return !p.st.Alive(id) }) {
			return true
		}
	}
	return false
}

// settleGrace is how long verify --wait keeps polling a completed plan
// whose partitions are catching up, before it judges them.
const settleGrace = 30 * time.Second

// settled reports whether waiting is over: nothing in flight, and no other
// run holding the cluster lock (execute may submit another batch).
func (p pass) settled() bool { return p.idle() && p.holder == nil && p.lockErr == nil }

// look reads the state and, once nothing of the plan is in flight and
// throttles are to be cleaned up, takes the cluster lock and reads the
// state again under it: an execute may have submitted, and let go of the
// lock, between the first read and the lock.
func look(ctx context.Context, o Options, cl kafka.Cluster, env Deps, log *slog.Logger, topics []string) (pass, error) {
	p, err := read(ctx, o, cl, log, topics)
	if err != nil || !p.idle() || env.Lock == nil || o.PreserveThrottles {
		return p, err
	}
	unlock, holder, err := env.Lock.TryLock(ctx)
	switch {
	case err != nil:
		p.lockErr = fmt.Errorf("check the cluster lock: %w", err)
		return p, nil
	case holder != nil:
		p.holder = holder
		return p, nil
	}
	q, err := read(ctx, o, cl, log, topics)
	if err == nil && q.idle() {
		q.unlock = unlock
		return q, nil
	}
	if uerr := unlock(); uerr != nil {
		log.Warn("releasing the cluster lock failed (ZooKeeper drops it when this run ends)", "err", uerr)
	}
	return q, err
}

// read reads the state of the topics in scope and classifies the plan.
func read(ctx context.Context, o Options, cl kafka.Cluster, log *slog.Logger, topics []string) (pass, error) {
	st, err := cl.State(ctx, topics)
	if err != nil {
		return pass{}, err
	}
	return pass{st: st, statuses: logDirStatuses(ctx, cl, o.Plan, Classify(o.Plan, st), log)}, nil
}

// poll looks at the cluster until it is settled, or once without Wait.
// While waiting, a failed read (a broker restarting, a controller moving)
// or lock check is logged and retried until the timeout.
func poll(ctx context.Context, o Options, cl kafka.Cluster, env Deps, log *slog.Logger, topics []string, start time.Time) (
	pass, bool, error) {
	var deadline time.Time
	if o.Timeout > 0 {
		deadline = start.Add(o.Timeout)
	}
	var (
		last    pass
		lastErr error
		waitFor string // the lock holder being waited for, said once
		copies  *copyWatch
		settle  time.Time // when a completed plan catching up is judged
	)
	if env.Progress != nil && o.Wait {
		copies = newCopyWatch(cl, log)
	}
	finish := func() {
		if env.Progress != nil && o.Wait {
			env.Progress.Finish()
		}
	}
	for {
		p, err := look(ctx, o, cl, env, log, topics)
		switch {
		case err != nil && (!o.Wait || ctx.Err() != nil):
			finish()
			return pass{}, false, fmt.Errorf("read cluster state: %w", err)
		case err != nil:
			lastErr = err
			log.Warn("reading the cluster failed; retrying", "err", err, "retry_in", o.PollInterval)
		default:
			c := Count(p.statuses)
			if copies != nil {
				var e *progress.Estimate
				e, p.sizes = copies.look(ctx, env.Now(), p)
				env.Progress.Update(c, e, env.Now().Sub(start))
			}
			last, lastErr = p, nil
			if !o.Wait {
				finish()
				return p, false, nil
			}
			if p.settled() {
				if !p.catchingUp() || !settle.IsZero() && !env.Now().Before(settle) {
					finish()
					return p, false, nil
				}
				if settle.IsZero() {
					// Judged no later than --timeout, by a pass that
					// holds the lock for the clean-up.
					settle = env.Now().Add(settleGrace)
					if !deadline.IsZero() && deadline.Before(settle) {
						settle = deadline
					}
					log.Info("the plan is complete; waiting for its replicas to get back in sync before judging it", "up_to", settleGrace)
				}
				// Give back the lock taken for the clean-up: the next
				// pass takes it again.
				if p.unlock != nil {
					if err := p.unlock(); err != nil {
						log.Warn("releasing the cluster lock between polls", "err", err)
					}
					last.unlock = nil
				}
			}
			switch {
			case p.lockErr != nil:
				log.Warn("checking the cluster lock failed; retrying", "err", p.lockErr, "retry_in", o.PollInterval)
			case p.holder != nil && p.holder.Name != waitFor:
				waitFor = p.holder.Name
				log.Info("nothing of the plan is in flight, but " + waitFor + " holds the cluster lock: waiting for it to finish")
			}
		}
		wait := o.PollInterval
		if !deadline.IsZero() {
			left := deadline.Sub(env.Now())
			if left <= 0 {
				finish()
				if last.st == nil {
					return pass{}, true, fmt.Errorf("read cluster state: %w", lastErr)
				}
				return last, true, nil
			}
			wait = min(wait, left)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			finish()
			return pass{}, false, fmt.Errorf("waiting for the reassignment: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// throttles removes fdud's throttles once nothing of the plan is in flight
// (as Kafka's tool does: a cancelled or failed reassignment leaves nothing
// for the throttles to protect) and no other run holds the cluster lock,
// unless the operator keeps them. A failure is reported, not fatal: the
// status is still worth having.
func throttles(ctx context.Context, o Options, env Deps, log *slog.Logger, p pass) ThrottleOutcome {
	if env.Throttles == nil {
		return ThrottleOutcome{}
	}
	idle := p.idle()
	out := ThrottleOutcome{Checked: true}
	switch {
	case !idle || o.PreserveThrottles:
	case p.holder != nil:
		// Kept: the holder may still move partitions (WriteText says so).
	case p.lockErr != nil:
		log.Error("cannot tell whether fdud execute holds the cluster lock: throttles kept; run verify again", "err", p.lockErr)
		out.Error = p.lockErr.Error()
	default:
		rm, err := env.Throttles.Remove(ctx)
		if err != nil {
			log.Error("removing fdud's throttles failed; run verify again, or execute --cancel", "err", err)
			out.Error = err.Error()
		}
		out.Removed, out.Left = rm.Removed, rm.Left
	}
	n, err := env.Throttles.Entities(ctx)
	if err != nil {
		log.Warn("reading fdud's throttle record failed", "err", err)
		if out.Error == "" {
			out.Error = err.Error()
		}
	}
	out.Entities = n
	out.Preserved = o.PreserveThrottles && idle && n > 0
	return out
}

// electLeaders asks for a preferred leader election of the planned
// partitions that are complete but not led by their first replica, when
// that replica is live and in sync (electing it otherwise fails, or with
// unclean election, loses data).
func electLeaders(ctx context.Context, cl kafka.Cluster, ss []PartitionStatus, st *cluster.State) (*Election, error) {
	e := &Election{Requested: []cluster.TopicPartition{}, Skipped: []cluster.TopicPartition{}}
	for _, s := range ss {
		if s.Status != Complete || s.LeaderPreferred() {
			continue
		}
		pref := s.Current[0]
		if st.Alive(pref) && slices.Contains(s.ISR, pref) {
			e.Requested = append(e.Requested, s.TP)
		} else {
			e.Skipped = append(e.Skipped, s.TP)
		}
	}
	if len(e.Requested) == 0 {
		return e, nil
	}
	if err := cl.ElectPreferredLeaders(ctx, e.Requested); err != nil {
		return nil, fmt.Errorf("preferred leader election of %d partitions: %w", len(e.Requested), err)
	}
	return e, nil
}

// planPartitions returns the states of the plan's partitions that exist.
func planPartitions(plan cluster.Assignment, st *cluster.State) []cluster.PartitionState {
	idx := plan.Index()
	var out []cluster.PartitionState
	for _, p := range st.Partitions {
		if _, ok := idx[p.TP()]; ok {
			out = append(out, p)
		}
	}
	return out
}

// minISRs reads min.insync.replicas of the topics in scope; topics that do
// not set it get def. A failed read falls back to def with a warning: the
// what-if is then approximate, which is better than none.
func minISRs(ctx context.Context, cl kafka.Cluster, log *slog.Logger, parts []cluster.PartitionState, def int) func(string) int {
	var topics []string
	for _, p := range parts {
		topics = append(topics, p.Topic)
	}
	slices.Sort(topics)
	topics = slices.Compact(topics)
	m := map[string]int{}
	if len(topics) > 0 {
		cfgs, err := cl.DescribeConfigs(ctx, kafka.TopicEntity, topics)
		if err != nil {
			log.Warn("reading topic configs failed; assuming the default min.insync.replicas", "default", def, "err", err)
		}
		for t, c := range cfgs {
			v, ok := c[kafka.MinInsyncReplicas]
			if !ok {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				log.Warn("ignoring a malformed min.insync.replicas", "topic", t, "value", v)
				continue
			}
			m[t] = n
		}
	}
	return func(t string) int {
		if n, ok := m[t]; ok {
			return n
		}
		return def
	}
}

// Write renders a result: the status lines and the human report on
// stderr (for an empty plan, one line saying so), and the JSON report on
// stdout with --format json. The metrics file is WriteMetricsFile's.
func Write(out Output, o Options, r *Result) error {
	var errs []error
	if r.NothingToVerify {
		if out.Stderr != nil {
			fmt.Fprintln(out.Stderr, NothingToVerifyLine)
		}
	} else {
		statusOut := out.StatusOut
		if statusOut == nil {
			statusOut = out.Stderr
		}
		if statusOut != nil && len(r.Statuses) > 0 {
			if o.LegacyStatusLines {
				errs = append(errs, WriteLegacyStatus(statusOut, r.Statuses))
			} else {
				errs = append(errs, WriteStatus(statusOut, r.Statuses, r.Underway()))
			}
		}
		if out.Stderr != nil {
			errs = append(errs, WriteText(out.Stderr, r))
		}
	}
	if o.Format == FormatJSON && out.Stdout != nil {
		errs = append(errs, WriteJSON(out.Stdout, r))
	}
	return errors.Join(errs...)
}
