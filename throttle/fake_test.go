package throttle

import (
	"context"
	"maps"
	"strconv"

	"github.com/fdud/fdud/cluster"
	"github.com/fdud/fdud/kafka"
)

// configCluster is a kafka.Cluster whose only working part is dynamic
// configuration, kept in memory. Other methods panic (nil interface).
type configCluster struct {
	kafka.Cluster
	configs map[Entity]map[string]string
	alters  int
}

func newConfigCluster(cfg map[Entity]map[string]string) *configCluster {
	c := &configCluster{configs: map[Entity]map[string]string{}}
	for e, kv := range cfg {
		c.configs[e] = maps.Clone(kv)
	}
	return c
}

func (c *configCluster) DescribeConfigs(_ context.Context, kind kafka.EntityKind, names []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, n := range names {
		out[n] = maps.Clone(c.configs[Entity{kind, n}])
		if out[n] == nil {
			out[n] = map[string]string{}
		}
	}
	return out, nil
}

func (c *configCluster) AlterConfigs(_ context.Context, kind kafka.EntityKind, name string, set map[string]string, del []string) error {
	c.alters++
	e := Entity{kind, name}
	if c.configs[e] == nil {
		c.configs[e] = map[string]string{}
	}
	maps.Copy(c.configs[e], set)
	for _, k := range del {
		delete(c.configs[e], k)
	}
	if len(c.configs[e]) == 0 {
		delete(c.configs, e)
	}
	return nil
}

func broker(id int) Entity  { return Entity{kafka.BrokerEntity, strconv.Itoa(id)} }
func topic(n string) Entity { return Entity{kafka.TopicEntity, n} }
func tp(t string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: t, Partition: p}
}
