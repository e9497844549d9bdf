package clusterstate

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

func put(t *testing.T, s *Store, key string, v any) {
	t.Helper()
	if err := s.Put(context.Background(), key, v); err != nil {
		t.Fatal(err)
	}
}

func view0(t *testing.T, s *Store) view {
	t.Helper()
	snap, err := s.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return lockView(snap, DefaultLockName, time.Minute)
}

// Records written late, or left behind by runs that died, never change who
// holds the lock: only the first claim of the newest epoch counts, and
// only its holder's beats.
func TestLockRecordsOutOfTurn(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, NewMemTopic(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	l1, err := Acquire(ctx, s, LockOptions{Command: "first", Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(ctx, s, LockOptions{Command: "second", Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	if l2.epoch != 2 {
		t.Fatalf("second lock has epoch %d, want 2", l2.epoch)
	}
	if v := view0(t, s); len(v.old) != 0 {
		t.Errorf("records of epoch 1 left: %v", v.old)
	}

	// A slow run's claim of epoch 2, written after the holder's.
	late := Holder{Host: "slow", PID: 1, Token: "late"}
	put(t, s, claimKey(DefaultLockName, 2, late.Token), claimDoc{Holder: late})
	// A claim of the finished epoch 1, and the first holder's beat, late.
	put(t, s, claimKey(DefaultLockName, 1, "older"), claimDoc{Holder: Holder{Host: "older", PID: 2, Token: "older"}})
	put(t, s, beatKey(DefaultLockName, 1), beatDoc{Token: l1.holder.Token, At: time.Now()})
	// A beat for epoch 2 by somebody else saying it is released.
	put(t, s, beatKey(DefaultLockName, 2)+"x", beatDoc{Token: "late", Released: true})

	v := view0(t, s)
	if v.epoch != 2 || v.winner == nil || v.winner.doc.Token != l2.holder.Token || v.released {
		t.Fatalf("view %+v; want epoch 2 held by %s", v, l2.holder.Token)
	}
	if err := l2.Check(ctx); err != nil {
		t.Errorf("holder: %v", err)
	}
	_, err = Acquire(ctx, s, LockOptions{Command: "third"})
	var busy *BusyError
	if !errors.As(err, &busy) || !errors.Is(err, cluster.ErrBusy) || busy.Holder != l2.holder {
		t.Errorf("third taker: %v; want busy, held by %v", err, l2.holder)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
	l3, err := Acquire(ctx, s, LockOptions{Command: "third", Heartbeat: -1})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	defer l3.Release()
	if l3.epoch != 3 {
		t.Errorf("epoch %d, want 3", l3.epoch)
	}
}

// A holder whose beats stop loses the lock to the next taker once the TTL
// has passed; its own later beats do not win it back.
func TestLockTakeoverIgnoresOldHolder(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, NewMemTopic(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	old, err := Acquire(ctx, s, LockOptions{Command: "old", TTL: time.Millisecond, Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	l, err := Acquire(ctx, s, LockOptions{Command: "new", TTL: time.Millisecond, Heartbeat: -1})
	if err != nil {
		t.Fatalf("take over a silent holder: %v", err)
	}
	defer l.Release()
	if err := old.beat(ctx, false); err != nil { // it comes back
		t.Fatal(err)
	}
	if err := old.Check(ctx); err == nil {
		t.Error("the old holder still thinks it holds the lock")
	}
	if err := old.Release(); err != nil {
		t.Error(err)
	}
	if err := l.Check(ctx); err != nil {
		t.Errorf("new holder: %v", err)
	}
	var c claimDoc
	found, err := s.Get(ctx, claimKey(DefaultLockName, 2, l.holder.Token), &c)
	if err != nil || !found || c.TTL != time.Millisecond.Seconds() {
		t.Errorf("claim %+v found %v err %v; want the holder's TTL in it", c, found, err)
	}
	raw, _ := json.Marshal(c)
	t.Logf("claim: %s", raw)
}
