package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/zookeeper"
)

// ZooKeeperJar is where Debian's zookeeper package puts the server;
// FDUD_ZOOKEEPER_JAR overrides it.
const ZooKeeperJar = "/usr/share/java/zookeeper.jar"

// ZooKeeper is a standalone ZooKeeper server started for a test.
type ZooKeeper struct {
	Addr    string // 127.0.0.1:port
	DataDir string
	*Process
}

// StartZooKeeper starts a ZooKeeper server on 127.0.0.1 and a free port and
// waits until it serves requests. It is stopped when the test ends.
func StartZooKeeper(t testing.TB) *ZooKeeper {
	t.Helper()
	RealServers(t)
	jar := os.Getenv("FDUD_ZOOKEEPER_JAR")
	if jar == "" {
		jar = ZooKeeperJar
	}
	if _, err := os.Stat(jar); err != nil {
		Unavailable(t, "ZooKeeper server not found at %s", jar)
	}
	java, err := findJava()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	dir := t.TempDir()
	port := FreePort(t)
	cfg := fmt.Sprintf("tickTime=500\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"+
		"admin.enableServer=false\nmaxSessionTimeout=60000\nminSessionTimeout=1000\n4lw.commands.whitelist=*\n",
		filepath.Join(dir, "data"), port)
	if err := os.WriteFile(filepath.Join(dir, "zoo.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cp := jar
	if conf := "/etc/zookeeper/conf"; dirExists(conf) {
		cp = conf + ":" + jar
	}
	cmd := exec.Command(java, "-Xmx256m", "-cp", cp,
		"org.apache.zookeeper.server.quorum.QuorumPeerMain", filepath.Join(dir, "zoo.cfg"))
	z := &ZooKeeper{Addr: fmt.Sprintf("127.0.0.1:%d", port), DataDir: filepath.Join(dir, "data")}
	z.Process = StartTied(t, "zookeeper", dir, cmd)
	// A JVM on a busy two-core machine can take a while; the port opens
	// before the server accepts sessions, so wait for srvr to report a mode.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := waitServing(ctx, z.Addr); err != nil {
		t.Fatalf("zookeeper did not start: %v\n%s", err, z.Tail(20))
	}
	return z
}

// waitServing polls the srvr four-letter command until the server says it
// serves (its answer names a Mode) or ctx ends.
func waitServing(ctx context.Context, addr string) error {
	var last string
	for {
		answer, err := fourLetter(ctx, addr, "srvr")
		if err == nil && strings.Contains(answer, "Mode:") {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = strings.TrimSpace(answer)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not serving (last answer: %s): %w", addr, last, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func fourLetter(ctx context.Context, addr, cmd string) (string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, cmd); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(c, 64<<10))
	return string(b), err
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// ConnectZooKeeper opens a session to connect (a server's address, with a
// chroot of the test's own where tests share the server), closed when the
// test ends.
func ConnectZooKeeper(t testing.TB, connect string) *zookeeper.Conn {
	t.Helper()
	c, err := zookeeper.Connect(context.Background(), zookeeper.Options{Connect: connect, SessionTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
