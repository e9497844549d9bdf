package compat

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
)

func TestKafkaDomains(t *testing.T) {
	racked := []cluster.Broker{{ID: 1, Rack: "r2"}, {ID: 2, Rack: "r1"}, {ID: 3, Rack: "r2"}, {ID: 4, Rack: "r3"}}
	mixed := append([]cluster.Broker{{ID: 5}}, racked...)
	perBroker := func(ids ...int32) map[int32]cluster.Domain {
		m := map[int32]cluster.Domain{}
		for _, id := range ids {
			m[id] = cluster.Domain{FaultDomain: int(id), UpdateDomain: int(id)}
		}
		return m
	}
	tests := []struct {
		name       string
		brokers    []cluster.Broker
		brokerList []int32
		disable    bool
		want       map[int32]cluster.Domain
		note       string // part of the note
		err        string // part of the error, "" for none
	}{
		{name: "no racks", brokers: []cluster.Broker{{ID: 1}, {ID: 2}}, want: perBroker(1, 2), note: "no broker has broker.rack"},
		{name: "racks become fault domains", brokers: racked, want: map[int32]cluster.Domain{
			1: {FaultDomain: 1, UpdateDomain: 1}, 2: {FaultDomain: 0, UpdateDomain: 2},
			3: {FaultDomain: 1, UpdateDomain: 3}, 4: {FaultDomain: 2, UpdateDomain: 4},
		}, note: "(r1, r2, r3)"},
		{name: "disabled", brokers: racked, disable: true, want: perBroker(1, 2, 3, 4), note: "--disable-rack-aware"},
		{name: "racks on some brokers", brokers: mixed, err: "none on brokers 5"},
		{name: "racks on some brokers, disabled", brokers: mixed, disable: true, want: perBroker(5, 1, 2, 3, 4)},
		// Brokers outside --broker-list get no domain: Kafka places over the
		// list alone, so their racks must not count in the rules.
		{name: "rack-less broker outside --broker-list", brokers: mixed, brokerList: []int32{1, 2, 4}, want: map[int32]cluster.Domain{
			1: {FaultDomain: 1, UpdateDomain: 1}, 2: {FaultDomain: 0, UpdateDomain: 2}, 4: {FaultDomain: 2, UpdateDomain: 4},
		}},
		{name: "disabled, outside --broker-list", brokers: racked, brokerList: []int32{2, 3}, disable: true, want: perBroker(2, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, note, err := KafkaDomains(tc.brokers, tc.brokerList, tc.disable)
			if tc.err != "" {
				if err == nil || !cluster.IsInvalid(err) || !strings.Contains(err.Error(), tc.err) ||
					!strings.Contains(err.Error(), "--disable-rack-aware") {
					t.Fatalf("err = %v, want an input error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for id, d := range tc.want {
				if got[id] != d {
					t.Errorf("broker %d: %v, want %v", id, got[id], d)
				}
			}
			if !strings.Contains(note, tc.note) {
				t.Errorf("note %q, want it to contain %q", note, tc.note)
			}
		})
	}
}

// Without --domains, a plan over racked brokers spreads every partition over
// as many racks as it has replicas, as Kafka's rack-aware --generate does.
func TestKafkaDomainsPlanSpreadsRacks(t *testing.T) {
	var brokers []cluster.Broker
	var live []int32
	for id := int32(1); id <= 6; id++ {
		brokers = append(brokers, cluster.Broker{ID: id, Rack: []string{"a", "b", "c"}[(id-1)/2]})
		live = append(live, id)
	}
	rackOf := map[int32]string{}
	for _, b := range brokers {
		rackOf[b.ID] = b.Rack
	}
	// Every partition starts on rack a (brokers 1 and 2) plus one other.
	current := cluster.Assignment{Version: 1}
	for p := int32(0); p < 6; p++ {
		current.Partitions = append(current.Partitions, cluster.PartitionAssignment{
			Topic: "orders", Partition: p, Replicas: []int32{1 + p%2, 2 - p%2, 3 + p%4},
		})
	}
	domains, _, err := KafkaDomains(brokers, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := generate.Plan(generate.Input{Current: current, Domains: domains, Live: live}, generate.Options{Topics: []string{"orders"}})
	if err != nil {
		t.Fatal(err)
	}
	after := map[cluster.TopicPartition][]int32{}
	for _, p := range current.Partitions {
		after[cluster.TopicPartition{Topic: p.Topic, Partition: p.Partition}] = p.Replicas
	}
	for _, p := range res.Plan.Partitions {
		after[cluster.TopicPartition{Topic: p.Topic, Partition: p.Partition}] = p.Replicas
	}
	for tp, replicas := range after {
		racks := map[string]bool{}
		for _, id := range replicas {
			racks[rackOf[id]] = true
		}
		if len(racks) != 3 {
			t.Errorf("%s-%d on %v: racks %v, want 3", tp.Topic, tp.Partition, replicas, racks)
		}
	}
	if got, want := res.Report.ReplicasMoved, 6; got != want {
		t.Errorf("moved %d replicas, want %d (one per partition)", got, want)
	}
}

// Kafka's runbooks plan onto a subset of the brokers (--broker-list without
// the broker being decommissioned). Without domains, the racks and brokers
// outside the list counted in the rules, so a rack-aware plan needed a
// replica in a rack none of the listed brokers is in: exit 4 where Kafka's
// tool plans, and with --disable-rack-aware warnings about "broker broker 5".
func TestKafkaDomainsBrokerListSubset(t *testing.T) {
	brokers := []cluster.Broker{{ID: 1, Rack: "a"}, {ID: 2, Rack: "a"}, {ID: 3, Rack: "b"}, {ID: 4, Rack: "b"}, {ID: 5, Rack: "c"}, {ID: 6, Rack: "c"}}
	current := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: []int32{1, 3, 5}}, {Topic: "orders", Partition: 1, Replicas: []int32{2, 4, 6}}}}
	list := []int32{1, 2, 3, 4}
	for _, disable := range []bool{false, true} {
		domains, _, err := KafkaDomains(brokers, list, disable)
		if err != nil {
			t.Fatal(err)
		}
		words := KafkaWording(brokers, list, disable)
		res, err := generate.Plan(generate.Input{Current: current, Domains: domains, Live: []int32{1, 2, 3, 4, 5, 6}},
			generate.Options{BrokerList: list, Balance: true})
		if err != nil {
			t.Fatalf("disable=%t: %v", disable, Reworded(err, words))
		}
		for _, p := range res.Plan.Partitions {
			racks := map[string]bool{}
			for _, id := range p.Replicas {
				if id > 4 {
					t.Errorf("disable=%t: %s on %v: broker %d is outside --broker-list", disable, p.TP(), p.Replicas, id)
				}
				racks[brokers[id-1].Rack] = true
			}
			if !disable && len(racks) != 2 {
				t.Errorf("%s on %v: racks %v, want both racks of the list", p.TP(), p.Replicas, racks)
			}
		}
		if len(res.Plan.Partitions) != 2 {
			t.Errorf("disable=%t: plan %v, want both partitions off brokers 5 and 6", disable, res.Plan.Partitions)
		}
		for _, w := range res.Report.Warnings {
			t.Errorf("disable=%t: warning %q", disable, words(w))
		}
	}
	if got := KafkaWording(brokers, list, true)("no broker may receive replicas in fault domain FD5"); got != "no broker may receive replicas in broker 5" {
		t.Errorf("reworded: %q", got)
	}
}

