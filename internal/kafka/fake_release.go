package kafka

import (
	"fmt"

	"github.com/IBM/sarama"
)

// The Kafka release a Fake plays, and what it changes. Each quirk is the
// one a real path meets on that release, decided by the same rule, and the
// conformance suite checks it against real brokers of the release
// (conformanceTarget.release):
//
//   - Kafka 0.9 has no dynamic broker configs: the ZooKeeper path refuses
//     to change them (checkDynamicBrokerConfigs) with errors.ErrUnsupported.
//     It has no cluster id either (0.10.1 and later).
//   - Kafka 2.4 and 2.5 leave the broker throttle rates out of
//     DescribeConfigs or hide their values: on the Admin API path every one
//     of them reads as Unreported, set or not (ratesReported). ZooKeeper
//     holds and shows them.

// release is the Kafka release a Fake plays.
type release struct{ v sarama.KafkaVersion }

// mustRelease parses a release as sarama does ("0.9.0.1", "2.4.1"); ""
// is the newest sarama knows.
func mustRelease(s string) release {
	if s == "" {
		return release{sarama.MaxVersion}
	}
	v, err := sarama.ParseKafkaVersion(s)
	if err != nil {
		panic(fmt.Sprintf("kafka.Fake: release %q: %v", s, err))
	}
	return release{v}
}

func (r release) atLeast(v sarama.KafkaVersion) bool { return r.v.IsAtLeast(v) }

// dynamicBrokerConfigs: broker configs can be changed (not on Kafka 0.9).
func (r release) dynamicBrokerConfigs() bool { return r.atLeast(sarama.V0_10_0_0) }

// ratesUnreported: the Admin API path's DescribeConfigs cannot see the
// broker throttle rates (Kafka 2.4 and 2.5).
func (r release) ratesUnreported(zk bool) bool { return !zk && !ratesReported(r.v) }

// hasClusterID: the cluster has an id (0.10.1 and later).
func (r release) hasClusterID() bool { return r.atLeast(sarama.V0_10_1_0) }
