package domainsrc

import (
	"testing"
)

// IMDS answers come over the network; a parsed answer always has usable domains.
func FuzzParseIMDSCompute(f *testing.F) {
	for _, s := range []string{
		`{"name":"kafka-3","platformFaultDomain":"1","platformUpdateDomain":"4","zone":""}`,
		`{"name":"kafka-3","platformFaultDomain":"1","platformUpdateDomain":"","zone":"2"}`,
		`{"platformFaultDomain":"-1","platformUpdateDomain":"0"}`,
		`{"platformFaultDomain":1}`,
		`[]`,
		`garbage`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseIMDSCompute(data)
		if err != nil {
			return
		}
		if d.FaultDomain < 0 || d.UpdateDomain < 0 {
			t.Fatalf("ParseIMDSCompute(%q) = %+v: negative domain accepted", data, d)
		}
	})
}

// What fdud stores in /brokers/domains/<id> reads back as the same domain.
func FuzzParseZKValue(f *testing.F) {
	for _, s := range []string{"FD0UD1", "fd2ud19", `{"fault_domain":1,"update_domain":2,"zone":"3"}`,
		`{"fault_domain":"1","update_domain":"2"}`, "FD-1UD0", "", "FD1", "FD99999999999999999999UD1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseZKValue(data)
		if err != nil {
			return
		}
		if d.FaultDomain < 0 || d.UpdateDomain < 0 {
			t.Fatalf("ParseZKValue(%q) = %+v: negative domain accepted", data, d)
		}
		again, err := ParseZKValue(FormatZKValue(d))
		if err != nil || again != d {
			t.Fatalf("round trip of %+v: %+v, %v", d, again, err)
		}
	})
}
