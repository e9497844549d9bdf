package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/schemas"
)

// The fast reassignment decoder must accept exactly the documents the schema
// accepts, and decode them as the validator reads them. These tests compare
// it with the schema validator and with a reference decode of the generic
// tree the validator works on.

// TestReassignmentSchemaPinned fails when schemas/reassignment.schema.json
// changes its rules: decodeReassignment implements them in Go and must be
// changed with it (then update want here).
func TestReassignmentSchemaPinned(t *testing.T) {
	pinSchemaRules(t, schemas.Reassignment, "decodeReassignment (decode.go)", `{
  "type": "object",
  "required": ["partitions"],
  "properties": {
    "version": {"const": 1},
    "partitions": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["topic", "partition", "replicas"],
        "properties": {
          "topic": {"type": "string", "minLength": 1, "maxLength": 249, "pattern": "^[a-zA-Z0-9._-]+$"},
          "partition": {"type": "integer", "minimum": 0, "maximum": 2147483647},
          "replicas": {
            "type": "array", "minItems": 1, "uniqueItems": true,
            "items": {"type": "integer", "minimum": 0, "maximum": 2147483647}
          },
          "log_dirs": {
            "type": "array",
            "items": {"type": "string", "anyOf": [{"const": "any"}, {"pattern": "^/"}]}
          }
        }
      }
    }
  }
}`)
}

// pinSchemaRules fails when the rules of schema name are no longer want:
// decoder implements them in Go and must change with them.
func pinSchemaRules(t *testing.T, name, decoder, want string) {
	t.Helper()
	src, err := schemas.Source(name)
	if err != nil {
		t.Fatal(err)
	}
	var got, w map[string]any
	if err := json.Unmarshal(src, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if g := rules(got); !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", "  ")
		t.Fatalf("the rules of schema %s changed; change %s to match, then this test.\nschema now:\n%s", name, decoder, gj)
	}
}

// rules drops the annotations of a schema, keeping what validates.
func rules(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			switch k {
			case "$schema", "$id", "title", "description", "examples", "$comment":
				continue
			}
			out[k] = rules(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = rules(x)
		}
		return out
	}
	return v
}

