package generate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

func TestSizeConfigValidate(t *testing.T) {
	base := Config{Domains: "d.json", CurrentAssignment: "c.json"}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"log dirs ok", func(c *Config) { c.Sizes.LogDirsFile = "l.txt" }, ""},
		{"capacity and log dirs", func(c *Config) {
			c.Sizes.LogDirsFile, c.Sizes.Capacity = "l.txt", sizes.Capacity{All: 1 << 40}
		}, ""},
		{"capacity alone", func(c *Config) { c.Sizes.Capacity = sizes.Capacity{All: 1 << 40} }, "--broker-capacity needs replica sizes"},
		{"two stdins", func(c *Config) { c.CurrentAssignment, c.Sizes.LogDirsFile = "-", "-" }, "only one input can read stdin"},
		{"log dirs and live", func(c *Config) {
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
	cfg := Config{
		Domains:           filepath.Join("..", "examples", "at-risk", "domains.json"),
		CurrentAssignment: filepath.Join("..", "examples", "at-risk", "current.json"),
		Sizes:             SizeConfig{LogDirsFile: bad},
	}
	var out, errw bytes.Buffer
	err := Run(context.Background(), cfg, Env{Stdout: &out, Stderr: &errw})
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
	data, err := os.ReadFile(filepath.Join("..", "examples", "at-risk", "log-dirs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := readAssignment(filepath.Join("..", "examples", "at-risk", "current.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := SizeConfig{LogDirsFile: "-"}.usage(context.Background(), cur, bytes.NewReader(data))
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
