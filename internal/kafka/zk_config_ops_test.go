package kafka

import (
	"context"
	"errors"
	"testing"

	"github.com/fdud/fdud/internal/testenv"
)

// AlterConfigOps on the ZooKeeper path, against a real ZooKeeper server: the
// list operations apply to the znode as it is when fdud writes, so a
// change somebody made after fdud read the config survives.
func TestZooKeeperAlterConfigOps(t *testing.T) {
	server := testenv.StartZooKeeper(t)
	ctx := context.Background()
	const l, f = LeaderThrottledReplicas, FollowerThrottledReplicas
	app := func(k string, es ...string) ConfigOp { return ConfigOp{Type: ConfigAppend, Key: k, Entries: es} }
	sub := func(k string, es ...string) ConfigOp { return ConfigOp{Type: ConfigSubtract, Key: k, Entries: es} }

	fx := newZKFixture(t, server)
	fx.brokers()
	fx.put("/config/changes", "")
	fx.put("/config/topics/orders", `{"version":1,"config":{"leader.replication.throttled.replicas":"5:9,0:1","retention.ms":"1000"}}`)
	c := fx.open("")
	set := func(p, data string) {
		t.Helper()
		if err := fx.raw.Set(context.Background(), p, []byte(data), -1); err != nil {
			t.Fatal(err)
		}
	}
	notes := func() int {
		t.Helper()
		ch, err := fx.raw.Children(context.Background(), "/config/changes")
		if err != nil {
			t.Fatal(err)
		}
		return len(ch)
	}
	check := func(step, znode, want string, wantNotes int) {
		t.Helper()
		if got := fx.get(znode); got != want {
			t.Errorf("%s: %s\n got %s\nwant %s", step, znode, got, want)
		}
		if n := notes(); n != wantNotes {
			t.Errorf("%s: %d change notifications, want %d", step, n, wantNotes)
		}
	}

	// fdud reads the lists (as throttle.Apply does), then an operator adds
	// an entry, then fdud writes: the operator's entry stays.
	if _, err := c.DescribeConfigs(ctx, TopicEntity, []string{"orders"}); err != nil {
		t.Fatal(err)
	}
	set("/config/topics/orders", `{"version":1,"config":{"leader.replication.throttled.replicas":"5:9,0:1,7:7","retention.ms":"1000"}}`)
	if err := c.AlterConfigOps(ctx, TopicEntity, "orders", []ConfigOp{app(l, "0:1", "0:2"), app(f, "0:3", "0:3")}); err != nil {
		t.Fatal(err)
	}
	check("append", "/config/topics/orders",
		`{"version":1,"config":{"follower.replication.throttled.replicas":"0:3","leader.replication.throttled.replicas":"5:9,0:1,7:7,0:2","retention.ms":"1000"}}`, 1)

	// Appending what is there already writes nothing.
	if err := c.AlterConfigOps(ctx, TopicEntity, "orders", []ConfigOp{app(l, "0:2"), app(f, "0:3")}); err != nil {
		t.Fatal(err)
	}
	check("append again", "/config/topics/orders",
		`{"version":1,"config":{"follower.replication.throttled.replicas":"0:3","leader.replication.throttled.replicas":"5:9,0:1,7:7,0:2","retention.ms":"1000"}}`, 1)

	// Clean-up: fdud read, the operator adds 6:6, fdud subtracts its own
	// entries (0:1 was the operator's before fdud, but fdud names only what
	// it added).
	if _, err := c.DescribeConfigs(ctx, TopicEntity, []string{"orders"}); err != nil {
		t.Fatal(err)
	}
	set("/config/topics/orders", `{"version":1,"config":{"follower.replication.throttled.replicas":"0:3,6:6","leader.replication.throttled.replicas":"5:9,0:1,7:7,0:2","retention.ms":"1000"}}`)
	if err := c.AlterConfigOps(ctx, TopicEntity, "orders", []ConfigOp{sub(l, "0:2", "0:4"), sub(f, "0:3")}); err != nil {
		t.Fatal(err)
	}
	check("subtract", "/config/topics/orders",
		`{"version":1,"config":{"follower.replication.throttled.replicas":"6:6","leader.replication.throttled.replicas":"5:9,0:1,7:7","retention.ms":"1000"}}`, 2)

	// The last entries out: the list stays, empty, as Kafka leaves it.
	if err := c.AlterConfigOps(ctx, TopicEntity, "orders", []ConfigOp{sub(f, "6:6")}); err != nil {
		t.Fatal(err)
	}
	check("subtract the last entry", "/config/topics/orders",
		`{"version":1,"config":{"follower.replication.throttled.replicas":"","leader.replication.throttled.replicas":"5:9,0:1,7:7","retention.ms":"1000"}}`, 3)

	// Subtracting from an absent key, or entries that are not there, is a
	// no-op: no znode is created, nothing is written or announced.
	if err := c.AlterConfigOps(ctx, TopicEntity, "other", []ConfigOp{sub(l, "0:1")}); err != nil {
		t.Fatal(err)
	}
	if ok, err := fx.raw.Exists(context.Background(), "/config/topics/other"); err != nil || ok {
		t.Errorf("subtract from nothing created /config/topics/other: %v %v", ok, err)
	}
	if err := c.AlterConfigOps(ctx, TopicEntity, "orders", []ConfigOp{sub(l, "9:9"), sub(f, "0:3")}); err != nil {
		t.Fatal(err)
	}
	check("subtract absent entries", "/config/topics/orders",
		`{"version":1,"config":{"follower.replication.throttled.replicas":"","leader.replication.throttled.replicas":"5:9,0:1,7:7","retention.ms":"1000"}}`, 3)

	// An append to an empty list gives no leading empty entry.
	if err := c.AlterConfigOps(ctx, TopicEntity, "orders", []ConfigOp{app(f, "1:3")}); err != nil {
		t.Fatal(err)
	}
	check("append to an empty list", "/config/topics/orders",
		`{"version":1,"config":{"follower.replication.throttled.replicas":"1:3","leader.replication.throttled.replicas":"5:9,0:1,7:7","retention.ms":"1000"}}`, 4)

	// Never an append to "*": an error, and nothing written.
	fx.put("/config/topics/all", `{"version":1,"config":{"leader.replication.throttled.replicas":"*"}}`)
	err := c.AlterConfigOps(ctx, TopicEntity, "all", []ConfigOp{{Type: ConfigSet, Key: "retention.ms", Value: "1"}, app(l, "0:1")})
	if !errors.Is(err, ErrWildcardList) {
		t.Errorf("append to *: %v", err)
	}
	check("append to *", "/config/topics/all", `{"version":1,"config":{"leader.replication.throttled.replicas":"*"}}`, 4)
	if err := c.AlterConfigOps(ctx, TopicEntity, "all", []ConfigOp{sub(l, "0:1")}); err != nil {
		t.Fatal(err)
	}
	check("subtract from *", "/config/topics/all", `{"version":1,"config":{"leader.replication.throttled.replicas":"*"}}`, 4)

	// Inside one AlterConfigOps, a write that lands between its read of the
	// znode and its compare-and-set makes it read again and apply the ops to
	// the new config: nothing of the other write is lost.
	fx.put("/config/topics/race", `{"version":1,"config":{"leader.replication.throttled.replicas":"5:9"}}`)
	calls := 0
	changed, err := c.editConfig(ctx, TopicEntity, "race", func(cfg map[string]string) (bool, error) {
		if calls++; calls == 1 {
			set("/config/topics/race", `{"version":1,"config":{"leader.replication.throttled.replicas":"5:9,6:6"}}`)
		}
		return ApplyConfigOps(cfg, []ConfigOp{app(l, "0:1")})
	})
	if err != nil || !changed || calls != 2 {
		t.Fatalf("changed %v, err %v after %d attempts", changed, err, calls)
	}
	if got := fx.get("/config/topics/race"); got != `{"version":1,"config":{"leader.replication.throttled.replicas":"5:9,6:6,0:1"}}` {
		t.Errorf("lost the concurrent write: %s", got)
	}
}