func TestDecodeReassignmentCases(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		valid     bool
	}{
		{"kafka plan", `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,5],"log_dirs":["any","/data/1","any"]}]}`, true},
		{"no version", `{"partitions":[]}`, true},
		{"version 1.0 is 1", `{"version":1.0,"partitions":[]}`, true},
		{"version 10e-1 is 1", `{"version":10e-1,"partitions":[]}`, true},
		{"version 2", `{"version":2,"partitions":[]}`, false},
		{"version as string", `{"version":"1","partitions":[]}`, false},
		{"partition 1e2 is an integer", `{"partitions":[{"topic":"t","partition":1e2,"replicas":[1]}]}`, true},
		{"partition 1.5", `{"partitions":[{"topic":"t","partition":1.5,"replicas":[1]}]}`, false},
		{"partition -0", `{"partitions":[{"topic":"t","partition":-0,"replicas":[1]}]}`, true},
		{"partition at maximum", `{"partitions":[{"topic":"t","partition":2147483647,"replicas":[1]}]}`, true},
		{"partition over maximum", `{"partitions":[{"topic":"t","partition":2147483648,"replicas":[1]}]}`, false},
		{"replicas 1 and 1.0 are equal", `{"partitions":[{"topic":"t","partition":0,"replicas":[1,1.0]}]}`, false},
		{"no replicas", `{"partitions":[{"topic":"t","partition":0,"replicas":[]}]}`, false},
		{"escaped topic", `{"partitions":[{"topic":"\u006frders","partition":0,"replicas":[1]}]}`, true},
		{"escaped key", `{"p\u0061rtitions":[{"topic":"t","partition":0,"replicas":[1]}]}`, true},
		{"escaped log dir", `{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["\/d"]}]}`, true},
		{"relative log dir", `{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["d"]}]}`, false},
		{"unknown members", `{"x":{"y":[1,true,null,"z"]},"partitions":[{"topic":"t","partition":0,"replicas":[1],"w":-1.5e3}]}`, true},
		{"last duplicate member wins", `{"partitions":[{"topic":"t"}],"partitions":[]}`, true},
		{"last duplicate member wins, invalid", `{"partitions":[],"partitions":3}`, false},
		{"topic key is case-sensitive", `{"partitions":[{"Topic":"t","partition":0,"replicas":[1]}]}`, false},
		{"249 characters", `{"partitions":[{"topic":"` + strings.Repeat("a", 249) + `","partition":0,"replicas":[1]}]}`, true},
		{"250 characters", `{"partitions":[{"topic":"` + strings.Repeat("a", 250) + `","partition":0,"replicas":[1]}]}`, false},
		{"trailing garbage", `{"partitions":[]} x`, false},
		{"trailing comma", `{"partitions":[],}`, false},
		{"leading zero", `{"partitions":[{"topic":"t","partition":01,"replicas":[1]}]}`, false},
		{"not an object", `[]`, false},
		{"empty", ``, false},
		{"control character in a string", "{\"partitions\":[],\"x\":\"\x01\"}", false},
		{"invalid UTF-8 elsewhere", "{\"partitions\":[],\"x\":\"\xff\"}", true},
		{"deep unknown value", `{"partitions":[],"x":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`, true},
		{"too deep", `{"partitions":[],"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkAgainstSchema(t, []byte(tc.doc))
			if _, ok := decodeReassignment([]byte(tc.doc)); ok != tc.valid {
				t.Fatalf("fast path accepts = %v, want %v", ok, tc.valid)
			}
		})
	}
}

// TestDecodeReassignmentProperty runs the comparison on many generated
// documents, valid ones and ones that break a rule or the JSON syntax.
func TestDecodeReassignmentProperty(t *testing.T) {
	checkGenerated(t, 4000, 500, rand.New(rand.NewPCG(7, 7)), genReassignment, checkAgainstSchema)
}

// checkGenerated runs check on n documents from gen (short under -short),
// an eighth of them mutated to break a rule or the JSON syntax, and fails
// when fewer than a fifth or more than four fifths are valid: the
// generator must exercise both sides.
func checkGenerated(t *testing.T, n, short int, rng *rand.Rand, gen func(*rand.Rand) []byte, check func(*testing.T, []byte) bool) {
	t.Helper()
	if testing.Short() {
		n = short
	}
	accepted := 0
	for i := range n {
		doc := gen(rng)
		if rng.IntN(8) == 0 {
			doc = mutate(rng, doc)
		}
		if check(t, doc) {
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

func FuzzDecodeReassignmentMatchesSchema(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		f.Add(genReassignment(rng))
	}
	f.Add([]byte(`{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,5],"log_dirs":["any","any","any"]}]}`))
	f.Add([]byte(`{"partitions":[{"topic":"a","partition":1e0,"replicas":[1,1.0]}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkAgainstSchema(t, doc)
	})
}

// checkAgainstSchema checks that the fast path accepts doc exactly when the
// schema does, and then decodes what the validator reads. It returns whether
// doc is valid.
func checkAgainstSchema(t *testing.T, doc []byte) bool {
	t.Helper()
	schemaErr := schemas.Validate(schemas.Reassignment, doc)
	got, ok := decodeReassignment(doc)
	if ok != (schemaErr == nil) {
		t.Errorf("fast path accepts = %v, schema error = %v", ok, schemaErr)
		return false
	}
	if !ok {
		_, err := DecodeReassignment(doc)
		var got, want *schemas.Error
		if !errors.As(err, &got) || !errors.As(schemaErr, &want) {
			if err == nil || errors.As(err, &got) != errors.As(schemaErr, &want) {
				t.Errorf("DecodeReassignment error %v, the validator's %v", err, schemaErr)
			}
			return false
		}
		// The same problems; the validator's order within an entry varies.
		g, w := slices.Sorted(slices.Values(got.Problems)), slices.Sorted(slices.Values(want.Problems))
		if !slices.Equal(g, w) {
			t.Errorf("DecodeReassignment explains\n%q\nthe validator\n%q", g, w)
		}
		return false
	}
	want := referenceDecode(t, doc)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fast decode differs from the validator's reading:\n got %+v\nwant %+v", got, want)
	}
	return true
}

