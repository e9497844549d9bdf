package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// Restore computes the changes that undo rec on top of the current
// configuration: fdud's entries leave the replica lists, and rates fdud set
// return to their earlier value or are deleted.
//
// A list loses exactly fdud's entries by a subtract (kafka.ConfigSubtract),
// which the cluster applies to the list as it is when written: entries
// somebody else adds meanwhile stay, and subtracting entries already gone
// changes nothing. A list fdud created is thus left empty, not deleted: Tidy
// deletes it afterwards. A list that reads as absent is deleted
// again if fdud created it (a stale read of the time before fdud, or
// restored already), else left alone (somebody deleted it, and fdud's
// entries with it); a list that reads as "*" is left alone.
//
// A rate that reads as its value from before fdud is written (or deleted)
// again all the same: brokers apply config changes asynchronously, so it may
// be a stale read of a key that is about to turn into fdud's value. Only a
// third value (someone else changed the key since) is left alone, with a
// warning. A rate the broker does not report (kafka.Unreported) is restored
// as the record says. It is pure; applying its changes twice is harmless.
func Restore(rec *Record, current map[Entity]map[string]string) (changes []Change, warnings []string) {
	if rec == nil {
		return nil, nil
	}
	m := &merger{current: current, rec: rec, changes: map[Entity]*Change{}}
	restore := func(c ConfigRecord) {
		if c.Before == nil {
			m.del(c.entity(), c.Key)
		} else {
			m.set(c.entity(), c.Key, *c.Before)
		}
	}
	for _, c := range rec.Configs {
		e := c.entity()
		cur, has := current[e][c.Key]
		if isListKey(c.Key) {
			entries := parseList(cur)
			switch {
			case !has && c.Before == nil:
				m.del(e, c.Key)
			case !has:
				// somebody deleted the list: fdud's entries are gone
			case slices.Contains(entries, Wildcard):
				if !matchesBefore(&c, cur, has) {
					m.warnf("%s %s: %s is %s (set by someone else since): leaving it", entityNoun(e.Kind), e.Name, c.Key, show(cur, has))
				}
			case len(c.Added) > 0:
				m.remove(e, c.Key, c.Added)
				var kept []string
				for _, x := range entries {
					if !slices.Contains(c.Added, x) {
						kept = append(kept, x)
					}
				}
				if len(kept) > 0 && (c.Before == nil || !cluster.SameMembers(kept, parseList(*c.Before))) {
					m.warnf("%s %s: %s was changed by someone else since: removed only fdud's entries, keeping %s",
						entityNoun(e.Kind), e.Name, c.Key, formatList(kept))
				}
			}
			continue
		}
		switch {
		case has && cur == kafka.Unreported:
			restore(c) // not readable (Kafka 2.4): act on the record
		case matchesBefore(&c, cur, has):
			restore(c) // restored already, or a stale read: write it again
		case has && cur == c.Set:
			restore(c)
		default:
			m.warnf("%s %s: %s is %s, not the %s fdud set: changed by someone else since, leaving it",
				entityNoun(e.Kind), e.Name, c.Key, show(cur, has), c.Set)
		}
	}
	return m.sorted(), m.warnings
}

// Tidy returns the deletes of the replica lists fdud created (none before
// it) that now hold nothing but fdud's entries: what a subtract of them
// leaves behind is an empty value (Kafka keeps a list emptied by a subtract),
// or, in a stale read, the list as it was before the subtract showed. It
// runs after Restore's changes are made. Unlike them, a delete does not
// depend on the list on the cluster side: an entry somebody adds to the list
// between this read and the delete is lost. It is pure.
func Tidy(rec *Record, current map[Entity]map[string]string) []Change {
	if rec == nil {
		return nil
	}
	m := &merger{current: current, rec: rec, changes: map[Entity]*Change{}}
	for _, c := range rec.Configs {
		cur, has := current[c.entity()][c.Key]
		if !isListKey(c.Key) || c.Before != nil || !has {
			continue
		}
		if !slices.ContainsFunc(parseList(cur), func(x string) bool { return !slices.Contains(c.Added, x) }) {
			m.del(c.entity(), c.Key)
		}
	}
	return m.sorted()
}

// tidyEntities returns the entities of the lists Tidy may delete.
func tidyEntities(rec *Record) []Entity {
	var out []Entity
	for _, c := range rec.Configs {
		if isListKey(c.Key) && c.Before == nil && !slices.Contains(out, c.entity()) {
			out = append(out, c.entity())
		}
	}
	return out
}

// Removal reports what Cleanup did.
type Removal struct {
	Removed  bool     // a record existed and was undone
	Changes  []Change // config changes made
	Warnings []string // values left alone because someone changed them
}

