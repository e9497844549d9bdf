package execute

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/fdud/fdud/internal/atomicfile"
	"github.com/fdud/fdud/internal/cluster"
)

// rollbackPlan is the current assignment of every partition the run will
// touch, in Kafka's format: submitting it undoes the run.
func rollbackPlan(items []Item) cluster.Assignment {
	a := cluster.Assignment{Version: 1}
	for _, it := range items {
		switch it.Status {
		case Pending, InFlight, LogDirs:
			a.Partitions = append(a.Partitions, cluster.PartitionAssignment{
				Topic: it.Plan.Topic, Partition: it.Plan.Partition, Replicas: it.Current})
		}
	}
	a.Sort()
	return a
}

// writeRollback writes the rollback plan and returns the path used. It never
// overwrites a file: a rollback file left by an earlier, interrupted run
// holds the state before any of the plan ran, which is the one to keep. The
// file appears complete or not at all.
func writeRollback(file, dir string, now time.Time, a cluster.Assignment) (path string, kept string, err error) {
	stamp := now.UTC().Format("20060102T150405")
	candidates := []string{file}
	if file == "" {
		base := filepath.Join(dir, "fdud-rollback-"+stamp)
		candidates = []string{base + ".json"}
		for i := 1; i < 100; i++ {
			candidates = append(candidates, fmt.Sprintf("%s-%d.json", base, i))
		}
	} else {
		for i := 0; i < 100; i++ {
			s := file + "." + stamp
			if i > 0 {
				s += fmt.Sprintf("-%d", i)
			}
			candidates = append(candidates, s)
		}
	}
	f, err := atomicfile.Create(candidates[0], 0o644)
	if err != nil {
		return "", "", fmt.Errorf("write rollback plan: %w", err)
	}
	defer f.Abort()
	if err := cluster.WriteAssignment(f, a); err != nil {
		return "", "", fmt.Errorf("write rollback plan %s: %w", f.TempName(), err)
	}
	if err := f.Chmod(0o644); err != nil {
		return "", "", fmt.Errorf("write rollback plan %s: %w", f.TempName(), err)
	}
	path, err = f.CommitNew(candidates...)
	if errors.Is(err, fs.ErrExist) {
		return "", "", fmt.Errorf("write rollback plan: %s and its timestamped alternatives all exist", candidates[0])
	}
	if err != nil {
		return "", "", fmt.Errorf("write rollback plan %s: %w", candidates[0], err)
	}
	if path != candidates[0] && file != "" {
		kept = file
	}
	return path, kept, nil
}
