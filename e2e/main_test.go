// Package e2e runs the fdud binary, as users run it, against real Kafka 0.9.0.1
// brokers and ZooKeeper started by the test (internal/testenv), through the
// ZooKeeper path. It holds tests only.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fdudBin is the binary built once for all tests.
var fdudBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fdud-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fdudBin = filepath.Join(dir, "fdud")
	build := exec.Command("go", "build", "-o", fdudBin, "github.com/fdud/fdud/cmd/fdud")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build fdud:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run is one finished fdud invocation.
type run struct {
	code        int
	stdout      string
	stderr      string
	args        []string
	elapsedSecs float64
}

func (r run) String() string {
	return fmt.Sprintf("fdud %s: exit %d\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stderr)
}

// env is the environment fdud runs with: its own state directory, so tests
// never touch the user's.
type env struct {
	dir string // working directory (rollback files land here)
}

func newEnv(t *testing.T) env {
	return env{dir: t.TempDir()}
}

func (e env) command(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, fdudBin, args...)
	cmd.Dir = e.dir
	// The operator's own FDUD_* settings (FDUD_ZOOKEEPER, FDUD_THROTTLE,
	// ...) would change what every command does, or which cluster it
	// reaches: only the flags given here count.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "FDUD_") })
	cmd.Env = append(cmd.Env, "XDG_STATE_HOME="+filepath.Join(e.dir, "state"), "FDUD_LOG_LEVEL=info")
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// fdud runs the binary to completion, within 5 minutes.
func (e env) fdud(t *testing.T, stdin string, args ...string) run {
	t.Helper()
	return e.fdudWithin(t, 5*time.Minute, stdin, args...)
}

// fdudWithin runs the binary to completion, bounded by timeout (verify
// --wait may take longer on a real cluster).
func (e env) fdudWithin(t *testing.T, timeout time.Duration, stdin string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := e.command(ctx, stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := run{stdout: out.String(), stderr: errb.String(), args: args, elapsedSecs: time.Since(start).Seconds()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("run fdud %v: %v", args, err)
	}
	t.Logf("fdud %s: exit %d in %.1fs", strings.Join(args, " "), r.code, r.elapsedSecs)
	return r
}

// background is an fdud run started by startUntil that is still running.
type background struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr strings.Builder // what the test has read so far
}

// startUntil starts fdud and returns once a line of its stderr starts with
// prefix (or stderr ends): the point a test interrupts or kills it at.
func (e env) startUntil(ctx context.Context, t *testing.T, stdin, prefix string, args ...string) *background {
	t.Helper()
	b := &background{cmd: e.command(ctx, stdin, args...), lines: make(chan string, 1000)}
	pipe, err := b.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			b.lines <- sc.Text()
		}
		close(b.lines)
	}()
	for l := range b.lines {
		b.stderr.WriteString(l + "\n")
		if strings.HasPrefix(l, prefix) {
			break
		}
	}
	return b
}

// finish reads the rest of stderr until the run ends (by itself, or after
// a signal the test sent), waits for it, and returns all of its stderr.
func (b *background) finish() (string, error) {
	for l := range b.lines {
		b.stderr.WriteString(l + "\n")
	}
	err := b.cmd.Wait()
	return b.stderr.String(), err
}
