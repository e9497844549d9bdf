package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ToolEnv is the environment under which Kafka 0.9's bin/*.sh scripts run on
// Java 17: the script defaults pass GC-logging and CMS flags that Java 17
// rejects, so each is replaced with something harmless but non-empty.
func ToolEnv() []string {
	env := os.Environ()
	return append(env,
		"KAFKA_GC_LOG_OPTS= ",
		"KAFKA_JVM_PERFORMANCE_OPTS=-server -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.net.preferIPv4Stack=true",
		"KAFKA_JMX_OPTS=-Djava.awt.headless=true",
		"KAFKA_HEAP_OPTS=-Xmx128m",
		"JMX_PORT=",
	)
}

// ToolCommand returns a command for one of the distribution's tools (for
// example "kafka-reassign-partitions.sh"): Kafka 0.9's bin/ script with
// ToolEnv, or, for a release installed from Maven jars, java running the
// class the script would run. It runs in its own process group, killed when
// ctx ends or the test binary dies. Run it with RunCommand, or set Stdin and
// run it yourself.
func (k *Kafka) ToolCommand(ctx context.Context, tool string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if k.Version.IsLegacy() {
		cmd = exec.CommandContext(ctx, filepath.Join(k.Home, "bin", tool), args...)
		cmd.Env = ToolEnv()
	} else {
		class, err := toolClass(k.Version, tool)
		if err != nil {
			panic(err) // a mistake in the test itself
		}
		java, _ := findJava()
		jvm := []string{"-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
			"-Djava.net.preferIPv4Stack=true", "-Dlog4j2.level=warn", "-Dlog4j.configuration=file:" + k.toolLog4j()}
		cmd = exec.CommandContext(ctx, java, append(append(jvm, "-cp", filepath.Join(k.Libs, "*"), class), args...)...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// The script execs java, so the group is that JVM and nothing else.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// toolLog4j writes (once) a log4j 1 configuration that keeps the tools'
// INFO chatter off their output, as the distribution's tools-log4j does.
func (k *Kafka) toolLog4j() string {
	p := filepath.Join(k.dir, "tools-log4j.properties")
	if _, err := os.Stat(p); err != nil {
		os.WriteFile(p, []byte("log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"+
			"log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"+
			"log4j.appender.stderr.Target=System.err\n"), 0o644)
	}
	return p
}

// Connect is how this release's tools reach the cluster: --zookeeper before
// Kafka 2.5 (whose kafka-reassign-partitions.sh --execute still needs it),
// --bootstrap-server otherwise.
func (k *Kafka) Connect() []string {
	if !k.Version.AtLeast(2, 5) {
		return []string{"--zookeeper", k.ZooKeeperConnect}
	}
	return []string{"--bootstrap-server", k.RunningBootstrap()}
}

// ToolResult is what a Kafka tool printed and how it ended.
type ToolResult struct {
	Stdout, Stderr string
	ExitCode       int
}

// RunTool runs one of the distribution's bin/ scripts (up to 2 minutes) and
// returns its output, whatever its exit code; only a failure to run it at all
// fails the test. Add "--zookeeper", k.ZooKeeperConnect yourself.
func (k *Kafka) RunTool(t testing.TB, tool string, args ...string) ToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return RunCommand(t, k.ToolCommand(ctx, tool, args...))
}

// MustRunTool is RunTool that fails the test on a non-zero exit.
func (k *Kafka) MustRunTool(t testing.TB, tool string, args ...string) ToolResult {
	t.Helper()
	r := k.RunTool(t, tool, args...)
	if r.ExitCode != 0 {
		t.Fatalf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", tool, strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	}
	return r
}

// RunCommand runs cmd, capturing stdout and stderr unless already set.
func RunCommand(t testing.TB, cmd *exec.Cmd) ToolResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &stderr
	}
	err := cmd.Run()
	r := ToolResult{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() < 0 {
			t.Fatalf("run %s: %v\nstderr:\n%s", strings.Join(cmd.Args, " "), err, r.Stderr)
		}
		r.ExitCode = ee.ExitCode()
	}
	return r
}

// ReassignPartitions runs kafka-reassign-partitions.sh against this cluster
// (see Connect) with the given action flags ("--verify",
// "--reassignment-json-file", f).
func (k *Kafka) ReassignPartitions(t testing.TB, args ...string) ToolResult {
	t.Helper()
	return k.RunTool(t, "kafka-reassign-partitions.sh", append(k.Connect(), args...)...)
}

// DescribeTopic runs kafka-topics.sh --describe for the topic and returns
// its output.
func (k *Kafka) DescribeTopic(t testing.TB, topic string) string {
	t.Helper()
	return k.MustRunTool(t, "kafka-topics.sh", append(k.Connect(), "--describe", "--topic", topic)...).Stdout
}

func (r ToolResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.ExitCode, r.Stdout, r.Stderr)
}
