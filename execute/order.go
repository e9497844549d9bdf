package execute

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/sizes"
)

// Risk groups, in the order their partitions are submitted: high
// availability comes back fastest when the partitions one domain failure
// would take offline move first.
const (
	riskOffline  = iota // all current replicas in one fault domain or one update domain
	riskBelowISR        // one domain failure would leave fewer than min.insync.replicas
	riskNone
)

var riskNames = [...]string{"offline if one domain fails", "below min.insync.replicas if one domain fails", "the rest"}

// haRisk is the group of a partition with replicas reps (its current ones)
// and min.insync.replicas minISR, given the brokers' domains. A replica on
// a broker without a known domain counts as surviving any one failure.
func haRisk(reps []int32, doms map[int32]cluster.Domain, minISR int) int {
	if len(reps) == 0 {
		return riskNone // a new topic: nothing to lose yet
	}
	worst := len(reps)
	for _, dim := range []func(cluster.Domain) int{
		func(d cluster.Domain) int { return d.FaultDomain },
		func(d cluster.Domain) int { return d.UpdateDomain },
	} {
		in := map[int]int{}
		for _, b := range reps {
			if d, ok := doms[b]; ok {
				in[dim(d)]++
			}
		}
		for _, n := range in {
			worst = min(worst, len(reps)-n)
		}
	}
	switch {
	case worst == 0:
		return riskOffline
	case worst < minISR:
		return riskBelowISR
	}
	return riskNone
}

// orderForHA orders items by risk group, then size (smallest first; sizes
// unknown count as 0), then plan order. It is pure and stable.
func orderForHA(items []Item, doms map[int32]cluster.Domain, minISR func(topic string) int,
	size func(cluster.TopicPartition) int64) (ordered []Item, groups [3]int) {
	type keyed struct {
		it   Item
		risk int
		size int64
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		ks[i] = keyed{it: it, risk: haRisk(it.Current, doms, minISR(it.Plan.Topic)), size: size(it.Plan.TP())}
		groups[ks[i].risk]++
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.risk, b.risk), cmp.Compare(a.size, b.size), cmp.Compare(a.it.Index, b.it.Index))
	})
	ordered = make([]Item, len(ks))
	for i, k := range ks {
		ordered[i] = k.it
	}
	return ordered, groups
}

// orderPending orders the partitions to submit so that high availability
// comes back fastest (see orderForHA). Domains come from the brokers'
// broker.rack (FD<n>UD<m>) in the state read last, min.insync.replicas from the topics' own
// settings (else 1), sizes from the brokers when they report them. What
// cannot be read leaves that key out of the order, with a debug line: the
// order never stops a run.
func (r *run) orderPending(ctx context.Context, items []Item) []Item {
	if len(items) < 2 {
		return items
	}
	doms := map[int32]cluster.Domain{}
	var brokers []int32
	if st := r.seen; st != nil {
		for _, b := range st.Brokers {
			brokers = append(brokers, b.ID)
		}
		if p, err := domainsrc.CompileRackPattern(""); err == nil {
			if d, _, _, err := domainsrc.RackDomains(st.Brokers, p); err == nil {
				doms = d.Map()
			}
		}
	}
	topics := map[string]bool{}
	for _, it := range items {
		topics[it.Plan.Topic] = true
	}
	minISR := map[string]int{}
	if len(doms) > 0 {
		if cfgs, err := r.cl.DescribeConfigs(ctx, kafka.TopicEntity, slices.Sorted(maps.Keys(topics))); err != nil {
			r.log.Debug("batch order: no topic configs", "err", err)
		} else {
			for t, c := range cfgs {
				if n, err := strconv.Atoi(c["min.insync.replicas"]); err == nil {
					minISR[t] = n
				}
			}
		}
	}
	var l sizes.LogDirs
	if s := r.cl.Capabilities().Sizer; s != nil {
		tps := make([]cluster.TopicPartition, len(items))
		for i, it := range items {
			tps[i] = it.Plan.TP()
		}
		var err error
		if l, err = s.ReplicaSizes(ctx, brokers, tps); err != nil {
			r.log.Debug("batch order: sizes incomplete", "err", err)
		}
	}
	ordered, groups := orderForHA(items, doms,
		func(t string) int { return max(1, minISR[t]) },
		func(tp cluster.TopicPartition) int64 { s, _ := l.PartitionSize(tp, -1, nil); return s })
	switch {
	case len(doms) > 0:
		fmt.Fprintf(r.errw, "Batch order: %d partitions %s first, then %d %s, then %d more",
			groups[riskOffline], riskNames[riskOffline], groups[riskBelowISR], riskNames[riskBelowISR], groups[riskNone])
		if len(l.Replicas) > 0 {
			fmt.Fprint(r.errw, "; smallest first in each group")
		}
		fmt.Fprintln(r.errw, ".")
	case len(l.Replicas) > 0:
		fmt.Fprintln(r.errw, "Batch order: smallest partitions first (no broker.rack of the form FD<n>UD<m> to order them by risk).")
	}
	return ordered
}
