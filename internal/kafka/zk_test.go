package kafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/zookeeper"
)

// The ZooKeeper path against a real ZooKeeper server, with znodes written
// by hand in the formats Kafka's brokers and controller use. Each test works
// in its own random chroot.

func randomChroot(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "/fdud-kafka-test-" + hex.EncodeToString(b)
}

type zkFixture struct {
	t       *testing.T
	server  *testenv.ZooKeeper
	connect string // with chroot
	raw     *zookeeper.Conn
}

func newZKFixture(t *testing.T, server *testenv.ZooKeeper) *zkFixture {
	t.Helper()
	f := &zkFixture{t: t, server: server, connect: server.Addr + randomChroot(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := zookeeper.Connect(ctx, zookeeper.Options{Connect: f.connect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(raw.Close)
	f.raw = raw
	return f
}

func (f *zkFixture) put(p, data string) {
	f.t.Helper()
	if _, err := f.raw.Create(context.Background(), p, []byte(data), 0); err != nil {
		f.t.Fatal(err)
	}
}

func (f *zkFixture) get(p string) string {
	f.t.Helper()
	data, _, err := f.raw.Get(context.Background(), p)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}

func (f *zkFixture) open(digest string) *zkCluster {
	f.t.Helper()
	o := Options{ZooKeeper: f.connect, ZooKeeperDigest: zookeeper.Secret(digest), Timeout: 30 * time.Second}
	c, err := Connect(context.Background(), o)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	if c.Path() != ZooKeeperPath {
		f.t.Errorf("path %q", c.Path())
	}
	return c.(*zkCluster)
}

// brokers writes registrations as Kafka 0.9 (version 2, no rack), 0.10+
// (version 4 with rack) and a SASL-only broker (no host) write them.
func (f *zkFixture) brokers() {
	f.put("/brokers/ids/1", `{"jmx_port":-1,"timestamp":"1","endpoints":["PLAINTEXT://10.0.0.1:9092"],"host":"10.0.0.1","version":2,"port":9092}`)
	f.put("/brokers/ids/2", `{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://10.0.0.2:9092"],"rack":"FD1UD1","jmx_port":-1,"host":"10.0.0.2","timestamp":"1","port":9092,"version":4}`)
	f.put("/brokers/ids/3", `{"endpoints":["SASL_SSL://wn3.example:9093"],"rack":"FD2UD2","jmx_port":-1,"host":null,"timestamp":"1","port":-1,"version":4}`)
	f.put("/controller", `{"version":1,"brokerid":2,"timestamp":"1"}`)
}

func TestZooKeeperPath(t *testing.T) {
	server := testenv.StartZooKeeper(t)
	ctx := context.Background()

	t.Run("cluster id", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		c := f.open("")
		if id, err := c.ClusterID(ctx); err != nil || id != "" {
			t.Errorf("before 0.10.1 (no /cluster/id): %q, %v", id, err)
		}
		f.put("/cluster/id", `{"version":"1","id":"x1QmQ5oFTbaIrlXSdw7Rtw"}`)
		if id, err := c.ClusterID(ctx); err != nil || id != "x1QmQ5oFTbaIrlXSdw7Rtw" {
			t.Errorf("got %q, %v", id, err)
		}
	})

	t.Run("state", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		f.put("/brokers/topics/orders", `{"version":1,"partitions":{"1":[2,3,1],"0":[1,2,3,4],"2":[3,1]}}`)
		f.put("/brokers/topics/orders/partitions/0/state", `{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}`)
		f.put("/brokers/topics/orders/partitions/1/state", `{"controller_epoch":1,"leader":-1,"version":1,"leader_epoch":0,"isr":[]}`)
		// partition 2 has no state node yet (being created): leader -1
		f.put("/brokers/topics/new24", `{"version":2,"partitions":{"0":[4,2,3,1]},"adding_replicas":{"0":[4]},"removing_replicas":{"0":[1]}}`)
		f.put("/brokers/topics/new24/partitions/0/state", `{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":0,"isr":[2,3,1]}`)
		f.put("/brokers/topics/notstarted", `{"version":1,"partitions":{"0":[1,2]}}`)
		// orders-0: 0.9 controller wrote the union of [1 2 3] and target [4 2 3];
		// notstarted-0: the controller has not expanded the set yet.
		f.put("/admin/reassign_partitions", `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[4,2,3]},{"topic":"notstarted","partition":0,"replicas":[3,2]}]}`)
		c := f.open("")
		st, err := c.State(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(st.Brokers); got != "[{1 10.0.0.1 9092 } {2 10.0.0.2 9092 FD1UD1} {3 wn3.example 9093 FD2UD2}]" {
			t.Errorf("brokers %s", got)
		}
		if bs, err := c.Brokers(ctx); err != nil || !slices.Equal(bs, st.Brokers) {
			t.Errorf("Brokers() = %v, %v; want State's %v", bs, err, st.Brokers)
		}
		if st.Controller != 2 {
			t.Errorf("controller %d", st.Controller)
		}
		got := map[string]string{}
		for _, p := range st.Partitions {
			got[p.TP().String()] = fmt.Sprintf("replicas=%v target=%v leader=%d isr=%v", p.Replicas, p.Target, p.Leader, p.ISR)
		}
		want := map[string]string{
			"new24-0":      "replicas=[2 3 1] target=[4 2 3] leader=2 isr=[2 3 1]",
			"notstarted-0": "replicas=[1 2] target=[3 2] leader=-1 isr=[]",
			"orders-0":     "replicas=[1 2 3] target=[4 2 3] leader=1 isr=[1 2 3]",
			"orders-1":     "replicas=[2 3 1] target=[] leader=-1 isr=[]",
			"orders-2":     "replicas=[3 1] target=[] leader=-1 isr=[]",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("partitions\n got %v\nwant %v", got, want)
		}
		st, err = c.State(ctx, []string{"orders", "missing"})
		if err != nil || len(st.Partitions) != 3 {
			t.Errorf("topic filter: %v %v", st, err)
		}
		inflight, err := c.ListReassignments(ctx, nil)
		if err != nil || len(inflight) != 3 {
			t.Errorf("list: %v %v", inflight, err)
		}
	})

	t.Run("reassign", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		c := f.open("")
		plan := []cluster.PartitionAssignment{
			{Topic: "orders", Partition: 0, Replicas: []int32{3, 1}, LogDirs: []string{"any", "any"}},
			{Topic: "orders", Partition: 1, Replicas: []int32{1, 2}},
		}
		if err := c.Reassign(ctx, plan); err != nil {
			t.Fatal(err)
		}
		if got := f.get("/admin/reassign_partitions"); got != `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,1]},{"topic":"orders","partition":1,"replicas":[1,2]}]}` {
			t.Errorf("znode %s", got)
		}
		err := c.Reassign(ctx, plan[:1])
		if !errors.Is(err, cluster.ErrBusy) || !strings.Contains(err.Error(), "/admin/reassign_partitions exists") {
			t.Errorf("second reassignment: %v", err)
		}
		if err := c.Reassign(ctx, []cluster.PartitionAssignment{plan[0], plan[0]}); !cluster.IsInvalid(err) {
			t.Errorf("duplicate partition: %v", err)
		}
		if err := c.CancelReassignments(ctx, []cluster.TopicPartition{plan[0].TP()}); !errors.Is(err, ErrCancelUnsupported) || !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("cancel: %v", err)
		}
	})

	t.Run("configs", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		f.put("/config/changes", "")
		f.put("/config/topics/orders", `{"version":1,"config":{"retention.ms":"1000","cleanup.policy":"compact"}}`)
		c := f.open("")
		err := c.AlterConfigs(ctx, TopicEntity, "orders", map[string]string{FollowerThrottledReplicas: "0:1,0:2"}, []string{"cleanup.policy"})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.get("/config/topics/orders"); got != `{"version":1,"config":{"follower.replication.throttled.replicas":"0:1,0:2","retention.ms":"1000"}}` {
			t.Errorf("topic config %s", got)
		}
		// Issue 9: the refusal says why in its own words, without Go's
		// "unsupported operation" at the end.
		if err := c.AlterConfigs(ctx, BrokerEntity, "2", map[string]string{LeaderThrottledRate: "1000"}, nil); err == nil ||
			!errors.Is(err, errors.ErrUnsupported) || strings.Contains(err.Error(), errors.ErrUnsupported.Error()) {
			t.Errorf("broker config with a 0.9 broker registered: %v", err)
		}
		if err := f.raw.Delete(context.Background(), "/brokers/ids/1", -1); err != nil { // now only 0.10+ brokers
			t.Fatal(err)
		}
		if err := c.AlterConfigs(ctx, BrokerEntity, "2", map[string]string{LeaderThrottledRate: "1000"}, nil); err != nil {
			t.Fatal(err)
		}
		if got := f.get("/config/brokers/2"); got != `{"version":1,"config":{"leader.replication.throttled.rate":"1000"}}` {
			t.Errorf("broker config %s", got)
		}
		changes, err := f.raw.Children(context.Background(), "/config/changes")
		if err != nil || len(changes) != 2 {
			t.Fatalf("changes %v %v", changes, err)
		}
		notes := map[string]bool{}
		for _, ch := range changes {
			if !strings.HasPrefix(ch, "config_change_") {
				t.Errorf("notification %s", ch)
			}
			notes[f.get("/config/changes/"+ch)] = true
		}
		for _, want := range []string{`{"entity_name":"orders","entity_type":"topics","version":1}`, `{"entity_path":"brokers/2","version":2}`} {
			if !notes[want] {
				t.Errorf("no notification %s in %v", want, notes)
			}
		}
		got, err := c.DescribeConfigs(ctx, TopicEntity, []string{"orders", "other"})
		if err != nil || fmt.Sprint(got) != "map[orders:map[follower.replication.throttled.replicas:0:1,0:2 retention.ms:1000] other:map[]]" {
			t.Errorf("describe %v %v", got, err)
		}
	})

	// Pins bug 2 (ZooKeeper path): the cluster-wide default broker config
	// (/config/brokers/<default>) could not be read, so the throttle merge
	// took a default rate for unset.
	t.Run("cluster default broker config", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		f.put("/config/brokers/<default>", `{"version":1,"config":{"leader.replication.throttled.rate":"300"}}`)
		f.put("/config/brokers/2", `{"version":1,"config":{"follower.replication.throttled.rate":"100"}}`)
		c := f.open("")
		got, err := c.DescribeConfigs(ctx, BrokerEntity, []string{ClusterDefault, "2", "3"})
		want := map[string]map[string]string{"": {LeaderThrottledRate: "300"}, "2": {FollowerThrottledRate: "100"}, "3": {}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("describe %v, %v; want %v", got, err, want)
		}
		if err := c.AlterConfigs(ctx, BrokerEntity, ClusterDefault, map[string]string{LeaderThrottledRate: "1"}, nil); !cluster.IsInvalid(err) ||
			!strings.Contains(err.Error(), "cluster-wide default") {
			t.Errorf("alter the cluster default: %v", err)
		}
		if got := f.get("/config/brokers/<default>"); got != `{"version":1,"config":{"leader.replication.throttled.rate":"300"}}` {
			t.Errorf("default changed: %s", got)
		}
	})

	t.Run("config compare and set retries", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		f.put("/config/topics/orders", `{"version":1,"config":{"a":"1"}}`)
		c := f.open("")
		calls := 0
		err := c.updateConfig(ctx, TopicEntity, "orders", func(m map[string]string) {
			calls++
			if calls == 1 { // someone else writes between our read and write
				if err := f.raw.Set(context.Background(), "/config/topics/orders", []byte(`{"version":1,"config":{"a":"1","b":"2"}}`), -1); err != nil {
					t.Fatal(err)
				}
			}
			m["c"] = "3"
		})
		if err != nil || calls != 2 {
			t.Fatalf("err %v after %d attempts", err, calls)
		}
		if got := f.get("/config/topics/orders"); got != `{"version":1,"config":{"a":"1","b":"2","c":"3"}}` {
			t.Errorf("lost the concurrent write: %s", got)
		}
	})

	t.Run("create topic and elect leaders", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		c := f.open("")
		if err := c.CreateTopic(ctx, "orders", [][]int32{{1, 2}, {2, 3}}, map[string]string{"min.insync.replicas": "2"}); err != nil {
			t.Fatal(err)
		}
		if got := f.get("/brokers/topics/orders"); got != `{"version":1,"partitions":{"0":[1,2],"1":[2,3]}}` {
			t.Errorf("topic %s", got)
		}
		if got := f.get("/config/topics/orders"); got != `{"version":1,"config":{"min.insync.replicas":"2"}}` {
			t.Errorf("config %s", got)
		}
		if err := c.CreateTopic(ctx, "orders", [][]int32{{1}}, nil); !errors.Is(err, ErrTopicExists) {
			t.Errorf("second create: %v", err)
		}
		tps := []cluster.TopicPartition{{Topic: "orders", Partition: 0}, {Topic: "orders", Partition: 1}}
		if err := c.ElectPreferredLeaders(ctx, tps); err != nil {
			t.Fatal(err)
		}
		if got := f.get("/admin/preferred_replica_election"); got != `{"version":1,"partitions":[{"topic":"orders","partition":0},{"topic":"orders","partition":1}]}` {
			t.Errorf("election %s", got)
		}
		if err := c.ElectPreferredLeaders(ctx, tps); !errors.Is(err, cluster.ErrBusy) {
			t.Errorf("second election: %v", err)
		}
	})

	t.Run("chroot and digest", func(t *testing.T) {
		f := newZKFixture(t, server)
		f.brokers()
		c := f.open("fdud:secret")
		if err := c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{1}}}); err != nil {
			t.Fatal(err)
		}
		chroot := strings.TrimPrefix(f.connect, server.Addr)
		raw := f.raw.Raw()
		if ok, _, err := raw.Exists(chroot + "/admin/reassign_partitions"); err != nil || !ok {
			t.Errorf("node not under the chroot: %v %v", ok, err)
		}
		if ok, _, _ := raw.Exists("/admin/reassign_partitions"); ok {
			t.Error("node written outside the chroot")
		}
		// The controller must be able to rewrite and delete it: the node gets
		// its parent's ACL (here open), not fdud's digest-only write ACL.
		acl, _, err := raw.GetACL(chroot + "/admin/reassign_partitions")
		if err != nil || len(acl) != 1 || acl[0].Scheme != "world" || acl[0].Perms != zk.PermAll {
			t.Errorf("acl %+v %v", acl, err)
		}
		if _, err := raw.Set(chroot+"/admin/reassign_partitions", []byte(`{}`), -1); err != nil {
			t.Errorf("a broker without fdud's credentials cannot update the node: %v", err)
		}
	})

	t.Run("not a kafka chroot", func(t *testing.T) {
		_, err := Connect(ctx, Options{ZooKeeper: server.Addr + randomChroot(t), Timeout: 30 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "check the chroot") {
			t.Errorf("got %v", err)
		}
	})
}

func TestZooKeeperJSONFormats(t *testing.T) {
	// The reassignment znode is Kafka's document without log_dirs (a 0.9
	// controller knows nothing of them).
	b, _ := json.Marshal(zkReassignment{Version: 1, Partitions: []zkReassignPartion{{Topic: "t", Partition: 1, Replicas: []int32{2, 1}}}})
	if string(b) != `{"version":1,"partitions":[{"topic":"t","partition":1,"replicas":[2,1]}]}` {
		t.Errorf("got %s", b)
	}
}
