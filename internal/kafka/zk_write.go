package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/cluster"
)

const (
	zkReassignPath = "/admin/reassign_partitions"
	zkElectionPath = "/admin/preferred_replica_election"
	zkChangePrefix = "/config/changes/config_change_"
	zkCASAttempts  = 10
)

// Reassign creates /admin/reassign_partitions, which the controller acts on
// and deletes when every partition in it is done. While it exists the
// controller takes no other batch: the result is then an error wrapping
// cluster.ErrBusy. (Adding partitions to the existing node is not safe:
// controllers from 1.1 on only watch its creation and would ignore them.)
// Log directories are not written: the ZooKeeper path cannot move them.
func (z *zkCluster) Reassign(ctx context.Context, plan []cluster.PartitionAssignment) error {
	if err := checkPlan(plan); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	doc := zkReassignment{Version: 1}
	for _, p := range plan {
		doc.Partitions = append(doc.Partitions, zkReassignPartion{Topic: p.Topic, Partition: p.Partition, Replicas: p.Replicas})
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := z.createInherit(ctx, zkReassignPath, data, 0); err != nil {
		if errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("reassign: %s exists, so a reassignment is in progress and the controller takes one batch at a time: %w",
				zkReassignPath, cluster.ErrBusy)
		}
		return fmt.Errorf("reassign: %w", err)
	}
	z.log.Debug("reassignment submitted", "znode", zkReassignPath, "partitions", len(plan))
	return nil
}

// ErrCancelUnsupported is wrapped by CancelReassignments on the ZooKeeper
// path.
var ErrCancelUnsupported error = unsupported("cancelling a reassignment is not possible through ZooKeeper")

// CancelReassignments is not possible through ZooKeeper: Kafka before 2.4
// has no cancellation at all, and 2.4+ offers it only through the Admin API.
// With the brokers' addresses given too (--bootstrap-server beside
// --zookeeper) it cancels through the Admin API of the same cluster, while
// everything else of the run (the lock, the throttle record) stays where
// the ZooKeeper path keeps it: one plan, one record.
func (z *zkCluster) CancelReassignments(ctx context.Context, tps []cluster.TopicPartition) error {
	if len(z.admin.BootstrapServers) == 0 {
		return fmt.Errorf("%w; on Kafka 2.4+ give --bootstrap-server as well (fdud cancels through the Admin API and keeps "+
			"the throttle record in ZooKeeper), on older clusters wait until it completes and reassign back with the rollback plan",
			ErrCancelUnsupported)
	}
	a, err := Connect(ctx, z.admin)
	if err != nil {
		return fmt.Errorf("cancel through the Admin API of %v: %w", z.admin.BootstrapServers, err)
	}
	defer a.Close()
	z.log.Info("cancelling through the Admin API; the lock and throttle records stay in ZooKeeper", "brokers", z.admin.BootstrapServers)
	return a.CancelReassignments(ctx, tps)
}

type zkEntityConfig struct {
	Version int               `json:"version"`
	Config  map[string]string `json:"config"`
}

// zkDefaultEntity is the znode name of the cluster-wide default broker
// config (/config/brokers/<default>).
const zkDefaultEntity = "<default>"

func configPath(kind EntityKind, name string) string {
	if kind == BrokerEntity && name == ClusterDefault {
		name = zkDefaultEntity
	}
	return "/config/" + string(kind) + "/" + name
}

// DescribeConfigs reads /config/<kind>/<name>: on this path every entry
// there is dynamic. ClusterDefault reads /config/brokers/<default>.
func (z *zkCluster) DescribeConfigs(ctx context.Context, kind EntityKind, names []string) (map[string]map[string]string, error) {
	if kind != TopicEntity && kind != BrokerEntity {
		return nil, cluster.Invalidf("unknown config entity kind %q", kind)
	}
	out := map[string]map[string]string{}
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var c zkEntityConfig
		if _, _, err := z.getJSON(ctx, configPath(kind, n), &c); err != nil {
			return nil, fmt.Errorf("describe config of %s %s: %w", kind, n, err)
		}
		if c.Config == nil {
			c.Config = map[string]string{}
		}
		out[n] = c.Config
	}
	return out, nil
}

