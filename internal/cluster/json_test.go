package cluster

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseAssignment(t *testing.T) {
	tests := []struct {
		name, doc, err string
		parts          int
	}{
		{name: "kafka format", doc: `{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","/data"]}]}`, parts: 1},
		{name: "version optional", doc: `{"partitions":[{"topic":"a","partition":0,"replicas":[1]}]}`, parts: 1},
		{name: "tool output takes the current assignment",
			doc:   "Current partition replica assignment\n{\"version\":1,\"partitions\":[{\"topic\":\"a\",\"partition\":0,\"replicas\":[1]},{\"topic\":\"a\",\"partition\":1,\"replicas\":[2]}]}\n\nProposed partition reassignment configuration\n{\"version\":1,\"partitions\":[]}\n",
			parts: 2},
		{name: "duplicate partition", doc: `{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}`,
			err: "partitions[1] (a-0): partition already listed at partitions[0]"},
		{name: "log_dirs length", doc: `{"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}`,
			err: "log_dirs has 1 entries for 2 replicas"},
		{name: "duplicate replica", doc: `{"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]}`, err: "partitions[0] (a-0).replicas"},
		{name: "bad version", doc: `{"version":2,"partitions":[]}`, err: "version"},
		{name: "not json", doc: `{"partitions":`, err: "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAssignment([]byte(tc.doc))
			if tc.err != "" {
				if !IsInvalid(err) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want an input error containing %q", err, tc.err)
				}
				return
			}
			if err != nil || len(a.Partitions) != tc.parts {
				t.Fatalf("got %d partitions, err %v; want %d", len(a.Partitions), err, tc.parts)
			}
		})
	}
}

func TestWriteAssignmentKafkaForm(t *testing.T) {
	var buf bytes.Buffer
	a := Assignment{Partitions: []PartitionAssignment{{Topic: "a", Partition: 3, Replicas: []int32{2, 1}}}}
	if err := WriteAssignment(&buf, a); err != nil {
		t.Fatal(err)
	}
	want := `{"version":1,"partitions":[{"topic":"a","partition":3,"replicas":[2,1],"log_dirs":["any","any"]}]}` + "\n"
	if buf.String() != want {
		t.Fatalf("got  %s\nwant %s", buf.String(), want)
	}
	buf.Reset()
	WriteAssignment(&buf, Assignment{})
	if buf.String() != `{"version":1,"partitions":[]}`+"\n" {
		t.Fatalf("empty plan: %s", buf.String())
	}
}

func TestParseTopicsToMove(t *testing.T) {
	names, err := ParseTopicsToMove([]byte(`{"version":1,"topics":[{"topic":"b"},{"topic":"a"},{"topic":"b"}]}`))
	if err != nil || strings.Join(names, ",") != "b,a" {
		t.Fatalf("got %v, %v", names, err)
	}
	if _, err := ParseTopicsToMove([]byte(`{"topics":[{"name":"x"}]}`)); !IsInvalid(err) {
		t.Fatalf("missing topic key: err = %v", err)
	}
}

func TestParseDomains(t *testing.T) {
	tests := []struct{ name, doc, err string }{
		{"ok", `{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":2,"zone":"1","host":"wn0"}]}`, ""},
		{"duplicate", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":1,"fault_domain":1,"update_domain":0}]}`,
			"brokers[1]: broker 1 appears more than once"},
		{"unknown field", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":0,"rack":"x"}]}`, "brokers[0]"},
		{"missing update domain", `{"brokers":[{"id":1,"fault_domain":0}]}`, "update_domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDomains([]byte(tc.doc))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !IsInvalid(err) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want an input error containing %q", err, tc.err)
			}
		})
	}
}

func TestGridWrite(t *testing.T) {
	d := Domains{Brokers: []BrokerDomain{
		{ID: 4, FaultDomain: 1, UpdateDomain: 0}, {ID: 1, FaultDomain: 0, UpdateDomain: 0},
		{ID: 3, FaultDomain: 1, UpdateDomain: 0}, {ID: 2, FaultDomain: 0, UpdateDomain: 2},
	}}
	var buf bytes.Buffer
	if err := NewGrid(d).Write(&buf, func(id int32) string {
		if id == 3 {
			return "3!"
		}
		return string(rune('0' + id))
	}); err != nil {
		t.Fatal(err)
	}
	want := "     UD0   UD2\nFD0  1     2\nFD1  3!,4  .\n"
	if buf.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	d.Brokers = append(d.Brokers, BrokerDomain{ID: 9, FaultDomain: 0, UpdateDomain: 0, Zone: "2"})
	NewGrid(d).Write(&buf, nil)
	if !strings.Contains(buf.String(), "zone \"\":") || !strings.Contains(buf.String(), "zone \"2\":\n     UD0\nFD0  9\n") {
		t.Fatalf("zones:\n%s", buf.String())
	}
}
