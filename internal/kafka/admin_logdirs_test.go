package kafka

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	franzerr "github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/zookeeper"
)

// The log directory path is tested at the wire level against franz-go's
// kfake: real Kafka brokers on 127.0.0.1 that speak ApiVersions, Metadata
// and SASL for themselves. kfake keeps one log directory per partition
// cluster-wide and never answers REPLICA_NOT_AVAILABLE, so logDirBrokers
// answers AlterReplicaLogDirs and DescribeLogDirs from a per-broker model,
// as Kafka does: each broker has its own directories and replicas, a move
// creates a future replica, and a replica a reassignment has not created
// yet is refused until it is.

// logDirBrokers is the per-broker model behind the fake cluster.
type logDirBrokers struct {
	mu       sync.Mutex
	dirs     map[int32][]string
	offline  map[int32]map[string]bool
	replicas map[int32]map[cluster.TopicPartition]*ReplicaLogDir
	// notYet counts REPLICA_NOT_AVAILABLE answers still to give for a
	// replica before the "reassignment" creates it (in the directory asked
	// for, as Kafka does); -1 never creates it.
	notYet map[int32]map[cluster.TopicPartition]int
	// unknown counts UNKNOWN_TOPIC_OR_PARTITION answers still to give
	// first: the broker's metadata has not caught up with a new topic.
	unknown   map[int32]map[cluster.TopicPartition]int
	alters    map[int32]int // AlterReplicaLogDirs requests per broker
	describes map[int32]int
}

func (m *logDirBrokers) host(b int32, tp cluster.TopicPartition, dir string) {
	if m.replicas[b] == nil {
		m.replicas[b] = map[cluster.TopicPartition]*ReplicaLogDir{}
	}
	m.replicas[b][tp] = &ReplicaLogDir{Dir: dir}
}

func (m *logDirBrokers) alter(b int32, tp cluster.TopicPartition, dir string) int16 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Contains(m.dirs[b], dir) {
		return franzerr.LogDirNotFound.Code
	}
	if m.offline[b][dir] {
		return franzerr.KafkaStorageError.Code
	}
	if n := m.unknown[b][tp]; n > 0 {
		m.unknown[b][tp] = n - 1
		return franzerr.UnknownTopicOrPartition.Code
	}
	r, ok := m.replicas[b][tp]
	if !ok {
		n, waiting := m.notYet[b][tp]
		switch {
		case !waiting:
			return franzerr.UnknownTopicOrPartition.Code
		case n == 0:
			delete(m.notYet[b], tp)
			m.host(b, tp, dir) // created where it was asked for
			return 0
		case n > 0:
			m.notYet[b][tp] = n - 1
		}
		return franzerr.ReplicaNotAvailable.Code
	}
	switch {
	case r.Dir == dir:
		r.Future = ""
	default:
		r.Future = dir
	}
	return 0
}

// finish completes every move in flight: future replicas replace current ones.
func (m *logDirBrokers) finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rs := range m.replicas {
		for _, r := range rs {
			if r.Future != "" {
				r.Dir, r.Future = r.Future, ""
			}
		}
	}
}

func (m *logDirBrokers) describe(b int32, req *kmsg.DescribeLogDirsRequest) *kmsg.DescribeLogDirsResponse {
	m.mu.Lock()
	defer m.mu.Unlock()
	resp := req.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	asked := func(tp cluster.TopicPartition) bool {
		if req.Topics == nil {
			return true
		}
		for _, t := range req.Topics {
			if t.Topic == tp.Topic && slices.Contains(t.Partitions, tp.Partition) {
				return true
			}
		}
		return false
	}
	for _, dir := range m.dirs[b] {
		d := kmsg.NewDescribeLogDirsResponseDir()
		d.Dir = dir
		if m.offline[b][dir] {
			d.ErrorCode = franzerr.KafkaStorageError.Code
			resp.Dirs = append(resp.Dirs, d)
			continue
		}
		for _, tp := range slices.SortedFunc(maps.Keys(m.replicas[b]), cluster.TopicPartition.Compare) {
			r := m.replicas[b][tp]
			if !asked(tp) {
				continue
			}
			for _, future := range []bool{false, true} {
				if (!future && r.Dir == dir) || (future && r.Future == dir) {
					t := kmsg.NewDescribeLogDirsResponseDirTopic()
					t.Topic = tp.Topic
					p := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
					p.Partition, p.IsFuture, p.Size = tp.Partition, future, 1024
					t.Partitions = append(t.Partitions, p)
					d.Topics = append(d.Topics, t)
				}
			}
		}
		resp.Dirs = append(resp.Dirs, d)
	}
	return resp
}

