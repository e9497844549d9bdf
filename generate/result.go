package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// result builds the plan, the rollback and the report. The report reads
// the plan as the documents do and writes only p.rep, so it is built on a
// second goroutine meanwhile (a tenth of a second on a million partitions).
func (p *planner) result() Result {
	t := p.t
	reported := make(chan struct{})
	go func() {
		p.finishReport()
		close(reported)
	}()
	changed := 0
	planReps, rollReps := 0, 0
	for i := range p.src {
		if p.changed(i) {
			changed++
			planReps += int(p.nlen[i])
			rollReps += len(p.curOf(i))
		}
	}
	res := Result{
		Plan:     cluster.Assignment{Version: 1, Partitions: make([]cluster.PartitionAssignment, 0, changed)},
		Rollback: cluster.Assignment{Version: 1, Partitions: make([]cluster.PartitionAssignment, 0, changed)},
	}
	// One backing array per document: a million small slices would cost
	// a million allocations.
	planIDs := make([]int32, planReps)
	rollIDs := make([]int32, rollReps)
	for i := range p.src {
		if !p.changed(i) {
			continue
		}
		tp := p.tp(i)
		n := copyIDs(planIDs, p.final(i), t)
		res.Plan.Partitions = append(res.Plan.Partitions, cluster.PartitionAssignment{
			Topic: tp.Topic, Partition: tp.Partition, Replicas: planIDs[:n:n]})
		planIDs = planIDs[n:]
		if p.src[i] >= 0 {
			n = copyIDs(rollIDs, p.curOf(i), t)
			res.Rollback.Partitions = append(res.Rollback.Partitions, cluster.PartitionAssignment{
				Topic: tp.Topic, Partition: tp.Partition, Replicas: rollIDs[:n:n]})
			rollIDs = rollIDs[n:]
		}
	}
	<-reported
	p.rep.PartitionsChanged = changed
	res.Report = p.rep
	if p.opts.Explain {
		res.Moves = p.moves()
	}
	return res
}

func copyIDs(dst, reps []int32, t *topology) int {
	for j, b := range reps {
		dst[j] = t.brokers[b].id
	}
	return len(reps)
}

// changed reports whether partition i's planned list differs from its current one.
func (p *planner) changed(i int) bool {
	return !slices.Equal(p.final(i), p.curOf(i))
}

