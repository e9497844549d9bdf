package throttle

import (
	"cmp"
	"slices"
	"time"

	"github.com/fdud/fdud/internal/kafka"
)

// Record is what fdud set for one plan: enough to undo exactly that.
type Record struct {
	Version int    `json:"version"`
	PlanID  string `json:"plan_id"`
	// Rate and LogDirRate are the rates last requested (bytes/s, 0: none).
	Rate       int64     `json:"rate,omitempty"`
	LogDirRate int64     `json:"log_dir_rate,omitempty"`
	Host       string    `json:"host,omitempty"`
	PID        int       `json:"pid,omitempty"`
	Updated    time.Time `json:"updated"`
	// Cluster is the id of the cluster throttled ("" when it has none, as
	// before Kafka 0.10.1). Clean-up hands throttles over only between
	// records of one cluster.
	Cluster string         `json:"cluster,omitempty"`
	Configs []ConfigRecord `json:"configs"`
	// Uses lists every throttle the plan relies on, whether fdud set it for
	// this plan or found it in place (a rate at or below the one asked for,
	// an entry already listed, or one another plan of fdud's set). Another
	// plan's clean-up leaves those on the cluster and passes them on to this
	// record (see Handover).
	Uses []Use `json:"uses,omitempty"`
}

// Use is a config key a plan relies on: a broker's rate, or entries of a
// topic's replica list.
type Use struct {
	Kind    kafka.EntityKind `json:"kind"`
	Name    string           `json:"name"`
	Key     string           `json:"key"`
	Entries []string         `json:"entries,omitempty"`
}

// uses reports whether the record relies on key of e, and for a replica
// list, on entry x.
func (r *Record) uses(e Entity, key, x string) bool {
	for _, u := range r.Uses {
		if u.Kind == e.Kind && u.Name == e.Name && u.Key == key && (x == "" || slices.Contains(u.Entries, x)) {
			return true
		}
	}
	return false
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
