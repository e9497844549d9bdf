package testenv

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// controllers picks the KRaft controller quorum: the first three brokers (or
// all, when fewer) also run as controllers, each with a port of its own.
// A test can then kill any one node and keep a quorum. It returns nil in
// ZooKeeper mode.
func (k *Kafka) controllers(t testing.TB, ids []int32) map[int32]int {
	if !k.Version.KRaft {
		return nil
	}
	voters := map[int32]int{}
	for _, id := range ids[:min(3, len(ids))] {
		voters[id] = FreePort(t)
	}
	return voters
}

// brokerProperties is the server.properties of broker id, without its
// listeners (see KafkaBroker.listenerProperties): small, quick to start, and
// quick to notice a dead broker.
func (k *Kafka) brokerProperties(id int32, brokers int, logDir string, voters map[int32]int) map[string]string {
	rf := fmt.Sprint(min(3, brokers))
	props := map[string]string{
		"log.dirs":                                      logDir,
		"delete.topic.enable":                           "true",
		"auto.create.topics.enable":                     "false",
		"auto.leader.rebalance.enable":                  "false", // leaders move only when a test asks
		"num.partitions":                                "1",
		"default.replication.factor":                    rf,
		"offsets.topic.replication.factor":              rf,
		"offsets.topic.num.partitions":                  "4",
		"log.segment.bytes":                             "1048576",
		"log.index.size.max.bytes":                      "1048576",
		"log.cleaner.dedupe.buffer.size":                "8388608",
		"num.network.threads":                           "2",
		"num.io.threads":                                "2",
		"background.threads":                            "2",
		"num.recovery.threads.per.data.dir":             "1",
		"replica.fetch.wait.max.ms":                     "100",
		"replica.lag.time.max.ms":                       "5000",
		"controlled.shutdown.enable":                    "true",
		"group.min.session.timeout.ms":                  "1000",
		"log.retention.check.interval.ms":               "300000",
		"replica.high.watermark.checkpoint.interval.ms": "1000",
	}
	if k.Version.IsLegacy() {
		maps.Copy(props, map[string]string{
			"broker.id":                               fmt.Sprint(id),
			"host.name":                               "127.0.0.1",
			"advertised.host.name":                    "127.0.0.1",
			"controlled.shutdown.max.retries":         "2",
			"controlled.shutdown.retry.backoff.ms":    "500",
			"controller.socket.timeout.ms":            "10000",
			"leader.imbalance.check.interval.seconds": "5",
		})
	} else {
		maps.Copy(props, map[string]string{
			"broker.rack": DefaultRack(id),
			"transaction.state.log.replication.factor": rf,
			"transaction.state.log.min.isr":            "1",
			"transaction.state.log.num.partitions":     "2",
			"group.initial.rebalance.delay.ms":         "0",
			"log.cleaner.threads":                      "1",
		})
	}
	if !k.Version.KRaft {
		maps.Copy(props, map[string]string{
			"broker.id":                       fmt.Sprint(id),
			"zookeeper.connect":               k.ZooKeeperConnect,
			"zookeeper.connection.timeout.ms": "30000",
			"zookeeper.session.timeout.ms":    "6000", // a killed broker drops out quickly
		})
		if k.Version.IsLegacy() {
			props["zookeeper.session.timeout.ms"] = "4000"
		}
		return props
	}
	roles := "broker"
	if _, ok := voters[id]; ok {
		roles = "broker,controller"
	}
	var quorum []string
	for _, vid := range slices.Sorted(maps.Keys(voters)) {
		quorum = append(quorum, fmt.Sprintf("%d@127.0.0.1:%d", vid, voters[vid]))
	}
	maps.Copy(props, map[string]string{
		"node.id":                               fmt.Sprint(id),
		"process.roles":                         roles,
		"controller.quorum.voters":              strings.Join(quorum, ","),
		"controller.listener.names":             "CONTROLLER",
		"inter.broker.listener.name":            "PLAINTEXT",
		"listener.security.protocol.map":        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
		"broker.heartbeat.interval.ms":          "500",
		"broker.session.timeout.ms":             "4000", // a killed broker is fenced quickly
		"controller.quorum.election.timeout.ms": "2000",
		"controller.quorum.fetch.timeout.ms":    "4000",
	})
	return props
}

// newClusterID is a random KRaft cluster id: a UUID in Kafka's URL-safe
// base64 form. Like Kafka's Uuid.randomUuid it never starts with '-', which
// kafka-storage's argument parser would take for an option (1 in 64 runs
// failed to format).
func newClusterID() string {
	b := make([]byte, 16)
	for {
		rand.Read(b)
		if id := base64.RawURLEncoding.EncodeToString(b); id[0] != '-' {
			return id
		}
	}
}
