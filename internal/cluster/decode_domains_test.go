package cluster

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/fdud/fdud/schemas"
)

// The fast domains decoder against the schema validator, as for plans
// (decode_test.go).

func TestDomainsSchemaPinned(t *testing.T) {
	pinSchemaRules(t, schemas.Domains, "decodeDomains (decode_domains.go)", `{
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
}`)
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
	checkGenerated(t, 3000, 300, rand.New(rand.NewPCG(9, 9)), genDomains, checkDomainsAgainstSchema)
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
	v := genericTree(t, doc)
	num := func(x any) int64 { return exactInt(t, x) }
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
