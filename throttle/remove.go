package throttle

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/fdud/fdud/kafka"
)

// Restore computes the changes that undo rec on top of the current
// configuration: fdud's entries leave the replica lists (a list that held
// nothing else is deleted, or restored to its earlier value), and rates fdud
// set return to their earlier value or are deleted. A key that reads as its
// value from before fdud is written (or deleted) again all the same: brokers
// apply config changes asynchronously, so it may be a stale read of a key
// that is about to turn into fdud's value. Only a third value (someone else
// changed the key since) is left alone, with a warning; a list then loses
// only fdud's entries. It is pure; applying its changes twice is harmless.
func Restore(rec *Record, current map[Entity]map[string]string) (changes []Change, warnings []string) {
	if rec == nil {
		return nil, nil
	}
	m := &merger{current: current, rec: rec, changes: map[Entity]*Change{}}
	del := func(e Entity, key string) {
		c := m.changes[e]
		if c == nil {
			c = &Change{Entity: e, Set: map[string]string{}}
			m.changes[e] = c
		}
		c.Delete = append(c.Delete, key)
	}
	restore := func(c ConfigRecord) {
		if c.Before == nil {
			del(c.entity(), c.Key)
		} else {
			m.set(c.entity(), c.Key, *c.Before)
		}
	}
	for _, c := range rec.Configs {
		e := c.entity()
		cur, has := current[e][c.Key]
		if matchesBefore(&c, cur, has) {
			restore(c) // restored already, or a stale read: write it again
			continue
		}
		if isListKey(c.Key) {
			if !has {
				continue // someone deleted the list: fdud's entries are gone
			}
			entries := parseList(cur)
			if slices.Contains(entries, Wildcard) {
				m.warnf("%s %s: %s is %s (set by someone else since): leaving it", entityNoun(e.Kind), e.Name, c.Key, show(cur, has))
				continue
			}
			var kept []string
			for _, x := range entries {
				if !slices.Contains(c.Added, x) {
					kept = append(kept, x)
				}
			}
			if len(kept) == len(entries) {
				continue // fdud's entries are gone already
			}
			switch {
			case c.Before != nil && sameSet(kept, parseList(*c.Before)):
				m.set(e, c.Key, *c.Before)
			case len(kept) == 0:
				del(e, c.Key)
			default:
				m.warnf("%s %s: %s was changed by someone else since: removed only fdud's entries, keeping %s",
					entityNoun(e.Kind), e.Name, c.Key, formatList(kept))
				m.set(e, c.Key, formatList(kept))
			}
			continue
		}
		switch {
		case has && cur == c.Set:
			restore(c)
		default:
			m.warnf("%s %s: %s is %s, not the %s fdud set: changed by someone else since, leaving it",
				entityNoun(e.Kind), e.Name, c.Key, show(cur, has), c.Set)
		}
	}
	for _, e := range sortedEntities(m.changes) {
		c := m.changes[e]
		slices.Sort(c.Delete)
		changes = append(changes, *c)
	}
	return changes, m.warnings
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
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
func Remove(ctx context.Context, cl kafka.Cluster, store Store, planID string) (removed bool, err error) {
	r, err := Cleanup(ctx, cl, store, planID, loggerOf(store))
	return r.Removed, err
}

// Cleanup is Remove with a report of what it changed. Each change and
// warning is also logged on log (nil: discarded). It waits, within the
// default Settle, until DescribeConfigs shows the changes.
func Cleanup(ctx context.Context, cl kafka.Cluster, store Store, planID string, log *slog.Logger) (Removal, error) {
	return CleanupSettle(ctx, cl, store, planID, log, Settle{})
}

// CleanupSettle is Cleanup with its wait for the changes to show bounded by
// s. The record is deleted once the changes are made and shown (or the wait
// timed out).
func CleanupSettle(ctx context.Context, cl kafka.Cluster, store Store, planID string, log *slog.Logger, s Settle) (Removal, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rec, err := store.Load(ctx, planID)
	if err != nil || rec == nil {
		return Removal{}, err
	}
	current, err := Describe(ctx, cl, rec.Entities())
	if err != nil {
		return Removal{}, fmt.Errorf("remove throttles of %s: %w", planID, err)
	}
	changes, warnings := Restore(rec, current)
	for _, w := range warnings {
		log.Warn("throttle clean-up: " + w)
	}
	if err := apply(ctx, cl, changes, log, "throttle clean-up"); err != nil {
		return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (record kept, run again): %w", planID, err)
	}
	if err := settle(ctx, cl, changes, s, log, "throttle clean-up"); err != nil {
		return Removal{Changes: changes, Warnings: warnings}, fmt.Errorf("remove throttles of %s (changes made, record kept, run again): %w", planID, err)
	}
	if err := store.Delete(ctx, planID); err != nil {
		return Removal{Changes: changes, Warnings: warnings}, err
	}
	return Removal{Removed: true, Changes: changes, Warnings: warnings}, nil
}
