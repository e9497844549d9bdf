package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// KafkaBroker is one broker of a Kafka test cluster.
type KafkaBroker struct {
	ID      int32
	Addr    string // 127.0.0.1:port; the same after Restart
	Port    int
	LogDir  string   // the first of log.dirs: the partition data, kept across Restart
	LogDirs []string // every log directory, LogDir first
	// ControllerPort is the KRaft controller listener's port when the
	// broker is also a controller, else 0.
	ControllerPort int
	// SASLAddr is 127.0.0.1:port of the SASL_SSL listener with
	// KafkaOptions.SASLSSL, else "".
	SASLAddr string

	k     *Kafka
	props map[string]string

	mu   sync.Mutex
	proc *Process
}

// Running reports whether the broker's JVM is running.
func (b *KafkaBroker) Running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.proc != nil && !b.proc.Exited()
}

// PID is the JVM's process id, 0 when it is not running.
func (b *KafkaBroker) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.proc == nil || b.proc.Exited() {
		return 0
	}
	return b.proc.Cmd.Process.Pid
}

// LogFile is the broker's own log (all starts appended), for failure
// messages.
func (b *KafkaBroker) LogFile() string {
	return filepath.Join(b.k.dir, fmt.Sprintf("broker-%d", b.ID), fmt.Sprintf("broker-%d.log", b.ID))
}

// Stop shuts the broker down cleanly (SIGTERM: a controlled shutdown that
// hands leadership away first) and waits until the JVM has exited.
func (b *KafkaBroker) Stop() {
	if p := b.process(); p != nil {
		b.Resume() // a paused JVM would not act on SIGTERM
		p.Stop()
	}
}

// Kill ends the broker at once (SIGKILL), as a crash or a lost VM would. Its
// ZooKeeper session, and so its registration, lasts until the session
// timeout (4 s).
func (b *KafkaBroker) Kill() {
	if p := b.process(); p != nil {
		p.Kill()
	}
}

// Restart starts a stopped or killed broker again on the same port and log
// directory (stopping it first if it runs) and waits until it is registered.
func (b *KafkaBroker) Restart(t testing.TB) {
	t.Helper()
	b.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := b.start(ctx, t); err != nil {
		t.Fatalf("restart kafka broker %d: %v", b.ID, err)
	}
}

// SetProperty changes a server.properties entry for the broker's next
// Restart.
func (b *KafkaBroker) SetProperty(key, value string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.props[key] = value
}

// Pause freezes the broker's JVM (SIGSTOP): it stops serving and replicating
// but stays registered until its ZooKeeper session times out (4 s), like a
// hung VM. Resume, Kill or the end of the test ends the pause.
func (b *KafkaBroker) Pause() {
	if p := b.process(); p != nil && !p.Exited() {
		syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGSTOP)
	}
}

// Resume continues a paused broker (SIGCONT).
func (b *KafkaBroker) Resume() {
	if p := b.process(); p != nil && !p.Exited() {
		syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGCONT)
	}
}

func (b *KafkaBroker) process() *Process {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.proc
}

// errPortTaken means the chosen port was taken between FreePort and the
// broker's bind; another port is tried.
var errPortTaken = errors.New("port taken")

func (b *KafkaBroker) start(ctx context.Context, t testing.TB) error {
	fixed := b.Port != 0
	for attempt := 0; ; attempt++ {
		if !fixed {
			b.Port = FreePort(t)
			b.Addr = fmt.Sprintf("127.0.0.1:%d", b.Port)
		}
		err := b.startOnce(ctx, t)
		if errors.Is(err, errPortTaken) && !fixed && attempt < 3 {
			continue
		}
		return err
	}
}

