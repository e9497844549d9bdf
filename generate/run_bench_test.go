package generate

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fdud/fdud/cluster"
)

// BenchmarkRun100k is the whole CLI run on a 100,000-partition file (RF 3,
// 300 brokers, Kafka's default placement): read and schema-validate the
// domains and assignment, plan, write the plan, rollback and summary.
// Target: under 2 s. The Parse sub-benchmark isolates reading and
// validating the assignment file.
func BenchmarkRun100k(b *testing.B) {
	in := kafkaDefault(newRand(1), 300, 3, 20, 1000, 100, 3)
	dir := b.TempDir()
	cur := filepath.Join(dir, "current.json")
	doms := filepath.Join(dir, "domains.json")
	writeTo(b, cur, func(w io.Writer) error { return cluster.WriteAssignment(w, in.Current) })
	var d cluster.Domains
	for _, id := range slices.Sorted(mapsKeys(in.Domains)) {
		x := in.Domains[id]
		d.Brokers = append(d.Brokers, cluster.BrokerDomain{ID: id, FaultDomain: x.FaultDomain, UpdateDomain: x.UpdateDomain})
	}
	writeTo(b, doms, func(w io.Writer) error { return cluster.WriteDomains(w, d) })
	data, _ := os.ReadFile(cur)
	b.Logf("assignment file: %d MB", len(data)>>20)

	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cluster.ParseAssignment(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("run", func(b *testing.B) {
		b.ReportAllocs()
		cfg := Config{Domains: doms, CurrentAssignment: cur, CurrentFile: filepath.Join(dir, "rollback.json"), Options: Options{Seed: 1}}
		for b.Loop() {
			if err := Run(context.Background(), cfg, Env{Stdout: io.Discard, Stderr: io.Discard}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func writeTo(b *testing.B, path string, write func(io.Writer) error) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := write(f); err != nil {
		b.Fatal(err)
	}
}
