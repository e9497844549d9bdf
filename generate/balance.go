package generate

import "slices"

// balance moves replicas of partitions in scope from the most loaded
// eligible brokers to the least loaded ones while the difference is two or
// more, never breaking a rule, at most MaxMoves times (0: no limit). A move
// that relocates a replica the plan already adds is free (it changes where
// the new copy goes, not how much data moves), so those are tried first.
func (p *planner) balance() {
	t := p.t
	on := make([][]int32, len(t.brokers)) // partitions in scope per broker
	for i := range p.src {
		if p.out[i] == outInfeasible || p.out[i] == outCompromised {
			continue
		}
		for _, b := range p.final(i) {
			on[b] = append(on[b], int32(i))
		}
	}
	var elig []int32
	for i := range t.brokers {
		if t.eligible(int32(i)) {
			elig = append(elig, int32(i))
		}
	}
	if len(elig) < 2 {
		return
	}
	byLoad := slices.Clone(elig)
	moves := 0
	for p.opts.MaxMoves == 0 || moves < p.opts.MaxMoves {
		slices.SortFunc(byLoad, func(a, b int32) int {
			if t.less(a, b) {
				return -1
			}
			if t.less(b, a) {
				return 1
			}
			return 0
		})
		if t.load[byLoad[len(byLoad)-1]]-t.load[byLoad[0]] < 2 {
			break
		}
		moved := false
		for d := len(byLoad) - 1; d > 0 && !moved; d-- {
			donor := byLoad[d]
			if t.load[donor]-t.load[byLoad[0]] < 2 {
				break
			}
			for _, freeOnly := range []bool{true, false} {
				if moved = p.moveOne(donor, byLoad, on, freeOnly); moved {
					if !freeOnly {
						moves++ // free moves add no data movement, so they do not count
					}
					break
				}
			}
		}
		if !moved {
			break
		}
	}
}

// moveOne moves one replica off donor to the least-loaded broker that keeps
// the partition's placement valid.
func (p *planner) moveOne(donor int32, byLoad []int32, on [][]int32, freeOnly bool) bool {
	t := p.t
	for k, i := range on[donor] {
		cur := p.curOf(int(i))
		if freeOnly == contains(cur, donor) {
			continue
		}
		reps := p.final(int(i))
		at := index(reps, donor)
		lim := p.limits(len(reps), levelAll)
		for _, recv := range byLoad {
			if t.load[donor]-t.load[recv] < 2 {
				break
			}
			if contains(reps, recv) {
				continue
			}
			reps[at] = recv
			ok := t.check(reps, lim) == 0
			if !ok {
				reps[at] = donor
				continue
			}
			t.addLoad(donor, -1)
			t.addLoad(recv, 1)
			last := len(on[donor]) - 1
			on[donor][k] = on[donor][last]
			on[donor] = on[donor][:last]
			on[recv] = append(on[recv], i)
			if p.out[i] == outUntouched {
				p.out[i] = outRepaired
			}
			return true
		}
	}
	return false
}
