package domainsrc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/zookeeper"
)

// One real ZooKeeper server for all ZooKeeper tests; each test works in a
// chroot of its own.
func TestZooKeeper(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	t.Run("conformance", func(t *testing.T) { testZKConformance(t, z.Addr) })
	t.Run("read", func(t *testing.T) { testZKRead(t, z.Addr) })
	t.Run("publish", func(t *testing.T) { testZKPublish(t, z.Addr) })
	t.Run("digest ACL", func(t *testing.T) { testZKDigest(t, z.Addr) })
	t.Run("session expiry during publish", func(t *testing.T) { testZKSessionExpiry(t, z.Addr) })
	t.Run("server down", func(t *testing.T) { testZKDown(t) })
	t.Run("network cut during a read", func(t *testing.T) { testZKReadPartition(t, z.Addr) })
}

func chroot(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "/fdud-test-" + hex.EncodeToString(b)
}

// kafkaRoot is a new chroot holding what a ZooKeeper-mode Kafka cluster
// registers (/brokers/ids), so that sources take it for one.
func kafkaRoot(t *testing.T, addr string) string {
	t.Helper()
	root := chroot(t)
	zkPut(t, zkConn(t, addr+root, ""), "/brokers/ids", "")
	return root
}

func zkConn(t *testing.T, connect string, digest zookeeper.Secret) *zookeeper.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := zookeeper.Connect(ctx, zookeeper.Options{Connect: connect, Digest: digest, SessionTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func zkPut(t *testing.T, c *zookeeper.Conn, p, value string) {
	t.Helper()
	if _, err := c.Create(context.Background(), p, []byte(value), 0); errors.Is(err, zk.ErrNodeExists) {
		err = c.Set(context.Background(), p, []byte(value), -1)
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
}

func zkValue(t *testing.T, c *zookeeper.Conn, p string) string {
	t.Helper()
	data, _, err := c.Get(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func zkDeps() Deps { return Deps{ZooKeeperTimeout: 20 * time.Second} }

func testZKConformance(t *testing.T, addr string) {
	testConformance(t, harness{
		zones: true, hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			connect := addr + kafkaRoot(t, addr)
			c := zkConn(t, connect, "")
			for _, b := range want.Brokers {
				zkPut(t, c, fmt.Sprintf("/brokers/domains/%d", b.ID), string(FormatZKValue(b.Domain())))
				zkPut(t, c, fmt.Sprintf("/brokers/ids/%d", b.ID), fmt.Sprintf(
					`{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://%s:9092"],"jmx_port":-1,"host":%q,"timestamp":"1700000000000","port":9092,"version":4}`,
					b.Host, b.Host))
			}
			return "zk:" + connect, zkDeps()
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			connect := addr + kafkaRoot(t, addr)
			c := zkConn(t, connect, "")
			zkPut(t, c, "/brokers/domains/1", "FD0UD0")
			zkPut(t, c, "/brokers/domains/2", "rack-2")
			return "zk:" + connect, zkDeps(), true
		},
	})
}

func testZKRead(t *testing.T, addr string) {
	connect := addr + kafkaRoot(t, addr)
	c := zkConn(t, connect, "")
	zkPut(t, c, "/brokers/domains/1", "FD0UD1")
	zkPut(t, c, "/brokers/domains/2", " fd1ud2\n")
	zkPut(t, c, "/brokers/domains/3", `{"fault_domain":2,"update_domain":0,"zone":"3"}`)
	zkPut(t, c, "/brokers/domains/4", `{"faultDomain":"1","updateDomain":"3"}`)
	zkPut(t, c, "/brokers/domains/notes", "written by hand")
	// A broker registered with a SASL listener only: host is null.
	zkPut(t, c, "/brokers/ids/4", `{"endpoints":["SASL_SSL://wn4-kafka.internal:9093"],"host":null,"port":-1,"version":4}`)

	res, err := Gather(context.Background(), []string{"zk:" + connect}, zkDeps())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, res.Domains, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{
		{ID: 1, FaultDomain: 0, UpdateDomain: 1},
		{ID: 2, FaultDomain: 1, UpdateDomain: 2},
		{ID: 3, FaultDomain: 2, UpdateDomain: 0, Zone: "3"},
		{ID: 4, FaultDomain: 1, UpdateDomain: 3, Host: "wn4-kafka.internal"},
	}})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "/brokers/domains/notes") {
		t.Errorf("warnings %q, want one about /brokers/domains/notes", res.Warnings)
	}

	t.Run("no domains stored yet", func(t *testing.T) {
		res, err := Gather(context.Background(), []string{"zk:" + addr + kafkaRoot(t, addr)}, zkDeps())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Domains.Brokers) != 0 {
			t.Fatalf("got %v", res.Domains)
		}
	})
	// Issue 9: a chroot without a Kafka cluster (a missing or wrong chroot)
	// read as an empty list of domains, and fdud domains exited 0.
	t.Run("a chroot without a Kafka cluster is an error", func(t *testing.T) {
		spec := "zk:" + addr + chroot(t)
		res, err := Gather(context.Background(), []string{spec}, zkDeps())
		if !errors.Is(err, ErrNoKafka) || !strings.Contains(err.Error(), spec) || !strings.Contains(err.Error(), "check the chroot") {
			t.Fatalf("err = %v, result %v; want ErrNoKafka naming %s", err, res.Domains, spec)
		}
		err = publish(t, spec, zkDeps(), cluster.BrokerDomain{ID: 1})
		if !errors.Is(err, ErrNoKafka) {
			t.Fatalf("publish: err = %v, want ErrNoKafka", err)
		}
		if ok, err := zkConn(t, addr, "").Exists(context.Background(), spec[len("zk:"+addr):]+"/brokers/domains"); ok || err != nil {
			t.Errorf("publish created /brokers/domains in the chroot (%v)", err)
		}
	})
	t.Run("malformed value names the znode", func(t *testing.T) {
		connect := addr + kafkaRoot(t, addr)
		c := zkConn(t, connect, "")
		zkPut(t, c, "/brokers/domains/9", "FD-1UD0")
		_, err := Gather(context.Background(), []string{"zk:" + connect}, zkDeps())
		if err == nil || !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "/brokers/domains/9") {
			t.Fatalf("err = %v", err)
		}
	})
}

