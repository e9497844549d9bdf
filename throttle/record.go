package throttle

import (
	"cmp"
	"slices"
	"time"

	"github.com/fdud/fdud/kafka"
)

// Record is what fdud set for one plan: enough to undo exactly that.
type Record struct {
	Version int    `json:"version"`
	PlanID  string `json:"plan_id"`
	// Rate and LogDirRate are the rates last requested (bytes/s, 0: none).
	Rate       int64          `json:"rate,omitempty"`
	LogDirRate int64          `json:"log_dir_rate,omitempty"`
	Host       string         `json:"host,omitempty"`
	PID        int            `json:"pid,omitempty"`
	Updated    time.Time      `json:"updated"`
	Configs    []ConfigRecord `json:"configs"`
}

// ConfigRecord is one config key fdud set on one entity.
type ConfigRecord struct {
	Kind kafka.EntityKind `json:"kind"`
	Name string           `json:"name"`
	Key  string           `json:"key"`
	// Before is the value the key had before fdud first touched it; nil
	// when the key was not set.
	Before *string `json:"before"`
	// Set is the value fdud wrote.
	Set string `json:"set"`
	// Added lists, for replica-list keys, the partition:broker entries fdud
	// added (those already present are not fdud's to remove).
	Added []string `json:"added,omitempty"`
}

// Entity names a broker (decimal id) or a topic.
type Entity struct {
	Kind kafka.EntityKind
	Name string
}

func (c ConfigRecord) entity() Entity { return Entity{c.Kind, c.Name} }

func compareConfig(a, b ConfigRecord) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Key, b.Key))
}

// find returns the record of key on e, or nil.
func (r *Record) find(e Entity, key string) *ConfigRecord {
	if r == nil {
		return nil
	}
	for i := range r.Configs {
		c := &r.Configs[i]
		if c.Kind == e.Kind && c.Name == e.Name && c.Key == key {
			return c
		}
	}
	return nil
}

// Entities returns the entities the record touches, sorted.
func (r *Record) Entities() []Entity {
	var out []Entity
	for _, c := range r.Configs {
		if !slices.Contains(out, c.entity()) {
			out = append(out, c.entity())
		}
	}
	slices.SortFunc(out, func(a, b Entity) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name)) })
	return out
}

func isListKey(key string) bool {
	return key == kafka.LeaderThrottledReplicas || key == kafka.FollowerThrottledReplicas
}

func ptr(s string) *string { return &s }
