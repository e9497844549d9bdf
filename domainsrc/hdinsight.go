package domainsrc

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// TopologyNode is a worker node of HDInsight's cluster topology JSON.
type TopologyNode struct {
	FQDN         string
	FaultDomain  int
	UpdateDomain int
}

// ParseTopology reads HDInsight's cluster topology JSON (the document the
// cluster manifest's cluster_topology_json_url serves):
// {"hostGroups":{"workernode":[{"fqdn":"wn0-kafka","faultDomain":0,"updateDomain":1,...}]}}.
// Domains may be numbers or numeric strings. Nodes are returned sorted by name.
func ParseTopology(data []byte) ([]TopologyNode, error) {
	var doc struct {
		HostGroups map[string][]map[string]json.RawMessage `json:"hostGroups"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, cluster.Invalidf("HDInsight topology JSON: %w", err)
	}
	workers, ok := doc.HostGroups["workernode"]
	if !ok {
		return nil, cluster.Invalidf("HDInsight topology JSON has no hostGroups.workernode (the Kafka brokers)")
	}
	seen := map[string]int{}
	nodes := make([]TopologyNode, 0, len(workers))
	for i, w := range workers {
		var n TopologyNode
		if err := json.Unmarshal(w["fqdn"], &n.FQDN); err != nil || strings.TrimSpace(n.FQDN) == "" {
			return nil, cluster.Invalidf("HDInsight topology: workernode[%d]: no fqdn", i)
		}
		n.FQDN = strings.TrimSpace(n.FQDN)
		var err error
		if n.FaultDomain, err = jsonDomainNumber(w["faultDomain"]); err != nil {
			return nil, cluster.Invalidf("HDInsight topology: workernode[%d] (%s): faultDomain: %w", i, n.FQDN, err)
		}
		if n.UpdateDomain, err = jsonDomainNumber(w["updateDomain"]); err != nil {
			return nil, cluster.Invalidf("HDInsight topology: workernode[%d] (%s): updateDomain: %w", i, n.FQDN, err)
		}
		key := normHost(n.FQDN)
		if j, dup := seen[key]; dup {
			return nil, cluster.Invalidf("HDInsight topology: workernode[%d] and [%d] are both %s", j, i, n.FQDN)
		}
		seen[key] = i
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b TopologyNode) int { return strings.Compare(a.FQDN, b.FQDN) })
	return nodes, nil
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".") }

func shortHost(h string) string { s, _, _ := strings.Cut(h, "."); return s }

// TopologyMatch is the outcome of matching topology nodes to brokers.
type TopologyMatch struct {
	Domains        cluster.Domains
	UnusedHosts    []string         // worker nodes no broker runs on
	UnknownBrokers []cluster.Broker // brokers whose host is not in the topology
}

// MatchTopology gives each broker the domain of the worker node it runs on.
// Names match exactly (ignoring case and a trailing dot), or by short name
// when one side is a short name or the domains differ (topology "wn0-kafka"
// against broker "wn0-kafka.abc.internal.cloudapp.net"), as long as the short
// name is unique in the topology.
func MatchTopology(nodes []TopologyNode, brokers []cluster.Broker) TopologyMatch {
	full := map[string]int{}
	short := map[string]int{} // -1 when two nodes share the short name
	for i, n := range nodes {
		h := normHost(n.FQDN)
		full[h] = i
		s := shortHost(h)
		if _, dup := short[s]; dup {
			short[s] = -1
		} else {
			short[s] = i
		}
	}
	m := TopologyMatch{Domains: cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{}}}
	used := make([]bool, len(nodes))
	for _, b := range brokers {
		h := normHost(b.Host)
		i, ok := full[h]
		if !ok && h != "" {
			i, ok = short[shortHost(h)]
			ok = ok && i >= 0
		}
		if !ok {
			m.UnknownBrokers = append(m.UnknownBrokers, b)
			continue
		}
		used[i] = true
		n := nodes[i]
		m.Domains.Brokers = append(m.Domains.Brokers, cluster.BrokerDomain{
			ID: b.ID, FaultDomain: n.FaultDomain, UpdateDomain: n.UpdateDomain, Host: b.Host,
		})
	}
	for i, n := range nodes {
		if !used[i] {
			m.UnusedHosts = append(m.UnusedHosts, n.FQDN)
		}
	}
	m.Domains.Sort()
	return m
}

// hdinsightSource reads a topology file and matches it to the live brokers.
type hdinsightSource struct {
	path string
	e    *env
}

var _ Source = (*hdinsightSource)(nil)

func openHDInsight(arg string, e *env) (Source, error) {
	if e.Brokers == nil {
		return nil, cluster.Invalidf("hdinsight: matching worker nodes to broker ids needs the cluster: pass --bootstrap-server")
	}
	return &hdinsightSource{path: arg, e: e}, nil
}

func (s *hdinsightSource) Name() string { return "hdinsight:" + s.path }

func (s *hdinsightSource) Domains(ctx context.Context) (cluster.Domains, error) {
	if err := ctx.Err(); err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return cluster.Domains{}, cluster.Invalidf("%s: %w", s.Name(), err)
	}
	data, err := readLimited(f, s.Name())
	f.Close()
	if err != nil {
		return cluster.Domains{}, err
	}
	nodes, err := ParseTopology(data)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	live, _, err := s.e.brokers(ctx)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	m := MatchTopology(nodes, live)
	if len(m.UnusedHosts) > 0 {
		s.e.warnf("%s: worker nodes running no live broker: %s", s.Name(), strings.Join(m.UnusedHosts, ", "))
	}
	for _, b := range m.UnknownBrokers {
		s.e.warnf("%s: broker %d: host %q is not a worker node of the topology", s.Name(), b.ID, b.Host)
	}
	if err := m.Domains.Check(); err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return m.Domains, nil
}
