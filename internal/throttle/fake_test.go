package throttle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// configCluster is an in-memory Cluster: dynamic configuration and an id.
//
// Like a real broker, it can show an old value for a while after a change
// (config changes propagate asynchronously): with lag > 0, the next lag
// DescribeConfigs of an entity after an AlterConfigs of it return the
// configuration from before; stale serves given values for a number of reads.
type configCluster struct {
	configs map[Entity]map[string]string
	alters  int
	lag     int
	// old and oldReads: what an entity still reads as, and for how many more
	// DescribeConfigs.
	old      map[Entity]map[string]string
	oldReads map[Entity]int
	// onDescribe, when set, runs before each DescribeConfigs.
	onDescribe func()
	// onAlter, when set, runs at the start of each AlterConfigs and
	// AlterConfigOps, before the change is made: somebody else's write
	// landing between fdud's read and its write.
	onAlter func(Entity)
	// id is the cluster id; "" as before 0.10.1.
	id string
	// ratesUnreported makes DescribeConfigs answer as Kafka 2.4 does:
	// every broker throttle rate reads as kafka.Unreported, set or not.
	ratesUnreported bool
	// noBrokerConfigs makes broker config changes fail with
	// errors.ErrUnsupported, as fdud's ZooKeeper path refuses them on
	// Kafka 0.9.
	noBrokerConfigs bool
}

func (c *configCluster) ClusterID(context.Context) (string, error) { return c.id, nil }

var _ Cluster = (*configCluster)(nil)

func newConfigCluster(cfg map[Entity]map[string]string) *configCluster {
	c := &configCluster{configs: map[Entity]map[string]string{}, old: map[Entity]map[string]string{}, oldReads: map[Entity]int{}}
	for e, kv := range cfg {
		c.configs[e] = maps.Clone(kv)
	}
	return c
}

// stale makes the next reads DescribeConfigs of each entity of cfg return
// cfg's value for it.
func (c *configCluster) stale(cfg map[Entity]map[string]string, reads int) {
	for e, kv := range cfg {
		c.old[e] = maps.Clone(kv)
		c.oldReads[e] = reads
	}
}

func (c *configCluster) DescribeConfigs(_ context.Context, kind kafka.EntityKind, names []string) (map[string]map[string]string, error) {
	if c.onDescribe != nil {
		c.onDescribe()
	}
	out := map[string]map[string]string{}
	for _, n := range names {
		e := Entity{kind, n}
		if c.oldReads[e] > 0 {
			c.oldReads[e]--
			out[n] = maps.Clone(c.old[e])
		} else {
			out[n] = maps.Clone(c.configs[e])
		}
		if out[n] == nil {
			out[n] = map[string]string{}
		}
		if c.ratesUnreported && kind == kafka.BrokerEntity {
			for _, k := range kafka.BrokerRateKeys {
				out[n][k] = kafka.Unreported
			}
		}
	}
	return out, nil
}

func (c *configCluster) AlterConfigs(_ context.Context, kind kafka.EntityKind, name string, set map[string]string, del []string) error {
	return c.alter(Entity{kind, name}, func(cfg map[string]string) error {
		maps.Copy(cfg, set)
		for _, k := range del {
			delete(cfg, k)
		}
		return nil
	})
}

// AlterConfigOps applies the ops to the configuration as it is at the time
// of the write, as both of fdud's paths do.
func (c *configCluster) AlterConfigOps(_ context.Context, kind kafka.EntityKind, name string, ops []kafka.ConfigOp) error {
	return c.alter(Entity{kind, name}, func(cfg map[string]string) error {
		_, err := kafka.ApplyConfigOps(cfg, ops)
		return err
	})
}

func (c *configCluster) alter(e Entity, change func(map[string]string) error) error {
	if c.onAlter != nil {
		c.onAlter(e)
	}
	if c.noBrokerConfigs && e.Kind == kafka.BrokerEntity {
		return fmt.Errorf("broker %s runs Kafka 0.9, which has no dynamic broker configs: %w", e.Name, errors.ErrUnsupported)
	}
	c.alters++
	cfg := maps.Clone(c.configs[e])
	if cfg == nil {
		cfg = map[string]string{}
	}
	if err := change(cfg); err != nil {
		return err
	}
	if c.lag > 0 {
		if c.oldReads[e] == 0 { // not caught up with an earlier change yet: keep that older view
			c.old[e] = maps.Clone(c.configs[e])
		}
		c.oldReads[e] = c.lag
	}
	c.configs[e] = cfg
	if len(cfg) == 0 {
		delete(c.configs, e)
	}
	return nil
}

func broker(id int) Entity  { return Entity{kafka.BrokerEntity, strconv.Itoa(id)} }
func topic(n string) Entity { return Entity{kafka.TopicEntity, n} }
func tp(t string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: t, Partition: p}
}
