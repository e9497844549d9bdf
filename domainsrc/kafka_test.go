package domainsrc

import (
	"context"
	"errors"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
)

// memState returns deps whose kafka source uses the in-memory state topic
// m (clusterstate.MemTopic, which passes the same suite as real brokers).
func memState(m kafka.StateTopic) Deps {
	return Deps{ClusterState: func(ctx context.Context) (*clusterstate.Store, error) {
		return clusterstate.Open(ctx, m, clusterstate.Options{})
	}}
}

// brokenTopic fails every call, as an unreachable cluster does.
type brokenTopic struct{}

func (brokenTopic) EnsureStateTopic(context.Context, string) error {
	return errors.New("no broker answered")
}
func (brokenTopic) HasStateTopic(context.Context, string) (bool, error) {
	return false, errors.New("no broker answered")
}
func (brokenTopic) ReadState(context.Context, string) ([]kafka.StateRecord, error) {
	return nil, errors.New("no broker answered")
}
func (brokenTopic) WriteState(context.Context, string, string, []byte) (int64, error) {
	return 0, errors.New("no broker answered")
}

func TestKafkaConformance(t *testing.T) {
	testConformance(t, harness{
		zones: true, hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			m := clusterstate.NewMemTopic()
			deps := memState(m)
			for _, b := range want.Brokers {
				if err := publish(t, "kafka", deps, b); !errors.Is(err, cluster.ErrChanged) {
					t.Fatalf("publish %v: %v", b, err)
				}
			}
			return "kafka", deps
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return "kafka", memState(brokenTopic{}), false
		},
	})
}

func TestKafkaPublish(t *testing.T) {
	deps := memState(clusterstate.NewMemTopic())
	b := cluster.BrokerDomain{ID: 3, FaultDomain: 1, UpdateDomain: 2, Host: "wn3"}
	for _, step := range []struct {
		name    string
		publish cluster.BrokerDomain
		changed bool
	}{
		{"first publish", b, true},
		{"same domain again is unchanged", b, false},
		{"the VM moved", cluster.BrokerDomain{ID: 3, FaultDomain: 0, UpdateDomain: 4, Host: "wn3"}, true},
		{"a new host name alone is stored but is no change", cluster.BrokerDomain{ID: 3, FaultDomain: 0, UpdateDomain: 4, Host: "wn3b"}, false},
		{"another broker", cluster.BrokerDomain{ID: 4, FaultDomain: 1, UpdateDomain: 0, Zone: "2"}, true},
	} {
		err := publish(t, "kafka", deps, step.publish)
		if got := errors.Is(err, cluster.ErrChanged); got != step.changed || err != nil && !got {
			t.Errorf("%s: %v; want changed=%v", step.name, err, step.changed)
		}
	}
	s, _ := openSpec(t, "kafka", deps)
	got, err := s.Domains(context.Background())
	want := []cluster.BrokerDomain{{ID: 3, FaultDomain: 0, UpdateDomain: 4, Host: "wn3b"}, {ID: 4, FaultDomain: 1, UpdateDomain: 0, Zone: "2"}}
	if err != nil || len(got.Brokers) != 2 || got.Brokers[0] != want[0] || got.Brokers[1] != want[1] {
		t.Errorf("read back %+v, %v; want %+v", got.Brokers, err, want)
	}
	if _, err := open("kafka", &env{Deps: Deps{}, warnings: new([]string)}); !cluster.IsInvalid(err) {
		t.Errorf("kafka without a cluster: %v; want an input error", err)
	}
}
