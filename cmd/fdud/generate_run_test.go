package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/generate/")

// TestGenerateGolden plans the bundled examples and compares the plan and the
// rollback with golden files in Kafka's JSON. Regenerate with -update after
// checking the new output by hand.
func TestGenerateGolden(t *testing.T) {
	tests := []struct {
		name    string
		example string
		opts    generate.Options
	}{
		{"at-risk", "at-risk", generate.Options{}},
		{"domain-changed", "domain-changed", generate.Options{BrokerIDs: []int32{3}}},
		{"domain-changed-all", "domain-changed", generate.Options{}},
		{"at-risk-exclude-6", "at-risk", generate.Options{ExcludeBrokers: []int32{6}, Force: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := generateConfig{
				Domains:           filepath.Join("..", "..", "examples", tc.example, "domains.json"),
				CurrentAssignment: filepath.Join("..", "..", "examples", tc.example, "current.json"),
				CurrentFile:       filepath.Join(dir, "rollback.json"),
				ReportFile:        filepath.Join(dir, "report.json"),
				Options:           tc.opts,
			}
			var out, errw bytes.Buffer
			if err := runGenerate(context.Background(), cfg, generateEnv{Stdout: &out, Stderr: &errw}); err != nil {
				t.Fatalf("runGenerate: %v\n%s", err, errw.String())
			}
			rollback, err := os.ReadFile(cfg.CurrentFile)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".plan.json", out.Bytes())
			golden(t, tc.name+".rollback.json", rollback)
			for name, doc := range map[string][]byte{schemas.Reassignment: out.Bytes(), "rollback": rollback} {
				if name == "rollback" {
					name = schemas.Reassignment
				}
				if err := schemas.Validate(name, doc); err != nil {
					t.Errorf("output breaks the %s schema: %v", name, err)
				}
			}
			report, err := os.ReadFile(cfg.ReportFile)
			if err != nil {
				t.Fatal(err)
			}
			if err := schemas.Validate(schemas.GenerateReport, report); err != nil {
				t.Errorf("report breaks its schema: %v\n%s", err, report)
			}
			for _, want := range []string{"partitions breaking", "replicas moved:", "preferred leader changes:", "FD0", "UD0"} {
				if !strings.Contains(errw.String(), want) {
					t.Errorf("summary lacks %q:\n%s", want, errw.String())
				}
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "generate", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/fdud -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:  %s\nwant: %s", name, got, want)
	}
}

func TestGenerateNothingToDo(t *testing.T) {
	dir := t.TempDir()
	doms := filepath.Join(dir, "d.json")
	cur := filepath.Join(dir, "c.json")
	os.WriteFile(doms, []byte(`{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":2,"fault_domain":1,"update_domain":1}]}`), 0o644)
	// Kafka's tool output, headings and all.
	os.WriteFile(cur, []byte("Current partition replica assignment\n{\"version\":1,\"partitions\":[{\"topic\":\"a\",\"partition\":0,\"replicas\":[1,2],\"log_dirs\":[\"any\",\"any\"]}]}\n\n"+
		"Proposed partition reassignment configuration\n{\"version\":1,\"partitions\":[{\"topic\":\"a\",\"partition\":0,\"replicas\":[2,1],\"log_dirs\":[\"any\",\"any\"]}]}\n"), 0o644)
	var out, errw bytes.Buffer
	err := runGenerate(context.Background(), generateConfig{Domains: doms, CurrentAssignment: cur}, generateEnv{Stdout: &out, Stderr: &errw})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != `{"version":1,"partitions":[]}`+"\n" {
		t.Fatalf("stdout %q, want the empty plan", out.String())
	}
}

func TestGenerateInfeasibleWritesNoPlan(t *testing.T) {
	dir := t.TempDir()
	doms := filepath.Join(dir, "d.json")
	cur := filepath.Join(dir, "c.json")
	os.WriteFile(doms, []byte(`{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":2,"fault_domain":1,"update_domain":0},
		{"id":3,"fault_domain":2,"update_domain":1},{"id":4,"fault_domain":2,"update_domain":2}]}`), 0o644)
	os.WriteFile(cur, []byte(`{"partitions":[{"topic":"a","partition":0,"replicas":[1,3,4]}]}`), 0o644)
	var out, errw bytes.Buffer
	report := filepath.Join(dir, "r.json")
	err := runGenerate(context.Background(), generateConfig{Domains: doms, CurrentAssignment: cur, ReportFile: report}, generateEnv{Stdout: &out, Stderr: &errw})
	if !errors.Is(err, cluster.ErrAtRisk) {
		t.Fatalf("err = %v, want ErrAtRisk", err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q, want nothing", out.String())
	}
	if !strings.Contains(errw.String(), "cannot place: a-0") {
		t.Errorf("summary does not list the partition:\n%s", errw.String())
	}
	data, _ := os.ReadFile(report)
	if err := schemas.Validate(schemas.GenerateReport, data); err != nil {
		t.Errorf("report: %v", err)
	}
}

func TestGenerateLive(t *testing.T) {
	dir := t.TempDir()
	doms := filepath.Join(dir, "d.json")
	os.WriteFile(doms, []byte(`{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":2,"fault_domain":0,"update_domain":1},
		{"id":3,"fault_domain":1,"update_domain":0},{"id":4,"fault_domain":1,"update_domain":1}]}`), 0o644)
	state := &cluster.State{
		Brokers: []cluster.Broker{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}, {ID: 5}},
		Partitions: []cluster.PartitionState{
			{Topic: "a", Partition: 0, Replicas: []int32{1, 2}, Leader: 1},
			// Being reassigned from [1,2] to [1,4]: metadata would show 3 replicas.
			{Topic: "a", Partition: 1, Replicas: []int32{1, 2}, Target: []int32{1, 4}, Leader: 1},
		},
	}
	var out, errw bytes.Buffer
	env := generateEnv{Stdout: &out, Stderr: &errw, ReadState: func(context.Context) (*cluster.State, error) { return state, nil }}
	if err := runGenerate(context.Background(), generateConfig{Domains: doms, Live: true}, env); err != nil {
		t.Fatalf("runGenerate: %v\n%s", err, errw.String())
	}
	plan, err := cluster.ParseAssignment(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Partitions) != 1 || plan.Partitions[0].TP().String() != "a-0" || len(plan.Partitions[0].Replicas) != 2 {
		t.Fatalf("plan %v: want only a-0 repaired, a-1 planned from its target [1,4] (valid, RF 2)", plan.Partitions)
	}
	for _, want := range []string{"planned from their in-flight targets: [a-1]", "brokers without a domain get no replicas: 5"} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, errw.String())
		}
	}
}

func TestGenerateConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  generateConfig
		want string
	}{
		{"no domains", generateConfig{CurrentAssignment: "c"}, "--domains is required"},
		{"no cluster", generateConfig{Domains: "d"}, "nothing to plan from"},
		{"both", generateConfig{Domains: "d", CurrentAssignment: "c", Live: true}, "not both"},
		{"two stdins", generateConfig{Domains: "-", CurrentAssignment: "-"}, "cannot both read stdin"},
		{"report to stdout", generateConfig{Domains: "d", CurrentAssignment: "c", ReportFile: "-"}, "--report needs a file name"},
		{"same file", generateConfig{Domains: "d", CurrentAssignment: "c", ReportFile: "x", CurrentFile: "x"}, "same file"},
		{"bad option", generateConfig{Domains: "d", CurrentAssignment: "c", Options: generate.Options{ReplicationFactor: -1}}, "replication factor must be positive"},
		{"duplicate broker", generateConfig{Domains: "d", CurrentAssignment: "c", Options: generate.Options{BrokerList: []int32{1, 1}}}, "broker-list: broker 1 is listed twice"},
		{"list and exclude", generateConfig{Domains: "d", CurrentAssignment: "c", Options: generate.Options{BrokerList: []int32{1}, ExcludeBrokers: []int32{1}}}, "both in the broker list and excluded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an input error containing %q", err, tc.want)
			}
		})
	}
}
