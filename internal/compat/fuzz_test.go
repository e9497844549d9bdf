package compat

import (
	"strings"
	"testing"
)

// Runbooks pass all sorts of command lines; Parse either accepts one with
// exactly one action or explains why not, and never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"--bootstrap-server k:9092 --generate --topics-to-move-json-file t.json --broker-list 1,2,3",
		"--zookeeper z:2181 --execute --reassignment-json-file p.json --throttle 100",
		"--bootstrap-server=k:9092 --verify --reassignment-json-file=p.json",
		"--list --bootstrap-server k:9092",
		"--generate --execute",
		"--reassignment-json p.json --verify --zookeeper z",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		o, err := Parse(args, func(string) string { return "" })
		if err != nil {
			return
		}
		if o.Action == "" {
			t.Fatalf("Parse(%q) accepted a command line without an action", args)
		}
	})
}
