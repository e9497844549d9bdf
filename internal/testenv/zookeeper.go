package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := WaitPort(ctx, z.Addr); err != nil {
		t.Fatalf("zookeeper did not start: %v\n%s", err, z.Tail(20))
	}
	return z
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
