package testenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/zookeeper"
)

// ZK returns a session on the cluster's chroot, shared by the test and closed
// when it ends. Do not Close it.
func (k *Kafka) ZK(t testing.TB) *zookeeper.Conn {
	t.Helper()
	c, err := k.zk()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return c
}

func (k *Kafka) zk() (*zookeeper.Conn, error) {
	k.zkOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		k.zkConn, k.zkErr = zookeeper.Connect(ctx, zookeeper.Options{Connect: k.ZooKeeperConnect, SessionTimeout: 30 * time.Second})
	})
	return k.zkConn, k.zkErr
}

func (k *Kafka) closeZK() {
	if k.zkConn != nil {
		k.zkConn.Close()
	}
}

// CreateTopic creates a topic whose replicas are spread over the brokers
// round-robin, the way Kafka's default assignment does (partition p starts at
// the p-th broker), and waits until every partition has a leader.
func (k *Kafka) CreateTopic(t testing.TB, name string, partitions int32, replicationFactor int16) {
	t.Helper()
	ids := k.BrokerIDs()
	if int(replicationFactor) > len(ids) {
		t.Fatalf("create topic %s: replication factor %d exceeds %d brokers", name, replicationFactor, len(ids))
	}
	assignment := make([][]int32, partitions)
	for p := range assignment {
		for r := 0; r < int(replicationFactor); r++ {
			assignment[p] = append(assignment[p], ids[(p+r)%len(ids)])
		}
	}
	k.CreateTopicWithConfig(t, name, assignment, nil)
}

// CreateTopicWithAssignment creates a topic with exactly these replicas
// (index = partition id, first replica = preferred leader) and waits until
// every partition has a leader.
func (k *Kafka) CreateTopicWithAssignment(t testing.TB, name string, replicas [][]int32) {
	t.Helper()
	k.CreateTopicWithConfig(t, name, replicas, nil)
}

// CreateTopicWithConfig is CreateTopicWithAssignment with topic configs
// (for example "min.insync.replicas": "2"). It writes the znodes Kafka's
// AdminUtils writes (the config first, then the assignment), which saves a
// JVM start per topic over kafka-topics.sh.
func (k *Kafka) CreateTopicWithConfig(t testing.TB, name string, replicas [][]int32, config map[string]string) {
	t.Helper()
	c := k.ZK(t)
	if config == nil {
		config = map[string]string{}
	}
	cfg, _ := json.Marshal(map[string]any{"version": 1, "config": config})
	parts := make(map[string][]int32, len(replicas))
	for p, r := range replicas {
		parts[strconv.Itoa(p)] = r
	}
	asg, _ := json.Marshal(map[string]any{"version": 1, "partitions": parts})
	if _, err := c.Create(context.Background(), "/config/topics/"+name, cfg, 0); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	if _, err := c.Create(context.Background(), "/brokers/topics/"+name, asg, 0); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := k.waitLeaders(ctx, name, len(replicas)); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
}

// PartitionState is what the controller records for a partition.
type PartitionState struct {
	Leader   int32   `json:"leader"` // -1: none
	ISR      []int32 `json:"isr"`
	Replicas []int32 `json:"-"` // the assignment, replicas[0] preferred
}

// Assignment returns the topic's replica assignment from ZooKeeper, index =
// partition id. During a reassignment Kafka 0.9 stores the union of old and
// new replicas here.
func (k *Kafka) Assignment(t testing.TB, topic string) [][]int32 {
	t.Helper()
	a, err := k.assignment(topic)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return a
}