// AlterConfigs updates /config/<kind>/<name> by compare-and-set on the
// znode version (retrying when someone else wrote in between), then writes a
// change notification so the brokers reload it.
func (z *zkCluster) AlterConfigs(ctx context.Context, kind EntityKind, name string, set map[string]string, del []string) error {
	if err := checkConfigChange(kind, name, set, del); err != nil {
		return err
	}
	if kind == BrokerEntity {
		if _, err := strconv.ParseInt(name, 10, 32); err != nil {
			return cluster.Invalidf("broker id %q is not a number", name)
		}
		if err := z.checkDynamicBrokerConfigs(ctx); err != nil {
			return err
		}
	}
	if len(set) == 0 && len(del) == 0 {
		return nil
	}
	if err := z.updateConfig(ctx, kind, name, func(c map[string]string) {
		maps.Copy(c, set)
		for _, k := range del {
			delete(c, k)
		}
	}); err != nil {
		return fmt.Errorf("alter config of %s %s: %w", kind, name, err)
	}
	return z.notifyConfigChange(ctx, kind, name)
}

// AlterConfigOps applies ops to /config/<kind>/<name> in one
// compare-and-set write (ApplyConfigOps on the znode's config, retried from
// a fresh read when someone else wrote in between), so a list edit never
// loses a concurrent change, then writes a change notification. When the
// ops change nothing, nothing is written.
func (z *zkCluster) AlterConfigOps(ctx context.Context, kind EntityKind, name string, ops []ConfigOp) error {
	if err := checkConfigOps(kind, name, ops); err != nil {
		return err
	}
	if kind == BrokerEntity {
		if _, err := strconv.ParseInt(name, 10, 32); err != nil {
			return cluster.Invalidf("broker id %q is not a number", name)
		}
		if err := z.checkDynamicBrokerConfigs(ctx); err != nil {
			return err
		}
	}
	changed, err := z.editConfig(ctx, kind, name, func(c map[string]string) (bool, error) {
		return ApplyConfigOps(c, ops)
	})
	if err != nil {
		return fmt.Errorf("alter config of %s %s: %w", kind, name, err)
	}
	if !changed {
		return nil
	}
	return z.notifyConfigChange(ctx, kind, name)
}

func (z *zkCluster) updateConfig(ctx context.Context, kind EntityKind, name string, change func(map[string]string)) error {
	_, err := z.editConfig(ctx, kind, name, func(c map[string]string) (bool, error) {
		change(c)
		return true, nil
	})
	return err
}

// editConfig runs change on the entity's config as read and writes the
// result if change reports a change, by compare-and-set on the znode
// version; when someone else wrote in between, it reads again and runs
// change again.
func (z *zkCluster) editConfig(ctx context.Context, kind EntityKind, name string, change func(map[string]string) (bool, error)) (bool, error) {
	p := configPath(kind, name)
	for attempt := 0; attempt < zkCASAttempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		var c zkEntityConfig
		version, found, err := z.getJSON(ctx, p, &c)
		if err != nil {
			return false, err
		}
		if c.Config == nil {
			c.Config = map[string]string{}
		}
		if changed, err := change(c.Config); err != nil || !changed {
			return false, err
		}
		c.Version = 1
		data, err := json.Marshal(c)
		if err != nil {
			return false, err
		}
		if !found {
			_, err = z.createInherit(ctx, p, data, 0)
			if errors.Is(err, zk.ErrNodeExists) {
				continue // created meanwhile: read it and apply the change again
			}
			return err == nil, err
		}
		err = z.conn.Set(ctx, p, data, version)
		if errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNoNode) {
			z.log.Debug("config changed concurrently; retrying", "znode", p)
			continue
		}
		return err == nil, err
	}
	return false, fmt.Errorf("%s kept changing under %d attempts", p, zkCASAttempts)
}

