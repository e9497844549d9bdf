package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

// topicConfigResponse is a DescribeConfigs answer for one topic whose
// dynamic (topic-level) config is cfg.
func topicConfigResponse(topic string, cfg map[string]string) *sarama.DescribeConfigsResponse {
	r := &sarama.ResourceResponse{Type: sarama.TopicResource, Name: topic, Configs: []*sarama.ConfigEntry{
		{Name: "cleanup.policy", Value: "delete", Source: sarama.SourceDefault, Default: true},
	}}
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		r.Configs = append(r.Configs, &sarama.ConfigEntry{Name: k, Value: cfg[k], Source: sarama.SourceTopic})
	}
	return &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{r}}
}

// opsOf renders an IncrementalAlterConfigs request's entries as
// "key OPERATION value", sorted.
func opsOf(req *sarama.IncrementalAlterConfigsRequest) []string {
	names := map[sarama.IncrementalAlterConfigsOperation]string{
		sarama.IncrementalAlterConfigsOperationSet:      "SET",
		sarama.IncrementalAlterConfigsOperationDelete:   "DELETE",
		sarama.IncrementalAlterConfigsOperationAppend:   "APPEND",
		sarama.IncrementalAlterConfigsOperationSubtract: "SUBTRACT",
	}
	var out []string
	for _, r := range req.Resources {
		for k, e := range r.ConfigEntries {
			s := fmt.Sprintf("%s %s %s", r.Name, k, names[e.Operation])
			if e.Value != nil {
				s += " " + *e.Value
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// The reviewed bug: the throttled-replica lists were read, changed and
// written back whole with SET, so an entry an operator added between fdud's
// read and its write was lost. AlterConfigOps sends the list edits as
// APPEND and SUBTRACT, which the broker applies to the list as it is then.
func TestAdminAlterConfigOpsSendsAppendAndSubtract(t *testing.T) {
	const l, f = LeaderThrottledReplicas, FollowerThrottledReplicas
	app := func(k string, es ...string) ConfigOp { return ConfigOp{Type: ConfigAppend, Key: k, Entries: es} }
	sub := func(k string, es ...string) ConfigOp { return ConfigOp{Type: ConfigSubtract, Key: k, Entries: es} }
	tests := []struct {
		name      string
		current   map[string]string // the topic's config, as the broker describes it
		ops       []ConfigOp
		want      []string // the IncrementalAlterConfigs request; nil: none sent
		err       error
		describes int
	}{
		{
			name:    "entries go to the lists as APPEND, only those missing",
			current: map[string]string{l: "5:9,0:1", f: "5:8"},
			ops:     []ConfigOp{app(l, "0:1", "0:2"), app(f, "0:3")},
			want: []string{
				"orders follower.replication.throttled.replicas APPEND 0:3",
				"orders leader.replication.throttled.replicas APPEND 0:2",
			},
			describes: 1,
		},
		{
			name:    "clean-up removes exactly fdud's entries with SUBTRACT",
			current: map[string]string{l: "5:9,0:1,0:2,6:6", f: "5:8,0:3"},
			ops:     []ConfigOp{sub(l, "0:1", "0:2"), sub(f, "0:3", "0:4")},
			want: []string{
				"orders follower.replication.throttled.replicas SUBTRACT 0:3,0:4",
				"orders leader.replication.throttled.replicas SUBTRACT 0:1,0:2",
			},
			describes: 1,
		},
		{
			// ZooKeeper-mode brokers fail an APPEND to an absent key
			// (KAFKA-9644) or write ",0:3" (apache/kafka#12503).
			name:      "an absent or empty list is set, not appended to",
			current:   map[string]string{f: ""},
			ops:       []ConfigOp{app(l, "0:1", "0:2"), app(f, "0:3"), {Type: ConfigSet, Key: "retention.ms", Value: "1"}},
			want:      []string{"orders follower.replication.throttled.replicas SET 0:3", "orders leader.replication.throttled.replicas SET 0:1,0:2", "orders retention.ms SET 1"},
			describes: 1,
		},
		{
			name:      "nothing to subtract from, nothing to append: no request",
			current:   map[string]string{f: "0:3"},
			ops:       []ConfigOp{sub(l, "0:1"), app(f, "0:3")},
			describes: 1,
		},
		{
			name:      "never an append to the wildcard",
			current:   map[string]string{l: "*"},
			ops:       []ConfigOp{app(l, "0:1")},
			err:       ErrWildcardList,
			describes: 1,
		},
		{
			name:    "without list operations: no read first",
			ops:     []ConfigOp{{Type: ConfigDelete, Key: l}},
			want:    []string{"orders leader.replication.throttled.replicas DELETE"},
			current: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMockCluster(t, 1)
			m.handle(map[string]sarama.MockResponse{
				"MetadataRequest":                sarama.NewMockWrapper(m.metadata(1, nil)),
				"DescribeConfigsRequest":         sarama.NewMockWrapper(topicConfigResponse("orders", tt.current)),
				"IncrementalAlterConfigsRequest": sarama.NewMockIncrementalAlterConfigsResponse(t),
			}, nil)
			a := m.connect(5 * time.Second)
			err := a.AlterConfigOps(context.Background(), TopicEntity, "orders", tt.ops)
			if !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if n := len(requests[*sarama.DescribeConfigsRequest](m.broker(1))); n != tt.describes {
				t.Errorf("%d DescribeConfigs requests, want %d", n, tt.describes)
			}
			reqs := requests[*sarama.IncrementalAlterConfigsRequest](m.broker(1))
			if tt.want == nil {
				if len(reqs) != 0 {
					t.Errorf("sent %v", opsOf(reqs[0]))
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("%d IncrementalAlterConfigs requests, want 1", len(reqs))
			}
			if got := opsOf(reqs[0]); !slices.Equal(got, tt.want) {
				t.Errorf("request:\n got %q\nwant %q", got, tt.want)
			}
			if reqs[0].Version != 0 {
				t.Errorf("request version %d, want 0", reqs[0].Version)
			}
		})
	}

	t.Run("bad operations are refused before anything is sent", func(t *testing.T) {
		m := newMockCluster(t, 1)
		m.handle(map[string]sarama.MockResponse{"MetadataRequest": sarama.NewMockWrapper(m.metadata(1, nil))}, nil)
		a := m.connect(5 * time.Second)
		ctx := context.Background()
		for _, c := range []struct {
			kind EntityKind
			name string
			ops  []ConfigOp
		}{
			{TopicEntity, "orders", []ConfigOp{app(l, "0:1"), sub(l, "0:2")}},
			{TopicEntity, "orders", []ConfigOp{app(l, "0:1,0:2")}},
			{TopicEntity, "orders", []ConfigOp{app(l, "*")}},
			{BrokerEntity, ClusterDefault, []ConfigOp{{Type: ConfigSet, Key: LeaderThrottledRate, Value: "1"}}},
			{BrokerEntity, "x", []ConfigOp{{Type: ConfigSet, Key: LeaderThrottledRate, Value: "1"}}},
		} {
			if err := a.AlterConfigOps(ctx, c.kind, c.name, c.ops); !cluster.IsInvalid(err) {
				t.Errorf("%s %q %v: got %v, want an input error", c.kind, c.name, c.ops, err)
			}
		}
		for _, r := range m.broker(1).History() {
			if name := fmt.Sprintf("%T", r.Request); strings.Contains(name, "Config") {
				t.Errorf("sent %s", name)
			}
		}
	})

	t.Run("a broker's refusal is the caller's error", func(t *testing.T) {
		m := newMockCluster(t, 1)
		m.handle(map[string]sarama.MockResponse{
			"MetadataRequest":                sarama.NewMockWrapper(m.metadata(1, nil)),
			"DescribeConfigsRequest":         sarama.NewMockWrapper(topicConfigResponse("orders", map[string]string{l: "5:9"})),
			"IncrementalAlterConfigsRequest": sarama.NewMockIncrementalAlterConfigsResponseWithErrorCode(t),
		}, nil)
		a := m.connect(5 * time.Second)
		err := a.AlterConfigOps(context.Background(), TopicEntity, "orders", []ConfigOp{app(l, "0:1")})
		if !errors.Is(err, sarama.ErrInvalidConfig) || !strings.Contains(err.Error(), "alter config of topics orders") {
			t.Errorf("got %v", err)
		}
	})
}
