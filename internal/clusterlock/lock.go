// Package clusterlock is the cluster-wide lock that keeps two fdud runs from
// changing the same cluster at once. With ZooKeeper it is an ephemeral node
// (ZNode) holding who took it: ZooKeeper deletes it when the holder's
// session ends, so a crashed run never leaves the cluster locked. Without
// ZooKeeper, on the Admin API path, it lives in the cluster's state topic
// (package clusterstate): its holder sends heartbeats, and a holder silent
// for clusterstate.DefaultTTL (a killed run) is taken over by the next run.
// With neither, it falls back to an flock(2) on a file in the state
// directory, which only protects against runs on the same machine.
package clusterlock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/zookeeper"
)

// ZNode is the lock's node in ZooKeeper (under the cluster's chroot).
const ZNode = "/fdud/lock"

// FileName is the lock file in the state directory.
const FileName = "lock"

// ExecuteCommand is Holder.Command of fdud execute (without --cancel):
// verify tells from it that execute may still submit batches of a plan.
const ExecuteCommand = "fdud execute"

// Holder says who holds the lock, wherever it lives (ZooKeeper node, lock
// file or state topic claim): the state topic's holder, written once.
type Holder = clusterstate.Holder

// Options says where the lock lives and who takes it.
type Options struct {
	// ZooKeeper, when set, holds the lock as an ephemeral node.
	ZooKeeper *zookeeper.Conn
	// Node overrides ZNode.
	Node string
	// Kafka, when set and ZooKeeper is not, holds the lock in the
	// cluster's state topic (kafka.StateTopicOf of the connection).
	Kafka kafka.StateTopic
	// TTL is the Kafka lock's: see clusterstate.DefaultTTL, the value of 0.
	TTL time.Duration
	// KafkaName names the Kafka lock; "" is clusterstate.DefaultLockName,
	// the lock execute and verify take.
	KafkaName string
	// StateDir holds the lock file when ZooKeeper and Kafka are nil;
	// required then.
	StateDir string
	// Plan and Command describe the holder, for the message a second run gets.
	Plan, Command string
	Logger        *slog.Logger
}

// Lock is a held lock. Release it on every path out.
type Lock struct {
	holder Holder
	where  string

	mu       sync.Mutex
	released bool
	zk       *zookeeper.Conn
	file     *os.File
	kl       *clusterstate.Lock
}

// Acquire takes the lock without waiting. When another run holds it, the
// error wraps cluster.ErrBusy and names the holder.
func Acquire(ctx context.Context, o Options) (*Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := Holder{PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second), Plan: o.Plan, Command: o.Command}
	h.Host, _ = os.Hostname()
	var tok [8]byte
	rand.Read(tok[:])
	h.Token = hex.EncodeToString(tok[:])
	data, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if o.ZooKeeper != nil {
		node := o.Node
		if node == "" {
			node = ZNode
		}
		return acquireZK(ctx, o.ZooKeeper, node, h, data)
	}
	if o.Kafka != nil {
		return acquireKafka(ctx, o, log)
	}
	if o.StateDir == "" {
		return nil, errors.New("cluster lock: no ZooKeeper and no state directory")
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("cluster lock: %w", err)
	}
	path := filepath.Join(o.StateDir, FileName)
	log.Warn("no ZooKeeper: the lock is a file, " + path + ", and protects only against fdud runs on this machine (give --zookeeper for a cluster-wide lock)")
	return acquireFile(path, h, data)
}

func acquireZK(ctx context.Context, conn *zookeeper.Conn, node string, h Holder, data []byte) (*Lock, error) {
	for range 3 {
		_, err := conn.Create(ctx, node, data, zk.FlagEphemeral)
		if err == nil {
			return &Lock{holder: h, where: "znode " + node, zk: conn}, nil
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return nil, fmt.Errorf("cluster lock: %w", err)
		}
		other, _, gerr := conn.Get(ctx, node)
		if errors.Is(gerr, zk.ErrNoNode) {
			continue // released meanwhile: try again
		}
		if gerr != nil {
			return nil, &BusyError{Where: "znode " + node,
				err: fmt.Errorf("%w: the cluster lock (znode %s) is held, and its holder cannot be read: %v", cluster.ErrBusy, node, gerr)}
		}
		return nil, busy("znode "+node, other)
	}
	return nil, &BusyError{Where: "znode " + node,
		err: fmt.Errorf("%w: the cluster lock (znode %s) is changing hands; try again", cluster.ErrBusy, node)}
}

// BusyError is Acquire's error when another run holds the lock. It wraps
// cluster.ErrBusy; callers that do not give up on a busy lock (verify
// keeping throttles) read the holder from it.
type BusyError struct {
	// Where names the lock: "znode /fdud/lock", "file PATH" or "kafka
	// topic __fdud_state, lock cluster".
	Where string
	// Holder is who holds it; nil when that cannot be read.
	Holder *Holder
	err    error
}

func (e *BusyError) Error() string { return e.err.Error() }
func (e *BusyError) Unwrap() error { return e.err }

func busy(where string, data []byte) error {
	var other Holder
	if err := json.Unmarshal(data, &other); err != nil || other.PID == 0 {
		return &BusyError{Where: where, err: fmt.Errorf("%w: the cluster lock (%s) is held by another fdud run", cluster.ErrBusy, where)}
	}
	return &BusyError{Where: where, Holder: &other,
		err: fmt.Errorf("%w: the cluster lock (%s) is held by %s; wait for it to finish", cluster.ErrBusy, where, other)}
}

// Holder returns who holds this lock (this process).
func (l *Lock) Holder() Holder { return l.holder }

// Where names the lock for messages: "znode /fdud/lock" or "file PATH".
func (l *Lock) Where() string { return l.where }

// Check reports an error when the lock is no longer ours: the ZooKeeper
// session expired and the ephemeral node went with it, or someone deleted
// it. Long-running holders check it before each change.
func (l *Lock) Check(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return errors.New("cluster lock already released")
	}
	if l.kl != nil {
		return l.kl.Check(ctx)
	}
	if l.zk == nil {
		return nil // an flock lasts as long as the file is open
	}
	node := l.where[len("znode "):]
	data, _, err := l.zk.Get(ctx, node)
	if err != nil {
		return fmt.Errorf("cluster lock lost: %w", err)
	}
	var h Holder
	if json.Unmarshal(data, &h) != nil || h.Token != l.holder.Token {
		return fmt.Errorf("cluster lock lost: %s now belongs to another run", l.where)
	}
	return nil
}

// Release gives the lock up. It is safe to call more than once; a lock that
// is no longer ours (taken over after a session expiry) is left alone.
func (l *Lock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	if l.file != nil {
		return releaseFile(l.file)
	}
	if l.kl != nil {
		return l.kl.Release()
	}
	// Release runs in clean-up, often after the run's context has ended:
	// like the other lock kinds it is not bounded by one.
	ctx := context.Background()
	node := l.where[len("znode "):]
	data, version, err := l.zk.Get(ctx, node)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release cluster lock: %w", err)
	}
	var h Holder
	if json.Unmarshal(data, &h) != nil || h.Token != l.holder.Token {
		return nil
	}
	if err := l.zk.Delete(ctx, node, version); err != nil && !errors.Is(err, zk.ErrNoNode) {
		return fmt.Errorf("release cluster lock: %w", err)
	}
	return nil
}
