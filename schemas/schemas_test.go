package schemas_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/schemas"
)

func TestEverySchemaCompiles(t *testing.T) {
	want := []string{schemas.Domains, schemas.GenerateReport, schemas.Reassignment, schemas.TopicsToMove, schemas.VerifyReport}
	got := schemas.Names()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, n := range want {
		if _, err := schemas.Source(n); err != nil {
			t.Errorf("Source(%s): %v", n, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name, schema, doc string
		problems          []string // substrings of the error; none means valid
	}{
		{name: "kafka plan", schema: schemas.Reassignment,
			doc: `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1,5],"log_dirs":["any","/data/1","any"]}]}`},
		{name: "plan without version or log dirs", schema: schemas.Reassignment,
			doc: `{"partitions":[{"topic":"a.b_c-d","partition":7,"replicas":[1]}]}`},
		{name: "empty plan", schema: schemas.Reassignment, doc: `{"version":1,"partitions":[]}`},
		{name: "version 2", schema: schemas.Reassignment, doc: `{"version":2,"partitions":[]}`,
			problems: []string{"version: value must be 1"}},
		{name: "duplicate replica names the entry", schema: schemas.Reassignment,
			doc:      `{"partitions":[{"topic":"a","partition":0,"replicas":[1,2]},{"topic":"orders","partition":1,"replicas":[2,2]}]}`,
			problems: []string{"partitions[1] (orders-1).replicas: items at 0 and 1 are equal"}},
		{name: "negative partition and relative log dir", schema: schemas.Reassignment,
			doc:      `{"partitions":[{"topic":"t","partition":-1,"replicas":[1],"log_dirs":["data"]}]}`,
			problems: []string{"partitions[0] (t--1).partition: minimum", "log_dirs[0]"}},
		{name: "bad topic name", schema: schemas.Reassignment,
			doc:      `{"partitions":[{"topic":"no spaces","partition":0,"replicas":[1]}]}`,
			problems: []string{"topic", "does not match pattern"}},
		{name: "missing replicas", schema: schemas.Reassignment,
			doc:      `{"partitions":[{"topic":"t","partition":0}]}`,
			problems: []string{"missing property 'replicas'"}},
		{name: "not JSON", schema: schemas.Reassignment, doc: `{"partitions":[`, problems: []string{"not valid JSON"}},
		{name: "topics to move", schema: schemas.TopicsToMove, doc: `{"version":1,"topics":[{"topic":"orders"}]}`},
		{name: "topics to move without topic", schema: schemas.TopicsToMove, doc: `{"topics":[{}]}`,
			problems: []string{"topics[0]: missing property 'topic'"}},
		{name: "domains", schema: schemas.Domains,
			doc: `{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":2,"zone":"","host":"wn0-kafka"}]}`},
		{name: "domains with a typo'd key", schema: schemas.Domains,
			doc:      `{"brokers":[{"id":1,"fault_domain":0,"updatedomain":2}]}`,
			problems: []string{"brokers[0]", "update_domain"}},
		{name: "negative fault domain", schema: schemas.Domains,
			doc:      `{"brokers":[{"id":1,"fault_domain":-1,"update_domain":0}]}`,
			problems: []string{"brokers[0].fault_domain: minimum"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := schemas.Validate(tc.schema, []byte(tc.doc))
			if len(tc.problems) == 0 {
				if err != nil {
					t.Fatalf("valid document rejected: %v", err)
				}
				return
			}
			var se *schemas.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *schemas.Error", err)
			}
			for _, p := range tc.problems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error lacks %q:\n%v", p, err)
				}
			}
		})
	}
}

func TestUnknownSchema(t *testing.T) {
	if err := schemas.Validate("nope", []byte(`{}`)); err == nil {
		t.Fatal("validated against a schema that does not exist")
	}
}

// The bundled examples are what new users feed fdud first.
func TestExamplesValidate(t *testing.T) {
	for pattern, schema := range map[string]string{
		"../examples/*/domains.json": schemas.Domains,
		"../examples/*/current.json": schemas.Reassignment,
	} {
		files, _ := filepath.Glob(pattern)
		if len(files) == 0 {
			t.Fatalf("no files match %s", pattern)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := schemas.Validate(schema, data); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}

func TestErrorListsAtMostFiveProblems(t *testing.T) {
	doc := `{"partitions":[` + strings.Repeat(`{"topic":"t","partition":-1,"replicas":[1]},`, 9) + `{"topic":"t","partition":-1,"replicas":[1]}]}`
	err := schemas.Validate(schemas.Reassignment, []byte(doc))
	if err == nil || !strings.Contains(err.Error(), "and 5 more") {
		t.Fatalf("err = %v, want the first five problems and a count of the rest", err)
	}
}

func BenchmarkValidate100kPlan(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"version":1,"partitions":[`)
	for i := range 100_000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"topic":"topic-`)
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString(`","partition":1,"replicas":[1,2,3],"log_dirs":["any","any","any"]}`)
	}
	sb.WriteString(`]}`)
	doc := []byte(sb.String())
	for b.Loop() {
		if err := schemas.Validate(schemas.Reassignment, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 9: a bound is written as a plain number, not "9.99×10¹⁰".
func TestBoundsArePlainNumbers(t *testing.T) {
	err := schemas.Validate(schemas.Reassignment, []byte(`{"version":1,"partitions":[{"topic":"a","partition":99900000000,"replicas":[-1]}]}`))
	for _, want := range []string{"partition: maximum: got 99900000000, want 2147483647", "replicas[0]: minimum: got -1, want 0"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if err != nil && strings.ContainsAny(err.Error(), "×⁰¹²³⁴⁵⁶⁷⁸⁹") {
		t.Errorf("error %v has scientific notation", err)
	}
}
