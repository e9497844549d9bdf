package kafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/progress"
	"github.com/fdud/fdud/internal/sizes"
	"github.com/fdud/fdud/internal/testenv"
)

// integrationOffsets reassigns a partition holding a known number of
// messages to a broker without it, through the ZooKeeper path given no
// broker address (offsets then come from the brokers ZooKeeper lists), and
// follows the copy with ReplicaOffsets as progress in messages does: the
// leader reports log start 0 and a log end offset of the messages written,
// the adding replica, a follower, its own log end offset, which reaches
// the leader's. From Kafka 0.10.1 the copy runs under a replication
// throttle, slow enough to be seen half-way (0.9 has no throttle and
// copies at once). It runs on Kafka 0.9 (TestLiveKafka09) and on the
// ZooKeeper-mode modern releases (TestIntegrationAdminAPI).
func integrationOffsets(t *testing.T, k *testenv.Kafka) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := Connect(ctx, Options{ZooKeeper: k.ZooKeeperConnect, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	offsets := c.Capabilities().Offsets
	if offsets == nil {
		t.Fatal("no offsets on the ZooKeeper path")
	}
	b := make([]byte, 4)
	rand.Read(b)
	topic := "fdud-offsets-" + hex.EncodeToString(b)
	ids := k.BrokerIDs()
	k.CreateTopicWithAssignment(t, topic, [][]int32{{ids[0], ids[1]}})
	k.WaitReplicasInSync(t, topic)
	if err := k.WaitTopic(ctx, topic, 1); err != nil {
		t.Fatal(err)
	}
	const msgSize, step, msgs = 1024, 500, 3000
	for range msgs / step { // batches a producer request takes
		produceBytes(t, k, topic, 1, msgSize, step)
	}
	tp := cluster.TopicPartition{Topic: topic, Partition: 0}

	throttled := !k.Version.IsLegacy() // throttles came with 0.10.1
	if throttled {
		// 300 KB/s for 3 MB: about ten seconds of copying.
		rates := map[string]string{LeaderThrottledRate: "300000", FollowerThrottledRate: "300000"}
		for _, id := range ids {
			if err := c.AlterConfigs(ctx, BrokerEntity, strconv.Itoa(int(id)), rates, nil); err != nil {
				t.Fatal(err)
			}
		}
		lists := map[string]string{LeaderThrottledReplicas: "*", FollowerThrottledReplicas: "*"}
		if err := c.AlterConfigs(ctx, TopicEntity, topic, lists, nil); err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, id := range ids {
				if err := c.AlterConfigs(context.Background(), BrokerEntity, strconv.Itoa(int(id)), nil,
					[]string{LeaderThrottledRate, FollowerThrottledRate}); err != nil {
					t.Error(err)
				}
			}
		}()
	}

	st, err := c.State(ctx, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	leader, spare := st.Partitions[0].Leader, ids[2]
	if err := c.Reassign(ctx, []cluster.PartitionAssignment{{Topic: topic, Partition: 0, Replicas: []int32{ids[0], spare}}}); err != nil {
		t.Fatal(err)
	}
	parts := []sizes.Copying{{TP: tp, Adding: []int32{spare}, Leader: leader}}
	var (
		x       progress.Estimator
		halfway []string
		last    sizes.Copied
		start   = time.Now()
	)
	for {
		o, err := offsets.ReplicaOffsets(ctx, map[cluster.TopicPartition]int32{tp: leader}, map[cluster.TopicPartition][]int32{tp: {spare}})
		if err != nil {
			t.Fatal(err)
		}
		if o.Start[tp] != 0 || o.End[tp][leader] != msgs {
			t.Fatalf("leader %d: log start %d, log end %d; want 0 and %d (offsets %+v)", leader, o.Start[tp], o.End[tp][leader], msgs, o)
		}
		last = sizes.MessageProgress(parts, o)
		e := x.Add(time.Now(), last)
		if last.Done > 0 && last.Done < last.Total {
			halfway = append(halfway, e.String())
		}
		if last.Done == last.Total {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the adding replica did not catch up: %+v", last)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("Kafka %s: copied %d messages to broker %d in %v; half-way: %q", k.Version, last.Total, spare,
		time.Since(start).Round(100*time.Millisecond), halfway)
	if last.Total != msgs || last.Unknown != 0 {
		t.Errorf("at the end: %+v, want %d of %d messages", last, msgs, msgs)
	}
	if throttled && len(halfway) == 0 {
		t.Errorf("a throttled copy of %d messages never seen half-way", msgs)
	}
	waitFor(ctx, t, "the reassignment to complete", func() bool {
		st, err := c.State(ctx, []string{topic})
		return err == nil && !st.Partitions[0].Reassigning() && slices.Contains(st.Partitions[0].Replicas, spare)
	})
}
