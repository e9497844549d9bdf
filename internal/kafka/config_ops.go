package kafka

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// ConfigOpType is what a ConfigOp does to its key: Kafka's
// IncrementalAlterConfigs operations.
type ConfigOpType string

const (
	ConfigSet      ConfigOpType = "set"
	ConfigDelete   ConfigOpType = "delete"
	ConfigAppend   ConfigOpType = "append"
	ConfigSubtract ConfigOpType = "subtract"
)

// ListWildcard, as the whole value of a throttled-replicas list, throttles
// every replica of the topic. It is not an entry: nothing can be appended to
// it (brokers refuse "*" mixed with entries, and some versions accept it and
// then fail to parse it, KAFKA-10460).
const ListWildcard = "*"

// ErrWildcardList is wrapped by an append to a list that is ListWildcard.
var ErrWildcardList = errors.New(`the list is "*" (every replica), which takes no entries`)

// ConfigOp is one change of one key of an entity's dynamic configuration.
// Append and subtract are for list-type keys (comma-separated values such as
// leader.replication.throttled.replicas and
// follower.replication.throttled.replicas).
type ConfigOp struct {
	Type  ConfigOpType
	Key   string
	Value string // ConfigSet only
	// Entries are the list elements ConfigAppend adds or ConfigSubtract
	// removes: each non-empty, without commas or surrounding spaces, and
	// not ListWildcard.
	Entries []string
}

// ApplyConfigOps applies ops to cfg (an entity's dynamic configuration, key
// -> value) with the semantics of Cluster.AlterConfigOps. It reports whether cfg
// changed. On an error (a bad op, an append to ListWildcard) cfg is left as
// it was. A list value it writes has its entries joined by "," without
// spaces or empty entries.
func ApplyConfigOps(cfg map[string]string, ops []ConfigOp) (changed bool, err error) {
	if err := checkOps(ops); err != nil {
		return false, err
	}
	for _, op := range ops {
		if op.Type != ConfigAppend {
			continue
		}
		if v, ok := cfg[op.Key]; ok && slices.Contains(ListEntries(v), ListWildcard) {
			return false, fmt.Errorf("append to %s: %w", op.Key, ErrWildcardList)
		}
	}
	for _, op := range ops {
		cur, has := cfg[op.Key]
		switch op.Type {
		case ConfigSet:
			if !has || cur != op.Value {
				cfg[op.Key] = op.Value
				changed = true
			}
		case ConfigDelete:
			if has {
				delete(cfg, op.Key)
				changed = true
			}
		case ConfigAppend:
			have := ListEntries(cur)
			add := missingEntries(have, op.Entries)
			if len(add) > 0 {
				cfg[op.Key] = strings.Join(append(have, add...), ",")
				changed = true
			}
		case ConfigSubtract:
			if !has {
				continue
			}
			have := ListEntries(cur)
			kept := slices.DeleteFunc(slices.Clone(have), func(e string) bool { return slices.Contains(op.Entries, e) })
			if len(kept) < len(have) {
				cfg[op.Key] = strings.Join(kept, ",")
				changed = true
			}
		}
	}
	return changed, nil
}

// ListEntries splits a list value ("0:1, 0:2" or "*") into its entries,
// trimmed, without empty ones.
func ListEntries(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// missingEntries returns the entries not in have, each once, in order.
func missingEntries(have, entries []string) []string {
	var out []string
	for _, e := range entries {
		if !slices.Contains(have, e) && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func checkConfigOps(kind EntityKind, name string, ops []ConfigOp) error {
	if err := checkConfigChange(kind, name, nil, nil); err != nil {
		return err
	}
	if err := checkOps(ops); err != nil {
		return cluster.Invalidf("%s %s config: %w", kind, name, err)
	}
	return nil
}

func checkOps(ops []ConfigOp) error {
	seen := map[string]bool{}
	for _, op := range ops {
		if op.Key == "" {
			return cluster.Invalidf("%s of an empty key", op.Type)
		}
		if seen[op.Key] {
			return cluster.Invalidf("key %s named twice", op.Key)
		}
		seen[op.Key] = true
		switch op.Type {
		case ConfigSet, ConfigDelete:
			if len(op.Entries) > 0 {
				return cluster.Invalidf("%s %s: entries are for append and subtract", op.Type, op.Key)
			}
			if op.Type == ConfigDelete && op.Value != "" {
				return cluster.Invalidf("delete %s: a value is for set", op.Key)
			}
		case ConfigAppend, ConfigSubtract:
			if op.Value != "" {
				return cluster.Invalidf("%s %s: a value is for set; give entries", op.Type, op.Key)
			}
			if len(op.Entries) == 0 {
				return cluster.Invalidf("%s %s: no entries", op.Type, op.Key)
			}
			for _, e := range op.Entries {
				if e == "" || e != strings.TrimSpace(e) || strings.Contains(e, ",") || e == ListWildcard {
					return cluster.Invalidf("%s %s: %q is not a list entry (non-empty, no commas or surrounding spaces, not %q)",
						op.Type, op.Key, e, ListWildcard)
				}
			}
		default:
			return cluster.Invalidf("unknown config operation %q on %s", op.Type, op.Key)
		}
	}
	return nil
}
