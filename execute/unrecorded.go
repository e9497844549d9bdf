package execute

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// unrecordedThrottles looks, after a cancel that found no throttle record of
// the plan, for follower throttles on exactly the replicas the cancelled
// reassignments were adding: what fdud sets for a plan. Finding them means
// the plan's record is kept elsewhere (a plan executed through the
// ZooKeeper path keeps its record in ZooKeeper, and this run had no
// --zookeeper), so they would stay on the cluster unnoticed. It returns the
// entries found, per topic, as "topic: p:b,p:b".
func unrecordedThrottles(ctx context.Context, cl kafka.Cluster, inflight []cluster.PartitionState, cancelled []cluster.TopicPartition) ([]string, error) {
	ours := make(map[cluster.TopicPartition]bool, len(cancelled))
	for _, tp := range cancelled {
		ours[tp] = true
	}
	adding := map[string]map[string]bool{} // topic -> "p:b"
	for _, p := range inflight {
		if !ours[p.TP()] {
			continue
		}
		add, _ := p.Moves()
		for _, b := range add {
			if adding[p.Topic] == nil {
				adding[p.Topic] = map[string]bool{}
			}
			adding[p.Topic][strconv.Itoa(int(p.Partition))+":"+strconv.Itoa(int(b))] = true
		}
	}
	if len(adding) == 0 {
		return nil, nil
	}
	topics := make([]string, 0, len(adding))
	for t := range adding {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	cfgs, err := cl.DescribeConfigs(ctx, kafka.TopicEntity, topics)
	if err != nil {
		return nil, fmt.Errorf("read the throttles of the plan's topics: %w", err)
	}
	var found []string
	for _, t := range topics {
		var hits []string
		for _, e := range strings.Split(cfgs[t][kafka.FollowerThrottledReplicas], ",") {
			if e = strings.TrimSpace(e); adding[t][e] {
				hits = append(hits, e)
			}
		}
		if len(hits) > 0 {
			slices.Sort(hits)
			found = append(found, t+": "+strings.Join(hits, ","))
		}
	}
	return found, nil
}
