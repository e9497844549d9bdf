package domainsrc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterstate"
)

// KafkaKeyPrefix is the prefix of published domains in the cluster's state
// topic: domain/<brokerId> holds the broker's entry of the domains JSON.
const KafkaKeyPrefix = "domain/"

// kafkaSource reads and publishes domains in the cluster's state topic
// (package clusterstate), which works on every cluster the Admin API path
// reaches, KRaft included: the ZooKeeper-less counterpart of zk:.
type kafkaSource struct{ e *env }

var _ Publisher = (*kafkaSource)(nil)

func openKafka(arg string, e *env) (Source, error) {
	if e.ClusterState == nil {
		return nil, cluster.Invalidf("kafka: the domains published in the cluster need the cluster: pass --bootstrap-server")
	}
	return &kafkaSource{e: e}, nil
}

func (s *kafkaSource) Name() string { return "kafka" }

func (s *kafkaSource) store(ctx context.Context) (*clusterstate.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	st, err := s.e.ClusterState(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return st, nil
}

func (s *kafkaSource) Domains(ctx context.Context) (cluster.Domains, error) {
	st, err := s.store(ctx)
	if err != nil {
		return cluster.Domains{}, err
	}
	snap, err := st.Read(ctx)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	d := cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{}}
	for _, key := range snap.Keys(KafkaKeyPrefix) {
		id, err := strconv.ParseInt(strings.TrimPrefix(key, KafkaKeyPrefix), 10, 32)
		if err != nil {
			continue // not a broker's entry
		}
		var b cluster.BrokerDomain
		if err := json.Unmarshal(snap[key].Value, &b); err != nil {
			return cluster.Domains{}, cluster.Invalidf("%s: %s in %s: %w", s.Name(), key, st.Where(), err)
		}
		if b.ID != int32(id) {
			return cluster.Domains{}, cluster.Invalidf("%s: %s in %s names broker %d", s.Name(), key, st.Where(), b.ID)
		}
		d.Brokers = append(d.Brokers, b)
	}
	slices.SortFunc(d.Brokers, func(a, b cluster.BrokerDomain) int { return int(a.ID) - int(b.ID) })
	if err := d.Check(); err != nil {
		return cluster.Domains{}, cluster.Invalidf("%s: %w", s.Name(), err)
	}
	return d, nil
}

// Publish writes the broker's entry, one record, unless the stored one has
// the same domain. Each broker publishes its own key, so no two writers
// share one.
func (s *kafkaSource) Publish(ctx context.Context, d cluster.BrokerDomain) (bool, error) {
	if err := (cluster.Domains{Brokers: []cluster.BrokerDomain{d}}).Check(); err != nil {
		return false, err
	}
	st, err := s.store(ctx)
	if err != nil {
		return false, err
	}
	key := KafkaKeyPrefix + strconv.Itoa(int(d.ID))
	var old cluster.BrokerDomain
	found, err := st.Get(ctx, key, &old)
	if err != nil {
		s.e.warnf("%s: %s unreadable (%v); replacing it", s.Name(), key, err)
	}
	if found && err == nil && old.Domain() == d.Domain() && old.Host == d.Host {
		return false, nil
	}
	if err := st.Put(ctx, key, d); err != nil {
		return false, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return !found || old.Domain() != d.Domain(), nil
}
