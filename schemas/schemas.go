// Package schemas holds the JSON Schemas of fdud's documents and validates
// input against them, so that a bad document is rejected with the entry and
// the rule it breaks before anything reads it.
package schemas

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Document names, each the file stem of a schema in this directory.
const (
	Reassignment   = "reassignment"
	TopicsToMove   = "topics-to-move"
	Domains        = "domains"
	GenerateReport = "generate-report"
	VerifyReport   = "verify-report"
)

//go:embed *.schema.json
var files embed.FS

// compiled is filled once; schemas are immutable, so sharing them is safe.
var compiled = sync.OnceValues(compileAll)

func compileAll() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	names, err := fs.Glob(files, "*.schema.json")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		data, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
		if err := c.AddResource(n, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(names))
	for _, n := range names {
		s, err := c.Compile(n)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
		out[strings.TrimSuffix(n, ".schema.json")] = s
	}
	return out, nil
}

// Source returns the text of the named schema.
func Source(name string) ([]byte, error) { return files.ReadFile(name + ".schema.json") }

// Names lists the schemas.
func Names() []string {
	all, _ := compiled()
	var ns []string
	for n := range all {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

// Error is a document that breaks its schema. Problems lists each broken rule
// as "location: rule", location being a JSON path such as partitions[3].replicas.
type Error struct {
	Document string
	Problems []string
}

func (e *Error) Error() string {
	const max = 5
	ps := e.Problems
	more := ""
	if len(ps) > max {
		more = fmt.Sprintf("; and %d more", len(ps)-max)
		ps = ps[:max]
	}
	return fmt.Sprintf("%s document does not match its schema: %s%s", e.Document, strings.Join(ps, "; "), more)
}

// Validate checks the JSON text doc against the named schema. Malformed JSON
// and schema violations both yield an error that names where the problem is.
func Validate(name string, doc []byte) error {
	all, err := compiled()
	if err != nil {
		return fmt.Errorf("load schemas: %w", err)
	}
	s, ok := all[name]
	if !ok {
		return fmt.Errorf("no schema named %q", name)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return &Error{Document: name, Problems: []string{"not valid JSON: " + err.Error()}}
	}
	err = s.Validate(inst)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return &Error{Document: name, Problems: leaves(ve, inst)}
	}
	return err
}

// leaves flattens a validation error tree to its most specific causes.
func leaves(ve *jsonschema.ValidationError, inst any) []string {
	printer := message.NewPrinter(language.English)
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, fmt.Sprintf("%s: %s", location(e.InstanceLocation, inst), rule(e.ErrorKind, printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return slices.Compact(out)
}

// rule says which rule a value breaks. Bounds are written as plain numbers:
// the library writes 9.99e10 as "9.99×10¹⁰", which nobody greps for.
func rule(k jsonschema.ErrorKind, printer *message.Printer) string {
	num := func(r *big.Rat) string {
		if r.IsInt() {
			return r.Num().String()
		}
		return r.FloatString(6)
	}
	switch k := k.(type) {
	case *kind.Maximum:
		return fmt.Sprintf("maximum: got %s, want %s", num(k.Got), num(k.Want))
	case *kind.Minimum:
		return fmt.Sprintf("minimum: got %s, want %s", num(k.Got), num(k.Want))
	}
	return k.LocalizedString(printer)
}

// location renders a JSON pointer as partitions[3].replicas[0], adding the
// topic-partition name of a reassignment entry where it can be found, since
// that is how an operator finds the entry in a large file.
func location(tokens []string, inst any) string {
	if len(tokens) == 0 {
		return "document"
	}
	var b strings.Builder
	cur := inst
	for i, t := range tokens {
		switch v := cur.(type) {
		case []any:
			b.WriteString("[" + t + "]")
			var idx int
			fmt.Sscan(t, &idx)
			if idx >= 0 && idx < len(v) {
				cur = v[idx]
				if m, ok := cur.(map[string]any); ok && i < len(tokens) {
					if topic, ok := m["topic"].(string); ok {
						if p, ok := m["partition"]; ok {
							fmt.Fprintf(&b, " (%s-%v)", topic, p)
						} else {
							fmt.Fprintf(&b, " (%s)", topic)
						}
					}
				}
			} else {
				cur = nil
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteString(".")
			}
			b.WriteString(t)
			cur = v[t]
		default:
			b.WriteString("/" + t)
			cur = nil
		}
	}
	return b.String()
}