// startLogDirCluster starts a three-broker kfake cluster (ids 0, 1, 2) with
// topic "t" (3 partitions), each broker with log dirs /data/a and /data/b,
// every replica of t in /data/a on every broker.
func startLogDirCluster(t testing.TB, opts ...kfake.Opt) (*kfake.Cluster, *logDirBrokers) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(3), kfake.SeedTopics(3, "t")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	m := &logDirBrokers{dirs: map[int32][]string{}, offline: map[int32]map[string]bool{},
		replicas: map[int32]map[cluster.TopicPartition]*ReplicaLogDir{}, notYet: map[int32]map[cluster.TopicPartition]int{},
		alters: map[int32]int{}, describes: map[int32]int{}}
	for b := range int32(3) {
		m.dirs[b] = []string{"/data/a", "/data/b"}
		m.offline[b] = map[string]bool{}
		m.notYet[b] = map[cluster.TopicPartition]int{}
		for p := range int32(3) {
			m.host(b, cluster.TopicPartition{Topic: "t", Partition: p}, "/data/a")
		}
	}
	c.ControlKey(int16(kmsg.AlterReplicaLogDirs), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		b := c.CurrentNode()
		req := kreq.(*kmsg.AlterReplicaLogDirsRequest)
		resp := req.ResponseKind().(*kmsg.AlterReplicaLogDirsResponse)
		m.mu.Lock()
		m.alters[b]++
		m.mu.Unlock()
		for _, d := range req.Dirs {
			for _, rt := range d.Topics {
				t := kmsg.NewAlterReplicaLogDirsResponseTopic()
				t.Topic = rt.Topic
				for _, p := range rt.Partitions {
					rp := kmsg.NewAlterReplicaLogDirsResponseTopicPartition()
					rp.Partition = p
					rp.ErrorCode = m.alter(b, cluster.TopicPartition{Topic: rt.Topic, Partition: p}, d.Dir)
					t.Partitions = append(t.Partitions, rp)
				}
				resp.Topics = append(resp.Topics, t)
			}
		}
		return resp, nil, true
	})
	c.ControlKey(int16(kmsg.DescribeLogDirs), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		b := c.CurrentNode()
		m.mu.Lock()
		m.describes[b]++
		m.mu.Unlock()
		return m.describe(b, kreq.(*kmsg.DescribeLogDirsRequest)), nil, true
	})
	return c, m
}

// logDirAdmin is the Admin API path's log directory half, on its own: it
// needs only the servers and security settings, not sarama.
func logDirAdmin(t testing.TB, c *kfake.Cluster, sec *Security) *adminCluster {
	t.Helper()
	if sec == nil {
		sec = &Security{Protocol: "PLAINTEXT"}
	}
	a := &adminCluster{seeds: c.ListenAddrs(), sec: sec, timeout: 10 * time.Second, log: testLogger(t)}
	t.Cleanup(func() {
		a.franzMu.Lock()
		defer a.franzMu.Unlock()
		if a.kc != nil {
			a.kc.Close()
		}
	})
	return a
}

func tpT(p int32) cluster.TopicPartition { return cluster.TopicPartition{Topic: "t", Partition: p} }

