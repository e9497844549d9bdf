package clusterlock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
)

// exclusive checks the lock contract with two lock openers that stand for two
// fdud runs.
func exclusive(t *testing.T, first, second Options) {
	ctx := context.Background()
	l1, err := Acquire(ctx, first)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	_, err = Acquire(ctx, second)
	if !errors.Is(err, cluster.ErrBusy) {
		t.Fatalf("second Acquire: %v, want ErrBusy", err)
	}
	host, _ := os.Hostname()
	for _, want := range []string{host, fmt.Sprintf("pid %d", os.Getpid()), "plan-1", "fdud execute"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("busy message %q does not name the holder's %q", err, want)
		}
	}
	var be *BusyError
	if !errors.As(err, &be) || be.Holder == nil {
		t.Fatalf("second Acquire: %v, want a *BusyError naming the holder", err)
	}
	if h := be.Holder; h.PID != os.Getpid() || h.Host != host || h.Plan != "plan-1" || h.Command != "fdud execute" || h.Token != l1.Holder().Token {
		t.Errorf("BusyError.Holder = %+v, want the first run's %+v", *h, l1.Holder())
	}
	if be.Where != l1.Where() {
		t.Errorf("BusyError.Where = %q, want %q", be.Where, l1.Where())
	}
	if err := l1.Check(ctx); err != nil {
		t.Errorf("Check of a held lock: %v", err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	l2, err := Acquire(ctx, second)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	// Releasing an old lock must not free the new holder's.
	l1.Release()
	if _, err := Acquire(ctx, first); !errors.Is(err, cluster.ErrBusy) {
		t.Errorf("lock free after the old holder released twice: %v", err)
	}
	l2.Release()
}

func TestFileLock(t *testing.T) {
	dir := t.TempDir()
	o := Options{StateDir: dir, Plan: "plan-1", Command: "fdud execute"}
	exclusive(t, o, o)
}

func TestZooKeeperLock(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	addr := fmt.Sprintf("%s/lock%d", z.Addr, time.Now().UnixNano())
	a, b := testenv.ConnectZooKeeper(t, addr), testenv.ConnectZooKeeper(t, addr)
	exclusive(t,
		Options{ZooKeeper: a, Plan: "plan-1", Command: "fdud execute"},
		Options{ZooKeeper: b, Plan: "plan-1", Command: "fdud execute"})

	t.Run("a holder's session ending frees the lock", func(t *testing.T) {
		c := testenv.ConnectZooKeeper(t, addr)
		if _, err := Acquire(context.Background(), Options{ZooKeeper: c}); err != nil {
			t.Fatal(err)
		}
		c.Close()
		l, err := Acquire(context.Background(), Options{ZooKeeper: b})
		if err != nil {
			t.Fatalf("lock not freed by the session's end: %v", err)
		}
		l.Release()
	})

	t.Run("Check notices a lost lock", func(t *testing.T) {
		l, err := Acquire(context.Background(), Options{ZooKeeper: a})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if err := b.Delete(context.Background(), ZNode, -1); err != nil {
			t.Fatal(err)
		}
		if err := l.Check(context.Background()); err == nil {
			t.Error("Check did not notice the lock node was deleted")
		}
	})
}
