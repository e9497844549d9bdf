package execute

import (
	"context"
	"fmt"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// logDirItems are the items whose log directories are to be moved.
func logDirItems(items []Item) []Item {
	var out []Item
	for _, it := range items {
		if it.Plan.MovesLogDirs() && it.Status != Create {
			out = append(out, it)
		}
	}
	return out
}

// readLogDirs asks the brokers holding named replicas where they live, when
// the cluster can tell (Capabilities.LogDirDescriber). nil without a describer or
// without named replicas.
func (r *run) readLogDirs(ctx context.Context, items []Item) (map[int32]kafka.BrokerLogDirs, error) {
	desc := r.cl.Capabilities().LogDirDescriber
	named := logDirItems(items)
	if desc == nil || len(named) == 0 {
		return nil, nil
	}
	var brokers []int32
	var tps []cluster.TopicPartition
	for _, it := range named {
		tps = append(tps, it.Plan.TP())
		for i, d := range it.Plan.LogDirs {
			if d != cluster.AnyLogDir {
				brokers = append(brokers, it.Plan.Replicas[i])
			}
		}
	}
	slices.Sort(brokers)
	dirs, err := desc.DescribeLogDirs(ctx, slices.Compact(brokers), tps)
	if err != nil {
		return nil, fmt.Errorf("read the brokers' log directories: %w", err)
	}
	for _, b := range slices.Compact(brokers) {
		if bd := dirs[b]; bd.Err != nil {
			return nil, fmt.Errorf("read the brokers' log directories (nothing changed): %w", bd.Err)
		}
	}
	return dirs, nil
}

// logDirProblems names every planned directory its broker does not have
// online, before anything changes. It is pure.
func logDirProblems(items []Item, dirs map[int32]kafka.BrokerLogDirs) []Problem {
	var ps []Problem
	for _, it := range logDirItems(items) {
		for i, d := range it.Plan.LogDirs {
			if d == cluster.AnyLogDir {
				continue
			}
			b := it.Plan.Replicas[i]
			bd, ok := dirs[b]
			if !ok || bd.HasDir(d) {
				continue
			}
			have := make([]string, 0, len(bd.Dirs))
			for name, err := range bd.Dirs {
				if err == nil {
					have = append(have, name)
				}
			}
			slices.Sort(have)
			reason := fmt.Sprintf("log dir %s is not an online log directory of broker %d (it has %v)", d, b, have)
			if err, known := bd.Dirs[d]; known && err != nil {
				reason = fmt.Sprintf("log dir %s of broker %d is offline: %v", d, b, err)
			}
			ps = append(ps, Problem{Index: it.Index, TP: it.Plan.TP(), Reason: reason})
		}
	}
	return ps
}

// settleLogDirs marks as Done the items whose only work was moving log
// directories and whose replicas are all in their planned directories
// already, so that a re-run does not move (or throttle) them again. It is
// pure.
func settleLogDirs(items []Item, dirs map[int32]kafka.BrokerLogDirs) []Item {
	if dirs == nil {
		return items
	}
	out := slices.Clone(items)
	for i, it := range out {
		if it.Status != LogDirs {
			continue
		}
		if p, _ := kafka.LogDirPlacement(it.Plan, dirs, false); p == kafka.LogDirsDone {
			out[i].Status = Done
		}
	}
	return out
}
