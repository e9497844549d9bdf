package throttle

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

// Defaults of Settle.
const (
	DefaultSettleTimeout  = 15 * time.Second
	DefaultSettleInterval = 250 * time.Millisecond
)

// Settle bounds the wait after Apply and Cleanup change configs, until
// DescribeConfigs shows the changes. Brokers apply config changes
// asynchronously (KRaft and ZooKeeper mode alike), and the next run (a
// clean-up right after execute, an execute right after a clean-up) must not
// read the old values as the current ones. Not seeing them in time is
// logged, not an error: the record is right either way.
type Settle struct {
	Timeout  time.Duration // 0: DefaultSettleTimeout; negative: do not wait
	Interval time.Duration // between reads; 0: DefaultSettleInterval
}

// settle waits until DescribeConfigs shows every change, for at most
// s.Timeout, and logs those it did not see in time. It fails only when ctx
// ends.
func settle(ctx context.Context, cl Cluster, changes []Change, s Settle, log *slog.Logger, what string) error {
	if len(changes) == 0 || s.Timeout < 0 {
		return nil
	}
	timeout := cmp.Or(s.Timeout, DefaultSettleTimeout)
	interval := cmp.Or(s.Interval, DefaultSettleInterval)
	wctx, cancel := context.WithTimeout(ctx, timeout) // also bounds a hanging describe
	defer cancel()
	entities := make([]Entity, 0, len(changes))
	for _, c := range changes {
		entities = append(entities, c.Entity)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	pending := changes
	var lastErr error
	for {
		current, err := Describe(wctx, cl, entities)
		if err == nil {
			pending = unsettled(changes, current)
			if len(pending) == 0 {
				return nil
			}
		} else {
			lastErr = err
		}
		select {
		case <-tick.C:
			continue
		case <-wctx.Done():
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("waiting for brokers to show the config changes: %w", err)
		}
		for _, c := range pending {
			log.Warn(fmt.Sprintf("%s: %s %s: DescribeConfigs does not show %s yet after %s (brokers apply config changes asynchronously); carrying on, the record is right either way",
				what, entityNoun(c.Kind), c.Name, changeText(c), timeout))
		}
		if lastErr != nil {
			log.Warn(what+": last read of the configs failed", "err", lastErr)
		}
		return nil
	}
}

// unsettled returns the changes current does not show yet.
func unsettled(changes []Change, current map[Entity]map[string]string) []Change {
	var out []Change
	for _, c := range changes {
		got := current[c.Entity]
		done := true
		// A key the broker does not report cannot be seen to change; the
		// broker accepted the change, which is all there is to know.
		for k, v := range c.Set {
			if g, ok := got[k]; g != kafka.Unreported && (!ok || !sameValue(k, g, v)) {
				done = false
			}
		}
		for _, k := range c.Delete {
			if g, ok := got[k]; ok && g != kafka.Unreported {
				done = false
			}
		}
		for k, es := range c.Append {
			if have := parseList(got[k]); !slices.Contains(have, Wildcard) && slices.ContainsFunc(es, func(e string) bool { return !slices.Contains(have, e) }) {
				done = false
			}
		}
		for k, es := range c.Subtract {
			if have := parseList(got[k]); slices.ContainsFunc(es, func(e string) bool { return slices.Contains(have, e) }) {
				done = false
			}
		}
		if !done {
			out = append(out, c)
		}
	}
	return out
}

// sameValue compares config values as a broker may echo them: lists as sets
// of entries, others without surrounding spaces.
func sameValue(key, a, b string) bool {
	if isListKey(key) {
		return cluster.SameMembers(parseList(a), parseList(b))
	}
	return strings.TrimSpace(a) == strings.TrimSpace(b)
}

func changeText(c Change) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.Set)) {
		parts = append(parts, k+"="+c.Set[k])
	}
	for _, k := range slices.Sorted(maps.Keys(c.Append)) {
		parts = append(parts, k+" with "+formatList(c.Append[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Subtract)) {
		parts = append(parts, k+" without "+formatList(c.Subtract[k]))
	}
	for _, k := range c.Delete {
		parts = append(parts, k+" deleted")
	}
	return strings.Join(parts, ", ")
}
