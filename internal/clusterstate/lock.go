package clusterstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// The cluster lock on the state topic.
//
// The lock lives in the state topic's single partition, whose leader puts
// every write in one order that all readers see. A lock has epochs; the
// holder of epoch n is the run whose claim of epoch n has the lowest
// offset. To take the lock, a run reads the topic; when the current epoch N
// is released, or its holder has not sent a heartbeat for the TTL, it
// writes a claim of epoch N+1 (key lock/<name>/claim/<N+1>/<token>, value:
// who it is), reads the topic again up to and past its claim, and holds the
// lock if its claim is the first of N+1 and no later epoch exists. Of any
// number of runs claiming the same epoch, exactly one finds its claim
// first; the others delete their claims and report the winner. The holder
// then writes heartbeats (lock/<name>/beat/<N+1>) every TTL/4 and checks
// that the lock is still its own; release writes a last beat saying
// "released". The next holder deletes the records of older epochs.
//
// Each key is written by one run only (claims once, beats by the holder of
// their epoch), and a claim is never written twice (kafka.StateTopic does
// not retry), so compaction, which keeps the last record of each key,
// never changes who was first.
//
// Staleness is judged from the broker's timestamp of the holder's last beat
// (or of its claim) against the taker's clock, so hosts' clocks must agree
// to well within the TTL (NTP). A holder that cannot write a beat for the
// TTL (a network partition, a stopped VM) loses the lock to the next taker
// and finds out at its next heartbeat or Check, as a ZooKeeper session
// expiry would tell it.
//
// Why not CreateTopics of a lock topic, which is atomic too: taking over a
// dead holder's lock then means deleting its topic, and DeleteTopics cannot
// say "only if it is still that holder's" before Kafka 2.8 (topic ids), so
// two takers can each delete the other's fresh lock; deletion is
// asynchronous on ZooKeeper-mode clusters (a re-create fails for a while)
// and impossible with delete.topic.enable=false; and each lock would
// create and delete a partition on the brokers. The log needs only read and
// write on one topic.

// DefaultTTL is how long a lock whose holder sends no heartbeat stays held:
// after it, the next run takes it over (a killed fdud execute's lock, for
// example). Holders beat every TTL/4.
const DefaultTTL = 2 * time.Minute

// DefaultLockName is the lock fdud execute and verify take.
const DefaultLockName = "cluster"

// Holder says who holds the lock (clusterlock.Holder is this type, for
// its ZooKeeper node and lock file too).
type Holder struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
	Plan    string    `json:"plan,omitempty"`
	Command string    `json:"command,omitempty"`
	// Token tells this holder's lock from a later one at the same place.
	Token string `json:"token"`
}

func (h Holder) String() string {
	s := fmt.Sprintf("%s pid %d since %s", h.Host, h.PID, h.Since.Format(time.RFC3339))
	if h.Command != "" {
		s += ", running " + h.Command
	}
	if h.Plan != "" {
		s += " for " + h.Plan
	}
	return s
}

// claimDoc is the value of a claim.
type claimDoc struct {
	Holder
	// TTL, in seconds, is the holder's: takers wait at least this long.
	TTL float64 `json:"ttl_seconds"`
}

// beatDoc is the value of a heartbeat.
type beatDoc struct {
	Token    string    `json:"token"`
	At       time.Time `json:"at"`
	Released bool      `json:"released,omitempty"`
}

// LockOptions says which lock to take and who takes it.
type LockOptions struct {
	// Name is the lock's name (no slash); "" is DefaultLockName.
	Name string
	// Plan and Command describe the holder, for the message a second run
	// gets.
	Plan, Command string
	// TTL: see DefaultTTL, the value of 0. A holder's own TTL, if longer,
	// applies to its lock.
	TTL time.Duration
	// Heartbeat is the interval of heartbeats; 0 is TTL/4, and a negative
	// value sends none (tests of a dead holder).
	Heartbeat time.Duration
	// Force takes the lock even from a live holder (Break).
	Force  bool
	Logger *slog.Logger
}

