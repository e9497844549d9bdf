package cluster

import (
	"bytes"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/fdud/fdud/schemas"
)

// The fast domains decoder against the schema validator, as for plans
// (decode_test.go).

func TestDomainsSchemaPinned(t *testing.T) {
	src, err := schemas.Source(schemas.Domains)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(src, &got); err != nil {
		t.Fatal(err)
	}
	const want = `{
  "type": "object",
  "required": ["brokers"],
  "additionalProperties": false,
  "properties": {
    "version": {"const": 1},
    "brokers": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["id", "fault_domain", "update_domain"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "integer", "minimum": 0, "maximum": 2147483647},
          "fault_domain": {"type": "integer", "minimum": 0, "maximum": 1000},
          "update_domain": {"type": "integer", "minimum": 0, "maximum": 1000},
          "zone": {"type": "string"},
          "host": {"type": "string"}
        }
      }
    }
  }
}`
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if g := rules(got); !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", "  ")
		t.Fatalf("the domains schema's rules changed; change decodeDomains (decode_domains.go) to match, then this test.\nschema now:\n%s", gj)
	}
}

func TestDecodeDomainsCases(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		valid     bool
	}{
		{"fdud's", `{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":2,"zone":"","host":"wn0-kafka"}]}`, true},
		{"no version", `{"brokers":[]}`, true},
		{"version 1.0", `{"version":1.0,"brokers":[]}`, true},
		{"version 2", `{"version":2,"brokers":[]}`, false},
		{"unknown top-level member", `{"brokers":[],"x":1}`, false},
		{"unknown broker member", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":0,"rack":"r"}]}`, false},
		{"fault domain 1000", `{"brokers":[{"id":1,"fault_domain":1000,"update_domain":0}]}`, true},
		{"fault domain 1001", `{"brokers":[{"id":1,"fault_domain":1001,"update_domain":0}]}`, false},
		{"update domain 2e1", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":2e1}]}`, true},
		{"missing update domain", `{"brokers":[{"id":1,"fault_domain":0}]}`, false},
		{"zone not a string", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":0,"zone":1}]}`, false},
		{"escaped host", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":0,"host":"wn\u0030"}]}`, true},
		{"last repeat wins", `{"brokers":[{"id":-1}],"brokers":[]}`, true},
		{"not an object", `[]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkDomainsAgainstSchema(t, []byte(tc.doc))
			if _, ok := decodeDomains([]byte(tc.doc)); ok != tc.valid {
				t.Fatalf("fast path accepts = %v, want %v", ok, tc.valid)
			}
		})
	}
}

func TestDecodeDomainsProperty(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewPCG(9, 9))
	accepted := 0
	for i := range n {
		doc := genDomains(rng)
		if rng.IntN(8) == 0 {
			doc = mutate(rng, doc)
		}
		if checkDomainsAgainstSchema(t, doc) {
			accepted++
		}
		if t.Failed() {
			t.Fatalf("document %d:\n%s", i, doc)
		}
	}
	t.Logf("%d of %d documents valid", accepted, n)
	if accepted < n/5 || accepted > n*4/5 {
		t.Fatalf("%d of %d documents valid: the generator is lopsided", accepted, n)
	}
}

func FuzzDecodeDomainsMatchesSchema(f *testing.F) {
	rng := rand.New(rand.NewPCG(4, 4))
	for range 20 {
		f.Add(genDomains(rng))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkDomainsAgainstSchema(t, doc)
	})
}

func checkDomainsAgainstSchema(t *testing.T, doc []byte) bool {
	t.Helper()
	schemaErr := schemas.Validate(schemas.Domains, doc)
	got, ok := decodeDomains(doc)
	if ok != (schemaErr == nil) {
		t.Errorf("fast path accepts = %v, schema error = %v", ok, schemaErr)
		return false
	}
	if !ok {
		if _, err := DecodeDomains(doc); err == nil {
			t.Errorf("DecodeDomains accepts what the schema rejects")
		}
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("reference decode: %v", err)
	}
	num := func(x any) int64 {
		r, _ := new(big.Rat).SetString(string(x.(json.Number)))
		return r.Num().Int64()
	}
	want := Domains{Version: 1, Brokers: []BrokerDomain{}}
	for _, e := range v["brokers"].([]any) {
		m := e.(map[string]any)
		b := BrokerDomain{ID: int32(num(m["id"])), FaultDomain: int(num(m["fault_domain"])), UpdateDomain: int(num(m["update_domain"]))}
		b.Zone, _ = m["zone"].(string)
		b.Host, _ = m["host"].(string)
		want.Brokers = append(want.Brokers, b)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fast decode differs from the validator's reading:\n got %+v\nwant %+v", got, want)
	}
	return true
}

// genDomains writes a random domains document, mostly valid.
func genDomains(rng *rand.Rand) []byte {
	g := &docGen{rng: rng, tidy: rng.IntN(2) == 0}
	g.object(func() {
		if g.p(0.5) {
			g.member("version", g.pick(`1`, `1`, `1.0`, `10e-1`, `2`, `"1"`))
		}
		if g.p(0.03) {
			g.member("extra", g.anyValue(2))
		}
		if g.p(0.97) {
			g.key("brokers")
			g.array(g.rng.IntN(5), func(int) {
				if g.p(0.02) {
					g.b.WriteString(g.pick(`1`, `[]`, `null`))
					return
				}
				g.object(func() {
					keys := []string{"id", "fault_domain", "update_domain", "zone", "host"}
					if !g.tidy {
						g.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
					}
					for _, k := range keys {
						if g.p(0.03) || (k == "zone" || k == "host") && g.p(0.5) {
							continue
						}
						if g.p(0.02) {
							g.member(k, g.anyValue(1))
						}
						switch k {
						case "id":
							g.member(k, g.idValue())
						case "fault_domain", "update_domain":
							v := g.spellInt(g.rng.IntN(4))
							if g.p(0.1) {
								v = g.pick(`1000`, `1001`, `-1`, `0.5`, `"1"`)
							}
							g.member(k, v)
						default:
							v := g.pick(`""`, `"1"`, `"wn0-kafka"`, `"\u00e9\n"`, `"\ud800"`)
							if g.p(0.1) {
								v = g.pick(`null`, `1`)
							}
							g.member(k, v)
						}
					}
					if g.p(0.03) {
						g.member(g.pick("ID", "rack", "fd"), g.anyValue(1))
					}
				})
			})
		}
	})
	return g.b.Bytes()
}
