package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// One plan reader for every stage and both front ends: given the text
// Kafka's --generate prints, verify (like execute and compat) takes the
// proposed plan. fdud verify used to take the current assignment from it.
func TestPlanReadersTakeTheProposedPlan(t *testing.T) {
	text := cluster.CurrentHeading + "\n" + `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2]}]}` + "\n\n" +
		cluster.ProposedHeading + "\n" + `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,4]}]}` + "\n"
	file := writeTemp(t, "kafka-generate.txt", text)
	readers := map[string]func() (cluster.Assignment, error){
		"fdud verify (file)":  func() (cluster.Assignment, error) { return readVerifyPlan(file, nil, false) },
		"fdud verify (stdin)": func() (cluster.Assignment, error) { return readVerifyPlan("", strings.NewReader(text), false) },
		"kafka-reassign-partitions": func() (cluster.Assignment, error) {
			p, err := readKafkaPlan(file)
			return p.Assignment, err
		},
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			a, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Partitions) != 1 || !slices.Equal(a.Partitions[0].Replicas, []int32{3, 4}) {
				t.Errorf("plan %v, want orders-0 on [3 4] (the proposed one)", a.Partitions)
			}
		})
	}
}

func TestReadKafkaPlanRefusesAnEmptyPlan(t *testing.T) {
	_, err := readKafkaPlan(writeTemp(t, "empty.json", `{"version":1,"partitions":[]}`))
	if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "Partition reassignment list cannot be empty") {
		t.Errorf("err = %v", err)
	}
}

// A pipe is read, from "" and "-" alike (a terminal is refused: see
// TestStdinReadersRefuseATerminal).
func TestReadExecutePlanFromStdin(t *testing.T) {
	for _, file := range []string{"", "-"} {
		p, err := readExecutePlan(file, strings.NewReader(`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}`))
		if err != nil || len(p.Assignment.Partitions) != 1 {
			t.Errorf("file %q: plan %v, err %v", file, p.Assignment.Partitions, err)
		}
	}
}
