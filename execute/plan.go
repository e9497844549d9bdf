package execute

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// Problem is one thing wrong with one entry of a plan.
type Problem struct {
	Index  int // position in the plan's partitions; -1 for the plan as a whole
	TP     cluster.TopicPartition
	Reason string
}

func (p Problem) String() string {
	if p.Index < 0 {
		return p.Reason
	}
	return fmt.Sprintf("partitions[%d] (%s): %s", p.Index, p.TP, p.Reason)
}

// PlanError lists every problem found in a plan. Run returns it wrapped as
// an input error, before anything is changed.
type PlanError struct{ Problems []Problem }

func (e *PlanError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	if n == 1 {
		b.WriteString("the plan has a problem; nothing was changed:")
	} else {
		fmt.Fprintf(&b, "the plan has %d problems; nothing was changed:", n)
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

func planError(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return cluster.Invalid(&PlanError{Problems: ps})
}

// Plan is a plan as read and checked on its own (ParsePlan): what Run
// executes, and what the front ends pass on.
type Plan struct {
	Assignment cluster.Assignment
	// Doc is what goes on to the next stage: the bytes read when they are
	// plain JSON, else the JSON part of Kafka's tool output,
	// newline-terminated.
	Doc []byte
}

// EmptyPlanLine is the one line Run prints for an empty plan.
func EmptyPlanLine(m Mode) string {
	if m == ModeCancel {
		return "fdud execute: the plan has no partitions: nothing to cancel."
	}
	return "fdud execute: the plan has no partitions (nothing needed moving): nothing to do."
}

// ReadPlan reads the plan from file (in when file is "" or "-") and parses
// it with ParsePlan, so that a malformed plan is refused (as an input error)
// before any connection is made.
func ReadPlan(file string, in io.Reader) (Plan, error) {
	var data []byte
	var err error
	if file == "" || file == "-" {
		data, err = cluster.ReadAll(in, "the plan on stdin")
	} else {
		data, err = readFile(file)
	}
	if err != nil {
		return Plan{}, err
	}
	return ParsePlan(data)
}

func readFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, cluster.Invalidf("reassignment JSON file: %w", err)
	}
	defer f.Close()
	return cluster.ReadAll(f, file)
}

// ParsePlan decodes a plan (Kafka's reassignment JSON, or the output of
// Kafka's tool, whose proposed assignment is taken) and reports every entry
// that is malformed on its own: duplicates, log_dirs of the wrong length or
// form, replicas repeated. Errors are input errors.
func ParsePlan(data []byte) (Plan, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Plan{}, cluster.Invalidf("the plan is empty: want Kafka's reassignment JSON on stdin or in --reassignment-json-file")
	}
	doc := cluster.ExtractJSON(data, cluster.ProposedHeading)
	pass := data
	if trimmed[0] != '{' {
		pass = append(slices.Clone(doc), '\n')
	}
	a, err := cluster.DecodeReassignment(doc)
	if err != nil {
		return Plan{}, cluster.Invalid(fmt.Errorf("the plan is not valid reassignment JSON; nothing was changed: %w", err))
	}
	if err := planError(staticProblems(a)); err != nil {
		return Plan{}, err
	}
	return Plan{Assignment: a, Doc: pass}, nil
}

// staticProblems finds what is wrong with entries whatever the cluster.
func staticProblems(a cluster.Assignment) []Problem {
	var ps []Problem
	var seen map[cluster.TopicPartition]int // not needed when sorted, as plans usually are
	if !a.StrictlySorted() {
		seen = make(map[cluster.TopicPartition]int, len(a.Partitions))
	}
	for i, p := range a.Partitions {
		bad := func(format string, args ...any) {
			ps = append(ps, Problem{Index: i, TP: p.TP(), Reason: fmt.Sprintf(format, args...)})
		}
		if seen != nil {
			if j, dup := seen[p.TP()]; dup {
				bad("partition already listed at partitions[%d]", j)
			} else {
				seen[p.TP()] = i
			}
		}
		if len(p.Replicas) == 0 {
			bad("no replicas")
		}
		for k, r := range p.Replicas {
			if r < 0 {
				bad("replica %d is not a broker id", r)
			}
			if slices.Index(p.Replicas, r) != k {
				bad("broker %d listed twice in replicas %v", r, p.Replicas)
			}
		}
		if p.LogDirs != nil && len(p.LogDirs) != len(p.Replicas) {
			bad("log_dirs has %d entries for %d replicas", len(p.LogDirs), len(p.Replicas))
		}
		for _, d := range p.LogDirs {
			if d != cluster.AnyLogDir && (!strings.HasPrefix(d, "/") || path.Clean(d) != d) {
				bad("log dir %q is neither \"any\" nor a clean absolute path", d)
			}
		}
	}
	return ps
}