func TestMoveLogDirsMixedPartitionErrors(t *testing.T) {
	c, m := startLogDirCluster(t)
	m.offline[2]["/data/b"] = true
	a := logDirAdmin(t, c, nil)
	plan := []cluster.PartitionAssignment{
		{Topic: "t", Partition: 0, Replicas: []int32{0, 1}, LogDirs: []string{"/data/b", "/data/b"}},
		{Topic: "t", Partition: 1, Replicas: []int32{1, 0}, LogDirs: []string{"/data/nope", "any"}},
		{Topic: "t", Partition: 2, Replicas: []int32{2, 0}, LogDirs: []string{"/data/b", "/data/a"}},
	}
	err := a.MoveLogDirs(context.Background(), plan)
	var pe *PartitionErrors
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *PartitionErrors", err)
	}
	if pe.Op != "move log dirs" || pe.Total != 3 || !slices.Equal(pe.Failed(), []cluster.TopicPartition{tpT(1), tpT(2)}) {
		t.Errorf("op %q total %d failed %v, want t-1 and t-2 of 3", pe.Op, pe.Total, pe.Failed())
	}
	for _, want := range []string{"t-1: broker 1, log dir /data/nope: LOG_DIR_NOT_FOUND", "t-2: broker 2, log dir /data/b: KAFKA_STORAGE_ERROR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if !errors.Is(err, sarama.ErrLogDirNotFound) || !errors.Is(err, franzerr.KafkaStorageError) || errors.Is(err, sarama.ErrReplicaNotAvailable) {
		t.Errorf("errors.Is does not see the per-partition codes in %v", err)
	}
	// t-0 started on both brokers; t-2's replica on broker 0 was already in
	// /data/a, which is no move at all.
	for _, b := range []int32{0, 1} {
		if r := m.replicas[b][tpT(0)]; r.Dir != "/data/a" || r.Future != "/data/b" {
			t.Errorf("broker %d t-0 = %+v, want a move from /data/a to /data/b", b, *r)
		}
	}
	if r := m.replicas[0][tpT(2)]; r.Future != "" {
		t.Errorf("broker 0 t-2 = %+v, want no move", *r)
	}
	// One request per broker, sent to that broker.
	if !maps.Equal(m.alters, map[int32]int{0: 1, 1: 1, 2: 1}) {
		t.Errorf("AlterReplicaLogDirs requests per broker = %v, want one each", m.alters)
	}
}

// A log dir move for a replica the broker does not host yet is asked for
// again until the replica exists: Kafka records the directory before it
// answers, and Kafka's tool asks again too.
func TestMoveLogDirsRetriesUntilTheReplicaExists(t *testing.T) {
	for _, c := range []struct {
		name            string
		unknown, notYet int
		why             string
	}{
		// A pending reassignment has not created it yet: REPLICA_NOT_AVAILABLE
		// (NOT_LEADER_OR_FOLLOWER on later releases).
		{name: "replica not created yet", notYet: 3, why: "3 refused"},
		// Real Kafka 4.4.0, a topic created and reassigned to the broker a
		// moment before: its metadata had not caught up
		// (UNKNOWN_TOPIC_OR_PARTITION).
		{name: "topic not known yet", unknown: 2, notYet: 1, why: "2 unknown, 1 not hosted yet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, m := startLogDirCluster(t)
			delete(m.replicas[2], tpT(1))
			m.unknown = map[int32]map[cluster.TopicPartition]int{2: {tpT(1): c.unknown}}
			m.notYet[2][tpT(1)] = c.notYet
			a := logDirAdmin(t, cl, nil)
			plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 1, Replicas: []int32{2, 0}, LogDirs: []string{"/data/b", "/data/b"}}}
			if err := a.MoveLogDirs(context.Background(), plan); err != nil {
				t.Fatal(err)
			}
			if r := m.replicas[2][tpT(1)]; r == nil || r.Dir != "/data/b" {
				t.Errorf("broker 2 t-1 = %+v, want created in /data/b", r)
			}
			if want := c.unknown + c.notYet + 1; m.alters[2] != want || m.alters[0] != 1 {
				t.Errorf("requests per broker = %v, want %d to broker 2 (%s) and 1 to broker 0 (not asked again)", m.alters, want, c.why)
			}
		})
	}
}

