package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/fdud/fdud/execute"
	"github.com/fdud/fdud/internal/cluster"
)

// The one plan reader of both front ends: a plan is read at the edge and
// parsed once, by execute.ParsePlan (Kafka's reassignment JSON, or the text
// Kafka's tool prints, whose proposed assignment is taken), whichever stage
// it is for.

// readVerifyPlan reads verify's plan from file, or stdin. With --all a plan
// is optional: an empty stdin, or a terminal, means none.
func readVerifyPlan(file string, stdin io.Reader, all bool) (cluster.Assignment, error) {
	var data []byte
	var err error
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return cluster.Assignment{}, cluster.Invalid(err)
		}
		defer f.Close()
		data, err = cluster.ReadAll(f, file)
		if err != nil {
			return cluster.Assignment{}, err
		}
	} else {
		if all && isTerminal(stdin) {
			return cluster.Assignment{Version: 1}, nil
		}
		if data, err = cluster.ReadAll(planStdin(stdin), "plan from stdin"); err != nil {
			return cluster.Assignment{}, err
		}
	}
	if all && len(bytes.TrimSpace(data)) == 0 {
		return cluster.Assignment{Version: 1}, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cluster.Assignment{}, cluster.Invalidf("no plan: the input is empty")
	}
	p, err := execute.ParsePlan(data)
	return p.Assignment, err
}

// readExecutePlan reads execute's plan from file, or stdin ("" or "-"),
// which must not be a terminal (pipedStdin).
func readExecutePlan(file string, stdin io.Reader) (execute.Plan, error) {
	return execute.ReadPlan(file, planStdin(stdin))
}

// planStdin is stdin as execute and verify read a plan from it.
func planStdin(stdin io.Reader) io.Reader {
	return pipedStdin(stdin, "plan", "--reassignment-json-file")
}

// readKafkaPlan reads kafka-reassign-partitions' --reassignment-json-file.
// Kafka's tool refuses an empty plan, and so does fdud in its place.
func readKafkaPlan(file string) (execute.Plan, error) {
	p, err := execute.ReadPlan(file, nil)
	if err != nil {
		return execute.Plan{}, fmt.Errorf("%s: %w", file, err)
	}
	if len(p.Assignment.Partitions) == 0 {
		return execute.Plan{}, cluster.Invalidf("Partition reassignment list cannot be empty (%s)", file)
	}
	return p, nil
}