// referenceDecode reads a valid document the way the validator does: as a
// generic tree (numbers exact), the last of repeated members winning.
func referenceDecode(t *testing.T, doc []byte) Assignment {
	t.Helper()
	v := genericTree(t, doc)
	num := func(x any) int32 { return int32(exactInt(t, x)) }
	a := Assignment{Version: 1, Partitions: []PartitionAssignment{}}
	for _, e := range v["partitions"].([]any) {
		m := e.(map[string]any)
		p := PartitionAssignment{Topic: m["topic"].(string), Partition: num(m["partition"])}
		for _, r := range m["replicas"].([]any) {
			p.Replicas = append(p.Replicas, num(r))
		}
		if ds, ok := m["log_dirs"].([]any); ok {
			p.LogDirs = []string{}
			for _, d := range ds {
				p.LogDirs = append(p.LogDirs, d.(string))
			}
		}
		a.Partitions = append(a.Partitions, p)
	}
	return a
}

// genericTree reads a valid document as the validator does: a generic
// tree, numbers exact, the last of repeated members winning.
func genericTree(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("reference decode: %v", err)
	}
	return v
}

// exactInt is the integer a json.Number of genericTree spells (1e2, 1.0).
func exactInt(t *testing.T, x any) int64 {
	t.Helper()
	r, ok := new(big.Rat).SetString(string(x.(json.Number)))
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		t.Fatalf("reference decode: %v is not an integer", x)
	}
	return r.Num().Int64()
}

// genReassignment writes a random reassignment document, mostly valid, with
// the corners of the schema and of JSON: number spellings, escapes, unknown
// and repeated members, white space, wrong types.
func genReassignment(rng *rand.Rand) []byte {
	// Tidy documents are written as fdud writes them (the decoder's fast
	// lane), corners included.
	g := &docGen{rng: rng, tidy: rng.IntN(2) == 0}
	g.object(func() {
		if g.p(0.5) {
			g.member("version", g.pick(`1`, `1`, `1.0`, `1e0`, `0.1E1`, `2`, `"1"`, `null`, `-1`))
		}
		if g.p(0.05) {
			g.member("partitions", g.pick(`{}`, `null`, `[1]`, `[[]]`))
		}
		if g.p(0.97) {
			g.key("partitions")
			g.array(g.rng.IntN(5), func(int) { g.entry() })
		}
		if g.p(0.2) {
			g.member(g.pick("extra", "Partitions", "version_"), g.anyValue(3))
		}
	})
	return g.b.Bytes()
}

type docGen struct {
	tidy  bool
	rng   *rand.Rand
	b     bytes.Buffer
	comma []bool
}

func (g *docGen) p(x float64) bool { return g.rng.Float64() < x }

func (g *docGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *docGen) ws() {
	if !g.tidy && g.p(0.1) {
		g.b.WriteString(g.pick(" ", "\n", "\t", "\r\n  "))
	}
}

func (g *docGen) sep() {
	top := len(g.comma) - 1
	if g.comma[top] {
		g.b.WriteByte(',')
	}
	g.comma[top] = true
	g.ws()
}

func (g *docGen) object(body func()) {
	g.ws()
	g.b.WriteByte('{')
	g.comma = append(g.comma, false)
	body()
	g.comma = g.comma[:len(g.comma)-1]
	g.ws()
	g.b.WriteByte('}')
}

