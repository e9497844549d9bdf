package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

func TestSizeConfigValidate(t *testing.T) {
	base := generateConfig{Domains: "d.json", CurrentAssignment: "c.json"}
	cases := []struct {
		name string
		edit func(*generateConfig)
		want string
	}{
		{"log dirs ok", func(c *generateConfig) { c.Sizes.LogDirsFile = "l.txt" }, ""},
		{"capacity and log dirs", func(c *generateConfig) {
			c.Sizes.LogDirsFile, c.Sizes.Capacity = "l.txt", sizes.Capacity{All: 1 << 40}
		}, ""},
		{"capacity alone", func(c *generateConfig) { c.Sizes.Capacity = sizes.Capacity{All: 1 << 40} }, "--broker-capacity needs replica sizes"},
		{"two stdins", func(c *generateConfig) { c.CurrentAssignment, c.Sizes.LogDirsFile = "-", "-" }, "only one input can read stdin"},
		{"log dirs and live", func(c *generateConfig) {
			c.CurrentAssignment, c.Live, c.Sizes.LogDirsFile = "", true, "l.txt"
		}, "drop --log-dirs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.edit(&cfg)
			err := cfg.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !cluster.IsInvalid(err) {
				t.Fatalf("err = %v, want an input error with %q", err, c.want)
			}
		})
	}
}

// TestRunBadLogDirs: a broken --log-dirs file is an input error naming the
// file and the entry, and no plan is written.
func TestRunBadLogDirs(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "log-dirs.txt")
	if err := os.WriteFile(bad, []byte("Received log directory information from brokers 1\n"+
		`{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/a","partitions":[{"partition":"orders-x","size":1}]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := generateConfig{
		Domains:           filepath.Join("..", "..", "examples", "at-risk", "domains.json"),
		CurrentAssignment: filepath.Join("..", "..", "examples", "at-risk", "current.json"),
		Sizes:             sizeConfig{LogDirsFile: bad},
	}
	var out, errw bytes.Buffer
	err := runGenerate(context.Background(), cfg, generateEnv{Stdout: &out, Stderr: &errw})
	if err == nil || !cluster.IsInvalid(err) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `"orders-x"`) {
		t.Fatalf("err = %v", err)
	}
	if out.Len() > 0 {
		t.Errorf("a plan was written: %s", out.String())
	}
}

// TestRunReadsLogDirs: the bundled example's log dirs give every partition
// in the plan a size.
func TestRunReadsLogDirs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "at-risk", "log-dirs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := readCurrentAssignment(filepath.Join("..", "..", "examples", "at-risk", "current.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	u, err := generateConfig{Sizes: sizeConfig{LogDirsFile: "-"}}.usage(context.Background(), cur, generateEnv{Stdin: bytes.NewReader(data)}, nil, &warnings)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"orders-0": 40 << 30, "orders-1": 25 << 30, "orders-2": 60 << 30}
	for _, p := range cur.Partitions {
		if got := u.Size(p.TP()); got != want[p.TP().String()] {
			t.Errorf("%s: %d, want %d", p.TP(), got, want[p.TP().String()])
		}
	}
	if u.Unsized != 0 || len(u.Capacity) != 0 {
		t.Errorf("unsized %d, capacity %v", u.Unsized, u.Capacity)
	}
}

// TestRunLiveSizes: with a live cluster, sizes come from ReadSizes, each
// partition sized by its leader's replica; a cluster that cannot report
// them gets a warning and a plan by replica counts, unless the options need
// sizes (--broker-capacity): then it is an error.
func TestRunLiveSizes(t *testing.T) {
	dir := t.TempDir()
	doms := filepath.Join(dir, "d.json")
	os.WriteFile(doms, []byte(`{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":2,"fault_domain":0,"update_domain":1},
		{"id":3,"fault_domain":1,"update_domain":0},{"id":4,"fault_domain":1,"update_domain":1}]}`), 0o644)
	state := &cluster.State{
		Brokers:    []cluster.Broker{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}},
		Partitions: []cluster.PartitionState{{Topic: "a", Partition: 0, Replicas: []int32{1, 2}, ISR: []int32{1, 2}, Leader: 2}},
	}
	var l sizes.LogDirs
	for _, b := range []int32{1, 2, 3, 4} {
		l.Add(sizes.Dir{Broker: b, Path: "/d", TotalBytes: 100 << 30, UsableBytes: 60 << 30})
	}
	l.AddReplica(cluster.TopicPartition{Topic: "a", Partition: 0}, sizes.Replica{Broker: 1, Dir: "/d", Size: 3 << 30})
	l.AddReplica(cluster.TopicPartition{Topic: "a", Partition: 0}, sizes.Replica{Broker: 2, Dir: "/d", Size: 5 << 30})
	readState := func(context.Context) (*cluster.State, error) { return state, nil }
	cases := []struct {
		name    string
		read    func(context.Context, []int32) (sizes.LogDirs, error)
		cfg     func(*generateConfig)
		wantErr string
		stderr  string
	}{
		{"sizes", func(context.Context, []int32) (sizes.LogDirs, error) { return l, nil }, nil, "",
			"bytes to move: 5.0 GiB (5368709120 bytes)"},
		{"no sizes flag", func(context.Context, []int32) (sizes.LogDirs, error) { panic("asked") },
			func(c *generateConfig) { c.Sizes.NoSizes = true }, "", "replicas moved: 1"},
		{"kafka 0.9", func(context.Context, []int32) (sizes.LogDirs, error) {
			return sizes.LogDirs{}, errors.New("the cluster cannot report replica sizes: Kafka 0.9")
		}, nil, "", "warning: no replica sizes: the cluster cannot report replica sizes: Kafka 0.9; the plan counts replicas only"},
		{"kafka 0.9 with capacity", func(context.Context, []int32) (sizes.LogDirs, error) {
			return sizes.LogDirs{}, errors.New("the cluster cannot report replica sizes: Kafka 0.9")
		}, func(c *generateConfig) { c.Sizes.Capacity = sizes.Capacity{All: 1 << 40} }, "replica sizes are needed", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := generateConfig{Domains: doms, Live: true}
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			var out, errw bytes.Buffer
			err := runGenerate(context.Background(), cfg, generateEnv{Stdout: &out, Stderr: &errw, ReadState: readState, ReadSizes: c.read})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, errw.String())
			}
			if !strings.Contains(errw.String(), c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, errw.String())
			}
		})
	}
}