func (o *LockOptions) defaults() error {
	if o.Name == "" {
		o.Name = DefaultLockName
	}
	if strings.ContainsAny(o.Name, "/ ") {
		return fmt.Errorf("lock name %q: want a word without slashes or spaces", o.Name)
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Heartbeat == 0 {
		o.Heartbeat = o.TTL / 4
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// BusyError is Acquire's error when another run holds the lock. It wraps
// cluster.ErrBusy.
type BusyError struct {
	// Where names the lock: "kafka topic __fdud_state, lock cluster".
	Where string
	// Holder is who holds it.
	Holder Holder
	// LastBeat is when it last showed it is alive.
	LastBeat time.Time
	err      error
}

func (e *BusyError) Error() string { return e.err.Error() }
func (e *BusyError) Unwrap() error { return e.err }

// Lock is a held lock. Release it on every path out.
type Lock struct {
	s      *Store
	o      LockOptions
	holder Holder
	epoch  int64
	where  string

	mu       sync.Mutex
	released bool
	lost     error
	stop     chan struct{}
	done     chan struct{}
}

// view is the lock as one read of the topic shows it.
type view struct {
	epoch    int64     // the highest epoch claimed; 0: never taken
	winner   *claimRec // its holder
	beat     *beatDoc  // the holder's last beat, if any
	last     time.Time // when the holder last showed it is alive
	ttl      time.Duration
	old      []string // keys of older epochs
	claims   map[string]claimRec
	released bool
}

type claimRec struct {
	key    string
	epoch  int64
	offset int64
	doc    claimDoc
}

func lockView(snap Snapshot, name string, ttl time.Duration) view {
	prefix := "lock/" + name + "/"
	v := view{claims: map[string]claimRec{}}
	beats := map[int64]Doc{}
	for _, key := range snap.Keys(prefix) {
		kind, rest, _ := strings.Cut(key[len(prefix):], "/")
		epochStr, token, _ := strings.Cut(rest, "/")
		epoch, err := strconv.ParseInt(epochStr, 10, 64)
		if err != nil {
			continue
		}
		switch {
		case kind == "claim" && token != "":
			var c claimDoc
			if json.Unmarshal(snap[key].Value, &c) != nil || c.Token != token {
				continue
			}
			v.claims[key] = claimRec{key: key, epoch: epoch, offset: snap[key].Offset, doc: c}
			if epoch > v.epoch {
				v.epoch = epoch
			}
		case kind == "beat" && token == "":
			beats[epoch] = snap[key]
		}
	}
	for _, c := range v.claims {
		if c.epoch == v.epoch && (v.winner == nil || c.offset < v.winner.offset) {
			v.winner = &c
		}
	}
	for _, key := range snap.Keys(prefix) {
		if epoch, ok := keyEpoch(key, prefix); ok && epoch < v.epoch {
			v.old = append(v.old, key)
		}
	}
	if v.winner == nil {
		return v
	}
	v.last = snap[v.winner.key].Time
	v.ttl = max(ttl, time.Duration(v.winner.doc.TTL*float64(time.Second)))
	if d, ok := beats[v.epoch]; ok {
		var b beatDoc
		if json.Unmarshal(d.Value, &b) == nil && b.Token == v.winner.doc.Token {
			v.beat = &b
			v.released = b.Released
			if d.Time.After(v.last) {
				v.last = d.Time
			}
		}
	}
	return v
}

func keyEpoch(key, prefix string) (int64, bool) {
	_, rest, _ := strings.Cut(key[len(prefix):], "/")
	epochStr, _, _ := strings.Cut(rest, "/")
	epoch, err := strconv.ParseInt(epochStr, 10, 64)
	return epoch, err == nil
}

// free reports whether the lock can be taken: never taken, released, or
// its holder silent for the TTL.
func (v view) free(now time.Time) bool {
	return v.winner == nil || v.released || v.stale(now)
}

func (v view) stale(now time.Time) bool {
	return v.winner != nil && !v.released && now.Sub(v.last) > v.ttl
}

func claimKey(name string, epoch int64, token string) string {
	return fmt.Sprintf("lock/%s/claim/%020d/%s", name, epoch, token)
}

func beatKey(name string, epoch int64) string {
	return fmt.Sprintf("lock/%s/beat/%020d", name, epoch)
}

// Acquire takes the lock without waiting for a live holder: when another
// run holds it, the error is a *BusyError naming the holder. A holder
// silent for the TTL is taken over, with a warning naming it.
func Acquire(ctx context.Context, s *Store, o LockOptions) (*Lock, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	h := Holder{PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second), Plan: o.Plan, Command: o.Command}
	h.Host, _ = os.Hostname()
	var tok [8]byte
	rand.Read(tok[:])
	h.Token = hex.EncodeToString(tok[:])
	where := fmt.Sprintf("%s, lock %s", s.Where(), o.Name)
	for range 5 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		snap, err := s.Read(ctx)
		if err != nil {
			return nil, fmt.Errorf("cluster lock: %w", err)
		}
		v := lockView(snap, o.Name, o.TTL)
		if !o.Force && !v.free(time.Now()) {
			return nil, busyError(where, v)
		}
		if v.winner != nil && !v.released {
			o.Logger.Warn("taking over the cluster lock", "lock", where, "holder", v.winner.doc.Holder.String(),
				"last_heartbeat", v.last.UTC().Format(time.RFC3339), "ttl", v.ttl, "force", o.Force)
		}
		epoch := v.epoch + 1
		key := claimKey(o.Name, epoch, h.Token)
		if _, err := s.put(ctx, key, claimDoc{Holder: h, TTL: o.TTL.Seconds()}); err != nil {
			// The claim may have been written: withdraw it, or it holds
			// the lock until the TTL passes.
			if derr := s.Delete(context.WithoutCancel(ctx), key); derr != nil {
				err = fmt.Errorf("%w (and withdrawing the claim %s: %v; it expires after %s)", err, key, derr, o.TTL)
			}
			return nil, fmt.Errorf("cluster lock: %w", err)
		}
		snap, err = s.Read(ctx)
		if err != nil {
			s.Delete(context.WithoutCancel(ctx), key)
			return nil, fmt.Errorf("cluster lock: %w", err)
		}
		v = lockView(snap, o.Name, o.TTL)
		if v.epoch == epoch && v.winner != nil && v.winner.doc.Token == h.Token {
			l := &Lock{s: s, o: o, holder: h, epoch: epoch, where: where}
			if err := l.beat(ctx, false); err != nil {
				l.withdraw(ctx)
				return nil, fmt.Errorf("cluster lock: %w", err)
			}
			for _, old := range v.old {
				if err := s.Delete(ctx, old); err != nil {
					o.Logger.Debug("delete an old lock record", "key", old, "err", err)
				}
			}
			l.startHeartbeat()
			return l, nil
		}
		// Another run claimed the same epoch first, or a later one.
		if err := s.Delete(ctx, key); err != nil {
			o.Logger.Debug("withdraw a lost claim", "key", key, "err", err)
		}
		if v.winner != nil && !v.free(time.Now()) {
			return nil, busyError(where, v)
		}
		// The winner has released it already, or died: look again.
	}
	return nil, &BusyError{Where: where, err: fmt.Errorf("%w: the cluster lock (%s) is changing hands; try again", cluster.ErrBusy, where)}
}

func busyError(where string, v view) error {
	h := v.winner.doc.Holder
	ago := time.Since(v.last).Round(time.Second)
	return &BusyError{Where: where, Holder: h, LastBeat: v.last,
		err: fmt.Errorf("%w: the cluster lock (%s) is held by %s (last heartbeat %s ago); wait for it to finish "+
			"(a holder silent for %s loses the lock to the next run; fdud unlock breaks it at once, if that holder is gone)",
			cluster.ErrBusy, where, h, ago, v.ttl)}
}

// Break takes the lock whoever holds it and releases it at once, for an
// operator who knows its holder is gone. It returns the holder it broke,
// nil when the lock was free. A live holder finds out at its next
// heartbeat or Check and stops.
func Break(ctx context.Context, s *Store, o LockOptions) (*Holder, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	snap, err := s.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster lock: %w", err)
	}
	v := lockView(snap, o.Name, o.TTL)
	if v.winner == nil || v.released {
		// Nothing to break, so nothing to write: on a cluster that has
		// never had a state topic, fdud unlock must not create one.
		return nil, nil
	}
	prev := v.winner.doc.Holder
	o.Force, o.Heartbeat = true, -1
	if o.Command == "" {
		o.Command = "fdud lock --break"
	}
	l, err := Acquire(ctx, s, o)
	if err != nil {
		return &prev, err
	}
	return &prev, l.Release()
}

