package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

func resourceType(kind EntityKind) sarama.ConfigResourceType {
	if kind == BrokerEntity {
		return sarama.BrokerResource
	}
	return sarama.TopicResource
}

// brokerTarget is the broker a config request about name must go to: a
// broker's own dynamic config is handled by that broker; topics by any (-1).
func brokerTarget(kind EntityKind, name string) (int32, error) {
	if kind != BrokerEntity {
		return -1, nil
	}
	id, err := strconv.ParseInt(name, 10, 32)
	if err != nil || id < 0 {
		return 0, cluster.Invalidf("broker id %q is not a number", name)
	}
	return int32(id), nil
}

// dynamicSource is the source of the entries DescribeConfigs keeps for an
// entity: those set on the topic, on the broker itself, or, for
// ClusterDefault, the cluster-wide dynamic defaults.
func dynamicSource(kind EntityKind, name string) sarama.ConfigSource {
	switch {
	case kind == TopicEntity:
		return sarama.SourceTopic
	case name == ClusterDefault:
		return sarama.SourceDynamicDefaultBroker
	}
	return sarama.SourceDynamicBroker
}

// DescribeConfigs returns only the dynamic entries of each entity: those set
// on the topic, or on the broker itself (not defaults, static broker
// properties or cluster-wide dynamic defaults); for ClusterDefault, the
// cluster-wide dynamic defaults, which any broker answers for. On brokers
// that leave the broker throttle rates out of their answers (ratesReported),
// a rate not in the answer reads as Unreported.
func (a *adminCluster) DescribeConfigs(ctx context.Context, kind EntityKind, names []string) (map[string]map[string]string, error) {
	out, err := a.describeConfigs(ctx, kind, names)
	if err != nil || kind != BrokerEntity || ratesReported(a.version) {
		return out, err
	}
	markUnreported(out)
	return out, nil
}

// markUnreported gives the broker throttle rates of brokers' answers that
// do not report them the value Unreported.
func markUnreported(brokers map[string]map[string]string) {
	for _, m := range brokers {
		for _, k := range BrokerRateKeys {
			// Kafka 2.4 leaves an unset rate out and shows a set one, once
			// the broker has applied it, with a null value (it takes keys of
			// no known type for secrets): either way the value is unknown.
			if v, ok := m[k]; !ok || v == "" {
				m[k] = Unreported
			}
		}
	}
}

// ratesReported says whether brokers of release v report the broker
// throttle rates in DescribeConfigs. Kafka 2.4 does not (checked on a real
// 2.4.1: not even kafka-configs.sh sees their values), 3.x and 4.x do. 2.5
// is taken for 2.4, since ApiVersions cannot tell them apart: what cannot be
// read is unknown, and fdud then acts on its record, which is safe either
// way.
func ratesReported(v sarama.KafkaVersion) bool { return v.IsAtLeast(sarama.V2_6_0_0) }

func (a *adminCluster) describeConfigs(ctx context.Context, kind EntityKind, names []string) (map[string]map[string]string, error) {
	if kind != TopicEntity && kind != BrokerEntity {
		return nil, cluster.Invalidf("unknown config entity kind %q", kind)
	}
	// One request per target broker.
	groups := map[int32][]*sarama.ConfigResource{}
	for _, n := range names {
		id := int32(-1)
		if kind != BrokerEntity || n != ClusterDefault {
			var err error
			if id, err = brokerTarget(kind, n); err != nil {
				return nil, err
			}
		}
		groups[id] = append(groups[id], &sarama.ConfigResource{Type: resourceType(kind), Name: n})
	}
	out := map[string]map[string]string{}
	for id, rs := range groups {
		req := &sarama.DescribeConfigsRequest{Version: 1, Resources: rs}
		var resp *sarama.DescribeConfigsResponse
		err := a.onBroker(ctx, id, func(b *sarama.Broker) error {
			var err error
			resp, err = b.DescribeConfigs(req)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("describe %s configs: %w", kind, err)
		}
		for _, r := range resp.Resources {
			if r.ErrorCode != 0 {
				return nil, fmt.Errorf("describe config of %s %s: %w", kind, r.Name, kerr(sarama.KError(r.ErrorCode), &r.ErrorMsg))
			}
			m := map[string]string{}
			want := dynamicSource(kind, r.Name)
			for _, e := range r.Configs {
				if e.Source == want {
					m[e.Name] = e.Value
				}
			}
			out[r.Name] = m
		}
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("describe config of %s %s: no answer for it", kind, n)
		}
	}
	return out, nil
}

