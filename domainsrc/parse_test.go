package domainsrc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestParseFDUD(t *testing.T) {
	tests := []struct {
		in      string
		want    cluster.Domain
		wantErr string
	}{
		{in: "FD0UD0", want: cluster.Domain{}},
		{in: "FD2UD19", want: cluster.Domain{FaultDomain: 2, UpdateDomain: 19}},
		{in: " fd1ud3\n", want: cluster.Domain{FaultDomain: 1, UpdateDomain: 3}},
		{in: "FD007UD1", want: cluster.Domain{FaultDomain: 7, UpdateDomain: 1}},
		{in: "", wantErr: "not of the form"},
		{in: "FD1", wantErr: "not of the form"},
		{in: "UD1FD1", wantErr: "not of the form"},
		{in: "FDUD1", wantErr: "fault domain: empty"},
		{in: "FD1UD", wantErr: "update domain: empty"},
		{in: "FD-1UD0", wantErr: "negative"},
		{in: "FD1UD2x", wantErr: "not a non-negative integer"},
		{in: "FD1001UD0", wantErr: "larger than 1000"},
		{in: "FD99999999999999999999UD0", wantErr: "larger than"},
		{in: "FD1 UD2", wantErr: "not a non-negative integer"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFDUD(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !cluster.IsInvalid(err) {
					t.Fatalf("err = %v, want input error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []cluster.BrokerDomain
		wantErr  string
	}{
		{name: "header and zone", in: "broker_id,fault_domain,update_domain,zone\n2,1,0,eu-1\n1,0,3,eu-2\n",
			want: []cluster.BrokerDomain{{ID: 1, UpdateDomain: 3, Zone: "eu-2"}, {ID: 2, FaultDomain: 1, Zone: "eu-1"}}},
		{name: "no header, spaces, comments, CRLF", in: "# exported\r\n 1, 0, 1\r\n2 ,1 ,2\r\n",
			want: []cluster.BrokerDomain{{ID: 1, UpdateDomain: 1}, {ID: 2, FaultDomain: 1, UpdateDomain: 2}}},
		{name: "other header names", in: "Broker,FD,UD\n1,0,0\n", want: []cluster.BrokerDomain{{ID: 1}}},
		{name: "BOM from a spreadsheet", in: "\xef\xbb\xbf1,0,0\n", want: []cluster.BrokerDomain{{ID: 1}}},
		{name: "too few fields", in: "1,0\n", wantErr: "line 1: 2 fields"},
		{name: "too many fields", in: "1,0,0,z,extra\n", wantErr: "5 fields"},
		{name: "negative broker", in: "-1,0,0\n", wantErr: "line 1: broker id -1 is negative"},
		{name: "header not first", in: "1,0,0\nbroker_id,fault_domain,update_domain\n", wantErr: "line 2"},
		{name: "bad update domain", in: "1,0,0\n2,0,x\n", wantErr: "line 2 (broker 2): update domain"},
		{name: "duplicate", in: "1,0,0\n2,1,1\n1,2,2\n", wantErr: "line 3: broker 1 already appears on line 1"},
		{name: "bad quoting", in: "1,\"0,0\n", wantErr: "domains CSV"},
		{name: "empty", in: "\n\n", wantErr: "empty domains file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDomainsFile([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !cluster.IsInvalid(err) {
					t.Fatalf("err = %v, want input error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, got, cluster.Domains{Version: 1, Brokers: tc.want})
		})
	}
}

func TestRackPattern(t *testing.T) {
	tests := []struct {
		pattern, rack string
		want          cluster.Domain
		match         bool
		wantErr       string
	}{
		{pattern: "", rack: "FD1UD4", want: cluster.Domain{FaultDomain: 1, UpdateDomain: 4}, match: true},
		{pattern: "", rack: "/dc1/FD2UD0", want: cluster.Domain{FaultDomain: 2}, match: true},
		{pattern: "", rack: "rack-7", match: false},
		{pattern: `^(?P<zone>[a-z0-9-]+)/ud(?P<ud>\d+)/fd(?P<fd>\d+)$`, rack: "westeurope-2/ud3/fd1",
			want: cluster.Domain{FaultDomain: 1, UpdateDomain: 3, Zone: "westeurope-2"}, match: true},
		{pattern: `f(\d+)-u(\d+)`, rack: "f0-u9", want: cluster.Domain{UpdateDomain: 9}, match: true},
		{pattern: `FD(\d+)`, wantErr: "needs two groups"},
		{pattern: `FD(\d+`, wantErr: "rack pattern"},
		{pattern: `FD(\d+)UD(\w+)`, rack: "FD1UDx", wantErr: "update domain"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.rack, func(t *testing.T) {
			p, err := CompileRackPattern(tc.pattern)
			if err == nil {
				var got cluster.Domain
				var ok bool
				got, ok, err = p.Parse(tc.rack)
				if err == nil && (ok != tc.match || got != tc.want) {
					t.Fatalf("got %v ok=%v, want %v ok=%v", got, ok, tc.want, tc.match)
				}
			}
			if (err != nil) != (tc.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	t.Run("unset and unmatched racks are reported", func(t *testing.T) {
		var warnings []string
		e := &env{Deps: Deps{Brokers: &fakeLister{brokers: []cluster.Broker{
			{ID: 1, Rack: "FD0UD0"}, {ID: 2}, {ID: 3, Rack: "r3"}, {ID: 4, Rack: "FD1UD1"}}}}, warnings: &warnings}
		s, err := openRack("", e)
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.Domains(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Brokers) != 2 || len(warnings) != 2 || !strings.Contains(warnings[0], "without broker.rack: 2") ||
			!strings.Contains(warnings[1], `broker 3: broker.rack "r3" does not match`) {
			t.Fatalf("domains %v warnings %q", d, warnings)
		}
	})
}

func TestMatchTopology(t *testing.T) {
	nodes, err := ParseTopology([]byte(`{"hostGroups":{"workernode":[
		{"vmId":0,"fqdn":"wn0-kafka","faultDomain":0,"updateDomain":0},
		{"vmId":1,"fqdn":"wn1-kafka.abc.ax.internal.cloudapp.net","faultDomain":"1","updateDomain":"1"},
		{"vmId":2,"fqdn":"wn2-kafka","faultDomain":2,"updateDomain":2},
		{"vmId":3,"fqdn":"wn3-kafka","faultDomain":0,"updateDomain":3}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := MatchTopology(nodes, []cluster.Broker{
		{ID: 1001, Host: "WN0-KAFKA.abc.ax.internal.cloudapp.net."}, // FQDN against a short name, any case
		{ID: 1002, Host: "wn1-kafka.abc.ax.internal.cloudapp.net"},  // exact
		{ID: 1003, Host: "wn2-kafka"},                               // short against short
		{ID: 1009, Host: "wn9-kafka.abc.ax.internal.cloudapp.net"},  // not in the topology
	})
	mustEqual(t, m.Domains, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{
		{ID: 1001, Host: "WN0-KAFKA.abc.ax.internal.cloudapp.net."},
		{ID: 1002, FaultDomain: 1, UpdateDomain: 1, Host: "wn1-kafka.abc.ax.internal.cloudapp.net"},
		{ID: 1003, FaultDomain: 2, UpdateDomain: 2, Host: "wn2-kafka"},
	}})
	if len(m.UnusedHosts) != 1 || m.UnusedHosts[0] != "wn3-kafka" {
		t.Errorf("unused hosts %v, want wn3-kafka", m.UnusedHosts)
	}
	if len(m.UnknownBrokers) != 1 || m.UnknownBrokers[0].ID != 1009 {
		t.Errorf("unknown brokers %v, want 1009", m.UnknownBrokers)
	}
	t.Run("ambiguous short names do not match", func(t *testing.T) {
		nodes := []TopologyNode{{FQDN: "wn0.a.example"}, {FQDN: "wn0.b.example", FaultDomain: 1}}
		m := MatchTopology(nodes, []cluster.Broker{{ID: 1, Host: "wn0"}, {ID: 2, Host: "wn0.b.example"}})
		if len(m.Domains.Brokers) != 1 || m.Domains.Brokers[0].ID != 2 || len(m.UnknownBrokers) != 1 {
			t.Fatalf("%+v", m)
		}
	})
	t.Run("malformed topologies", func(t *testing.T) {
		for in, want := range map[string]string{
			`[]`: "topology JSON",
			`{"hostGroups":{"workernode":[{"faultDomain":0,"updateDomain":0}]}}`:                                                              "no fqdn",
			`{"hostGroups":{"workernode":[{"fqdn":"wn0","updateDomain":0}]}}`:                                                                 "faultDomain: missing",
			`{"hostGroups":{"workernode":[{"fqdn":"wn0","faultDomain":-1,"updateDomain":0}]}}`:                                                "negative",
			`{"hostGroups":{"workernode":[{"fqdn":"wn0","faultDomain":0,"updateDomain":0},{"fqdn":"WN0","faultDomain":1,"updateDomain":1}]}}`: "both",
		} {
			if _, err := ParseTopology([]byte(in)); err == nil || !strings.Contains(err.Error(), want) || !cluster.IsInvalid(err) {
				t.Errorf("%s: err = %v, want input error %q", in, err, want)
			}
		}
	})
}

func TestRenderGrid(t *testing.T) {
	var b bytes.Buffer
	RenderGrid(&b, cluster.Domains{Brokers: []cluster.BrokerDomain{
		{ID: 1}, {ID: 4}, {ID: 2, FaultDomain: 1, UpdateDomain: 1}, {ID: 10, FaultDomain: 2, UpdateDomain: 12}}})
	want := "" +
		"     UD0  UD1  UD12\n" +
		"FD0  1,4  .    .\n" +
		"FD1  .    2    .\n" +
		"FD2  .    .    10\n" +
		"4 brokers in 3 fault domains and 3 update domains\n"
	if b.String() != want {
		t.Fatalf("grid:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	RenderGrid(&b, cluster.Domains{Brokers: []cluster.BrokerDomain{{ID: 1, Zone: "1"}, {ID: 2, Zone: "2", FaultDomain: 1}}})
	if !strings.Contains(b.String(), "zone \"1\":\n") || !strings.Contains(b.String(), "zone \"2\":\n") || !strings.Contains(b.String(), "across 2 zones") {
		t.Fatalf("zonal grid:\n%s", b.String())
	}
}
