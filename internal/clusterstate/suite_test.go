package clusterstate_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterlock"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/throttle"
	"github.com/fdud/fdud/verify"
)

// runSuite is what every implementation of kafka.StateTopic must give the
// store and the lock: in memory (MemTopic) and on real brokers. a and b are
// two hosts. Each subtest uses a topic of its own.
func runSuite(t *testing.T, a, b kafka.StateTopic) {
	t.Run("store round trip between hosts", func(t *testing.T) { testStore(t, a, b) })
	t.Run("throttle records between hosts", func(t *testing.T) { testThrottleStore(t, a, b) })
	t.Run("second taker refused, release, take again", func(t *testing.T) { testBusy(t, a, b) })
	t.Run("silent holder taken over after the TTL", func(t *testing.T) { testTakeover(t, a, b) })
	t.Run("concurrent takers: exactly one wins", func(t *testing.T) { testConcurrent(t, a, b) })
	t.Run("break a live lock", func(t *testing.T) { testBreak(t, a, b) })
	t.Run("clusterlock on the state topic", func(t *testing.T) { testClusterlock(t, a, b) })
	t.Run("domains published from one host, read from another", func(t *testing.T) { testDomains(t, a, b) })
	t.Run("reading never creates the topic", func(t *testing.T) { testReadCreatesNothing(t, a, b) })
}

// Issue 9: reading (fdud verify --all, a kafka: domains source) must not
// change the cluster: a missing state topic has no records and is not
// created by a read, nor by deleting from it; the first write creates it.
func testReadCreatesNothing(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	exists := func(when string, want bool) {
		t.Helper()
		for _, st := range []kafka.StateTopic{a, b} {
			if got, err := st.HasStateTopic(ctx, topic); err != nil || got != want {
				t.Fatalf("%s: topic exists %v, %v; want %v", when, got, err, want)
			}
		}
	}
	s := open(t, ctx, a, topic)
	exists("opened", false)
	if keys, err := s.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("List of a missing topic: %v, %v; want nothing", keys, err)
	}
	var d doc
	if found, err := s.Get(ctx, "domain/1", &d); err != nil || found {
		t.Errorf("Get of a missing topic: %v, %v; want not found", found, err)
	}
	ts := throttle.NewClusterStore(open(t, ctx, b, topic), nil)
	if ids, err := ts.List(ctx); err != nil || len(ids) != 0 {
		t.Errorf("throttle records of a missing topic: %v, %v; want none", ids, err)
	}
	if rec, err := ts.Load(ctx, "plan"); err != nil || rec != nil {
		t.Errorf("throttle record of a missing topic: %v, %v; want none", rec, err)
	}
	if err := s.Delete(ctx, "domain/1"); err != nil {
		t.Errorf("Delete from a missing topic: %v", err)
	}
	exists("read and deleted from", false)
	if err := s.Put(ctx, "domain/1", doc{Broker: 1, Rack: "FD0UD0"}); err != nil {
		t.Fatal(err)
	}
	exists("written", true)
	if found, err := open(t, ctx, b, topic).Get(ctx, "domain/1", &d); err != nil || !found {
		t.Errorf("the other host reads %v, %v; want the record", found, err)
	}
}

func testDomains(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	deps := func(st kafka.StateTopic) domainsrc.Deps {
		return domainsrc.Deps{ClusterState: func(ctx context.Context) (*clusterstate.Store, error) {
			return clusterstate.Open(ctx, st, clusterstate.Options{Topic: topic})
		}}
	}
	for _, bd := range []cluster.BrokerDomain{{ID: 2, FaultDomain: 1, UpdateDomain: 1, Host: "wn2"}, {ID: 1, FaultDomain: 0, UpdateDomain: 0, Host: "wn1"}} {
		d := cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{bd}}
		if _, err := domainsrc.Publish(ctx, "kafka", d, deps(a)); !errors.Is(err, cluster.ErrChanged) {
			t.Fatalf("publish %v: %v; want changed", bd, err)
		}
		if _, err := domainsrc.Publish(ctx, "kafka", d, deps(b)); err != nil {
			t.Fatalf("publish %v again from the other host: %v; want unchanged", bd, err)
		}
	}
	got, err := domainsrc.Resolve(ctx, "kafka", deps(b))
	want := []cluster.BrokerDomain{{ID: 1, FaultDomain: 0, UpdateDomain: 0, Host: "wn1"}, {ID: 2, FaultDomain: 1, UpdateDomain: 1, Host: "wn2"}}
	if err != nil || !reflect.DeepEqual(got.Brokers, want) {
		t.Errorf("other host reads %+v, %v; want %+v", got.Brokers, err, want)
	}
}