func publish(t *testing.T, spec string, deps Deps, b cluster.BrokerDomain) error {
	t.Helper()
	_, err := Publish(context.Background(), spec, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{b}}, deps)
	return err
}

func testZKPublish(t *testing.T, addr string) {
	connect := addr + kafkaRoot(t, addr)
	spec := "zk:" + connect
	c := zkConn(t, connect, "")
	b := cluster.BrokerDomain{ID: 3, FaultDomain: 1, UpdateDomain: 2, Host: "wn3"}
	steps := []struct {
		name    string
		before  string // stored value to set first; "" leaves it
		publish cluster.BrokerDomain
		changed bool
		stored  string
	}{
		{name: "first publish creates the node and its parents", publish: b, changed: true, stored: "FD1UD2"},
		{name: "same domain again is unchanged", publish: b, changed: false, stored: "FD1UD2"},
		{name: "the VM moved", publish: cluster.BrokerDomain{ID: 3, FaultDomain: 0, UpdateDomain: 4}, changed: true, stored: "FD0UD4"},
		{name: "same meaning in other letters is unchanged", before: "fd0ud4", publish: cluster.BrokerDomain{ID: 3, FaultDomain: 0, UpdateDomain: 4},
			changed: false, stored: "fd0ud4"},
		{name: "garbage is replaced", before: "unknown", publish: b, changed: true, stored: "FD1UD2"},
		{name: "a zone is kept as JSON", publish: cluster.BrokerDomain{ID: 3, FaultDomain: 1, UpdateDomain: 2, Zone: "2"}, changed: true,
			stored: `{"fault_domain":1,"update_domain":2,"zone":"2"}`},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != "" {
				zkPut(t, c, "/brokers/domains/3", st.before)
			}
			err := publish(t, spec, zkDeps(), st.publish)
			if st.changed != errors.Is(err, cluster.ErrChanged) || (!st.changed && err != nil) {
				t.Fatalf("err = %v, want changed=%v", err, st.changed)
			}
			if got := zkValue(t, c, "/brokers/domains/3"); got != st.stored {
				t.Fatalf("stored %q, want %q", got, st.stored)
			}
		})
	}
	t.Run("read back through the source", func(t *testing.T) {
		res, err := Gather(context.Background(), []string{spec}, zkDeps())
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, res.Domains, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{{ID: 3, FaultDomain: 1, UpdateDomain: 2, Zone: "2"}}})
	})
	t.Run("only publishers publish", func(t *testing.T) {
		err := publish(t, "rack", Deps{Brokers: &fakeLister{}}, b)
		if err == nil || !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "cannot store") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("which broker", func(t *testing.T) {
		two := cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{{ID: 1}, {ID: 2, FaultDomain: 1}}}
		if _, err := Publish(context.Background(), spec, two, zkDeps()); err == nil || !strings.Contains(err.Error(), "--broker-id") {
			t.Fatalf("err = %v, want a request for --broker-id", err)
		}
		deps := zkDeps()
		deps.BrokerID = ptr(int32(2))
		got, err := Publish(context.Background(), spec, two, deps)
		if !errors.Is(err, cluster.ErrChanged) || got.ID != 2 {
			t.Fatalf("published %v, err %v", got, err)
		}
		if v := zkValue(t, c, "/brokers/domains/2"); v != "FD1UD0" {
			t.Fatalf("stored %q", v)
		}
	})
}

