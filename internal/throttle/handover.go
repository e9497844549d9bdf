package throttle

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// Handover decides, at the clean-up of rec, which of the throttles fdud set
// for it other plans of the same cluster still rely on (run with
// --additional, say, on the same brokers). Undoing those would leave the
// other plan's reassignment unthrottled, or, where the other plan lowered a
// rate fdud had set, make that plan's clean-up put fdud's rate back for
// good. So they stay on the cluster and pass to the plan relying on them:
//   - a rate another plan lowered further: that plan now restores the value
//     from before both;
//   - a rate another plan relies on as it is: that plan adopts it and
//     restores it at its own clean-up;
//   - replica-list entries another plan relies on: they join that plan's
//     entries (and a list fdud created stays one fdud created).
//
// others are the other records of the store; those of other clusters (or
// with no cluster id) are never touched. It changes the heirs among others
// in place and returns rec reduced to what clean-up undoes now, the records
// it changed (save them before changing the cluster), and a note for each
// throttle kept. It does no I/O, and it is idempotent: after an interrupted
// clean-up, handing over again changes nothing more.
func Handover(rec *Record, others []*Record) (rest *Record, changed []*Record, notes []string) {
	if rec == nil {
		return nil, nil, nil
	}
	rest = &Record{Version: rec.Version, PlanID: rec.PlanID, Rate: rec.Rate, LogDirRate: rec.LogDirRate,
		Host: rec.Host, PID: rec.PID, Updated: rec.Updated, Cluster: rec.Cluster, Uses: rec.Uses}
	var heirs []*Record
	if rec.Cluster != "" {
		for _, o := range others {
			if o != nil && o.PlanID != rec.PlanID && o.Cluster == rec.Cluster {
				heirs = append(heirs, o)
			}
		}
		slices.SortFunc(heirs, func(a, b *Record) int { return cmp.Compare(a.PlanID, b.PlanID) })
	}
	touched := map[*Record]bool{}
	note := func(c ConfigRecord, h *Record, what string) {
		touched[h] = true
		notes = append(notes, fmt.Sprintf("%s %s: %s stays: %s (plan %s)", entityNoun(c.Kind), c.Name, c.Key, what, h.PlanID))
	}
	for _, c := range rec.Configs {
		if isListKey(c.Key) {
			left := handOverEntries(c, heirs, note)
			if len(left) > 0 {
				c.Added = left
				rest.Configs = append(rest.Configs, c)
			}
			continue
		}
		if h, hc := heirRate(c, heirs); h != nil {
			switch {
			case hc == nil:
				h.adopt(c)
				note(c, h, "another plan relies on it and removes it when it is done")
			case !samePtr(hc.Before, c.Before):
				hc.Before = clonePtr(c.Before)
				note(c, h, fmt.Sprintf("another plan lowered it to %s and now restores %s when it is done", hc.Set, show(deref(c.Before))))
			default:
				touched[h] = true // handed over by an earlier, interrupted clean-up
			}
			continue
		}
		rest.Configs = append(rest.Configs, c)
	}
	for _, h := range heirs {
		if touched[h] {
			changed = append(changed, h)
		}
	}
	return rest, changed, notes
}

// heirRate returns the plan that takes over rate c, and its own record of
// the key (nil when it only relies on it): first a plan that set its own
// rate on top of c's (or already took c over), else one relying on c as it
// is.
func heirRate(c ConfigRecord, heirs []*Record) (*Record, *ConfigRecord) {
	e := c.entity()
	for _, h := range heirs {
		if hc := h.find(e, c.Key); hc != nil && (samePtr(hc.Before, &c.Set) || samePtr(hc.Before, c.Before)) {
			return h, hc
		}
	}
	for _, h := range heirs {
		if h.uses(e, c.Key, "") && h.find(e, c.Key) == nil {
			return h, nil
		}
	}
	return nil, nil
}