// AlterConfigs changes one entity with IncrementalAlterConfigs (Kafka 2.3+),
// so keys it does not name keep their values. The request is sent at
// version 0, which every broker that has the API understands.
func (a *adminCluster) AlterConfigs(ctx context.Context, kind EntityKind, name string, set map[string]string, del []string) error {
	if err := checkConfigChange(kind, name, set, del); err != nil {
		return err
	}
	if len(set) == 0 && len(del) == 0 {
		return nil
	}
	entries := map[string]sarama.IncrementalAlterConfigsEntry{}
	for k, v := range maps.All(set) {
		entries[k] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v}
	}
	for _, k := range del {
		entries[k] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationDelete}
	}
	return a.incrementalAlter(ctx, kind, name, entries)
}

// AlterConfigOps sends ops as one IncrementalAlterConfigs request, list
// operations as APPEND and SUBTRACT, after one DescribeConfigs of the entity
// when there are any (see "Config operations" in kafka.go for what the read decides).
func (a *adminCluster) AlterConfigOps(ctx context.Context, kind EntityKind, name string, ops []ConfigOp) error {
	if err := checkConfigOps(kind, name, ops); err != nil {
		return err
	}
	if _, err := brokerTarget(kind, name); err != nil {
		return err
	}
	var cur map[string]string
	if slices.ContainsFunc(ops, func(op ConfigOp) bool { return op.Type == ConfigAppend || op.Type == ConfigSubtract }) {
		got, err := a.DescribeConfigs(ctx, kind, []string{name})
		if err != nil {
			return fmt.Errorf("alter config of %s %s: %w", kind, name, err)
		}
		cur = got[name]
	}
	entries := map[string]sarama.IncrementalAlterConfigsEntry{}
	op := func(t sarama.IncrementalAlterConfigsOperation, key, v string) {
		entries[key] = sarama.IncrementalAlterConfigsEntry{Operation: t, Value: &v}
	}
	for _, o := range ops {
		have := ListEntries(cur[o.Key])
		switch o.Type {
		case ConfigSet:
			op(sarama.IncrementalAlterConfigsOperationSet, o.Key, o.Value)
		case ConfigDelete:
			entries[o.Key] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationDelete}
		case ConfigAppend:
			if slices.Contains(have, ListWildcard) {
				return fmt.Errorf("alter config of %s %s: append to %s: %w", kind, name, o.Key, ErrWildcardList)
			}
			add := missingEntries(have, o.Entries)
			switch {
			case len(add) == 0:
			case len(have) == 0: // absent or empty: APPEND is broken on some brokers
				op(sarama.IncrementalAlterConfigsOperationSet, o.Key, strings.Join(add, ","))
			default:
				op(sarama.IncrementalAlterConfigsOperationAppend, o.Key, strings.Join(add, ","))
			}
		case ConfigSubtract:
			// All the entries, also those the read does not show: removing
			// an absent entry is a no-op, and the read may be late.
			if len(have) > 0 {
				op(sarama.IncrementalAlterConfigsOperationSubtract, o.Key, strings.Join(missingEntries(nil, o.Entries), ","))
			}
		}
	}
	if len(entries) == 0 {
		return nil
	}
	return a.incrementalAlter(ctx, kind, name, entries)
}

