package kafka

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// ErrTopicExists is wrapped by CreateTopic when the topic is already there.
var ErrTopicExists = errors.New("topic already exists")

var legalTopic = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func checkPlan(plan []cluster.PartitionAssignment) error {
	if len(plan) == 0 {
		return cluster.Invalidf("no partitions to reassign")
	}
	seen := map[cluster.TopicPartition]bool{}
	for _, p := range plan {
		if seen[p.TP()] {
			return cluster.Invalidf("partition %s appears twice", p.TP())
		}
		seen[p.TP()] = true
		if err := checkReplicas(p.Replicas); err != nil {
			return cluster.Invalidf("partition %s: %w", p.TP(), err)
		}
	}
	return nil
}

func checkReplicas(rs []int32) error {
	if len(rs) == 0 {
		return errors.New("empty replica list")
	}
	for i, r := range rs {
		if r < 0 {
			return fmt.Errorf("invalid broker id %d", r)
		}
		if slices.Contains(rs[:i], r) {
			return fmt.Errorf("broker %d listed twice", r)
		}
	}
	return nil
}

func checkTPs(tps []cluster.TopicPartition) error {
	if len(tps) == 0 {
		return cluster.Invalidf("no partitions given")
	}
	seen := map[cluster.TopicPartition]bool{}
	for _, tp := range tps {
		if seen[tp] {
			return cluster.Invalidf("partition %s appears twice", tp)
		}
		seen[tp] = true
	}
	return nil
}

func checkNewTopic(topic string, assignment [][]int32) error {
	if !legalTopic.MatchString(topic) || topic == "." || topic == ".." {
		return cluster.Invalidf("topic name %q is not legal (1 to 249 of a-z A-Z 0-9 . _ -)", topic)
	}
	if len(assignment) == 0 {
		return cluster.Invalidf("topic %s: no partitions", topic)
	}
	for p, rs := range assignment {
		if err := checkReplicas(rs); err != nil {
			return cluster.Invalidf("topic %s partition %d: %w", topic, p, err)
		}
		if len(rs) != len(assignment[0]) {
			return cluster.Invalidf("topic %s: partition %d has %d replicas, partition 0 has %d", topic, p, len(rs), len(assignment[0]))
		}
	}
	return nil
}

func checkConfigChange(kind EntityKind, name string, set map[string]string, del []string) error {
	if kind != TopicEntity && kind != BrokerEntity {
		return cluster.Invalidf("unknown config entity kind %q", kind)
	}
	if kind == BrokerEntity && name == ClusterDefault {
		return cluster.Invalidf("brokers config: fdud does not change the cluster-wide default")
	}
	if name == "" {
		return cluster.Invalidf("%s config: empty entity name", kind)
	}
	for _, k := range del {
		if _, ok := set[k]; ok {
			return cluster.Invalidf("%s %s config: key %s both set and deleted", kind, name, k)
		}
	}
	return nil
}
