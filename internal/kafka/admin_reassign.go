package kafka

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/IBM/sarama"

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
	req := &sarama.AlterPartitionReassignmentsRequest{TimeoutMs: int32(a.timeout.Milliseconds())}
	for _, p := range plan {
		req.AddBlock(p.Topic, p.Partition, p.Replicas)
	}
	failed, err := a.alterReassignments(ctx, "reassign", req, plan2tps(plan), sarama.ErrNoError)
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
	req := &sarama.AlterPartitionReassignmentsRequest{TimeoutMs: int32(a.timeout.Milliseconds())}
	byTopic := map[string][]int32{}
	for _, tp := range tps {
		req.AddBlock(tp.Topic, tp.Partition, nil)
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	failed, err := a.alterReassignments(ctx, "cancel reassignment", req, tps, sarama.ErrNoReassignmentInProgress)
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
func (a *adminCluster) alterReassignments(ctx context.Context, op string, req *sarama.AlterPartitionReassignmentsRequest,
	tps []cluster.TopicPartition, ignore sarama.KError) (map[cluster.TopicPartition]error, error) {
	failed := map[cluster.TopicPartition]error{}
	err := a.onController(ctx, op, func(b *sarama.Broker) error {
		resp, err := b.AlterPartitionReassignments(req)
		if err != nil {
			return err
		}
		if err := kerr(resp.ErrorCode, resp.ErrorMessage); err != nil {
			return err
		}
		clear(failed)
		seen := map[cluster.TopicPartition]bool{}
		for t, ps := range resp.Errors {
			for p, block := range ps {
				tp := cluster.TopicPartition{Topic: t, Partition: p}
				seen[tp] = true
				code, err := reassignmentBlockError(block)
				if code == ignore && ignore != sarama.ErrNoError {
					a.log.Debug(op+": nothing to do", "partition", tp.String(), "reason", code.Error())
					continue
				}
				if err != nil {
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

// reassignmentBlockError reads a per-partition result of
// AlterPartitionReassignments. sarama (v1.61) keeps its fields unexported and
// drops them in ClusterAdmin; reflection reads them without modifying sarama.
// TestReassignmentBlockErrorReadsSarama pins the field names.
func reassignmentBlockError(block any) (sarama.KError, error) {
	v := reflect.ValueOf(block)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return sarama.ErrNoError, nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return sarama.ErrUnknown, errors.New("unreadable per-partition result")
	}
	code := v.FieldByName("errorCode")
	if !code.IsValid() || !code.CanInt() {
		return sarama.ErrUnknown, errors.New("unreadable per-partition result")
	}
	k := sarama.KError(code.Int())
	var msg *string
	if m := v.FieldByName("errorMessage"); m.IsValid() && m.Kind() == reflect.Pointer && !m.IsNil() && m.Elem().Kind() == reflect.String {
		s := m.Elem().String()
		msg = &s
	}
	return k, kerr(k, msg)
}
