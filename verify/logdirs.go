package verify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// logDirStatuses refines the complete partitions whose plan entry names log
// directories, when the cluster can tell where replicas live
// (Capabilities.LogDirDescriber): such a partition is complete only when every
// named replica is in its directory and no future replica remains. A move
// under way, or a broker that could not be asked, is in progress; a replica
// elsewhere with no move under way is not as planned (re-run execute).
// Without a describer the statuses stay as they are.
func logDirStatuses(ctx context.Context, cl kafka.Cluster, plan cluster.Assignment, ss []PartitionStatus, log *slog.Logger) []PartitionStatus {
	desc := cl.Capabilities().LogDirDescriber
	if desc == nil || !slices.ContainsFunc(plan.Partitions, cluster.PartitionAssignment.MovesLogDirs) {
		return ss
	}
	named := map[cluster.TopicPartition]cluster.PartitionAssignment{}
	var brokers []int32
	var tps []cluster.TopicPartition
	var idx map[cluster.TopicPartition]int
	for _, s := range ss {
		if s.Status != Complete {
			continue
		}
		if idx == nil {
			idx = plan.Index()
		}
		j, ok := idx[s.TP]
		if !ok || !plan.Partitions[j].MovesLogDirs() {
			continue
		}
		pa := plan.Partitions[j]
		named[s.TP] = pa
		tps = append(tps, s.TP)
		for i, d := range pa.LogDirs {
			if d != cluster.AnyLogDir && i < len(pa.Replicas) {
				brokers = append(brokers, pa.Replicas[i])
			}
		}
	}
	if len(named) == 0 {
		return ss
	}
	slices.Sort(brokers)
	dirs, err := desc.DescribeLogDirs(ctx, slices.Compact(brokers), tps)
	out := slices.Clone(ss)
	for i, s := range out {
		pa, ok := named[s.TP]
		if !ok {
			continue
		}
		if err != nil {
			log.Warn("reading log directories failed; partitions with planned log dirs count as in progress", "err", err)
			out[i].Status, out[i].LogDirs = InProgress, []string{fmt.Sprintf("log directories could not be read: %v", err)}
			continue
		}
		p, notes := kafka.LogDirPlacement(pa, dirs, false)
		out[i].LogDirs = notes
		switch p {
		case kafka.LogDirsMoving, kafka.LogDirsUnknown:
			out[i].Status = InProgress
		case kafka.LogDirsNotStarted:
			out[i].Status = NotAsPlanned
		}
	}
	return out
}
