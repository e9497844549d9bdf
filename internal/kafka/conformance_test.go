package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

// conformanceTarget is one Cluster under the conformance suite: a real path
// against real brokers (integration_test.go) or the Fake.
type conformanceTarget struct {
	c Cluster
	// topic is a name not yet used on the cluster.
	topic string
	// settle lets reassignments in flight finish: the Fake finishes them
	// on request, real brokers by themselves (nil).
	settle func()
	// wait bounds each eventual check (real clusters apply changes
	// asynchronously).
	wait time.Duration
	// release is the Kafka release the brokers run, as testenv names it
	// ("2.4.1"); "" when not known (an operator's cluster), which skips the
	// checks of what differs between releases.
	release string
}

// conformance is the contract every Cluster keeps, as fdud's stages rely
// on it. It runs against the Fake (TestFakeConformance) and both real paths
// (integrationAdminAPI), so that the fake cannot quietly disagree with the
// real thing. It needs three live brokers and creates one topic.
func conformance(t *testing.T, tgt conformanceTarget) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, topic := tgt.c, tgt.topic
	eventually := func(t *testing.T, what string, ok func() (bool, string)) {
		t.Helper()
		deadline := time.Now().Add(tgt.wait)
		for {
			if tgt.settle != nil {
				tgt.settle()
			}
			good, got := ok()
			if good {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %s after %v", what, got, tgt.wait)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	partition := func(t *testing.T, p int32) cluster.PartitionState {
		t.Helper()
		st, err := c.State(ctx, []string{topic})
		if err != nil {
			t.Fatal(err)
		}
		for _, ps := range st.Partitions {
			if ps.Partition == p {
				return ps
			}
		}
		return cluster.PartitionState{Topic: topic, Partition: p, Leader: -1}
	}

	brokers, err := c.Brokers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(brokers) < 3 {
		t.Fatalf("the conformance suite needs 3 live brokers, have %v", brokers)
	}
	b0, b1, b2 := brokers[0].ID, brokers[1].ID, brokers[2].ID

	t.Run("brokers are State's, sorted", func(t *testing.T) {
		st, err := c.State(ctx, []string{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(brokers, st.Brokers) {
			t.Errorf("Brokers() %v, State %v", brokers, st.Brokers)
		}
		if !slices.IsSortedFunc(brokers, func(x, y cluster.Broker) int { return int(x.ID) - int(y.ID) }) {
			t.Errorf("not sorted by id: %v", brokers)
		}
	})

	t.Run("cluster id is stable", func(t *testing.T) {
		a, err1 := c.ClusterID(ctx)
		b, err2 := c.ClusterID(ctx)
		if err1 != nil || err2 != nil || a != b {
			t.Errorf("ClusterID %q (%v), then %q (%v)", a, err1, b, err2)
		}
		// Cluster ids came with Kafka 0.10.1.
		if tgt.release != "" && (a != "") != mustRelease(tgt.release).hasClusterID() {
			t.Errorf("ClusterID %q on Kafka %s", a, tgt.release)
		}
	})

	t.Run("create topic", func(t *testing.T) {
		if err := c.CreateTopic(ctx, topic, [][]int32{{b0, b1}, {b1, b2}}, nil); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the new topic's partitions", func() (bool, string) {
			p0, p1 := partition(t, 0), partition(t, 1)
			got := fmt.Sprint(p0.Replicas, p1.Replicas, p0.Leader, p1.Leader)
			return slices.Equal(p0.Replicas, []int32{b0, b1}) && slices.Equal(p1.Replicas, []int32{b1, b2}) &&
				p0.Leader == b0 && p1.Leader == b1, got
		})
		if err := c.CreateTopic(ctx, topic, [][]int32{{b0, b1}}, nil); !errors.Is(err, ErrTopicExists) {
			t.Errorf("creating it again: %v, want ErrTopicExists", err)
		}
	})

	t.Run("topic configs", func(t *testing.T) {
		key := LeaderThrottledReplicas
		e0, e1 := fmt.Sprintf("0:%d", b0), fmt.Sprintf("1:%d", b1)
		value := func() (string, bool) {
			got, err := c.DescribeConfigs(ctx, TopicEntity, []string{topic})
			if err != nil {
				t.Fatal(err)
			}
			v, ok := got[topic][key]
			return v, ok
		}
		expect := func(what, want string, present bool) {
			t.Helper()
			eventually(t, what, func() (bool, string) {
				v, ok := value()
				return ok == present && v == want, fmt.Sprintf("%q (present %v)", v, ok)
			})
		}
		if err := c.AlterConfigs(ctx, TopicEntity, topic, map[string]string{key: e0}, nil); err != nil {
			t.Fatal(err)
		}
		expect("after a set", e0, true)
		if err := c.AlterConfigOps(ctx, TopicEntity, topic, []ConfigOp{{Type: ConfigAppend, Key: key, Entries: []string{e1, e0}}}); err != nil {
			t.Fatal(err)
		}
		expect("after an append (an entry already there is not added twice)", e0+","+e1, true)
		if err := c.AlterConfigOps(ctx, TopicEntity, topic, []ConfigOp{{Type: ConfigSubtract, Key: key, Entries: []string{e0}}}); err != nil {
			t.Fatal(err)
		}
		expect("after a subtract", e1, true)
		if err := c.AlterConfigs(ctx, TopicEntity, topic, nil, []string{key}); err != nil {
			t.Fatal(err)
		}
		expect("after a delete", "", false)
		if err := c.AlterConfigs(ctx, BrokerEntity, ClusterDefault, map[string]string{key: "x"}, nil); err == nil {
			t.Error("AlterConfigs changed the cluster-wide default")
		}
	})

	t.Run("broker throttle rates", func(t *testing.T) {
		brokerConfigs(t, tgt, ctx, itoa(b0), eventually)
	})

	t.Run("reassign and elect", func(t *testing.T) {
		tp0 := cluster.TopicPartition{Topic: topic, Partition: 0}
		if err := c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: []int32{b2, b0}}}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the reassignment", func() (bool, string) {
			p := partition(t, 0)
			return !p.Reassigning() && slices.Equal(p.Replicas, []int32{b2, b0}) && slices.Contains(p.ISR, b2),
				fmt.Sprintf("replicas %v target %v isr %v", p.Replicas, p.Target, p.ISR)
		})
		if err := c.CancelReassignments(ctx, []cluster.TopicPartition{tp0}); err != nil && !errors.Is(err, ErrCancelUnsupported) {
			t.Errorf("cancelling a partition with nothing in flight: %v", err)
		}
		if err := c.ElectPreferredLeaders(ctx, []cluster.TopicPartition{tp0}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the preferred leader", func() (bool, string) {
			p := partition(t, 0)
			return p.Leader == b2, fmt.Sprint("leader ", p.Leader)
		})
	})

	// Cases a path has no capability for are not run at all, rather than
	// skipped, so that a SKIP in CI always means something is missing.
	caps := c.Capabilities()
	logDirs := caps.LogDirDescriber != nil && caps.LogDirMover != nil && caps.Sizer != nil
	if !logDirs {
		t.Log("no log directory capabilities on this path: log directories and copying do not apply")
	} else {
		t.Run("log directories", func(t *testing.T) {
			tp0 := cluster.TopicPartition{Topic: topic, Partition: 0}
			p0 := partition(t, 0)
			got, err := caps.LogDirDescriber.DescribeLogDirs(ctx, p0.Replicas, []cluster.TopicPartition{tp0})
			if err != nil {
				t.Fatal(err)
			}
			dirs := make([]string, len(p0.Replicas))
			for i, b := range p0.Replicas {
				r, ok := got[b].Replicas[tp0]
				if got[b].Err != nil || !ok || !got[b].HasDir(r.Dir) {
					t.Fatalf("broker %d: %+v, want %s in one of its log dirs", b, got[b], tp0)
				}
				dirs[i] = r.Dir
			}
			// A move into the directory a replica is in already does nothing; a
			// directory the broker lacks fails for that partition.
			if err := caps.LogDirMover.MoveLogDirs(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: p0.Replicas, LogDirs: dirs}}); err != nil {
				t.Errorf("moving replicas where they are: %v", err)
			}
			err = caps.LogDirMover.MoveLogDirs(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: p0.Replicas,
				LogDirs: []string{"/no/such/fdud/dir", cluster.AnyLogDir}}})
			var pe *PartitionErrors
			if !errors.As(err, &pe) || !slices.Equal(pe.Failed(), []cluster.TopicPartition{tp0}) {
				t.Errorf("moving to a directory the broker lacks: %v, want %s failed", err, tp0)
			}
			// Every partition when none is named; only those named otherwise
			// (partition 1 is on b1 as well); the directories alone for none.
			tp1 := cluster.TopicPartition{Topic: topic, Partition: 1}
			all := []int32{b0, b1, b2}
			for _, c := range []struct {
				tps  []cluster.TopicPartition
				want []cluster.TopicPartition
			}{
				{nil, []cluster.TopicPartition{tp0, tp1}},
				{[]cluster.TopicPartition{tp0}, []cluster.TopicPartition{tp0}},
				{[]cluster.TopicPartition{}, nil},
			} {
				l, err := caps.Sizer.ReplicaSizes(ctx, all, c.tps)
				if err != nil {
					t.Fatal(err)
				}
				var got []cluster.TopicPartition
				for tp := range l.Replicas {
					if tp.Topic == topic {
						got = append(got, tp)
					}
				}
				slices.SortFunc(got, cluster.TopicPartition.Compare)
				if !slices.Equal(got, c.want) || len(c.tps) > 0 && len(l.Replicas) != len(c.tps) {
					t.Errorf("replica sizes asked for %v: partitions %v (of %d), want %v", c.tps, got, len(l.Replicas), c.want)
				}
				if !slices.Equal(l.Brokers, slices.Sorted(slices.Values(all))) || len(l.Dirs) < len(all) {
					t.Errorf("replica sizes asked for %v: brokers %v, dirs %v, want every broker with its directories", c.tps, l.Brokers, l.Dirs)
				}
				if !slices.Contains(c.want, tp0) {
					continue
				}
				var on []int32
				for _, r := range l.Replicas[tp0] {
					if !r.Future {
						on = append(on, r.Broker)
					}
				}
				slices.Sort(on)
				if want := slices.Sorted(slices.Values(p0.Replicas)); !slices.Equal(on, want) {
					t.Errorf("replica sizes of %s on brokers %v, want %v", tp0, on, want)
				}
			}
		})
	}

	t.Run("offsets", func(t *testing.T) {
		conformanceOffsets(t, ctx, tgt, []int32{b0, b1, b2}, partition, eventually)
	})

	if logDirs {
		t.Run("copying", func(t *testing.T) {
			conformanceCopying(t, ctx, tgt, []int32{b0, b1, b2}, partition, eventually)
		})
	}

	// The ZooKeeper path hands the whole plan to the controller unchecked
	// (the stages validate plans against State first): no per-partition
	// results there.
	if caps.OneBatch {
		t.Log("the ZooKeeper path reports no per-partition results: a bad plan's per-partition failure does not apply")
	} else {
		t.Run("a bad plan fails per partition", func(t *testing.T) {
			missing := cluster.TopicPartition{Topic: topic, Partition: 9}
			err := c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 9, Replicas: []int32{b0, b1}}})
			var pe *PartitionErrors
			if !errors.As(err, &pe) || !slices.Equal(pe.Failed(), []cluster.TopicPartition{missing}) {
				t.Errorf("got %v, want %s failed", err, missing)
			}
		})
	}
}

