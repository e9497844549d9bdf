package domainsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// execSource runs a command and reads domains (JSON or CSV) from its stdout:
// the escape hatch for inventories, CMDBs, Terraform state.
type execSource struct {
	command string
	timeout time.Duration
	stderr  io.Writer
}

var _ Source = (*execSource)(nil)

func openExec(arg string, e *env) (Source, error) {
	t := e.ExecTimeout
	if t <= 0 {
		t = 60 * time.Second
	}
	return &execSource{command: arg, timeout: t, stderr: e.Stderr}, nil
}

// Name shows the program only: arguments may hold tokens.
func (s *execSource) Name() string {
	prog, _, _ := strings.Cut(strings.TrimSpace(s.command), " ")
	return "exec:" + prog
}

func (s *execSource) Domains(ctx context.Context) (cluster.Domains, error) {
	if err := ctx.Err(); err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", s.command)
	// Its own process group, so that a timeout ends the children too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second // do not wait for grandchildren holding the pipes
	out := &capped{max: MaxDocumentSize, onOver: cancel}
	cmd.Stdout = out
	if s.stderr != nil {
		cmd.Stderr = s.stderr
	}
	err := cmd.Run()
	switch {
	case out.over:
		return cluster.Domains{}, cluster.Invalidf("%s: output larger than %d MiB; stopped it", s.Name(), MaxDocumentSize>>20)
	case ctx.Err() != nil:
		return cluster.Domains{}, fmt.Errorf("%s: no answer within %s (stopped it): %w", s.Name(), s.timeout, ctx.Err())
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return cluster.Domains{}, fmt.Errorf("%s: %s (its stderr is above)", s.Name(), ee.ProcessState)
		}
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	d, err := ParseDomainsFile(out.buf.Bytes())
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: stdout: %w", s.Name(), err)
	}
	return d, nil
}

// capped keeps up to max bytes; past that it stops the command (onOver)
// and discards the rest, so a runaway command cannot exhaust memory.
type capped struct {
	buf    bytes.Buffer
	max    int
	over   bool
	onOver func()
}

func (c *capped) Write(p []byte) (int, error) {
	if c.over || c.buf.Len()+len(p) > c.max {
		if !c.over {
			c.over = true
			c.onOver()
		}
		return len(p), nil
	}
	return c.buf.Write(p)
}
