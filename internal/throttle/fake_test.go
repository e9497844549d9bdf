package throttle

import (
	"strconv"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// The tests' cluster is a kafka.Fake with neither brokers nor topics:
// throttle needs only dynamic configs and the cluster id. What real
// clusters do to configs, the Fake does too, and its conformance suite
// checks it against real brokers: Kafka 0.9 refuses broker configs, the
// Admin API path on 2.4 cannot read the broker rates
// (kafka.FakeOptions.Release), and brokers may show a change late
// (SetConfigLag, ShowStale).

// newFake returns a Fake of the newest release with the configs cfg.
func newFake(cfg configs) *kafka.Fake { return newFakeWith(kafka.FakeOptions{}, "", cfg) }

// newFakeWith returns a Fake playing what o chooses, with cluster id id
// and the configs cfg.
func newFakeWith(o kafka.FakeOptions, id string, cfg configs) *kafka.Fake {
	f := kafka.NewFakeWith(o, id)
	for e, kv := range cfg {
		f.SetConfig(e.Kind, e.Name, kv)
	}
	return f
}

// configsOf returns f's dynamic configs as they are, whatever
// DescribeConfigs shows.
func configsOf(f *kafka.Fake) configs {
	out := configs{}
	for _, kind := range []kafka.EntityKind{kafka.BrokerEntity, kafka.TopicEntity} {
		for name, kv := range f.Configs(kind) {
			out[Entity{kind, name}] = kv
		}
	}
	return out
}

// showStale makes the next reads DescribeConfigs of each entity of cfg
// show cfg's value for it, as brokers that have not applied the latest
// changes.
func showStale(f *kafka.Fake, cfg configs, reads int) {
	for e, kv := range cfg {
		f.ShowStale(e.Kind, e.Name, kv, reads)
	}
}

// freeze makes every entity read as it is now, whatever changes.
func freeze(f *kafka.Fake) { showStale(f, configsOf(f), 1<<30) }

// beforeAlter runs change before the next write of an entity's config for
// which it returns true (somebody else's write landing between fdud's read
// and its write), and then no more; the returned func reports whether it
// ran.
func beforeAlter(f *kafka.Fake, change func(Entity) bool) (ran func() bool) {
	done := false
	hook := func(c kafka.FakeCall) error {
		if !done && change(Entity{c.Kind, c.Names[0]}) {
			done = true
		}
		return nil
	}
	f.Before("AlterConfigs", hook)
	f.Before("AlterConfigOps", hook)
	return func() bool { return done }
}

func broker(id int) Entity  { return Entity{kafka.BrokerEntity, strconv.Itoa(id)} }
func topic(n string) Entity { return Entity{kafka.TopicEntity, n} }
func tp(t string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: t, Partition: p}
}