func TestMoveLogDirsGivesUpWhenTheReplicaNeverAppears(t *testing.T) {
	c, m := startLogDirCluster(t)
	delete(m.replicas[1], tpT(0))
	m.notYet[1][tpT(0)] = -1
	a := logDirAdmin(t, c, nil)
	// The context ends during the second pause, after two answers: no
	// deadline to race on a loaded machine.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pauses []time.Duration
	a.pause = func(ctx context.Context, d time.Duration) error {
		if pauses = append(pauses, d); len(pauses) == 2 {
			cancel()
		}
		return ctx.Err()
	}
	plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"/data/b", "/data/b"}}}
	err := a.MoveLogDirs(ctx, plan)
	var pe *PartitionErrors
	if !errors.As(err, &pe) || !slices.Equal(pe.Failed(), []cluster.TopicPartition{tpT(0)}) {
		t.Fatalf("err = %v, want t-0 failed", err)
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, sarama.ErrReplicaNotAvailable) || !strings.Contains(err.Error(), "REPLICA_NOT_AVAILABLE") {
		t.Errorf("err = %v, want the context's end and the last answer", err)
	}
	if m.alters[1] != 2 || !slices.Equal(pauses, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}) {
		t.Errorf("broker 1 was asked %d times with pauses %v, want twice with a growing pause between", m.alters[1], pauses)
	}
	if r := m.replicas[2][tpT(0)]; r.Future != "/data/b" {
		t.Errorf("broker 2's replica was not moved: %+v", *r)
	}
}

func TestMoveLogDirsRefusesMalformedPlans(t *testing.T) {
	a := &adminCluster{seeds: []string{"127.0.0.1:1"}, sec: &Security{}, timeout: time.Second, log: testLogger(t)}
	for name, p := range map[string]cluster.PartitionAssignment{
		"relative dir":  {Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"data", "any"}},
		"length":        {Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"/data"}},
		"duplicate id":  {Topic: "t", Partition: 0, Replicas: []int32{1, 1}, LogDirs: []string{"/a", "/b"}},
		"empty replica": {Topic: "t", Partition: 0},
	} {
		t.Run(name, func(t *testing.T) {
			err := a.MoveLogDirs(context.Background(), []cluster.PartitionAssignment{p})
			if !cluster.IsInvalid(err) {
				t.Errorf("err = %v, want an input error (and no connection attempt)", err)
			}
		})
	}
}