// beat writes the holder's heartbeat.
func (l *Lock) beat(ctx context.Context, released bool) error {
	_, err := l.s.put(ctx, beatKey(l.o.Name, l.epoch), beatDoc{Token: l.holder.Token, At: time.Now().UTC(), Released: released})
	return err
}

// withdraw deletes this run's claim, after a failure to complete Acquire.
func (l *Lock) withdraw(ctx context.Context) {
	l.s.Delete(context.WithoutCancel(ctx), claimKey(l.o.Name, l.epoch, l.holder.Token))
}

func (l *Lock) startHeartbeat() {
	if l.o.Heartbeat < 0 {
		return
	}
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.o.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), l.o.TTL)
			err := l.check(ctx)
			if err == nil {
				err = l.beat(ctx, false)
			}
			cancel()
			if errors.Is(err, errLost) {
				l.mu.Lock()
				l.lost = err
				l.mu.Unlock()
				l.o.Logger.Error("cluster lock lost", "lock", l.where, "err", err)
				return
			}
			if err != nil {
				l.o.Logger.Warn("cluster lock heartbeat failed; retrying", "lock", l.where, "err", err)
			}
		}
	}()
}

// errLost is wrapped by the errors of a lock that is no longer this run's.
var errLost = errors.New("cluster lock lost")