// notifyConfigChange writes the sequential node brokers watch: version 1
// (entity_type/entity_name, understood from 0.9 on) for topics, version 2
// (entity_path, 0.10.1 on) for brokers, which older Kafka has no dynamic
// configs for.
func (z *zkCluster) notifyConfigChange(ctx context.Context, kind EntityKind, name string) error {
	var note any = map[string]any{"version": 1, "entity_type": string(kind), "entity_name": name}
	if kind == BrokerEntity {
		note = map[string]any{"version": 2, "entity_path": string(kind) + "/" + name}
	}
	data, err := json.Marshal(note)
	if err != nil {
		return err
	}
	if _, err := z.createInherit(ctx, zkChangePrefix, data, zk.FlagSequence); err != nil {
		return fmt.Errorf("config of %s %s written, but the change notification failed (brokers may not apply it until restarted): %w", kind, name, err)
	}
	return nil
}

// checkDynamicBrokerConfigs refuses broker configs on Kafka 0.9 (broker
// registrations below version 3): it has none, and its config watcher fails
// on a version 2 notification.
func (z *zkCluster) checkDynamicBrokerConfigs(ctx context.Context) error {
	brokers, err := z.brokers(ctx)
	if err != nil {
		return err
	}
	for _, b := range brokers {
		if b.RegistrationVersion < 3 {
			return unsupported(fmt.Sprintf("the cluster runs Kafka 0.9 (broker %d registered at version %d), which has no dynamic "+
				"broker configs (replication throttles came with 0.10.1)", b.ID, b.RegistrationVersion))
		}
	}
	return nil
}

// unsupported is an error that is errors.ErrUnsupported for callers that
// branch on it, and says only its own words to people (not Go's
// "unsupported operation").
type unsupported string

func (e unsupported) Error() string        { return string(e) }
func (e unsupported) Is(target error) bool { return target == errors.ErrUnsupported }

// CreateTopic writes the topic's config and then its assignment, as Kafka's
// AdminUtils did; the controller creates the partitions when it sees the
// assignment.
func (z *zkCluster) CreateTopic(ctx context.Context, topic string, assignment [][]int32, configs map[string]string) error {
	if err := checkNewTopic(topic, assignment); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tp := "/brokers/topics/" + topic
	if ok, err := z.conn.Exists(ctx, tp); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("create topic %s: %w", topic, ErrTopicExists)
	}
	cfg, err := json.Marshal(zkEntityConfig{Version: 1, Config: nonNil(configs)})
	if err != nil {
		return err
	}
	cp := configPath(TopicEntity, topic)
	if _, err := z.createInherit(ctx, cp, cfg, 0); errors.Is(err, zk.ErrNodeExists) {
		err = z.conn.Set(ctx, cp, cfg, -1) // left over from a deleted topic
		if err != nil {
			return fmt.Errorf("create topic %s: %w", topic, err)
		}
	} else if err != nil {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	doc := zkTopic{Version: 1, Partitions: map[string][]int32{}}
	for p, rs := range assignment {
		doc.Partitions[strconv.Itoa(p)] = slices.Clone(rs)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := z.createInherit(ctx, tp, data, 0); err != nil {
		if errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("create topic %s: %w", topic, ErrTopicExists)
		}
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// ElectPreferredLeaders creates /admin/preferred_replica_election; while
// an election is pending the node exists and the result wraps
// cluster.ErrBusy.
func (z *zkCluster) ElectPreferredLeaders(ctx context.Context, tps []cluster.TopicPartition) error {
	if err := checkTPs(tps); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	type entry struct {
		Topic     string `json:"topic"`
		Partition int32  `json:"partition"`
	}
	doc := struct {
		Version    int     `json:"version"`
		Partitions []entry `json:"partitions"`
	}{Version: 1}
	for _, tp := range tps {
		doc.Partitions = append(doc.Partitions, entry{tp.Topic, tp.Partition})
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := z.createInherit(ctx, zkElectionPath, data, 0); err != nil {
		if errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("elect leaders: %s exists, an election is pending: %w", zkElectionPath, cluster.ErrBusy)
		}
		return fmt.Errorf("elect leaders: %w", err)
	}
	return nil
}