func testTopic() string {
	var b [4]byte
	rand.Read(b[:])
	return "__fdud_state_test_" + hex.EncodeToString(b[:])
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func open(t *testing.T, ctx context.Context, st kafka.StateTopic, topic string) *clusterstate.Store {
	t.Helper()
	s, err := clusterstate.Open(ctx, st, clusterstate.Options{Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type doc struct {
	Broker int    `json:"broker"`
	Rack   string `json:"rack"`
}

func testStore(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	sa, sb := open(t, ctx, a, topic), open(t, ctx, b, topic)
	if keys, err := sb.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Fatalf("new store: %v, %v", keys, err)
	}
	for i, rack := range []string{"FD0UD0", "FD1UD1", "FD0UD2"} {
		if err := sa.Put(ctx, "domain/"+string(rune('1'+i)), doc{Broker: i + 1, Rack: rack}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sa.Put(ctx, "domain/2", doc{Broker: 2, Rack: "FD1UD0"}); err != nil { // replaced
		t.Fatal(err)
	}
	var got doc
	if found, err := sb.Get(ctx, "domain/2", &got); err != nil || !found || got != (doc{2, "FD1UD0"}) {
		t.Errorf("other host reads domain/2 = %+v, %v, %v; want the last value", got, found, err)
	}
	if err := sb.Delete(ctx, "domain/1"); err != nil {
		t.Fatal(err)
	}
	if found, err := sa.Get(ctx, "domain/1", &got); err != nil || found {
		t.Errorf("deleted domain/1 read back: %v, %v", found, err)
	}
	if err := sb.Delete(ctx, "domain/none"); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	keys, err := sa.List(ctx, "domain/")
	if want := []string{"domain/2", "domain/3"}; err != nil || !reflect.DeepEqual(keys, want) {
		t.Errorf("List = %v, %v; want %v", keys, err, want)
	}
}

func testThrottleStore(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	ta := throttle.NewClusterStore(open(t, ctx, a, topic), nil)
	tb := throttle.NewClusterStore(open(t, ctx, b, topic), nil)
	rec := &throttle.Record{Version: 1, PlanID: "plan-1", Rate: 5000000, Host: "admin-1", PID: 42,
		Updated: time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC),
		Configs: []throttle.ConfigRecord{{Kind: kafka.BrokerEntity, Name: "1", Key: kafka.LeaderThrottledRate}}}
	if err := ta.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := ta.Save(ctx, &throttle.Record{Version: 1, PlanID: "plan-2"}); err != nil {
		t.Fatal(err)
	}
	got, err := tb.Load(ctx, "plan-1")
	if err != nil || got == nil || got.Rate != rec.Rate || got.Host != "admin-1" || !got.Updated.Equal(rec.Updated) ||
		len(got.Configs) != 1 || got.Configs[0].Key != kafka.LeaderThrottledRate {
		t.Fatalf("other host loads %+v, %v; want %+v", got, err, rec)
	}
	if ids, err := tb.List(ctx); err != nil || !reflect.DeepEqual(ids, []string{"plan-1", "plan-2"}) {
		t.Errorf("List = %v, %v", ids, err)
	}
	if err := tb.Delete(ctx, "plan-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := ta.Load(ctx, "plan-1"); err != nil || got != nil {
		t.Errorf("deleted record loads %+v, %v", got, err)
	}
	if got, err := ta.Load(ctx, "never"); err != nil || got != nil {
		t.Errorf("missing record loads %+v, %v", got, err)
	}
	if _, err := ta.Load(ctx, "../x"); err == nil {
		t.Error("bad plan id accepted")
	}
}

func acquire(t *testing.T, ctx context.Context, s *clusterstate.Store, o clusterstate.LockOptions) *clusterstate.Lock {
	t.Helper()
	l, err := clusterstate.Acquire(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Release() })
	return l
}

func testBusy(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	sa, sb := open(t, ctx, a, topic), open(t, ctx, b, topic)
	l1 := acquire(t, ctx, sa, clusterstate.LockOptions{Plan: "plan-1", Command: "fdud execute", TTL: time.Minute})
	if err := l1.Check(ctx); err != nil {
		t.Fatalf("Check of a held lock: %v", err)
	}
	_, err := clusterstate.Acquire(ctx, sb, clusterstate.LockOptions{Command: "fdud verify", TTL: time.Minute})
	var busy *clusterstate.BusyError
	if !errors.As(err, &busy) || !errors.Is(err, cluster.ErrBusy) {
		t.Fatalf("second taker: %v; want a BusyError wrapping cluster.ErrBusy", err)
	}
	if busy.Holder != l1.Holder() || busy.Holder.Plan != "plan-1" || busy.Holder.Command != "fdud execute" || busy.Holder.PID != os.Getpid() {
		t.Errorf("busy names %+v; want %+v", busy.Holder, l1.Holder())
	}
	t.Logf("busy: %v", err)
	if err := l1.Check(ctx); err != nil {
		t.Errorf("a refused taker took the lock: %v", err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(); err != nil {
		t.Errorf("second release: %v", err)
	}
	if err := l1.Check(ctx); err == nil {
		t.Error("Check of a released lock: no error")
	}
	l2 := acquire(t, ctx, sb, clusterstate.LockOptions{Command: "fdud verify", TTL: time.Minute})
	if err := l2.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
	l3 := acquire(t, ctx, sa, clusterstate.LockOptions{Command: "fdud execute", TTL: time.Minute})
	if err := l3.Release(); err != nil {
		t.Fatal(err)
	}
}

// waitAcquire takes the lock as soon as it can, as an operator re-running a
// command after the TTL would.
func waitAcquire(t *testing.T, ctx context.Context, s *clusterstate.Store, o clusterstate.LockOptions) *clusterstate.Lock {
	t.Helper()
	for {
		l, err := clusterstate.Acquire(ctx, s, o)
		if err == nil {
			t.Cleanup(func() { l.Release() })
			return l
		}
		if !errors.Is(err, cluster.ErrBusy) {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lock never taken: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func testTakeover(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	sa, sb := open(t, ctx, a, topic), open(t, ctx, b, topic)
	const ttl = 2 * time.Second
	dead := acquire(t, ctx, sa, clusterstate.LockOptions{Command: "fdud execute", TTL: ttl})
	dead.StopHeartbeat() // killed
	l2 := waitAcquire(t, ctx, sb, clusterstate.LockOptions{Command: "fdud execute", TTL: ttl})
	if err := dead.Check(ctx); err == nil {
		t.Error("the silent holder still thinks it holds the lock")
	} else {
		t.Logf("old holder: %v", err)
	}
	if err := dead.Release(); err != nil {
		t.Errorf("release of a lock taken over: %v", err)
	}
	if err := l2.Check(ctx); err != nil {
		t.Errorf("the old holder's release touched the new holder's lock: %v", err)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
}

func testConcurrent(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	stores := []*clusterstate.Store{open(t, ctx, a, topic), open(t, ctx, b, topic)}
	for round := range 3 {
		const takers = 6
		var wg sync.WaitGroup
		locks := make([]*clusterstate.Lock, takers)
		errs := make([]error, takers)
		start := make(chan struct{})
		for i := range takers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				locks[i], errs[i] = clusterstate.Acquire(ctx, stores[i%2], clusterstate.LockOptions{Command: "taker", TTL: time.Minute})
			}()
		}
		close(start)
		wg.Wait()
		var won []int
		for i, err := range errs {
			switch {
			case err == nil:
				won = append(won, i)
			case !errors.Is(err, cluster.ErrBusy):
				t.Errorf("round %d taker %d: %v", round, i, err)
			}
		}
		if len(won) != 1 {
			t.Fatalf("round %d: takers %v won; want exactly one (errors %v)", round, won, errs)
		}
		w := locks[won[0]]
		for i, err := range errs {
			var busy *clusterstate.BusyError
			if err != nil && errors.As(err, &busy) && busy.Holder.Token != "" && busy.Holder != w.Holder() {
				t.Errorf("round %d taker %d was told %v holds it; the winner is %v", round, i, busy.Holder, w.Holder())
			}
		}
		if err := w.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.Release(); err != nil {
			t.Fatal(err)
		}
	}
}

func testBreak(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	topic := testTopic()
	sa, sb := open(t, ctx, a, topic), open(t, ctx, b, topic)
	if prev, err := clusterstate.Break(ctx, sb, clusterstate.LockOptions{}); err != nil || prev != nil {
		t.Fatalf("break a free lock: %v, %v", prev, err)
	}
	// Breaking a free lock writes nothing: fdud unlock on a cluster fdud
	// has never run on leaves it without a state topic.
	if has, err := b.HasStateTopic(ctx, topic); err != nil || has {
		t.Fatalf("after breaking a free lock, state topic %s exists: %v, %v", topic, has, err)
	}
	l1 := acquire(t, ctx, sa, clusterstate.LockOptions{Command: "fdud execute", TTL: time.Hour})
	prev, err := clusterstate.Break(ctx, sb, clusterstate.LockOptions{})
	if err != nil || prev == nil || *prev != l1.Holder() {
		t.Fatalf("Break = %v, %v; want the holder %v", prev, err, l1.Holder())
	}
	if err := l1.Check(ctx); err == nil {
		t.Error("a broken lock's holder still thinks it holds it")
	}
	l2 := acquire(t, ctx, sb, clusterstate.LockOptions{Command: "fdud execute"})
	if err := l1.Release(); err != nil {
		t.Error(err)
	}
	if err := l2.Check(ctx); err != nil {
		t.Errorf("the broken holder's release touched the new lock: %v", err)
	}
}

func testClusterlock(t *testing.T, a, b kafka.StateTopic) {
	ctx := testCtx(t)
	// Issue 9: on a cluster that has no state topic yet, verify's check
	// of the lock finds no holder and creates nothing.
	if has, err := a.HasStateTopic(ctx, kafka.StateTopicName); err != nil {
		t.Fatal(err)
	} else if !has {
		unlock, holder, err := verify.ClusterLock{Kafka: b, PlanID: "plan-1"}.TryLock(ctx)
		if err != nil || holder != nil {
			t.Fatalf("verify's lock without a state topic: holder %v, %v; want none", holder, err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
		if has, err := a.HasStateTopic(ctx, kafka.StateTopicName); err != nil || has {
			t.Fatalf("verify's lock check created the state topic (%v, %v)", has, err)
		}
	}
	// clusterlock uses the default topic, as execute and verify do.
	l1, err := clusterlock.Acquire(ctx, clusterlock.Options{Kafka: a, Plan: "plan-1", Command: clusterlock.ExecuteCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Release()
	if err := l1.Check(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = clusterlock.Acquire(ctx, clusterlock.Options{Kafka: b, Plan: "plan-1", Command: "fdud verify"})
	var busy *clusterlock.BusyError
	if !errors.As(err, &busy) || !errors.Is(err, cluster.ErrBusy) || busy.Holder == nil || *busy.Holder != l1.Holder() ||
		busy.Where != l1.Where() {
		t.Fatalf("second taker: %v (%+v); want a clusterlock.BusyError naming %+v at %s", err, busy, l1.Holder(), l1.Where())
	}
	if _, holder, err := (verify.ClusterLock{Kafka: b, PlanID: "plan-1"}).TryLock(ctx); err != nil || holder == nil || !holder.ThisPlan {
		t.Fatalf("verify's lock while execute of its plan holds it: holder %+v, %v", holder, err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := clusterlock.Acquire(ctx, clusterlock.Options{Kafka: b, Command: "fdud verify"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
}
