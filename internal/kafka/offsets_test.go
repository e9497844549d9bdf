package kafka

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestZKOffsetsConnectsOnce: the ZooKeeper path's offsets reader does not
// try again brokers it failed to reach (each poll would wait for them to
// time out again), and says so.
func TestZKOffsetsConnectsOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close() // not a broker
		}
	}()
	s := &zkOffsets{o: Options{BootstrapServers: []string{ln.Addr().String()}, Timeout: 2 * time.Second}}
	defer s.close()
	ctx := context.Background()
	if _, err := s.ReplicaOffsets(ctx, nil, nil); err == nil {
		t.Fatal("no error from a server that is no broker")
	}
	first := accepted.Load()
	if first == 0 {
		t.Fatal("never connected")
	}
	_, err = s.ReplicaOffsets(ctx, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "not tried again") {
		t.Errorf("second call: %v, want the first failure, not tried again", err)
	}
	if n := accepted.Load(); n != first {
		t.Errorf("%d connections after the second call, %d after the first", n, first)
	}
}
