package domainsrc

import (
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// The parsers read what operators and other tools wrote; none may panic,
// and whatever they accept must be a usable domains document that reads
// back the same. Run with: go test ./domainsrc -fuzz FuzzParseFDUD (etc.)

func FuzzParseFDUD(f *testing.F) {
	for _, s := range []string{"FD0UD0", "fd2ud19", " FD1UD3\n", "FD-1UD0", "FDUD", "FD1UD", "FD99999999999UD1", "FD١UD٢", "FD1UD2UD3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseFDUD(s)
		if err != nil {
			if !cluster.IsInvalid(err) {
				t.Fatalf("%q: error is not an input error: %v", s, err)
			}
			return
		}
		if d.FaultDomain < 0 || d.UpdateDomain < 0 || d.FaultDomain > MaxDomain || d.UpdateDomain > MaxDomain {
			t.Fatalf("%q: out of range %v", s, d)
		}
		again, err := ParseFDUD(cluster.FormatFDUD(d))
		if err != nil || again != d {
			t.Fatalf("%q: %v does not round-trip: %v %v", s, d, again, err)
		}
		if v, err := ParseZKValue(FormatZKValue(d)); err != nil || v != d {
			t.Fatalf("%q: znode value does not round-trip: %v %v", s, v, err)
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"broker_id,fault_domain,update_domain,zone\n1,0,0,1\n2,1,1,2\n",
		"1,0,0\n2,1,1\n", "# c\n1, 0, 1\r\n", "1,0\n", "1,\"0,0\n", "-1,0,0\n", "1,0,0\n1,0,0\n", "\xef\xbb\xbf1,0,0\n",
		"2147483648,0,0\n", "1,0,1001\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDomainsFile(data)
		if err != nil {
			if !cluster.IsInvalid(err) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		checkAccepted(t, d)
		if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
			return
		}
		var csv strings.Builder
		for _, b := range d.Brokers {
			if strings.ContainsAny(b.Zone, ",\"\r\n#") || b.Zone != strings.TrimSpace(b.Zone) {
				return // zones that CSV would have to quote; not worth re-encoding here
			}
			csv.WriteString(strings.Join([]string{itoa(int(b.ID)), itoa(b.FaultDomain), itoa(b.UpdateDomain), b.Zone}, ","))
			csv.WriteString("\n")
		}
		if csv.Len() == 0 {
			return
		}
		again, err := ParseCSV([]byte(csv.String()))
		if err != nil {
			t.Fatalf("re-encoded CSV rejected: %v\n%s", err, csv.String())
		}
		mustEqual(t, again, d)
	})
}

func FuzzParseTopology(f *testing.F) {
	f.Add([]byte(topologyOf(harness{hosts: true}.fixture(), true)))
	for _, s := range []string{
		`{"hostGroups":{"workernode":[]}}`, `{"hostGroups":{}}`, `{"hostGroups":{"workernode":[{"fqdn":"wn0","faultDomain":"1","updateDomain":2}]}}`,
		`{"hostGroups":{"workernode":[{"fqdn":"wn0","faultDomain":1.5,"updateDomain":2}]}}`, `null`, `{"hostGroups":{"workernode":[null]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes, err := ParseTopology(data)
		if err != nil {
			if !cluster.IsInvalid(err) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		var brokers []cluster.Broker
		for i, n := range nodes {
			if n.FQDN == "" || n.FaultDomain < 0 || n.UpdateDomain < 0 || n.FaultDomain > MaxDomain || n.UpdateDomain > MaxDomain {
				t.Fatalf("accepted node %+v", n)
			}
			brokers = append(brokers, cluster.Broker{ID: int32(i), Host: n.FQDN})
		}
		m := MatchTopology(nodes, brokers)
		checkAccepted(t, m.Domains)
		if len(m.Domains.Brokers)+len(m.UnknownBrokers) != len(brokers) {
			t.Fatalf("brokers lost: %d matched, %d unknown, of %d", len(m.Domains.Brokers), len(m.UnknownBrokers), len(brokers))
		}
	})
}

func checkAccepted(t *testing.T, d cluster.Domains) {
	t.Helper()
	if err := d.Check(); err != nil {
		t.Fatalf("accepted domains fail Check: %v", err)
	}
	for i := 1; i < len(d.Brokers); i++ {
		if d.Brokers[i-1].ID >= d.Brokers[i].ID {
			t.Fatalf("not sorted: %v", d.Brokers)
		}
	}
}
