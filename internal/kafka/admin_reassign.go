package kafka

import (
	"context"
	"errors"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
)

// Reassign submits exactly the plan's partitions in one
// AlterPartitionReassignments request to the controller, reports each
// partition the controller refused in a *PartitionErrors, then lists the
// accepted ones to confirm they are in flight towards the plan (or already
// done, as a pure reordering is). Log directories are not moved here: see
// LogDirMover.
func (a *adminCluster) Reassign(ctx context.Context, plan []cluster.PartitionAssignment) error {
	if err := checkPlan(plan); err != nil {
		return err
	}
	failed, err := a.alterReassignments(ctx, "reassign", a.alterRequest(plan), plan2tps(plan), sarama.ErrNoError)
	if err != nil {
		return err
	}
	// Confirm what the controller accepted.
	accepted := map[string][]int32{}
	want := map[cluster.TopicPartition][]int32{}
	for _, p := range plan {
		if _, bad := failed[p.TP()]; !bad {
			accepted[p.Topic] = append(accepted[p.Topic], p.Partition)
			want[p.TP()] = p.Replicas
		}
	}
	var errs []PartitionError
	for tp, e := range failed {
		errs = append(errs, PartitionError{tp, e})
	}
	if len(accepted) > 0 {
		inflight, err := a.listReassignments(ctx, accepted)
		if err != nil {
			return fmt.Errorf("reassign: submitted, but confirming failed: %w", err)
		}
		for tp, r := range inflight {
			target := without(r.Replicas, r.Removing)
			if w, ok := want[tp]; ok && !cluster.SameMembers(target, w) {
				errs = append(errs, PartitionError{tp, fmt.Errorf("in flight towards %v, not the planned %v", target, w)})
			}
		}
		a.log.Debug("reassignment submitted", "partitions", len(want), "in_flight", len(inflight))
	}
	return newPartitionErrors("reassign", len(plan), errs)
}

// CancelReassignments cancels the in-flight reassignments of tps (a nil
// replica list per partition). A partition with nothing in flight is not an
// error. Kafka restores the original replica set, not necessarily its order.
func (a *adminCluster) CancelReassignments(ctx context.Context, tps []cluster.TopicPartition) error {
	if err := checkTPs(tps); err != nil {
		return err
	}
	byTopic := map[string][]int32{}
	cancels := make([]cluster.PartitionAssignment, len(tps))
	for i, tp := range tps {
		cancels[i] = cluster.PartitionAssignment{Topic: tp.Topic, Partition: tp.Partition} // nil replicas: cancel
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	failed, err := a.alterReassignments(ctx, "cancel reassignment", a.alterRequest(cancels), tps, sarama.ErrNoReassignmentInProgress)
	if err != nil {
		return err
	}
	var errs []PartitionError
	for tp, e := range failed {
		errs = append(errs, PartitionError{tp, e})
	}
	inflight, err := a.listReassignments(ctx, byTopic)
	if err != nil {
		return fmt.Errorf("cancel reassignment: submitted, but confirming failed: %w", err)
	}
	for tp := range inflight {
		if _, bad := failed[tp]; !bad {
			errs = append(errs, PartitionError{tp, errors.New("still being reassigned after the cancellation")})
		}
	}
	return newPartitionErrors("cancel reassignment", len(tps), errs)
}

func plan2tps(plan []cluster.PartitionAssignment) []cluster.TopicPartition {
	tps := make([]cluster.TopicPartition, len(plan))
	for i, p := range plan {
		tps[i] = p.TP()
	}
	return tps
}

// alterReassignments sends req to the controller and returns the partitions
// it refused. A partition the response does not mention counts as refused.
// ignore is a per-partition error code that counts as success.
//
// The request goes through franz-go's kmsg types on the franz-go client
// (same bootstrap servers and security settings as sarama's, see
// kgoOptions), to the controller sarama finds: sarama (v1.61) decodes the
// per-partition results into unexported fields, and drops them in
// ClusterAdmin.
func (a *adminCluster) alterReassignments(ctx context.Context, op string, req *kmsg.AlterPartitionAssignmentsRequest,
	tps []cluster.TopicPartition, ignore sarama.KError) (map[cluster.TopicPartition]error, error) {
	kc, err := a.franz(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	failed := map[cluster.TopicPartition]error{}
	err = a.onController(ctx, op, func(b *sarama.Broker) error {
		rctx, cancel := context.WithTimeout(ctx, a.timeout)
		defer cancel()
		resp, err := req.RequestWith(rctx, kc.Broker(int(b.ID())))
		if err != nil {
			return err
		}
		if err := kerr(sarama.KError(resp.ErrorCode), resp.ErrorMessage); err != nil {
			return err
		}
		clear(failed)
		seen := map[cluster.TopicPartition]bool{}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				tp := cluster.TopicPartition{Topic: t.Topic, Partition: p.Partition}
				seen[tp] = true
				code := sarama.KError(p.ErrorCode)
				if code == ignore && ignore != sarama.ErrNoError {
					a.log.Debug(op+": nothing to do", "partition", tp.String(), "reason", code.Error())
					continue
				}
				if err := kerr(code, p.ErrorMessage); err != nil {
					failed[tp] = err
				}
			}
		}
		for _, tp := range tps {
			if !seen[tp] {
				failed[tp] = errors.New("the controller's response does not mention the partition")
			}
		}
		return nil
	})
	return failed, err
}

// alterRequest builds an AlterPartitionReassignments request: replicas per
// partition, nil to cancel.
func (a *adminCluster) alterRequest(parts []cluster.PartitionAssignment) *kmsg.AlterPartitionAssignmentsRequest {
	req := kmsg.NewPtrAlterPartitionAssignmentsRequest()
	req.TimeoutMillis = int32(a.timeout.Milliseconds())
	index := map[string]int{}
	for _, p := range parts {
		i, ok := index[p.Topic]
		if !ok {
			i = len(req.Topics)
			index[p.Topic] = i
			t := kmsg.NewAlterPartitionAssignmentsRequestTopic()
			t.Topic = p.Topic
			req.Topics = append(req.Topics, t)
		}
		rp := kmsg.NewAlterPartitionAssignmentsRequestTopicPartition()
		rp.Partition, rp.Replicas = p.Partition, p.Replicas
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	return req
}