func (g *docGen) array(n int, elem func(int)) {
	g.ws()
	g.b.WriteByte('[')
	g.comma = append(g.comma, false)
	for i := range n {
		g.sep()
		elem(i)
	}
	g.comma = g.comma[:len(g.comma)-1]
	g.ws()
	g.b.WriteByte(']')
}

func (g *docGen) key(k string) {
	g.sep()
	if g.p(0.05) && k != "" {
		// Escape the first character.
		k = fmt.Sprintf(`\u%04x`, k[0]) + k[1:]
	}
	g.b.WriteString(`"` + k + `"`)
	g.ws()
	g.b.WriteByte(':')
	g.ws()
}

func (g *docGen) member(k, raw string) {
	g.key(k)
	g.b.WriteString(raw)
}

func (g *docGen) entry() {
	if g.p(0.03) {
		g.b.WriteString(g.pick(`1`, `"t"`, `null`, `[]`))
		return
	}
	g.object(func() {
		keys := []string{"topic", "partition", "replicas", "log_dirs"}
		if !g.tidy || g.p(0.1) {
			g.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		}
		reps := 1 + g.rng.IntN(4)
		for _, k := range keys {
			if g.p(0.02) {
				continue // a required member missing, or no log_dirs
			}
			if g.p(0.02) {
				g.member(k, g.anyValue(2)) // repeated: the later one counts
			}
			switch k {
			case "topic":
				g.member(k, g.topicValue())
			case "partition":
				g.member(k, g.idValue())
			case "replicas":
				n := reps
				if g.p(0.02) {
					n = 0
				}
				g.key(k)
				ids := g.rng.Perm(6)
				if g.p(0.03) {
					ids[1] = ids[0]
				}
				g.array(n, func(i int) {
					if g.p(0.04) {
						g.b.WriteString(g.idValue())
						return
					}
					g.b.WriteString(g.spellInt(ids[i]))
				})
			case "log_dirs":
				if g.p(0.4) {
					continue
				}
				n := reps
				if g.p(0.05) {
					n = g.rng.IntN(5)
				}
				g.key(k)
				g.array(n, func(int) {
					g.b.WriteString(g.pick(`"any"`, `"any"`, `"/data/1"`, `"\/x"`, `"\u0061ny"`, `"data"`, `""`, `"ANY"`, `1`, `"/d\u00e9"`))
				})
			}
		}
		if g.p(0.05) {
			g.member(g.pick("Topic", "x", "log_dir", "topic "), g.anyValue(2))
		}
	})
}

func (g *docGen) topicValue() string {
	switch g.rng.IntN(20) {
	case 0:
		return `""`
	case 1:
		return `"` + strings.Repeat("x", 249) + `"`
	case 2:
		return `"` + strings.Repeat("y", 250) + `"`
	case 3:
		return g.pick(`"a b"`, `"a/b"`, `"é"`, `"\u0041"`, `"t\u00e9"`, `1`, `null`, `"a\tb"`)
	}
	return `"` + g.pick("orders", "a.b_c-D9", "t", "__consumer_offsets") + `"`
}

func (g *docGen) idValue() string {
	if g.p(0.85) {
		return g.spellInt(g.rng.IntN(50))
	}
	return g.pick(`-1`, `-0`, `1.5`, `2147483647`, `2147483648`, `21474836470`, `1e10`, `"3"`, `null`, `true`,
		`0.0`, `-0.0e5`, `4.2e1`, `42e-1`, `00`, `1.`, `+1`)
}

// spellInt writes n in one of the forms JSON allows for an integer.
func (g *docGen) spellInt(n int) string {
	if g.tidy && g.p(0.8) {
		return fmt.Sprint(n)
	}
	switch g.rng.IntN(12) {
	case 0:
		return fmt.Sprintf("%d.0", n)
	case 1:
		return fmt.Sprintf("%de0", n)
	case 2:
		return fmt.Sprintf("%d0E-1", n)
	case 3:
		return fmt.Sprintf("%d.000e+00", n)
	}
	return fmt.Sprint(n)
}

