package cluster

import (
	"bytes"
	"slices"
	"testing"
)

// The fuzz targets run their seed corpus as unit tests; go test -fuzz=FuzzX
// explores further. Each checks that a parser never panics and that what it
// accepts survives a round trip.

func FuzzParseAssignment(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,5],"log_dirs":["any","any","any"]}]}`,
		`{"partitions":[]}`,
		`{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}`,
		`{"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}`,
		"Current partition replica assignment\n{\"version\":1,\"partitions\":[{\"topic\":\"a\",\"partition\":0,\"replicas\":[1]}]}\n\nProposed partition reassignment configuration\n{\"version\":1,\"partitions\":[]}\n",
		`{"version":2,"partitions":[]}`,
		`{"partitions":[{"topic":"a b","partition":-1,"replicas":[1,1]}]}`,
		``, `{`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAssignment(data)
		if err != nil {
			if !IsInvalid(err) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteAssignment(&buf, a); err != nil {
			t.Fatal(err)
		}
		b, err := ParseAssignment(buf.Bytes())
		if err != nil {
			t.Fatalf("written form does not parse: %v\n%s", err, buf.Bytes())
		}
		if len(a.Partitions) != len(b.Partitions) {
			t.Fatalf("round trip changed the partition count")
		}
		for i := range a.Partitions {
			if a.Partitions[i].TP() != b.Partitions[i].TP() || !slices.Equal(a.Partitions[i].Replicas, b.Partitions[i].Replicas) {
				t.Fatalf("round trip changed %s", a.Partitions[i].TP())
			}
		}
	})
}

func FuzzParseTopicsToMove(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"topics":[{"topic":"orders"},{"topic":"payments"},{"topic":"orders"}]}`,
		`{"topics":[]}`, `{"topics":[{}]}`, `{"topics":[{"topic":""}]}`, `{}`, `x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := ParseTopicsToMove(data)
		if err != nil {
			if !IsInvalid(err) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				t.Fatalf("duplicate topic %q", n)
			}
			seen[n] = true
		}
	})
}

func FuzzParseDomains(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":2,"zone":"","host":"wn0-kafka"}]}`,
		`{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":1,"fault_domain":1,"update_domain":1}]}`,
		`{"brokers":[{"id":-1,"fault_domain":0,"update_domain":0}]}`,
		`{"brokers":[{"id":1,"fault_domain":0,"update_domain":0,"extra":1}]}`,
		`{"brokers":[]}`, `{}`, `]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDomains(data)
		if err != nil {
			if !IsInvalid(err) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteDomains(&buf, d); err != nil {
			t.Fatal(err)
		}
		e, err := ParseDomains(buf.Bytes())
		if err != nil {
			t.Fatalf("written form does not parse: %v\n%s", err, buf.Bytes())
		}
		if len(e.Brokers) != len(d.Brokers) {
			t.Fatal("round trip changed the broker count")
		}
		NewGrid(d).Write(&bytes.Buffer{}, nil) // must not panic
	})
}
