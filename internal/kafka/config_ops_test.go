package kafka

import (
	"errors"
	"maps"
	"reflect"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestApplyConfigOps(t *testing.T) {
	const l = LeaderThrottledReplicas
	app := func(es ...string) ConfigOp { return ConfigOp{Type: ConfigAppend, Key: l, Entries: es} }
	sub := func(es ...string) ConfigOp { return ConfigOp{Type: ConfigSubtract, Key: l, Entries: es} }
	tests := []struct {
		name    string
		cfg     map[string]string
		ops     []ConfigOp
		want    map[string]string
		changed bool
	}{
		{"append to an absent list creates it", map[string]string{"x": "1"}, []ConfigOp{app("0:1", "0:2")},
			map[string]string{"x": "1", l: "0:1,0:2"}, true},
		{"append to an empty list: no leading empty entry", map[string]string{l: " "}, []ConfigOp{app("0:1")},
			map[string]string{l: "0:1"}, true},
		{"append keeps what is there, adds each missing entry once", map[string]string{l: "5:9, 0:1"}, []ConfigOp{app("0:1", "0:2", "0:2")},
			map[string]string{l: "5:9,0:1,0:2"}, true},
		{"append of entries all present changes nothing", map[string]string{l: "0:1,0:2"}, []ConfigOp{app("0:2", "0:1")},
			map[string]string{l: "0:1,0:2"}, false},
		{"subtract removes exactly its entries, every occurrence", map[string]string{l: "0:1,9:9,0:2,0:1"}, []ConfigOp{sub("0:1", "0:2")},
			map[string]string{l: "9:9"}, true},
		{"subtract of absent entries is a no-op", map[string]string{l: "9:9"}, []ConfigOp{sub("0:1")},
			map[string]string{l: "9:9"}, false},
		{"subtract from an absent key is a no-op", map[string]string{}, []ConfigOp{sub("0:1")},
			map[string]string{}, false},
		{"subtract from the wildcard is a no-op", map[string]string{l: "*"}, []ConfigOp{sub("0:1")},
			map[string]string{l: "*"}, false},
		{"subtract of the last entries leaves an empty list, as Kafka does", map[string]string{l: "0:1"}, []ConfigOp{sub("0:1")},
			map[string]string{l: ""}, true},
		{"set and delete with list ops", map[string]string{"a": "1", "b": "2", l: "7:7"},
			[]ConfigOp{{Type: ConfigSet, Key: "a", Value: "3"}, {Type: ConfigDelete, Key: "b"}, app("0:1")},
			map[string]string{"a": "3", l: "7:7,0:1"}, true},
		{"set to the same value changes nothing", map[string]string{"a": "1"}, []ConfigOp{{Type: ConfigSet, Key: "a", Value: "1"}, {Type: ConfigDelete, Key: "b"}},
			map[string]string{"a": "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := maps.Clone(tt.cfg)
			changed, err := ApplyConfigOps(cfg, tt.ops)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, tt.want) || changed != tt.changed {
				t.Errorf("got %v (changed %v), want %v (changed %v)", cfg, changed, tt.want, tt.changed)
			}
		})
	}

	t.Run("append to the wildcard fails and changes nothing", func(t *testing.T) {
		cfg := map[string]string{l: " * ", "a": "1"}
		_, err := ApplyConfigOps(cfg, []ConfigOp{{Type: ConfigSet, Key: "a", Value: "2"}, app("0:1")})
		if !errors.Is(err, ErrWildcardList) {
			t.Errorf("got %v", err)
		}
		if !reflect.DeepEqual(cfg, map[string]string{l: " * ", "a": "1"}) {
			t.Errorf("changed to %v", cfg)
		}
	})

	bad := map[string][]ConfigOp{
		"key twice":         {app("0:1"), sub("0:2")},
		"no entries":        {app()},
		"empty entry":       {app("")},
		"entry with comma":  {app("0:1,0:2")},
		"entry with spaces": {sub(" 0:1")},
		"wildcard entry":    {app("*")},
		"value on append":   {{Type: ConfigAppend, Key: l, Value: "0:1"}},
		"entries on set":    {{Type: ConfigSet, Key: l, Entries: []string{"0:1"}}},
		"value on delete":   {{Type: ConfigDelete, Key: l, Value: "x"}},
		"unknown operation": {{Type: "replace", Key: l, Value: "x"}},
		"empty key":         {{Type: ConfigSet, Value: "x"}},
	}
	for name, ops := range bad {
		t.Run(name, func(t *testing.T) {
			cfg := map[string]string{l: "7:7"}
			if _, err := ApplyConfigOps(cfg, ops); !cluster.IsInvalid(err) {
				t.Errorf("got %v, want an input error", err)
			}
			if cfg[l] != "7:7" || len(cfg) != 1 {
				t.Errorf("changed to %v", cfg)
			}
		})
	}
}