func testZKDigest(t *testing.T, addr string) {
	connect := addr + kafkaRoot(t, addr)
	spec := "zk:" + connect
	alice := zkDeps()
	alice.ZooKeeperDigest = "alice:s3cr3t"
	b := cluster.BrokerDomain{ID: 5, FaultDomain: 2, UpdateDomain: 1}
	if err := publish(t, spec, alice, b); !errors.Is(err, cluster.ErrChanged) {
		t.Fatalf("first publish: %v", err)
	}
	admin := zkConn(t, connect, "")
	acl, _, err := admin.Raw().GetACL(admin.Path("/brokers/domains/5"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(acl); !strings.Contains(got, "digest") || !strings.Contains(got, "alice:") || !strings.Contains(got, "world anyone}") {
		t.Fatalf("ACL %s: want alice's digest with all rights and world read", got)
	}
	moved := cluster.BrokerDomain{ID: 5, FaultDomain: 0, UpdateDomain: 0}
	for name, deps := range map[string]Deps{"anonymous": zkDeps(), "another user": {ZooKeeperTimeout: 20 * time.Second, ZooKeeperDigest: "bob:hunter2"}} {
		t.Run(name+" cannot overwrite", func(t *testing.T) {
			err := publish(t, spec, deps, moved)
			if err == nil || errors.Is(err, cluster.ErrChanged) || !errors.Is(err, zk.ErrNoAuth) {
				t.Fatalf("err = %v, want ErrNoAuth", err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("error shows a password: %v", err)
			}
			if v := zkValue(t, admin, "/brokers/domains/5"); v != "FD2UD1" {
				t.Fatalf("stored %q after a refused write", v)
			}
		})
	}
	t.Run("anyone can read", func(t *testing.T) {
		res, err := Gather(context.Background(), []string{spec}, zkDeps())
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, res.Domains, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{b}})
	})
	t.Run("the owner can overwrite", func(t *testing.T) {
		if err := publish(t, spec, alice, moved); !errors.Is(err, cluster.ErrChanged) {
			t.Fatal(err)
		}
	})
}

// testZKSessionExpiry cuts the network between publish's read and its
// write, long enough for the server to expire the session. The write must
// be neither lost silently nor reported wrongly, and nothing half-written
// may be stored.
func testZKSessionExpiry(t *testing.T, addr string) {
	cases := []struct {
		name     string
		up, down bool // which direction the partition drops
		heal     bool // heal once the session expired (else publish must give up)
	}{
		{name: "write lost, then the network heals", up: true, down: true, heal: true},
		{name: "write applied, answer lost, then the network heals", up: false, down: true, heal: true},
		{name: "network never heals", up: true, down: true, heal: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := kafkaRoot(t, addr)
			admin := zkConn(t, addr+root, "")
			zkPut(t, admin, "/brokers/domains/8", "FD0UD0")
			proxy := startProxy(t, addr)
			s, _ := openSpec(t, "zk:"+proxy.Addr()+root, Deps{
				ZooKeeperTimeout: 30 * time.Second, ZooKeeperSessionTimeout: time.Second,
				Logger: slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			zs := s.(*zkSource)
			expired := make(chan struct{})
			zs.beforeWrite = func(c *zookeeper.Conn) {
				// An ephemeral node shows from outside when the server ends the session.
				marker := "/session-marker"
				if _, err := c.Create(context.Background(), marker, nil, zk.FlagEphemeral); err != nil {
					t.Errorf("create marker: %v", err)
				}
				proxy.drop(tc.up, tc.down)
				go func() {
					defer close(expired)
					for {
						ok, _, ev, err := admin.Raw().ExistsW(admin.Path(marker))
						if err != nil || !ok {
							return
						}
						<-ev
					}
				}()
				if tc.heal {
					go func() { <-expired; proxy.heal() }()
				}
			}
			ctx := context.Background()
			if !tc.heal {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 4*time.Second)
				defer cancel()
			}
			changed, err := zs.Publish(ctx, cluster.BrokerDomain{ID: 8, FaultDomain: 2, UpdateDomain: 3})
			<-expired // the session really expired on the server
			proxy.heal()
			stored := zkValue(t, admin, "/brokers/domains/8")
			if tc.heal {
				if err != nil || !changed {
					t.Fatalf("changed=%v err=%v, want changed after the session was replaced", changed, err)
				}
				if stored != "FD2UD3" {
					t.Fatalf("stored %q, want FD2UD3", stored)
				}
				return
			}
			if err == nil {
				t.Fatal("publish through a dead network succeeded")
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "/brokers/domains/8") ||
				!strings.Contains(err.Error(), "not confirmed") {
				t.Fatalf("err = %v, want a bounded, explained failure naming the znode", err)
			}
			if stored != "FD0UD0" && stored != "FD2UD3" {
				t.Fatalf("stored %q: neither the old nor the new value", stored)
			}
		})
	}
}

func testZKDown(t *testing.T) {
	port := testenv.FreePort(t) // nothing listens there
	deps := Deps{ZooKeeperTimeout: 2 * time.Second, ZooKeeperSessionTimeout: time.Second}
	spec := fmt.Sprintf("zk:127.0.0.1:%d/kafka", port)
	if _, err := Gather(context.Background(), []string{spec}, deps); err == nil || !strings.Contains(err.Error(), spec) {
		t.Fatalf("read: err = %v, want an error naming %s", err, spec)
	}
	if err := publish(t, spec, deps, cluster.BrokerDomain{ID: 1}); err == nil || errors.Is(err, cluster.ErrChanged) {
		t.Fatalf("publish: err = %v", err)
	}
}

// tWriter sends log lines to the test log (shown with -v or on failure).
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// A read whose network is cut fails within the source's bound, with an
// error naming the source, and returns nothing.
func testZKReadPartition(t *testing.T, addr string) {
	root := kafkaRoot(t, addr)
	zkPut(t, zkConn(t, addr+root, ""), "/brokers/domains/1", "FD0UD0")
	proxy := startProxy(t, addr)
	proxy.drop(true, true)
	spec := "zk:" + proxy.Addr() + root
	res, err := Gather(context.Background(), []string{spec}, Deps{ZooKeeperTimeout: 2 * time.Second, ZooKeeperSessionTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), spec) || res.Domains.Brokers != nil {
		t.Fatalf("err = %v, result %v", err, res.Domains)
	}
	proxy.heal()
	if _, err := Gather(context.Background(), []string{spec}, zkDeps()); err != nil {
		t.Fatalf("after healing: %v", err)
	}
}
