package generate

import "github.com/fdud/fdud/internal/cluster"

// Preferred leaders are chosen by ordering replicas (replicas[0] leads), so
// they cost no data movement. Two goals, in order: preferred leaders even
// across brokers, then across update domains in proportion to their brokers,
// so that rebooting one update domain fails over about its share of leaders
// and no more.

// leaderState tracks preferred leaders per broker and per update domain.
type leaderState struct {
	t      *topology
	lead   []int32 // per broker
	udLead []int64 // per dense UD value
	udSize []int64 // eligible brokers per dense UD value
	// own marks, by index in p.src, partitions of fdud's state topic (nil
	// when none is in scope): the balance neither counts nor reorders them.
	own []bool
}

// newLeaderState counts the preferred leaders the balance weighs: those of
// the topics in scope (every topic when the plan names none), less fdud's
// own state topic. Leaders elsewhere are not this plan's business: counting
// them would reorder partitions in scope, moving no data, whenever
// something outside the scope changes, such as the state topic that the
// first execute creates.
func (p *planner) newLeaderState() *leaderState {
	t := p.t
	ls := &leaderState{
		t:      t,
		lead:   make([]int32, len(t.brokers)),
		udLead: make([]int64, len(t.uds)),
		udSize: make([]int64, len(t.uds)),
	}
	for i := range t.brokers {
		if t.eligible(int32(i)) {
			ls.udSize[t.brokers[i].val[dimUD]]++
		}
	}
	topics := nameSet(p.opts.Topics) // nil: every topic
	if topics == nil {
		copy(ls.lead, t.leaders)
	}
	for k := range p.in.Current.Partitions {
		pa := &p.in.Current.Partitions[k]
		if len(pa.Replicas) == 0 {
			continue
		}
		own := pa.Topic == cluster.StateTopic
		switch {
		case topics == nil && own:
			ls.lead[t.index(pa.Replicas[0])]--
		case topics != nil && !own && topics[pa.Topic]:
			ls.lead[t.index(pa.Replicas[0])]++
		}
	}
	// Leaders of partitions in scope are recounted from their planned lists.
	for i, k := range p.src {
		if k >= 0 && p.in.Current.Partitions[k].Topic == cluster.StateTopic {
			if ls.own == nil {
				ls.own = make([]bool, len(p.src))
			}
			ls.own[i] = true
			continue
		}
		if cur := p.curOf(i); len(cur) > 0 {
			ls.lead[cur[0]]--
		}
	}
	for i := range t.brokers {
		if ud := t.brokers[i].val[dimUD]; ud >= 0 {
			ls.udLead[ud] += int64(ls.lead[i])
		}
	}
	return ls
}

// counted reports whether partition i's leader is weighed by the balance.
func (ls *leaderState) counted(i int) bool { return ls.own == nil || !ls.own[i] }

func (ls *leaderState) set(b int32, delta int32) {
	ls.lead[b] += delta
	if ud := ls.t.brokers[b].val[dimUD]; ud >= 0 {
		ls.udLead[ud] += int64(delta)
	}
}

// fewer orders candidate leaders: fewer leaders on the broker, then a lower
// share of leaders in its update domain, then seeded rank.
func (ls *leaderState) fewer(a, b int32) bool {
	if la, lb := ls.lead[a], ls.lead[b]; la != lb {
		return la < lb
	}
	ua, ub := ls.t.brokers[a].val[dimUD], ls.t.brokers[b].val[dimUD]
	if ua >= 0 && ub >= 0 && ua != ub && ls.udSize[ua] > 0 && ls.udSize[ub] > 0 {
		x, y := ls.udLead[ua]*ls.udSize[ub], ls.udLead[ub]*ls.udSize[ua]
		if x != y {
			return x < y
		}
	}
	return ls.t.brokers[a].rank < ls.t.brokers[b].rank
}

// improves reports whether moving one preferred leader from b to c makes
// the spread strictly better: brokers first (sum of squares of leaders per
// broker), then update domains (sum of leaders^2/brokers per UD). The
// potential strictly falls with every switch, so the passes end.
func (ls *leaderState) improves(b, c int32) bool {
	// Leaders stay off brokers that are down, and those on a down broker
	// stay too: it is back in minutes, and moving them would churn twice.
	if !ls.t.eligible(c) || ls.t.brokers[b].status == statusDown {
		return false
	}
	d := ls.lead[b] - ls.lead[c]
	if d >= 2 {
		return true
	}
	if d != 1 {
		return false
	}
	ub, uc := ls.t.brokers[b].val[dimUD], ls.t.brokers[c].val[dimUD]
	if ub < 0 || uc < 0 || ub == uc || ls.udSize[ub] == 0 || ls.udSize[uc] == 0 {
		return false
	}
	return (2*ls.udLead[uc]+1)*ls.udSize[ub] < (2*ls.udLead[ub]-1)*ls.udSize[uc]
}

// placeLeaders orders the replicas of every planned partition. A partition
// whose replicas changed keeps its preferred leader when that broker stays,
// else gets the replica with the fewest leaders. Then, unless turned off,
// passes over the partitions in scope move a preferred leader to another of
// its replicas wherever that strictly improves the spread.
func (p *planner) placeLeaders() {
	ls := p.newLeaderState()
	for i := range p.src {
		reps := p.final(i)
		if len(reps) == 0 {
			continue
		}
		cur := p.curOf(i)
		if p.out[i] != outUntouched && p.out[i] != outInfeasible {
			at := -1
			if len(cur) > 0 {
				at = index(reps, cur[0])
			}
			if at < 0 {
				at = 0
				for j := range reps {
					// A broker that is down cannot lead: prefer one that is up.
					if up, upAt := ls.t.eligible(reps[j]), ls.t.eligible(reps[at]); up != upAt {
						if up {
							at = j
						}
					} else if ls.fewer(reps[j], reps[at]) {
						at = j
					}
				}
			}
			rotate(reps, at)
		}
		if ls.counted(i) {
			ls.set(reps[0], 1)
		}
	}
	if p.opts.NoLeaderBalance {
		return
	}
	const maxPasses = 64 // a bound for safety; the passes converge long before
	for range maxPasses {
		changed := false
		for i := range p.src {
			if p.out[i] == outInfeasible || !ls.counted(i) {
				continue
			}
			reps := p.final(i)
			if len(reps) < 2 {
				continue
			}
			b, at := reps[0], -1
			for j := 1; j < len(reps); j++ {
				if ls.improves(b, reps[j]) && (at < 0 || ls.fewer(reps[j], reps[at])) {
					at = j
				}
			}
			if at < 0 {
				continue
			}
			ls.set(b, -1)
			ls.set(reps[at], 1)
			rotate(reps, at)
			changed = true
		}
		if !changed {
			break
		}
	}
}

// rotate moves reps[at] to the front, keeping the others in order.
func rotate(reps []int32, at int) {
	if at <= 0 {
		return
	}
	v := reps[at]
	copy(reps[1:at+1], reps[:at])
	reps[0] = v
}

func index(s []int32, v int32) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