// Remove removes exactly the throttles fdud set for the plan and restores
// the values that were there before, then deletes the plan's record. It
// returns false when there was no record (nothing fdud set, or already
// removed): calling it again is harmless. Warnings go to the store's logger.
func Remove(ctx context.Context, cl Cluster, store Store, planID string) (removed bool, err error) {
	r, err := Cleanup(ctx, cl, store, planID, loggerOf(store))
	return r.Removed, err
}

// Cleanup is Remove with a report of what it changed. Each change and
// warning is also logged on log (nil: discarded). It waits, within the
// default Settle, until DescribeConfigs shows the changes.
func Cleanup(ctx context.Context, cl Cluster, store Store, planID string, log *slog.Logger) (Removal, error) {
	return CleanupSettle(ctx, cl, store, planID, log, Settle{})
}

// CleanupSettle is Cleanup with its wait for the changes to show bounded by
// s. Throttles other plans of the cluster still rely on are handed over to
// them first (see Handover) and stay. The record is deleted once the changes
// are made and shown (or the wait timed out).
func CleanupSettle(ctx context.Context, cl Cluster, store Store, planID string, log *slog.Logger, s Settle) (Removal, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rec, err := store.Load(ctx, planID)
	if err != nil || rec == nil {
		return Removal{}, err
	}
	id, err := clusterID(ctx, cl)
	if err != nil {
		return Removal{}, fmt.Errorf("remove throttles of %s: %w", planID, err)
	}
	if err := checkCluster(rec, id); err != nil {
		return Removal{}, fmt.Errorf("remove throttles of %s: %w", planID, err)
	}
	// What other plans still rely on stays, theirs from now on.
	if rec, err = handOver(ctx, store, rec, log); err != nil {
		return Removal{}, fmt.Errorf("remove throttles of %s (nothing changed, record kept, run again): %w", planID, err)
	}
	current, err := Describe(ctx, cl, rec.Entities())
	if err != nil {
		return Removal{}, fmt.Errorf("remove throttles of %s: %w", planID, err)
	}
	changes, warnings := Restore(rec, current)
	for _, w := range warnings {
		log.Warn("throttle clean-up: " + w)
	}
	made, rest, stale := withoutUnsupported(ctx, cl, changes, log)
	warnings = append(warnings, stale...)
	changes = append(made, rest...)
	if err := apply(ctx, cl, rest, log, "throttle clean-up"); err != nil {
		return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (record kept, run again): %w", planID, err)
	}
	if err := settle(ctx, cl, changes, s, log, "throttle clean-up"); err != nil {
		return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (changes made, record kept, run again): %w", planID, err)
	}
	// Lists fdud created are empty now, unless somebody added to them:
	// delete those with nothing of anybody else's.
	if entities := tidyEntities(rec); len(entities) > 0 {
		current, err := Describe(ctx, cl, entities)
		if err != nil {
			return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (changes made, record kept, run again): %w", planID, err)
		}
		tidy := Tidy(rec, current)
		changes = append(changes, tidy...)
		if err := apply(ctx, cl, tidy, log, "throttle clean-up"); err != nil {
			return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (record kept, run again): %w", planID, err)
		}
		if err := settle(ctx, cl, tidy, s, log, "throttle clean-up"); err != nil {
			return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (changes made, record kept, run again): %w", planID, err)
		}
	}
	if err := store.Delete(ctx, planID); err != nil {
		return Removal{Changes: changes, Warnings: warnings}, err
	}
	return Removal{Removed: true, Changes: changes, Warnings: warnings}, nil
}

// withoutUnsupported makes the changes the cluster refuses outright
// (errors.ErrUnsupported: Kafka 0.9 has no dynamic broker configs) and
// returns those it made, the others (to be made as usual), and a note for
// each it dropped.
// A record of a throttle such a cluster cannot hold is stale (an older fdud
// recorded what it meant to set, not what it set): it must not keep every
// later clean-up failing.
func withoutUnsupported(ctx context.Context, cl Cluster, changes []Change, log *slog.Logger) (made, keep []Change, notes []string) {
	for _, c := range changes {
		if c.Kind != kafka.BrokerEntity {
			keep = append(keep, c)
			continue
		}
		err := alter(ctx, cl, c)
		switch {
		case err == nil:
			log.Info("throttle clean-up: " + c.String())
			made = append(made, c)
		case errors.Is(err, errors.ErrUnsupported):
			n := fmt.Sprintf("%s %s cannot hold throttles (%v): the record of them was stale; dropped", entityNoun(c.Kind), c.Name, err)
			log.Warn("throttle clean-up: " + n)
			notes = append(notes, n)
		default:
			keep = append(keep, c) // made again below, where the error stops the clean-up
		}
	}
	return made, keep, notes
}
