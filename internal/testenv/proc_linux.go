package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// StartTied is Start for servers that must not outlive the test binary, even
// when it dies without running clean-ups (a -timeout panic, a SIGKILL): the
// child gets SIGKILL from the kernel when the thread that started it exits.
// That thread is locked for the child's lifetime, since Go may otherwise end
// an idle thread and take the child with it. The child runs in its own
// process group and is stopped by PID in t.Cleanup, as with Start.
func StartTied(t testing.TB, name, dir string, cmd *exec.Cmd) *Process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &Process{Name: name, Cmd: cmd, Log: logPath, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after the child.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		f.Close()
		close(p.done)
	}()
	if err := <-started; err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(p.Stop)
	return p
}