// finishReport counts violations, moves, leaders and loads.
func (p *planner) finishReport() {
	t := p.t
	r := &p.rep
	// Made here rather than in tally so that they can stay off the heap.
	loadAfter := make([]int32, len(t.brokers))
	leadAfter := make([]int32, len(t.brokers))
	p.tally(loadAfter, leadAfter)
	r.FDSpreadBefore, r.FDSpreadAfter = t.fdSpread(t.loadBefore), t.fdSpread(loadAfter)
	r.Brokers = p.brokerReports(loadAfter, leadAfter)
	r.UpdateDomains = t.updateDomainReports(leadAfter)
	r.Grid = p.grid()
	r.DownBrokers = p.downBrokers()
	r.Warnings = append(r.Warnings, p.topologyWarnings()...)
	// Empty lists, not null, in the JSON report.
	for _, s := range []*[]Issue{&r.Compromises, &r.Infeasible} {
		if *s == nil {
			*s = []Issue{}
		}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	if r.DownBrokers == nil {
		r.DownBrokers = []int32{}
	}
}

// downBrokers lists, by id, the brokers that are not alive and keep their
// replicas.
func (p *planner) downBrokers() []int32 {
	var ids []int32
	for _, b := range p.t.brokers {
		if b.status == statusDown {
			ids = append(ids, b.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// tally counts, into the report, violations before and after the plan,
// moves, removed and new replicas, and leader changes; and fills loadAfter
// and leadAfter with each broker's replicas and preferred leaders after it.
// Both come from one pass over the partitions.
func (p *planner) tally(loadAfter, leadAfter []int32) {
	t := p.t
	r := &p.rep
	for _, pa := range p.in.Current.Partitions {
		for j, id := range pa.Replicas {
			b := t.index(id)
			loadAfter[b]++
			if j == 0 {
				leadAfter[b]++
			}
		}
	}
	for i := range p.src {
		cur, fin := p.curOf(i), p.final(i)
		for j, b := range cur {
			loadAfter[b]--
			if j == 0 {
				leadAfter[b]--
			}
		}
		for j, b := range fin {
			loadAfter[b]++
			if j == 0 {
				leadAfter[b]++
			}
		}
		if p.src[i] >= 0 {
			v := p.before[i]
			if v == 0 {
				v = 1 + t.check(cur, p.limits(len(cur), levelAll))
			}
			r.ViolationsBefore.add(v - 1)
			for _, b := range fin {
				if !contains(cur, b) {
					r.ReplicasMoved++
				}
			}
			r.ReplicasRemoved += max(0, len(cur)-len(fin))
			if len(cur) > 0 && len(fin) > 0 && cur[0] != fin[0] {
				r.LeaderChanges++
			}
		} else {
			r.NewReplicas += len(fin)
		}
		r.ViolationsAfter.add(t.check(fin, p.limits(len(fin), levelAll)))
	}
	r.BalanceMoves = max(0, r.ReplicasMoved-r.MoveLowerBound)
}

// brokerReports returns every broker's load and leaders before and after
// the plan, in id order.
func (p *planner) brokerReports(loadAfter, leadAfter []int32) []BrokerReport {
	t := p.t
	reports := make([]BrokerReport, 0, len(t.brokers))
	order := make([]int32, len(t.brokers))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return int(t.brokers[a].id) - int(t.brokers[b].id) })
	for _, b := range order {
		bi := &t.brokers[b]
		br := BrokerReport{ID: bi.id, Status: statusNames[bi.status],
			ReplicasBefore: int(t.loadBefore[b]), ReplicasAfter: int(loadAfter[b]),
			LeadersBefore: int(t.leaders[b]), LeadersAfter: int(leadAfter[b])}
		if d, ok := p.in.Domains[bi.id]; ok {
			fd, ud := d.FaultDomain, d.UpdateDomain
			br.Zone, br.FaultDomain, br.UpdateDomain = d.Zone, &fd, &ud
		}
		reports = append(reports, br)
	}
	return reports
}

// updateDomainReports returns, per update domain in order, its eligible
// brokers and its preferred leaders before and after the plan.
func (t *topology) updateDomainReports(leadAfter []int32) []UpdateDomainReport {
	uds := make([]UpdateDomainReport, len(t.uds))
	for v, ud := range t.uds {
		uds[v].UpdateDomain = ud
	}
	for b := range t.brokers {
		bi := &t.brokers[b]
		if v := bi.val[dimUD]; v >= 0 {
			if bi.status == statusEligible {
				uds[v].Brokers++
			}
			uds[v].LeadersBefore += int(t.leaders[b])
			uds[v].LeadersAfter += int(leadAfter[b])
		}
	}
	slices.SortFunc(uds, func(a, b UpdateDomainReport) int { return a.UpdateDomain - b.UpdateDomain })
	return uds
}

// grid returns the brokers per zone, fault and update domain; an empty list
// rather than null when there are none.
func (p *planner) grid() []cluster.GridCell {
	dom := cluster.Domains{Version: 1}
	for id, d := range p.in.Domains {
		dom.Brokers = append(dom.Brokers, cluster.BrokerDomain{ID: id, FaultDomain: d.FaultDomain, UpdateDomain: d.UpdateDomain, Zone: d.Zone})
	}
	cells := cluster.NewGrid(dom).Cells
	if cells == nil {
		cells = []cluster.GridCell{}
	}
	return cells
}

// topologyWarnings says what limits the rules: domains with no live broker
// (the rules then spread over fewer domains), domains where no broker may
// receive replicas, down brokers that keep their replicas, live brokers
// without a domain.
func (p *planner) topologyWarnings() []string {
	t := p.t
	var out []string
	for d := range numDims {
		var gone, closed []string
		for v, ok := range t.populated[d] {
			if !ok {
				gone = append(gone, t.valueLabel(d, int32(v)))
			}
		}
		if len(gone) > 0 && len(t.populated[d]) > 1 {
			out = append(out, fmt.Sprintf("%s without a live broker holding replicas: %s; replicas are spread over the other %d %ss only",
				clusterDim[d], strings.Join(gone, ", "), t.nPop[d], clusterDim[d]))
		}
		if t.nPop[d] > 1 {
			for _, v := range t.unreceptive(d) {
				closed = append(closed, t.valueLabel(d, v))
			}
		}
		if len(closed) > 0 {
			out = append(out, fmt.Sprintf("no broker may receive replicas in %s %s (down, excluded or outside --broker-list); "+
				"it still counts in the rules, so a partition that needs a replica there cannot be repaired without --force",
				clusterDim[d], strings.Join(closed, ", ")))
		}
	}
	if down := p.downBrokers(); len(down) > 0 {
		ids := make([]string, len(down))
		for i, id := range down {
			ids[i] = fmt.Sprint(id)
		}
		out = append(out, fmt.Sprintf("brokers down: %s; their replicas stay and count in their domains, and nothing new "+
			"goes to them (--evacuate-down-brokers or --exclude-brokers moves them off)", strings.Join(ids, ", ")))
	}
	var idle []string // live, may serve, but without a domain
	for _, id := range p.in.Live {
		if _, ok := p.in.Domains[id]; !ok && !slices.Contains(p.opts.ExcludeBrokers, id) &&
			(len(p.opts.BrokerList) == 0 || slices.Contains(p.opts.BrokerList, id)) {
			idle = append(idle, fmt.Sprint(id))
		}
	}
	if len(idle) > 0 {
		out = append(out, fmt.Sprintf("brokers without a domain get no replicas: %s", strings.Join(idle, ", ")))
	}
	return out
}