// Issue 9: without domains, the FDs and UDs kafkaDomains makes up are racks
// and brokers; messages name those, never an FD or UD the cluster does not
// have: the planner's own wording goes through kafkaWording.
func TestKafkaWordingNamesNoMadeUpDomains(t *testing.T) {
	brokers := []cluster.Broker{{ID: 1, Rack: "a"}, {ID: 2, Rack: "a"}, {ID: 3, Rack: "b"}, {ID: 4, Rack: "b"}}
	current := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: []int32{1, 2}}}}
	for _, tc := range []struct {
		disable bool
		want    string
	}{{false, `rack "a"`}, {true, "broker"}} {
		domains, _, err := KafkaDomains(brokers, nil, tc.disable)
		if err != nil {
			t.Fatal(err)
		}
		words := KafkaWording(brokers, nil, tc.disable)
		// RF 5 over four brokers cannot be placed: the planner explains why.
		res, err := generate.Plan(generate.Input{Current: current, Domains: domains}, generate.Options{ReplicationFactor: 5})
		if err == nil || len(res.Report.Infeasible) == 0 {
			t.Fatalf("disable=%t: want an infeasible plan, got %v", tc.disable, err)
		}
		var msgs []string
		for _, is := range res.Report.Infeasible {
			msgs = append(msgs, words(is.String()))
		}
		msgs = append(msgs, Reworded(err, words).Error(),
			words("2 replicas in FD0 (at most 1 allowed); replicas span 1 of 2 fault domains; 1-1 per FD over 2, 1-1 per UD over 4; UD3"))
		for _, m := range msgs {
			if regexp.MustCompile(`\b(FD|UD)\d|fault domain|update domain`).MatchString(m) {
				t.Errorf("disable=%t: %q names a made-up domain", tc.disable, m)
			}
		}
		if last := msgs[len(msgs)-1]; !strings.Contains(last, tc.want) {
			t.Errorf("disable=%t: %q lacks %q", tc.disable, last, tc.want)
		}
		if !errors.Is(Reworded(err, words), cluster.ErrAtRisk) {
			t.Errorf("the reworded error is not ErrAtRisk any more: %v", err)
		}
	}
}
