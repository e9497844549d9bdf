package zookeeper_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/zookeeper"
)

func TestParseConnect(t *testing.T) {
	for _, tc := range []struct {
		in      string
		servers []string
		chroot  string
		bad     bool
	}{
		{in: "127.0.0.1:2181", servers: []string{"127.0.0.1:2181"}},
		{in: "a:1,b:2/kafka", servers: []string{"a:1", "b:2"}, chroot: "/kafka"},
		{in: "a/kafka/", servers: []string{"a:2181"}, chroot: "/kafka"},
		{in: "a:1/", servers: []string{"a:1"}},
		{in: "/kafka", bad: true},
		{in: "", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			s, c, err := zookeeper.ParseConnect(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseConnect(%q) = %v, %q; want error", tc.in, s, c)
				}
				return
			}
			if err != nil || c != tc.chroot || len(s) != len(tc.servers) {
				t.Fatalf("ParseConnect(%q) = %v, %q, %v; want %v, %q", tc.in, s, c, err, tc.servers, tc.chroot)
			}
			for i := range s {
				if s[i] != tc.servers[i] {
					t.Fatalf("server %d = %q, want %q", i, s[i], tc.servers[i])
				}
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := zookeeper.Secret("user:hunter2")
	for _, got := range []string{s.String(), s.GoString()} {
		if got != "[redacted]" {
			t.Fatalf("secret printed as %q", got)
		}
	}
}

func TestChrootAndDigestACL(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	ctx := context.Background()
	c, err := zookeeper.Connect(ctx, zookeeper.Options{Connect: z.Addr + "/deep/chroot", Digest: "fdud:secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Create(context.Background(), "/brokers/domains/1", []byte("FD0UD1"), 0); err != nil {
		t.Fatal(err)
	}
	data, _, err := c.Get(context.Background(), "/brokers/domains/1")
	if err != nil || string(data) != "FD0UD1" {
		t.Fatalf("Get = %q, %v", data, err)
	}

	anon, err := zookeeper.Connect(ctx, zookeeper.Options{Connect: z.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	if data, _, err := anon.Get(context.Background(), "/deep/chroot/brokers/domains/1"); err != nil || string(data) != "FD0UD1" {
		t.Fatalf("anonymous read through full path = %q, %v", data, err)
	}
	if err := anon.Set(context.Background(), "/deep/chroot/brokers/domains/1", []byte("FD9UD9"), -1); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("anonymous write = %v, want ErrNoAuth", err)
	}
}

func TestConnectTimesOut(t *testing.T) {
	port := testenv.FreePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := zookeeper.Connect(ctx, zookeeper.Options{Connect: "127.0.0.1:" + strconv.Itoa(port), SessionTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("connected to a port where nothing listens")
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("Connect took %v; it must give up within its deadline", time.Since(start))
	}
}
