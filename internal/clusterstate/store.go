// Package clusterstate keeps the state fdud runs on different hosts share
// in the Kafka cluster itself, for the Admin API path, where there is no
// ZooKeeper to hold it (Kafka 4): JSON documents by key in a compacted
// topic (kafka.StateTopicName, Store) and the cluster lock built on that
// topic (Lock). Throttle records (throttle/store_cluster.go) and published
// domains are documents; on the ZooKeeper path ZooKeeper keeps all of this.
//
// Keys in the topic:
//
//	throttle/<plan id>                 a plan's throttle record (package throttle)
//	domain/<broker id>                 a broker's published fault and update domain
//	lock/<name>/claim/<epoch>/<token>  a claim of the lock (lock.go)
//	lock/<name>/beat/<epoch>           the lock holder's heartbeat
package clusterstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fdud/fdud/internal/kafka"
)

// Options says which topic holds the state.
type Options struct {
	// Topic is the state topic; "" is kafka.StateTopicName. Tests use a
	// topic of their own.
	Topic string
}

func (o Options) topic() string {
	if o.Topic == "" {
		return kafka.StateTopicName
	}
	return o.Topic
}

// Store is a set of JSON documents by key in the state topic. Every call
// reads or writes the cluster: what one host writes, every host reads next.
//
// Only a write creates the topic: reading a missing topic finds nothing
// (no records, no lock), so a read-only check such as fdud verify --all
// leaves the cluster as it was.
type Store struct {
	st    kafka.StateTopic
	topic string

	mu      sync.Mutex
	ensured bool // the topic exists and was checked: writes may go ahead
}

// Open returns the store of the state topic. It creates nothing: the
// first write creates the topic when it is missing.
func Open(ctx context.Context, st kafka.StateTopic, o Options) (*Store, error) {
	if st == nil {
		return nil, errors.New("cluster state: this connection has no state topic (the ZooKeeper path keeps state in ZooKeeper)")
	}
	return &Store{st: st, topic: o.topic()}, ctx.Err()
}

// ensure creates the topic when it is missing, or checks the one there,
// once per store, before its first write.
func (s *Store) ensure(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ensured {
		return nil
	}
	if err := s.st.EnsureStateTopic(ctx, s.topic); err != nil {
		return err
	}
	s.ensured = true
	return nil
}

// Exists reports whether the state topic exists; it creates nothing.
func (s *Store) Exists(ctx context.Context) (bool, error) {
	return s.st.HasStateTopic(ctx, s.topic)
}

// Where names the store for messages: "kafka topic __fdud_state".
func (s *Store) Where() string { return "kafka topic " + s.topic }

// Doc is one document as read.
type Doc struct {
	Key   string
	Value json.RawMessage
	// Offset orders writes: a later write has a higher offset.
	Offset int64
	// Time is when the broker appended it.
	Time time.Time
}

// Snapshot is the whole store as one read saw it, by key.
type Snapshot map[string]Doc

// Keys returns the keys that start with prefix, sorted.
func (s Snapshot) Keys(prefix string) []string {
	var keys []string
	for k := range s {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Read returns every document.
func (s *Store) Read(ctx context.Context) (Snapshot, error) {
	recs, err := s.st.ReadState(ctx, s.topic)
	if err != nil {
		return nil, err
	}
	snap := make(Snapshot, len(recs))
	for _, r := range recs {
		snap[r.Key] = Doc{Key: r.Key, Value: r.Value, Offset: r.Offset, Time: r.Time}
	}
	return snap, nil
}

// Get decodes the document at key into v and reports whether there is one.
func (s *Store) Get(ctx context.Context, key string, v any) (bool, error) {
	snap, err := s.Read(ctx)
	if err != nil {
		return false, err
	}
	d, ok := snap[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(d.Value, v); err != nil {
		return true, fmt.Errorf("%s in %s: %w", key, s.Where(), err)
	}
	return true, nil
}

// Put writes v as JSON at key, replacing what was there, and returns once
// every in-sync replica has it.
func (s *Store) Put(ctx context.Context, key string, v any) error {
	_, err := s.put(ctx, key, v)
	return err
}

func (s *Store) put(ctx context.Context, key string, v any) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	if err := s.ensure(ctx); err != nil {
		return 0, err
	}
	return s.st.WriteState(ctx, s.topic, key, data)
}

// Delete removes the document at key; deleting a missing one is not an
// error (it writes a tombstone all the same, but for a missing topic,
// which holds nothing to delete and is not created for a tombstone).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	ensured := s.ensured
	s.mu.Unlock()
	if !ensured {
		if exists, err := s.Exists(ctx); err != nil || !exists {
			return err
		}
	}
	if err := s.ensure(ctx); err != nil {
		return err
	}
	_, err := s.st.WriteState(ctx, s.topic, key, nil)
	return err
}

// List returns the keys that start with prefix, sorted.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	snap, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	return snap.Keys(prefix), nil
}

func checkKey(key string) error {
	if key == "" || len(key) > 1000 {
		return fmt.Errorf("cluster state: bad key %q", key)
	}
	return nil
}