func (k *Kafka) assignment(topic string) ([][]int32, error) {
	c, err := k.zk()
	if err != nil {
		return nil, err
	}
	data, _, err := c.Get(context.Background(), "/brokers/topics/"+topic)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Partitions map[string][]int32 `json:"partitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("topic %s: assignment %q: %w", topic, data, err)
	}
	out := make([][]int32, len(doc.Partitions))
	for ps, r := range doc.Partitions {
		p, err := strconv.Atoi(ps)
		if err != nil || p < 0 || p >= len(out) {
			return nil, fmt.Errorf("topic %s: odd partition %q in %s", topic, ps, data)
		}
		out[p] = r
	}
	return out, nil
}

// PartitionStates returns leader, ISR and replicas of every partition, index
// = partition id.
func (k *Kafka) PartitionStates(t testing.TB, topic string) []PartitionState {
	t.Helper()
	s, err := k.partitionStates(topic)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return s
}

func (k *Kafka) partitionStates(topic string) ([]PartitionState, error) {
	asg, err := k.assignment(topic)
	if err != nil {
		return nil, err
	}
	c, _ := k.zk()
	out := make([]PartitionState, len(asg))
	for p, r := range asg {
		out[p] = PartitionState{Leader: -1, Replicas: r}
		data, _, err := c.Get(context.Background(), fmt.Sprintf("/brokers/topics/%s/partitions/%d/state", topic, p))
		if errors.Is(err, zk.ErrNoNode) {
			continue // the controller has not elected a leader yet
		}
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &out[p]); err != nil {
			return nil, fmt.Errorf("%s-%d: state %q: %w", topic, p, data, err)
		}
	}
	return out, nil
}

// WaitReplicasInSync waits (up to 60 s) until every partition of the topic
// has a leader and an ISR equal to its assigned replicas.
func (k *Kafka) WaitReplicasInSync(t testing.TB, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var last string
	err := poll(ctx, func() (bool, error) {
		states, err := k.partitionStates(topic)
		if err != nil {
			return false, err
		}
		for p, s := range states {
			if s.Leader < 0 || !cluster.SameMembers(s.ISR, s.Replicas) {
				last = fmt.Sprintf("%s-%d: leader %d, isr %v, replicas %v", topic, p, s.Leader, s.ISR, s.Replicas)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("wait for replicas of %s in sync: %v (last: %s)", topic, err, last)
	}
}

// WaitReassignmentDone waits (up to 90 s) until the controller has finished
// every reassignment: /admin/reassign_partitions is gone.
func (k *Kafka) WaitReassignmentDone(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := k.ZK(t)
	var pending []byte
	err := poll(ctx, func() (bool, error) {
		data, _, err := c.Get(context.Background(), "/admin/reassign_partitions")
		if errors.Is(err, zk.ErrNoNode) {
			return true, nil
		}
		pending = data
		return false, err
	})
	if err != nil {
		t.Fatalf("wait for reassignment: %v (pending: %s)", err, pending)
	}
}

// Controller returns the id of the current controller broker.
func (k *Kafka) Controller(t testing.TB) int32 {
	t.Helper()
	id, err := controllerID(context.Background(), k.ZK(t))
	if err != nil {
		t.Fatalf("%v", err)
	}
	return id
}

// controllerID reads the /controller znode (zk.ErrNoNode during an
// election).
func controllerID(ctx context.Context, c *zookeeper.Conn) (int32, error) {
	data, _, err := c.Get(ctx, "/controller")
	if err != nil {
		return 0, err
	}
	var doc struct {
		BrokerID int32 `json:"brokerid"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return 0, fmt.Errorf("controller %q: %w", data, err)
	}
	return doc.BrokerID, nil
}

// MoveController makes broker id the controller (ZooKeeper mode): it deletes
// the /controller znode, as operators do to force an election, until that
// broker wins one. Tests use it to make the worst case (the controller
// crashing) happen on every run instead of one in a few.
func (k *Kafka) MoveController(t testing.TB, id int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := k.ZK(t)
	last := int32(-1)
	err := poll(ctx, func() (bool, error) {
		cur, err := controllerID(ctx, c)
		if errors.Is(err, zk.ErrNoNode) {
			return false, nil // an election is under way
		}
		if err != nil || cur == id {
			return err == nil, err
		}
		last = cur
		if err := c.Delete(ctx, "/controller", -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return false, err
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("make broker %d the controller: %v (last controller seen: %d)", id, err, last)
	}
}

// LiveBrokers returns the ids registered in ZooKeeper, sorted.
func (k *Kafka) LiveBrokers(t testing.TB) []int32 {
	t.Helper()
	ids, err := k.liveBrokers()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return ids
}

func (k *Kafka) liveBrokers() ([]int32, error) {
	c, err := k.zk()
	if err != nil {
		return nil, err
	}
	names, err := c.Children(context.Background(), "/brokers/ids")
	if err != nil {
		return nil, err
	}
	var ids []int32
	for _, n := range names {
		if id, err := strconv.ParseInt(n, 10, 32); err == nil {
			ids = append(ids, int32(id))
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// WaitBrokersLive waits until exactly these broker ids are registered (for
// example after Kill, until the dead broker's session has expired).
func (k *Kafka) WaitBrokersLive(t testing.TB, ids ...int32) {
	t.Helper()
	want := slices.Clone(ids)
	slices.Sort(want)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []int32
	err := poll(ctx, func() (bool, error) {
		var err error
		got, err = k.liveBrokers()
		return slices.Equal(got, want), err
	})
	if err != nil {
		t.Fatalf("wait for live brokers %v: %v (live: %v)", want, err, got)
	}
}

func (k *Kafka) waitLeaders(ctx context.Context, topic string, partitions int) error {
	var last string
	err := poll(ctx, func() (bool, error) {
		states, err := k.partitionStates(topic)
		if errors.Is(err, zk.ErrNoNode) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if len(states) != partitions {
			last = fmt.Sprintf("%d of %d partitions", len(states), partitions)
			return false, nil
		}
		for p, s := range states {
			if s.Leader < 0 {
				last = fmt.Sprintf("%s-%d has no leader", topic, p)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for leaders: %w (last: %s)", err, last)
	}
	// Leaders are recorded in ZooKeeper before the brokers learn of them;
	// wait until the metadata the clients see agrees.
	return k.waitTopicMetadata(ctx, topic, partitions)
}

// poll calls f every 100 ms until it returns true or an error, or ctx ends.
func poll(ctx context.Context, f func() (bool, error)) error {
	for {
		ok, err := f()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