func TestDescribeLogDirsAndPlacement(t *testing.T) {
	c, m := startLogDirCluster(t)
	m.offline[2]["/data/b"] = true
	delete(m.replicas[1], tpT(2))
	a := logDirAdmin(t, c, nil)
	ctx := context.Background()
	plan := cluster.PartitionAssignment{Topic: "t", Partition: 0, Replicas: []int32{0, 1, 2}, LogDirs: []string{"/data/b", "any", "/data/a/"}}

	describe := func() map[int32]BrokerLogDirs {
		t.Helper()
		got, err := a.DescribeLogDirs(ctx, []int32{0, 1, 2, 7}, []cluster.TopicPartition{tpT(0), tpT(2)})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := describe()
	if got[7].Err == nil {
		t.Errorf("broker 7 (not in the cluster): no error")
	}
	if b := got[2]; !b.HasDir("/data/a") || b.HasDir("/data/b") || !errors.Is(b.Dirs["/data/b"], sarama.ErrKafkaStorageError) {
		t.Errorf("broker 2 dirs = %v, want /data/b offline", b.Dirs)
	}
	if _, ok := got[1].Replicas[tpT(2)]; ok || len(got[1].Replicas) != 1 {
		t.Errorf("broker 1 replicas = %v, want only t-0 (t-1 was not asked, t-2 is not hosted)", got[1].Replicas)
	}
	if p, notes := LogDirPlacement(plan, got, false); p != LogDirsNotStarted || len(notes) != 1 || notes[0] != "broker 0: in /data/a, planned /data/b" {
		t.Errorf("before: %v %q", p, notes)
	}

	if err := a.MoveLogDirs(ctx, []cluster.PartitionAssignment{plan}); err != nil {
		t.Fatal(err)
	}
	got = describe()
	if r := got[0].Replicas[tpT(0)]; r != (ReplicaLogDir{Dir: "/data/a", Future: "/data/b"}) {
		t.Errorf("broker 0 t-0 = %+v, want a future replica in /data/b", r)
	}
	if p, notes := LogDirPlacement(plan, got, false); p != LogDirsMoving || len(notes) != 1 || notes[0] != "broker 0: in /data/a, moving to /data/b, planned /data/b" {
		t.Errorf("moving: %v %q", p, notes)
	}

	m.finish()
	if p, notes := LogDirPlacement(plan, describe(), false); p != LogDirsDone || notes != nil {
		t.Errorf("after: %v %q", p, notes)
	}
	// Broker 7 holds no replica of the plan, so its error does not matter;
	// one that does makes the placement unknown.
	got = describe()
	got[0] = BrokerLogDirs{Err: errors.New("connection refused")}
	if p, _ := LogDirPlacement(plan, got, false); p != LogDirsUnknown {
		t.Errorf("broker down: %v, want unknown", p)
	}
}

func TestLogDirPlacement(t *testing.T) {
	plan := cluster.PartitionAssignment{Topic: "t", Partition: 0, Replicas: []int32{1, 2}, LogDirs: []string{"/b", "any"}}
	on1 := func(r *ReplicaLogDir) map[int32]BrokerLogDirs {
		bd := BrokerLogDirs{Dirs: map[string]error{"/a": nil, "/b": nil}, Replicas: map[cluster.TopicPartition]ReplicaLogDir{}}
		if r != nil {
			bd.Replicas[tpT(0)] = *r
		}
		return map[int32]BrokerLogDirs{1: bd}
	}
	for _, tc := range []struct {
		name        string
		dirs        map[int32]BrokerLogDirs
		reassigning bool
		want        LogDirProgress
	}{
		{"in place", on1(&ReplicaLogDir{Dir: "/b"}), false, LogDirsDone},
		{"in place, future elsewhere remains", on1(&ReplicaLogDir{Dir: "/b", Future: "/a"}), false, LogDirsNotStarted},
		{"moving there", on1(&ReplicaLogDir{Dir: "/a", Future: "/b"}), false, LogDirsMoving},
		{"only the future replica", on1(&ReplicaLogDir{Future: "/b"}), false, LogDirsMoving},
		{"moving elsewhere", on1(&ReplicaLogDir{Dir: "/a", Future: "/c"}), false, LogDirsNotStarted},
		{"not moved", on1(&ReplicaLogDir{Dir: "/a"}), false, LogDirsNotStarted},
		{"not created, reassignment in flight", on1(nil), true, LogDirsMoving},
		{"not hosted, nothing in flight", on1(nil), false, LogDirsNotStarted},
		{"broker not asked", map[int32]BrokerLogDirs{}, false, LogDirsUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := LogDirPlacement(plan, tc.dirs, tc.reassigning)
			if got != tc.want || (got == LogDirsDone) != (len(notes) == 0) {
				t.Errorf("got %v %q, want %v", got, notes, tc.want)
			}
		})
	}
	anyOnly := cluster.PartitionAssignment{Topic: "t", Partition: 0, Replicas: []int32{1, 2}}
	if got, _ := LogDirPlacement(anyOnly, nil, false); got != LogDirsDone {
		t.Errorf("a plan without named dirs: %v, want done", got)
	}
}

// The franz-go client authenticates with the --command-config's SASL
// settings; a wrong password fails without appearing in the error.
func TestLogDirsOverSASL(t *testing.T) {
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			c, m := startLogDirCluster(t, kfake.EnableSASL(), kfake.Superuser(mech, "fdud", "right-pass-x1"))
			sec := &Security{Protocol: "SASL_PLAINTEXT", Mechanism: mech, Username: "fdud", Password: zookeeper.Secret("right-pass-x1")}
			a := logDirAdmin(t, c, sec)
			plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{0, 1}, LogDirs: []string{"/data/b", "any"}}}
			if err := a.MoveLogDirs(context.Background(), plan); err != nil {
				t.Fatal(err)
			}
			if m.replicas[0][tpT(0)].Future != "/data/b" {
				t.Errorf("move not started")
			}

			bad := &Security{Protocol: "SASL_PLAINTEXT", Mechanism: mech, Username: "fdud", Password: zookeeper.Secret("wrong-pass-x2")}
			b := logDirAdmin(t, c, bad)
			b.timeout = time.Second
			err := b.MoveLogDirs(context.Background(), plan)
			if err == nil {
				t.Fatal("a wrong password was accepted")
			}
			t.Logf("wrong password: %v", err)
			if strings.Contains(err.Error(), "wrong-pass-x2") {
				t.Errorf("the password leaked into the error: %v", err)
			}
		})
	}
}