// incrementalAlter sends one IncrementalAlterConfigs request about one
// entity, to the broker itself for a broker's config.
func (a *adminCluster) incrementalAlter(ctx context.Context, kind EntityKind, name string, entries map[string]sarama.IncrementalAlterConfigsEntry) error {
	id, err := brokerTarget(kind, name)
	if err != nil {
		return err
	}
	req := &sarama.IncrementalAlterConfigsRequest{Version: 0, Resources: []*sarama.IncrementalAlterConfigsResource{
		{Type: resourceType(kind), Name: name, ConfigEntries: entries},
	}}
	var resp *sarama.IncrementalAlterConfigsResponse
	err = a.onBroker(ctx, id, func(b *sarama.Broker) error {
		var err error
		resp, err = b.IncrementalAlterConfigs(req)
		return err
	})
	if err != nil {
		return fmt.Errorf("alter config of %s %s: %w", kind, name, err)
	}
	found := false
	for _, r := range resp.Resources {
		if r.Name != name {
			continue
		}
		found = true
		if r.ErrorCode != 0 {
			return fmt.Errorf("alter config of %s %s: %w", kind, name, kerr(sarama.KError(r.ErrorCode), &r.ErrorMsg))
		}
	}
	if !found {
		return fmt.Errorf("alter config of %s %s: no answer for it", kind, name)
	}
	return nil
}

// CreateTopic creates a topic with exactly the given assignment through the
// controller. An existing topic gives an error wrapping ErrTopicExists.
func (a *adminCluster) CreateTopic(ctx context.Context, topic string, assignment [][]int32, configs map[string]string) error {
	if err := checkNewTopic(topic, assignment); err != nil {
		return err
	}
	detail := &sarama.TopicDetail{NumPartitions: -1, ReplicationFactor: -1, ReplicaAssignment: map[int32][]int32{}}
	for p, rs := range assignment {
		detail.ReplicaAssignment[int32(p)] = rs
	}
	if len(configs) > 0 {
		detail.ConfigEntries = map[string]*string{}
		for k, v := range maps.All(configs) {
			detail.ConfigEntries[k] = &v
		}
	}
	req := sarama.NewCreateTopicsRequest(a.version, map[string]*sarama.TopicDetail{topic: detail}, a.timeout, false)
	return a.onController(ctx, "create topic "+topic, func(b *sarama.Broker) error {
		resp, err := b.CreateTopics(req)
		if err != nil {
			return err
		}
		te, ok := resp.TopicErrors[topic]
		if !ok {
			return errors.New("no answer for the topic")
		}
		if te.Err == sarama.ErrTopicAlreadyExists {
			return fmt.Errorf("%w (%w)", ErrTopicExists, te.Err)
		}
		return kerr(te.Err, te.ErrMsg)
	})
}

// ElectPreferredLeaders runs a preferred leader election (ElectLeaders v1).
// A partition already led by its preferred replica is not an error.
func (a *adminCluster) ElectPreferredLeaders(ctx context.Context, tps []cluster.TopicPartition) error {
	if err := checkTPs(tps); err != nil {
		return err
	}
	req := &sarama.ElectLeadersRequest{Version: 1, Type: sarama.PreferredElection,
		TopicPartitions: map[string][]int32{}, TimeoutMs: int32(a.timeout.Milliseconds())}
	for _, tp := range tps {
		req.TopicPartitions[tp.Topic] = append(req.TopicPartitions[tp.Topic], tp.Partition)
	}
	var errs []PartitionError
	err := a.onController(ctx, "elect leaders", func(b *sarama.Broker) error {
		resp, err := b.ElectLeaders(req)
		if err != nil {
			return err
		}
		if err := kerr(resp.ErrorCode, nil); err != nil {
			return err
		}
		errs = errs[:0]
		seen := map[cluster.TopicPartition]bool{}
		for t, ps := range resp.ReplicaElectionResults {
			for p, r := range ps {
				tp := cluster.TopicPartition{Topic: t, Partition: p}
				seen[tp] = true
				if r.ErrorCode == sarama.ErrElectionNotNeeded {
					continue
				}
				if err := kerr(r.ErrorCode, r.ErrorMessage); err != nil {
					errs = append(errs, PartitionError{tp, err})
				}
			}
		}
		for _, tp := range tps {
			if !seen[tp] {
				errs = append(errs, PartitionError{tp, errors.New("the controller's response does not mention the partition")})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return newPartitionErrors("elect leaders", len(tps), errs)
}