func (g *docGen) anyValue(depth int) string {
	n := g.rng.IntN(7)
	if depth == 0 {
		n %= 4
	}
	switch n {
	case 0:
		return g.pick(`1`, `-2.5e-3`, `0`, `1E400`)
	case 1:
		return g.pick(`"s"`, `""`, `"\n\"\\"`, `"\ud800"`)
	case 2:
		return g.pick(`true`, `false`)
	case 3:
		return `null`
	case 4, 5:
		var parts []string
		for range g.rng.IntN(3) {
			parts = append(parts, g.anyValue(depth-1))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	var parts []string
	for i := range g.rng.IntN(3) {
		parts = append(parts, fmt.Sprintf(`"k%d":%s`, i, g.anyValue(depth-1)))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// mutate breaks or bends the syntax: a byte dropped, doubled or replaced.
func mutate(rng *rand.Rand, doc []byte) []byte {
	const chars = `,:{}[]"\ 0e-.`
	if len(doc) == 0 {
		return doc
	}
	i := rng.IntN(len(doc))
	out := bytes.Clone(doc[:i])
	switch rng.IntN(3) {
	case 0:
		return append(out, doc[i+1:]...)
	case 1:
		return append(append(out, doc[i], doc[i]), doc[i+1:]...)
	}
	return append(append(out, chars[rng.IntN(len(chars))]), doc[i+1:]...)
}

func TestFirstDuplicate(t *testing.T) {
	tp := func(topic string, p int32) PartitionAssignment {
		return PartitionAssignment{Topic: topic, Partition: p}
	}
	for _, tc := range []struct {
		name  string
		parts []PartitionAssignment
		i, j  int
	}{
		{"sorted", []PartitionAssignment{tp("a", 0), tp("a", 1), tp("b", 0)}, -1, -1},
		{"unsorted, distinct", []PartitionAssignment{tp("b", 0), tp("a", 1), tp("a", 0)}, -1, -1},
		{"sorted but for a repeat", []PartitionAssignment{tp("a", 0), tp("a", 1), tp("a", 1)}, 2, 1},
		{"unsorted repeat", []PartitionAssignment{tp("a", 1), tp("a", 0), tp("b", 0), tp("a", 1), tp("a", 0)}, 3, 0},
	} {
		a := Assignment{Partitions: tc.parts}
		if i, j := a.FirstDuplicate(); i != tc.i || j != tc.j {
			t.Errorf("%s: FirstDuplicate() = %d, %d, want %d, %d", tc.name, i, j, tc.i, tc.j)
		}
		if got, want := a.StrictlySorted(), tc.name == "sorted"; got != want {
			t.Errorf("%s: StrictlySorted() = %v", tc.name, got)
		}
	}
}

// A large plan with a few bad entries is explained entry by entry, with the
// validator's words for the whole document.
func TestDecodeReassignmentExplainsEntries(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version":1,"partitions":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteString(",")
		}
		switch i {
		case 7:
			b.WriteString(`{"topic":"orders","partition":7,"replicas":[2,2]}`)
		case 1500:
			b.WriteString(`{"topic":"orders","partition":-1,"replicas":[1],"log_dirs":["rel"]}`)
		case 1999:
			b.WriteString(`"orders-1999"`)
		default:
			fmt.Fprintf(&b, `{"topic":"orders","partition":%d,"replicas":[1,2,3]}`, i)
		}
	}
	b.WriteString("]}")
	doc := []byte(b.String())
	if _, ok, bad := decodeReassignmentDetail(doc); ok || len(bad) != 3 {
		t.Fatalf("ok %v, %d bad entries: want 3", ok, len(bad))
	}
	checkAgainstSchema(t, doc)
	_, err := DecodeReassignment(doc)
	for _, want := range []string{"partitions[7] (orders-7).replicas: items at 0 and 1 are equal",
		"partitions[1500] (orders--1).partition: minimum", "partitions[1500] (orders--1).log_dirs[0]", "partitions[1999]: got string, want object"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