// brokerConfigs: what DescribeConfigs shows of a broker throttle rate fdud
// sets and deletes, by release and path. Kafka 0.9 has no dynamic broker
// configs (the ZooKeeper path refuses them); the Admin API path on 2.4
// and 2.5 cannot see the rates (Unreported, the cluster-wide default's
// too), though the brokers hold them; other releases, and the ZooKeeper
// path, show them.
func brokerConfigs(t *testing.T, tgt conformanceTarget, ctx context.Context, broker string,
	eventually func(*testing.T, string, func() (bool, string))) {
	if tgt.release == "" {
		t.Skip("the release is not known")
	}
	c, key := tgt.c, LeaderThrottledRate
	rel := mustRelease(tgt.release)
	read := func(name string) (string, bool) {
		got, err := c.DescribeConfigs(ctx, BrokerEntity, []string{name})
		if err != nil {
			t.Fatal(err)
		}
		v, ok := got[name][key]
		return v, ok
	}
	expect := func(what, name, want string, present bool) {
		t.Helper()
		eventually(t, what, func() (bool, string) {
			v, ok := read(name)
			return ok == present && v == want, fmt.Sprintf("%q (present %v)", v, ok)
		})
	}
	err := c.AlterConfigs(ctx, BrokerEntity, broker, map[string]string{key: "12345"}, nil)
	if !rel.atLeast(sarama.V0_10_0_0) {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("setting a broker rate on Kafka %s: %v, want errors.ErrUnsupported", tgt.release, err)
		}
		expect("after the refused set", broker, "", false)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.Path() == AdminAPIPath && !rel.atLeast(sarama.V2_6_0_0) {
		expect("after a set, on a release that does not report rates", broker, Unreported, true)
		expect("the cluster-wide default", ClusterDefault, Unreported, true)
	} else {
		expect("after a set", broker, "12345", true)
		expect("the cluster-wide default", ClusterDefault, "", false)
	}
	if err := c.AlterConfigs(ctx, BrokerEntity, broker, nil, []string{key}); err != nil {
		t.Fatal(err)
	}
	if c.Path() == AdminAPIPath && !rel.atLeast(sarama.V2_6_0_0) {
		expect("after a delete", broker, Unreported, true)
	} else {
		expect("after a delete", broker, "", false)
	}
}