// Connect picks the Admin API path against kfake (sarama for the rest) and
// the cluster it returns moves and describes log directories.
func TestConnectedClusterMovesLogDirs(t *testing.T) {
	c, m := startLogDirCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := Connect(ctx, Options{BootstrapServers: c.ListenAddrs()[:1], Timeout: 10 * time.Second, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	mover, desc := cl.Capabilities().LogDirMover, cl.Capabilities().LogDirDescriber
	if mover == nil || desc == nil {
		t.Fatalf("%s path: LogDirMover %v, LogDirDescriber %v", cl.Path(), mover, desc)
	}
	plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 2, Replicas: []int32{2, 1}, LogDirs: []string{"any", "/data/b"}}}
	if err := mover.MoveLogDirs(ctx, plan); err != nil {
		t.Fatal(err)
	}
	got, err := desc.DescribeLogDirs(ctx, []int32{1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := got[1].Replicas[tpT(2)]; r.Future != "/data/b" {
		t.Errorf("broker 1 t-2 = %+v", r)
	}
	if r := got[2].Replicas[tpT(2)]; r.Future != "" || len(got[2].Replicas) != 3 {
		t.Errorf("broker 2 = %+v (an \"any\" replica must not move; nil tps asks for every partition)", got[2].Replicas)
	}
	if m.alters[2] != 0 {
		t.Errorf("broker 2 was asked to move a replica with log dir \"any\"")
	}
}

// testLogger logs at debug level into the test's log, so that franz-go's
// lines are seen when a test fails.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// The franz-go client verifies the brokers' certificates with the trust
// that ssl.truststore.* of the --command-config gives, and refuses brokers
// it does not trust.
func TestLogDirsOverTLS(t *testing.T) {
	caPEM, serverCert := selfSignedCert(t)
	c, m := startLogDirCluster(t, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}))
	sec, err := securityFromProperties(map[string]string{
		"security.protocol": "SSL", "ssl.truststore.type": "PEM", "ssl.truststore.certificates": string(caPEM),
	}, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	plan := []cluster.PartitionAssignment{{Topic: "t", Partition: 1, Replicas: []int32{1, 2}, LogDirs: []string{"/data/b", "any"}}}
	if err := logDirAdmin(t, c, sec).MoveLogDirs(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	if m.replicas[1][tpT(1)].Future != "/data/b" {
		t.Errorf("move not started over TLS")
	}

	untrusted := logDirAdmin(t, c, &Security{Protocol: "SSL", TLS: &tls.Config{MinVersion: tls.VersionTLS12}})
	untrusted.timeout = time.Second
	err = untrusted.MoveLogDirs(context.Background(), plan)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("a broker with an untrusted certificate: %v, want x509.UnknownAuthorityError", err)
	}
}

// selfSignedCert makes a certificate for 127.0.0.1 that is its own CA.
func selfSignedCert(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fdud test broker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// The paths' capabilities, as data. The ZooKeeper path cannot move log
// directories (Kafka's ZooKeeper-based tool could not either before 1.1, and
// it needs AlterReplicaLogDirs on the brokers): it must not claim to, so
// execute refuses such plans up front. Its controller takes one batch at a
// time, it cancels only through the Admin API, and fdud's state lives in
// ZooKeeper there.
func TestCapabilities(t *testing.T) {
	zk := (&zkCluster{}).Capabilities()
	if zk.LogDirMover != nil || zk.LogDirDescriber != nil {
		t.Error("the ZooKeeper path claims to move or describe log dirs")
	}
	if !zk.OneBatch || zk.Cancel || zk.StateTopic != nil {
		t.Errorf("ZooKeeper path: %+v", zk)
	}
	a := &adminCluster{}
	admin := a.Capabilities()
	if admin.OneBatch || !admin.Cancel || admin.LogDirMover == nil || admin.LogDirDescriber == nil || admin.StateTopic == nil {
		t.Errorf("Admin API path: %+v", admin)
	}
	if StateTopicOf(a) == nil || StateTopicOf(&zkCluster{}) != nil || StateTopicOf(nil) != nil {
		t.Error("StateTopicOf does not follow Capabilities.StateTopic")
	}
}
