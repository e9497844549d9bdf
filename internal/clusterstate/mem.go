package clusterstate

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fdud/fdud/internal/kafka"
)

// MemTopic is a kafka.StateTopic in memory, for tests of code that keeps
// state in the cluster: one log, shared by every Store opened on it (as
// runs on several hosts share the cluster's). It never compacts.
type MemTopic struct {
	mu     sync.Mutex
	topics map[string][]kafka.StateRecord
}

var _ kafka.StateTopic = (*MemTopic)(nil)

// NewMemTopic returns an empty MemTopic.
func NewMemTopic() *MemTopic { return &MemTopic{topics: map[string][]kafka.StateRecord{}} }

func (m *MemTopic) EnsureStateTopic(ctx context.Context, topic string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.topics[topic]; !ok {
		m.topics[topic] = nil
	}
	return ctx.Err()
}

func (m *MemTopic) HasStateTopic(ctx context.Context, topic string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.topics[topic]
	return ok, ctx.Err()
}

func (m *MemTopic) ReadState(ctx context.Context, topic string) ([]kafka.StateRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	last := map[string]kafka.StateRecord{}
	for _, r := range m.topics[topic] {
		if r.Value == nil {
			delete(last, r.Key)
		} else {
			last[r.Key] = r
		}
	}
	out := make([]kafka.StateRecord, 0, len(last))
	for _, r := range last {
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y kafka.StateRecord) int { return int(x.Offset - y.Offset) })
	return out, nil
}

func (m *MemTopic) WriteState(ctx context.Context, topic, key string, value []byte) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.topics[topic]; !ok {
		// As a broker refuses a write to a missing topic (fdud never lets
		// one create topics): the writer must call EnsureStateTopic first.
		return 0, fmt.Errorf("write %s to state topic %s: the topic does not exist", key, topic)
	}
	off := int64(len(m.topics[topic]))
	m.topics[topic] = append(m.topics[topic], kafka.StateRecord{Key: key, Value: slices.Clone(value), Offset: off, Time: time.Now()})
	return off, nil
}
