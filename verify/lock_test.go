package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/schemas"
)

// Regression: verify removed the throttles "once nothing of the plan is in
// flight" without looking at the cluster lock, so a verify run between two
// of a batching execute's batches let the remaining batches run
// unthrottled.
func TestRunClusterLock(t *testing.T) {
	live := brokers(1, 2, 3, 4, 5, 6, 7, 8, 9)
	thePlan := plan(pa("a", 0, 1, 5, 9), pa("a", 1, 2, 6, 7))
	settled := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{part("a", 0, 1, 5, 9), part("a", 1, 2, 6, 7)}}
	// Between batches: a-0 done, a-1 not submitted yet; nothing in flight.
	between := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{part("a", 0, 1, 5, 9), part("a", 1, 2, 3, 4)}}
	inFlight := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{part("a", 0, 1, 5, 9), moving("a", 1, r(2, 3, 4), r(2, 6, 7))}}
	execute := &LockHolder{Name: "fdud execute (pid 4242, host admin-1)", ThisPlan: true}
	other := &LockHolder{Name: "fdud execute (pid 77, host admin-2)"}
	const kept = "fdud execute (pid 4242, host admin-1) still holds the cluster lock: throttles kept; run verify again when it finishes."

	cases := []struct {
		name    string
		states  []*cluster.State
		holders []*LockHolder
		lockErr error
		opts    Options
		wantErr error
		wantOut Outcome
		// after the run
		tries, removes, entities int
		errHas                   []string // in the returned error
		stderrHas                []string
		holder                   *LockHolder // Result.LockHolder
	}{
		{name: "lock free: removed under the lock, then released", states: []*cluster.State{settled},
			wantOut: OutcomeComplete, tries: 1, removes: 1, stderrHas: []string{"Throttles: removed"}},
		{name: "execute of this plan holds it, all complete: kept, in progress", states: []*cluster.State{settled},
			holders: []*LockHolder{execute}, wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, tries: 1, entities: 3,
			errHas:    []string{"nothing of the plan is in flight, but fdud execute (pid 4242, host admin-1) still holds the cluster lock"},
			stderrHas: []string{kept}, holder: execute},
		{name: "execute of this plan between batches: in progress, not a failure", states: []*cluster.State{between},
			holders: []*LockHolder{execute}, wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, tries: 1, entities: 3,
			stderrHas: []string{kept, "the 1 partitions not on their planned replicas may be waiting for their batch"}, holder: execute},
		{name: "another run holds it, plan complete: kept, in progress", states: []*cluster.State{settled},
			holders: []*LockHolder{other}, wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, tries: 1, entities: 3,
			stderrHas: []string{"fdud execute (pid 77, host admin-2) still holds the cluster lock: throttles kept"}, holder: other},
		{name: "another run holds it, plan not as planned: kept, exit 1 stands", states: []*cluster.State{between},
			holders: []*LockHolder{other}, wantErr: ErrNotAsPlanned, wantOut: OutcomeNotAsPlanned, tries: 1, entities: 3, holder: other},
		{name: "in flight: the lock is not taken", states: []*cluster.State{inFlight},
			wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, tries: 0, entities: 3},
		{name: "preserve throttles: the lock is not taken", states: []*cluster.State{settled}, holders: []*LockHolder{execute},
			opts: Options{PreserveThrottles: true}, wantOut: OutcomeComplete, tries: 0, entities: 3,
			stderrHas: []string{"(--preserve-throttles)"}},
		{name: "execute submits between the read and the lock: kept", states: []*cluster.State{between, inFlight},
			wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, tries: 1, entities: 3},
		// Throttles kept on a complete plan: the cluster is still throttled, so
		// this must not exit 0 (cron would read it as done).
		{name: "lock cannot be checked: kept, reported, exit 1", states: []*cluster.State{settled}, lockErr: errors.New("zookeeper: connection lost"),
			wantErr: ErrThrottlesLeft, wantOut: OutcomeThrottlesLeft, tries: 1, entities: 3,
			stderrHas: []string{"could not remove fdud's throttles: check the cluster lock: zookeeper: connection lost"}},
		{name: "wait: keeps waiting while execute holds the lock, then cleans up",
			states: []*cluster.State{between, between, settled}, holders: []*LockHolder{execute, execute, nil},
			opts: Options{Wait: true, PollInterval: time.Millisecond}, wantOut: OutcomeComplete, tries: 3, removes: 1},
		{name: "wait: times out while execute holds the lock", states: []*cluster.State{settled}, holders: []*LockHolder{execute},
			opts:    Options{Wait: true, PollInterval: time.Millisecond, Timeout: 20 * time.Millisecond},
			wantErr: cluster.ErrInProgress, wantOut: OutcomeInProgress, tries: 1, entities: 3,
			errHas: []string{"still holds the cluster lock after"}, stderrHas: []string{kept}, holder: execute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc := scripted(t, tc.states...)
			o := tc.opts
			o.Plan, o.Format = thePlan, FormatJSON
			lock := &fakeLock{holders: tc.holders, err: tc.lockErr}
			th := &lockedThrottles{fakeThrottles: fakeThrottles{entities: 3}, lock: lock}
			var stdout, stderr bytes.Buffer
			res, err := runWritten(context.Background(), o, fc, Env{Stdout: &stdout, Stderr: &stderr, Throttles: th, Lock: lock})
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v\n%s", err, tc.wantErr, stderr.String())
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if res.Outcome() != tc.wantOut {
				t.Errorf("outcome %s, want %s", res.Outcome(), tc.wantOut)
			}
			if lock.tries < tc.tries || (tc.tries == 0 && lock.tries != 0) || !o.Wait && lock.tries != tc.tries {
				t.Errorf("TryLock called %d times, want %d", lock.tries, tc.tries)
			}
			if lock.holding() {
				t.Errorf("the lock is still held after Run (%d taken, %d released)", lock.taken, lock.released)
			}
			if th.removes != tc.removes || th.entities != tc.entities || res.Throttles.Entities != tc.entities {
				t.Errorf("throttles: %d removals, %d entities left (%d reported); want %d, %d",
					th.removes, th.entities, res.Throttles.Entities, tc.removes, tc.entities)
			}
			if th.removes > 0 && !th.removedLocked {
				t.Error("throttles removed without holding the cluster lock")
			}
			if res.LockHolder != tc.holder && (res.LockHolder == nil || tc.holder == nil || *res.LockHolder != *tc.holder) {
				t.Errorf("Result.LockHolder = %v, want %v", res.LockHolder, tc.holder)
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if err := schemas.Validate(schemas.VerifyReport, stdout.Bytes()); err != nil {
				t.Errorf("report does not validate: %v\n%s", err, stdout.String())
			}
			var rep Report
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Outcome != tc.wantOut || (rep.LockHolder != nil) != (tc.holder != nil) ||
				tc.holder != nil && (rep.LockHolder.Name != tc.holder.Name || rep.LockHolder.ThisPlan != tc.holder.ThisPlan) {
				t.Errorf("report: outcome %s, lock holder %+v; want %s, %+v", rep.Outcome, rep.LockHolder, tc.wantOut, tc.holder)
			}
		})
	}
}