// The Fake plays each path and release the real ones are checked on, and
// shows config changes late as real brokers may.
func TestFakeConformance(t *testing.T) {
	brokers := []cluster.Broker{{ID: 3, Host: "h3", Port: 9092, Rack: "FD2UD2"}, {ID: 1, Host: "h1", Port: 9092, Rack: "FD0UD0"},
		{ID: 2, Host: "h2", Port: 9092, Rack: "FD1UD1"}}
	for _, tc := range []struct {
		o   FakeOptions
		id  string
		lag int
	}{
		{o: FakeOptions{LogDirs: []string{"/data/a", "/data/b"}}, id: "fake-id"},
		{o: FakeOptions{LogDirs: []string{"/data/a", "/data/b"}, Release: "2.4.1"}, id: "fake-id", lag: 2},
		{o: FakeOptions{ZooKeeper: true, Release: "2.4.1"}, id: "fake-id"},
		{o: FakeOptions{ZooKeeper: true, Release: "0.9.0.1"}},
	} {
		f := NewFakeWith(tc.o, tc.id, brokers...)
		f.SetConfigLag(tc.lag)
		release := tc.o.Release
		if release == "" {
			release = sarama.MaxVersion.String()
		}
		path := "admin api"
		if tc.o.ZooKeeper {
			path = "zookeeper"
		}
		t.Run(fmt.Sprintf("kafka=%s %s config lag %d", release, path, tc.lag), func(t *testing.T) {
			conformance(t, conformanceTarget{c: f, topic: "conformance", settle: f.Complete, wait: time.Second, release: release})
		})
	}
}
