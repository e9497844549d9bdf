package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// names lists dir, so that tests can see that no temporary file is left.
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	tests := []struct {
		name    string
		write   func(io.Writer) error
		want    string // the file's content afterwards
		wantErr string
	}{
		{"new file", func(w io.Writer) error { _, err := io.WriteString(w, "one\n"); return err }, "one\n", ""},
		{"replaces", func(w io.Writer) error { _, err := io.WriteString(w, "two\n"); return err }, "two\n", ""},
		{"large", func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Repeat("x", 1<<20))
			return err
		}, strings.Repeat("x", 1<<20), ""},
		{"failed write keeps the old file", func(w io.Writer) error {
			io.WriteString(w, "half")
			return errors.New("encoder broke")
		}, strings.Repeat("x", 1<<20), "encoder broke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(path, 0o644, tt.write)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("content %.20q..., want %.20q...", got, tt.want)
			}
			if n := names(t, dir); !slices.Equal(n, []string{"plan.json"}) {
				t.Errorf("directory holds %v, want only plan.json", n)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "x.json")
	if err := Write(missing, 0o644, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing directory: err = %v, want one naming %s", err, missing)
	}
	// A directory in the way: the rename fails and the temporary file goes.
	taken := filepath.Join(dir, "taken")
	if err := os.MkdirAll(filepath.Join(taken, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(taken, 0o644, func(io.Writer) error { return nil }); err == nil {
		t.Error("rename over a non-empty directory succeeded")
	}
	if n := names(t, dir); !slices.Equal(n, []string{"taken"}) {
		t.Errorf("directory holds %v, want only taken", n)
	}
}

func TestPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "record.json")
	if err := Write(path, 0o600, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	f, err := Create(filepath.Join(dir, "m.prom"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if err := f.Chmod(0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, "m.prom")); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", st.Mode().Perm(), err)
	}
}

// Concurrent writers of one path each get their own temporary file; the
// survivor is one whole write, never a mix.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.Repeat(fmt.Sprint(i), 100<<10)
			if err := Write(path, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, body); return err }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100<<10 || strings.Count(string(got), string(got[:1])) != len(got) {
		t.Errorf("file is not one whole write (%d bytes)", len(got))
	}
	if n := names(t, dir); !slices.Equal(n, []string{"report.json"}) {
		t.Errorf("directory holds %v", n)
	}
}

func TestCommitNew(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	commit := func(body string, paths ...string) (string, error) {
		f, err := Create(paths[0], 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Abort()
		io.WriteString(f, body)
		return f.CommitNew(paths...)
	}
	got, err := commit("new", a, b, c)
	if err != nil || got != b {
		t.Fatalf("CommitNew = %q, %v; want %q", got, err, b)
	}
	if data, _ := os.ReadFile(a); string(data) != "old" {
		t.Errorf("%s replaced: %q", a, data)
	}
	if data, _ := os.ReadFile(b); string(data) != "new" {
		t.Errorf("%s holds %q", b, data)
	}
	if _, err := commit("third", a, b); !errors.Is(err, fs.ErrExist) {
		t.Errorf("all taken: err = %v, want fs.ErrExist", err)
	}
	if n := names(t, dir); !slices.Equal(n, []string{"a.json", "b.json"}) {
		t.Errorf("directory holds %v", n)
	}
}

func TestCommitTwice(t *testing.T) {
	f, err := Create(filepath.Join(t.TempDir(), "x"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // a no-op after Commit
	if err := f.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
}