func TestLockHolder(t *testing.T) {
	const id = "plan-1"
	cases := []struct {
		name string
		h    *clusterlock.Holder
		want LockHolder
	}{
		{"execute of this plan", &clusterlock.Holder{Host: "admin-1", PID: 4242, Plan: id, Command: clusterlock.ExecuteCommand},
			LockHolder{Name: "fdud execute (pid 4242, host admin-1)", ThisPlan: true}},
		{"execute of another plan", &clusterlock.Holder{Host: "admin-1", PID: 4242, Plan: "plan-2", Command: clusterlock.ExecuteCommand},
			LockHolder{Name: "fdud execute (pid 4242, host admin-1)"}},
		{"cancel of this plan", &clusterlock.Holder{Host: "admin-1", PID: 9, Plan: id, Command: "fdud execute --cancel"},
			LockHolder{Name: "fdud execute --cancel (pid 9, host admin-1)"}},
		{"verify of this plan", &clusterlock.Holder{Host: "admin-2", PID: 5, Plan: id, Command: "fdud verify"},
			LockHolder{Name: "fdud verify (pid 5, host admin-2)"}},
		{"no command recorded", &clusterlock.Holder{Host: "admin-1", PID: 3, Plan: id},
			LockHolder{Name: "another fdud run (pid 3, host admin-1)"}},
		{"holder unreadable", nil, LockHolder{Name: "another fdud run"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := lockHolder(tc.h, id); *got != tc.want {
				t.Errorf("lockHolder = %+v, want %+v", *got, tc.want)
			}
		})
	}
}

// ClusterLock against the file lock execute takes without ZooKeeper (an
// flock excludes a second open file even in the same process).
func TestClusterLockFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const id = "plan-1"
	held, err := clusterlock.Acquire(ctx, clusterlock.Options{StateDir: dir, Plan: id, Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatal(err)
	}
	cl := ClusterLock{StateDir: dir, PlanID: id}
	unlock, h, err := cl.TryLock(ctx)
	if err != nil || unlock != nil || h == nil || !h.ThisPlan || !strings.HasPrefix(h.Name, "fdud execute (pid ") {
		t.Fatalf("TryLock while execute holds the lock: unlock %v, holder %+v, err %v", unlock != nil, h, err)
	}
	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	unlock, h, err = cl.TryLock(ctx)
	if err != nil || unlock == nil || h != nil {
		t.Fatalf("TryLock of a free lock: unlock %v, holder %+v, err %v", unlock != nil, h, err)
	}
	// While verify holds it, execute is refused; once released it gets it.
	if _, err := clusterlock.Acquire(ctx, clusterlock.Options{StateDir: dir}); !errors.Is(err, cluster.ErrBusy) {
		t.Errorf("execute while verify holds the lock: %v, want ErrBusy", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	l, err := clusterlock.Acquire(ctx, clusterlock.Options{StateDir: dir})
	if err != nil {
		t.Fatalf("lock not released by verify: %v", err)
	}
	l.Release()
}
