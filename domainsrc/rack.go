package domainsrc

import (
	"context"
	"fmt"

	"github.com/fdud/fdud/internal/cluster"
)

// rackSource reads broker.rack from Kafka's metadata, so it works without
// ZooKeeper (KRaft clusters).
type rackSource struct {
	pattern *RackPattern
	e       *env
}

var _ Source = (*rackSource)(nil)

func openRack(arg string, e *env) (Source, error) {
	p := arg
	if p == "" {
		p = e.RackPattern
	}
	rp, err := CompileRackPattern(p)
	if err != nil {
		return nil, err
	}
	if e.Brokers == nil {
		return nil, cluster.Invalidf("rack: reading broker.rack needs the cluster: pass --bootstrap-server")
	}
	return &rackSource{pattern: rp, e: e}, nil
}

func (s *rackSource) Name() string {
	if s.pattern.String() == DefaultRackPattern {
		return "rack"
	}
	return "rack:" + s.pattern.String()
}

func (s *rackSource) Domains(ctx context.Context) (cluster.Domains, error) {
	if err := ctx.Err(); err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	live, _, err := s.e.brokers(ctx)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	d, unset, unmatched, err := RackDomains(live, s.pattern)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	if len(unset) > 0 {
		s.e.warnf("%s: brokers without broker.rack: %s", s.Name(), idList(unset))
	}
	for _, b := range unmatched {
		s.e.warnf("%s: broker %d: broker.rack %q does not match %s", s.Name(), b.ID, b.Rack, s.pattern)
	}
	return d, nil
}

// RackDomains derives domains from brokers' racks. Brokers whose rack is
// empty or does not match are returned apart, for the caller to report.
func RackDomains(brokers []cluster.Broker, p *RackPattern) (d cluster.Domains, unset []int32, unmatched []cluster.Broker, err error) {
	d = cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{}}
	for _, b := range brokers {
		if b.Rack == "" {
			unset = append(unset, b.ID)
			continue
		}
		dom, ok, err := p.Parse(b.Rack)
		if err != nil {
			return cluster.Domains{}, nil, nil, fmt.Errorf("broker %d: %w", b.ID, err)
		}
		if !ok {
			unmatched = append(unmatched, b)
			continue
		}
		d.Brokers = append(d.Brokers, cluster.BrokerDomain{
			ID: b.ID, FaultDomain: dom.FaultDomain, UpdateDomain: dom.UpdateDomain, Zone: dom.Zone, Host: b.Host,
		})
	}
	d.Sort()
	if err := d.Check(); err != nil {
		return cluster.Domains{}, nil, nil, err
	}
	return d, unset, unmatched, nil
}
