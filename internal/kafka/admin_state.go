package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

// State reads brokers and partitions from metadata and, on Kafka 2.4+,
// in-flight reassignments from ListPartitionReassignments: metadata shows a
// partition being reassigned with the union of its old and new replicas, so
// Replicas is set to that union minus the replicas being added (the original
// set) and Target to the union minus those being removed. Topics that do not
// exist are absent from the result.
func (a *adminCluster) State(ctx context.Context, topics []string) (*cluster.State, error) {
	md, err := a.metadata(ctx, topics)
	if err != nil {
		return nil, err
	}
	st, err := stateFromMetadata(md)
	if err != nil {
		return nil, err
	}
	if !a.version.IsAtLeast(sarama.V2_4_0_0) || len(st.Partitions) == 0 {
		return st, nil
	}
	inflight, err := a.listReassignments(ctx, partitionsByTopic(st.Partitions))
	if err != nil {
		return nil, err
	}
	for i := range st.Partitions {
		p := &st.Partitions[i]
		if r, ok := inflight[p.TP()]; ok {
			applyReassignment(p, r)
		}
	}
	return st, nil
}

// metadata asks any broker for the named topics (all when nil).
func (a *adminCluster) metadata(ctx context.Context, topics []string) (*sarama.MetadataResponse, error) {
	req := sarama.NewMetadataRequest(a.version, topics)
	if req.Version == 0 && topics == nil {
		req.Topics = []string{} // v0: an empty list means every topic
	}
	var md *sarama.MetadataResponse
	var errs []error
	// Try the controller (the most current view) then each known broker.
	candidates := []int32{-1}
	for _, b := range a.client.Brokers() {
		candidates = append(candidates, b.ID())
	}
	for _, id := range candidates {
		err := a.onBroker(ctx, id, func(b *sarama.Broker) error {
			var err error
			md, err = b.GetMetadata(req)
			return err
		})
		if err == nil {
			if req.Version == 0 {
				md.ControllerID = -1 // not in v0 responses
			}
			return md, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("read metadata: %w", errors.Join(errs...))
}

// Brokers reads the brokers from one metadata request. It names every
// topic, as State's does: sarama encodes an empty topic list as "all
// topics", so a brokers-only request cannot be sent through it; what
// Brokers saves is reading the reassignments in flight.
func (a *adminCluster) Brokers(ctx context.Context) ([]cluster.Broker, error) {
	md, err := a.metadata(ctx, nil)
	if err != nil {
		return nil, err
	}
	return brokersFromMetadata(md)
}

func brokersFromMetadata(md *sarama.MetadataResponse) ([]cluster.Broker, error) {
	var out []cluster.Broker
	for _, b := range md.Brokers {
		host, port, err := net.SplitHostPort(b.Addr())
		if err != nil {
			return nil, fmt.Errorf("broker %d address %q: %w", b.ID(), b.Addr(), err)
		}
		p, _ := strconv.ParseInt(port, 10, 32)
		out = append(out, cluster.Broker{ID: b.ID(), Host: host, Port: int32(p), Rack: b.Rack()})
	}
	slices.SortFunc(out, func(x, y cluster.Broker) int { return int(x.ID) - int(y.ID) })
	return out, nil
}

func stateFromMetadata(md *sarama.MetadataResponse) (*cluster.State, error) {
	brokers, err := brokersFromMetadata(md)
	if err != nil {
		return nil, err
	}
	st := &cluster.State{Controller: md.ControllerID, Brokers: brokers}
	for _, t := range md.Topics {
		switch t.Err {
		case sarama.ErrNoError, sarama.ErrLeaderNotAvailable:
		case sarama.ErrUnknownTopicOrPartition:
			continue
		default:
			return nil, fmt.Errorf("metadata of topic %s: %w", t.Name, t.Err)
		}
		for _, p := range t.Partitions {
			leader := p.Leader
			if leader < 0 {
				leader = -1
			}
			st.Partitions = append(st.Partitions, cluster.PartitionState{
				Topic: t.Name, Partition: p.ID,
				Replicas: slices.Clone(p.Replicas), ISR: slices.Clone(p.Isr), Leader: leader,
			})
		}
	}
	slices.SortFunc(st.Partitions, func(x, y cluster.PartitionState) int { return x.TP().Compare(y.TP()) })
	return st, nil
}

func partitionsByTopic(ps []cluster.PartitionState) map[string][]int32 {
	m := map[string][]int32{}
	for _, p := range ps {
		m[p.Topic] = append(m[p.Topic], p.Partition)
	}
	return m
}

// reassignment is Kafka 2.4+'s view of an in-flight reassignment.
type reassignment struct {
	Replicas, Adding, Removing []int32
}

func applyReassignment(p *cluster.PartitionState, r reassignment) {
	p.Replicas = without(r.Replicas, r.Adding)
	p.Target = without(r.Replicas, r.Removing)
	p.Adding, p.Removing = slices.Clone(r.Adding), slices.Clone(r.Removing)
}

// without returns xs minus the members of drop, in xs's order.
func without(xs, drop []int32) []int32 {
	out := make([]int32, 0, len(xs))
	for _, x := range xs {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

// listReassignments asks the controller which of the partitions are being
// reassigned (the request needs explicit partition ids).
func (a *adminCluster) listReassignments(ctx context.Context, parts map[string][]int32) (map[cluster.TopicPartition]reassignment, error) {
	req := &sarama.ListPartitionReassignmentsRequest{TimeoutMs: int32(a.timeout.Milliseconds()), Version: 0}
	for t, ps := range parts {
		req.AddBlock(t, slices.Clone(ps))
	}
	out := map[cluster.TopicPartition]reassignment{}
	err := a.onController(ctx, "list reassignments", func(b *sarama.Broker) error {
		resp, err := b.ListPartitionReassignments(req)
		if err != nil {
			return err
		}
		if err := kerr(resp.ErrorCode, resp.ErrorMessage); err != nil {
			return err
		}
		clear(out)
		for t, ps := range resp.TopicStatus {
			for p, s := range ps {
				out[cluster.TopicPartition{Topic: t, Partition: p}] = reassignment{
					Replicas: s.Replicas, Adding: s.AddingReplicas, Removing: s.RemovingReplicas,
				}
			}
		}
		return nil
	})
	return out, err
}

// ListReassignments returns the partitions of topics (all when nil) with a
// reassignment in flight, as State reports them.
func (a *adminCluster) ListReassignments(ctx context.Context, topics []string) ([]cluster.PartitionState, error) {
	st, err := a.State(ctx, topics)
	if err != nil {
		return nil, err
	}
	return st.InFlight(), nil
}