// handOverEntries passes each entry fdud added for c that another plan
// relies on to the first such plan, and returns the entries nobody else
// relies on.
func handOverEntries(c ConfigRecord, heirs []*Record, note func(ConfigRecord, *Record, string)) (left []string) {
	e := c.entity()
	given := map[*Record][]string{}
	var order []*Record
	for _, x := range c.Added {
		i := slices.IndexFunc(heirs, func(h *Record) bool { return h.uses(e, c.Key, x) })
		if i < 0 {
			left = append(left, x)
			continue
		}
		if given[heirs[i]] == nil {
			order = append(order, heirs[i])
		}
		given[heirs[i]] = append(given[heirs[i]], x)
	}
	for _, h := range order {
		xs := given[h]
		hc := h.find(e, c.Key)
		if hc == nil {
			hc = h.adopt(c)
		} else if c.Before == nil {
			hc.Before = nil // the list did not exist before fdud
		} else if hc.Before != nil {
			// What the other plan found included these entries: they are
			// fdud's, not somebody else's.
			var before []string
			for _, x := range parseList(*hc.Before) {
				if !slices.Contains(xs, x) {
					before = append(before, x)
				}
			}
			hc.Before = ptr(formatList(before))
		}
		for _, x := range xs {
			if !slices.Contains(hc.Added, x) {
				hc.Added = append(hc.Added, x)
			}
		}
		sortEntries(hc.Added)
		note(c, h, fmt.Sprintf("entries %s: another plan relies on them and removes them when it is done", formatList(xs)))
	}
	return left
}

// adopt adds to r a copy of c without its list entries, and returns it.
func (r *Record) adopt(c ConfigRecord) *ConfigRecord {
	r.Configs = append(r.Configs, ConfigRecord{Kind: c.Kind, Name: c.Name, Key: c.Key, Before: clonePtr(c.Before), Set: c.Set})
	slices.SortFunc(r.Configs, compareConfig)
	return r.find(c.entity(), c.Key)
}

// handOver loads the store's other records of rec's cluster, hands over
// what they rely on, and saves those it changed. It returns what is left
// for rec's own clean-up.
func handOver(ctx context.Context, store Store, rec *Record, log *slog.Logger) (*Record, error) {
	if rec.Cluster == "" {
		return rec, nil
	}
	ids, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	var others []*Record
	for _, id := range ids {
		if id == rec.PlanID {
			continue
		}
		o, err := store.Load(ctx, id)
		if err != nil {
			// A record fdud cannot read is no heir; say so, and go on.
			log.Warn("throttle clean-up: skipping an unreadable throttle record", "plan", id, "err", err)
			continue
		}
		others = append(others, o)
	}
	rest, changed, notes := Handover(rec, others)
	for _, h := range changed {
		if err := store.Save(ctx, h); err != nil {
			return nil, fmt.Errorf("hand throttles over to plan %s: %w", h.PlanID, err)
		}
	}
	for _, n := range notes {
		log.Info("throttle clean-up: " + n)
	}
	return rest, nil
}

// clusterID returns the cluster's id, or "" when the cluster has none.
func clusterID(ctx context.Context, cl Cluster) (string, error) {
	return cl.ClusterID(ctx)
}

// checkCluster refuses a record made for another cluster than the one
// connected to: the same plan, run from one machine against two clusters,
// shares a record in the state directory.
func checkCluster(rec *Record, id string) error {
	if rec == nil || rec.Cluster == "" || id == "" || rec.Cluster == id {
		return nil
	}
	return fmt.Errorf("the throttle record of plan %s belongs to cluster %s, not to this cluster (%s): "+
		"run fdud verify for it against that cluster first, or use another --state-dir", rec.PlanID, rec.Cluster, id)
}

func samePtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	return ptr(*p)
}

func deref(p *string) (string, bool) {
	if p == nil {
		return "", false
	}
	return *p, true
}
