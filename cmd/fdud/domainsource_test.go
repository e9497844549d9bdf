package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/testenv"
)

// oneFaultDomain puts brokers 1 and 2 in fault domain 0.
const oneFaultDomain = `{"version":1,"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":2,"fault_domain":0,"update_domain":1}]}`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Domains are taken by stage, whichever front end asks: verify reports a
// single fault domain, generate refuses it.
func TestResolveDomainsByStage(t *testing.T) {
	file := writeTemp(t, "domains.json", oneFaultDomain)
	env := domainEnv{Stdin: strings.NewReader(""), Stderr: io.Discard}
	if _, err := resolveDomains(context.Background(), file, forVerify, nil, env); err != nil {
		t.Errorf("verify: %v, want the single fault domain accepted (and reported)", err)
	}
	if _, err := resolveDomains(context.Background(), file, forGenerate, nil, env); err == nil {
		t.Error("generate: a single fault domain accepted, want it refused")
	}
}

// Regression (issue 12): fdud verify resolved --domains allowing a single
// fault domain and kafka-reassign-partitions --verify did not, so the same
// cluster passed one and failed the other. Both front ends now share the
// wiring; real Kafka (0.9, ZooKeeper path).
func TestVerifySingleFaultDomainBothFrontEnds(t *testing.T) {
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 2})
	k.CreateTopicWithAssignment(t, "orders", [][]int32{{1, 2}})
	plan := writeTemp(t, "plan.json", `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2]}]}`)
	domains := writeTemp(t, "domains.json", oneFaultDomain)
	t.Setenv("FDUD_STATE_DIR", t.TempDir())
	fdudCode, _, fdudErr := runFdud(t, "", "verify", "--zookeeper", k.ZooKeeperConnect, "--reassignment-json-file", plan, "--domains", domains)
	kafkaCode, _, kafkaErr := runFdud(t, "", "compat", "--zookeeper", k.ZooKeeperConnect, "--verify", "--reassignment-json-file", plan, "--domains", domains)
	t.Logf("fdud verify: exit %d\n%s\nkafka-reassign-partitions --verify: exit %d\n%s", fdudCode, fdudErr, kafkaCode, kafkaErr)
	if fdudCode != kafkaCode {
		t.Errorf("fdud verify exits %d, kafka-reassign-partitions --verify %d: want the same", fdudCode, kafkaCode)
	}
	if kafkaCode == exitError || kafkaCode == exitBadInput {
		t.Errorf("kafka-reassign-partitions --verify refused one fault domain (exit %d)", kafkaCode)
	}
}