// check reads the lock and reports an error wrapping errLost when it is no
// longer this run's: another run took it over, or broke it.
func (l *Lock) check(ctx context.Context) error {
	snap, err := l.s.Read(ctx)
	if err != nil {
		return fmt.Errorf("cluster lock: %w", err)
	}
	v := lockView(snap, l.o.Name, l.o.TTL)
	if v.epoch != l.epoch || v.winner == nil || v.winner.doc.Token != l.holder.Token {
		who := "another run"
		if v.winner != nil {
			who = v.winner.doc.Holder.String()
		}
		return fmt.Errorf("%w: %s now belongs to %s", errLost, l.where, who)
	}
	if v.released {
		return fmt.Errorf("%w: %s was released", errLost, l.where)
	}
	return nil
}

// Holder returns who holds this lock (this process).
func (l *Lock) Holder() Holder { return l.holder }

// Where names the lock for messages: "kafka topic __fdud_state, lock cluster".
func (l *Lock) Where() string { return l.where }

// Check reports an error when the lock is no longer ours: another run took
// it over after this run's heartbeats stopped for the TTL, or an operator
// broke it. Long-running holders check it before each change.
func (l *Lock) Check(ctx context.Context) error {
	l.mu.Lock()
	released, lost := l.released, l.lost
	l.mu.Unlock()
	switch {
	case released:
		return errors.New("cluster lock already released")
	case lost != nil:
		return lost
	}
	return l.check(ctx)
}

// StopHeartbeat stops the heartbeats without releasing the lock, as if
// this run had been killed: tests of a takeover use it.
func (l *Lock) StopHeartbeat() {
	if l.stop != nil {
		select {
		case <-l.stop:
		default:
			close(l.stop)
		}
		<-l.done
	}
}

// Release gives the lock up. It is safe to call more than once; a lock that
// is no longer ours is left alone.
func (l *Lock) Release() error {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return nil
	}
	l.released = true
	l.mu.Unlock()
	l.StopHeartbeat()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.check(ctx); errors.Is(err, errLost) {
		return nil
	}
	if err := l.beat(ctx, true); err != nil {
		return fmt.Errorf("release cluster lock (%s): %w", l.where, err)
	}
	return nil
}