func (b *KafkaBroker) startOnce(ctx context.Context, t testing.TB) error {
	dir := filepath.Dir(b.LogDir)
	for _, d := range b.LogDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	b.mu.Lock()
	props := make(map[string]string, len(b.props)+3)
	for k, v := range b.props {
		props[k] = v
	}
	b.mu.Unlock()
	b.listenerProperties(props)
	cfg := filepath.Join(dir, "server.properties")
	if err := os.WriteFile(cfg, []byte(propertiesText(props)), 0o644); err != nil {
		return err
	}
	logging, err := writeLogConfig(dir)
	if err != nil {
		return err
	}
	java, err := findJava()
	if err != nil {
		return err
	}
	if err := b.formatStorage(ctx, java, cfg); err != nil {
		return err
	}
	logFile := b.LogFile()
	var offset int64
	if st, err := os.Stat(logFile); err == nil {
		offset = st.Size()
	}
	args := append(jvmFlags(), logging...)
	args = append(args,
		"-Dkafka.logs.dir="+dir,
		"-cp", filepath.Join(b.k.Libs, "*"),
		"kafka.Kafka", cfg)
	cmd := exec.Command(java, args...)
	cmd.Dir = dir
	p := StartTied(t, fmt.Sprintf("broker-%d", b.ID), dir, cmd)
	t.Cleanup(p.Kill) // before StartTied's SIGTERM clean-up: see Kafka.killAll
	b.mu.Lock()
	b.proc = p
	b.mu.Unlock()

	for {
		out := readFrom(logFile, offset)
		switch {
		case bytes.Contains(out, []byte("started (kafka.server.KafkaServer)")),
			bytes.Contains(out, []byte("Kafka Server started")): // KRaft mode
			return nil
		case p.Exited():
			if bytes.Contains(out, []byte("Address already in use")) {
				return fmt.Errorf("broker %d on %s: %w", b.ID, b.Addr, errPortTaken)
			}
			return fmt.Errorf("broker %d on %s exited during start-up; log %s:\n%s", b.ID, b.Addr, logFile, p.Tail(30))
		}
		select {
		case <-ctx.Done():
			p.Kill()
			return fmt.Errorf("broker %d on %s did not start: %w; log %s:\n%s", b.ID, b.Addr, ctx.Err(), logFile, p.Tail(30))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func readFrom(path string, offset int64) []byte {
	data, err := os.ReadFile(path)
	if err != nil || int64(len(data)) < offset {
		return nil
	}
	return data[offset:]
}

// jvmFlags make Kafka start fast and small on Java 17: the serial collector
// and the client compiler start quickest, and a test cluster moves little
// data.
func jvmFlags() []string {
	return []string{
		"-Xms64m", "-Xmx256m",
		"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
		"-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true",
	}
}

func propertiesText(props map[string]string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s=%s\n", k, props[k])
	}
	return sb.String()
}

// brokerLog4j sends everything useful to stdout, which is the broker's log
// file; the request log and the ZooKeeper client chatter are left out.
const brokerLog4j = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.zookeeper=WARN
log4j.logger.org.I0Itec.zkclient=WARN
log4j.logger.kafka.network.Processor=WARN
`

// listenerProperties sets where the broker listens: its port (and, for a
// KRaft controller, the controller port) on 127.0.0.1.
func (b *KafkaBroker) listenerProperties(props map[string]string) {
	if b.k.Version.IsLegacy() {
		props["port"] = fmt.Sprint(b.Port)
		props["advertised.port"] = fmt.Sprint(b.Port)
		props["listeners"] = "PLAINTEXT://" + b.Addr
		return
	}
	listeners := "PLAINTEXT://" + b.Addr
	if b.ControllerPort != 0 {
		listeners += fmt.Sprintf(",CONTROLLER://127.0.0.1:%d", b.ControllerPort)
	}
	if extra := props["listeners"]; extra != "" { // a test's extra listeners
		listeners += "," + extra
	}
	props["listeners"] = listeners
	advertised := "PLAINTEXT://" + b.Addr
	if extra := props["advertised.listeners"]; extra != "" {
		advertised += "," + extra
	}
	props["advertised.listeners"] = advertised
}

// formatStorage formats a KRaft node's log directory with the cluster id,
// once: a restarted node keeps its data.
func (b *KafkaBroker) formatStorage(ctx context.Context, java, cfg string) error {
	if !b.k.Version.KRaft {
		return nil
	}
	if _, err := os.Stat(filepath.Join(b.LogDir, "meta.properties")); err == nil {
		return nil
	}
	args := append(jvmFlags(), "-cp", filepath.Join(b.k.Libs, "*"), "kafka.tools.StorageTool",
		"format", "--ignore-formatted", "-t", b.k.ClusterID, "-c", cfg)
	cmd := exec.CommandContext(ctx, java, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("broker %d: format KRaft storage: %w\n%s", b.ID, err, out)
	}
	return nil
}

// writeLogConfig writes the broker's logging configuration for both the
// log4j 1 (Kafka up to 3.x) and log4j 2 (Kafka 4) releases and returns the
// JVM flags that select it.
func writeLogConfig(dir string) ([]string, error) {
	l4j := filepath.Join(dir, "log4j.properties")
	if err := os.WriteFile(l4j, []byte(brokerLog4j), 0o644); err != nil {
		return nil, err
	}
	l4j2 := filepath.Join(dir, "log4j2.properties")
	if err := os.WriteFile(l4j2, []byte(brokerLog4j2), 0o644); err != nil {
		return nil, err
	}
	return []string{"-Dlog4j.configuration=file:" + l4j, "-Dlog4j2.configurationFile=file:" + l4j2}, nil
}

// brokerLog4j2 is brokerLog4j for Kafka 4, which logs through log4j 2.
const brokerLog4j2 = `status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.zk.name = org.apache.zookeeper
logger.zk.level = warn
logger.network.name = kafka.network.Processor
logger.network.level = warn
`
