package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
)

// MoveLogDirs implements LogDirMover: one AlterReplicaLogDirs request per
// broker, sent to that broker, for the replicas it should move. Replicas the
// broker does not host yet are asked for again, with a growing pause, until
// they exist or ctx ends; so, for up to the request timeout, are partitions
// the broker does not know yet (a topic created a moment ago); any other
// per-partition error is final.
func (a *adminCluster) MoveLogDirs(ctx context.Context, plan []cluster.PartitionAssignment) error {
	if err := checkLogDirPlan(plan); err != nil {
		return err
	}
	moves := logDirMoves(plan)
	if len(moves) == 0 {
		return nil
	}
	kc, err := a.franz(ctx)
	if err != nil {
		return fmt.Errorf("move log dirs: %w", err)
	}
	final := map[replicaMove]error{}
	pending := moves
	pause := 100 * time.Millisecond
	unknownUntil := time.Now().Add(a.timeout)
	for attempt := 1; ; attempt++ {
		results := alterLogDirs(ctx, kc, pending)
		var again []replicaMove
		for _, m := range pending {
			switch err := results[m]; {
			case err == nil:
				a.log.Debug("log dir move started", "partition", m.TP.String(), "broker", m.Broker, "dir", m.Dir)
			case notHostedYet(err) || errors.Is(err, errRequestFailed),
				notKnownYet(err) && time.Now().Before(unknownUntil):
				again = append(again, m)
				final[m] = err
			default:
				final[m] = err
			}
		}
		for _, m := range pending {
			if results[m] == nil {
				delete(final, m)
			}
		}
		if len(again) == 0 {
			break
		}
		a.log.Debug("log dir moves waiting for replicas to exist", "replicas", len(again), "attempt", attempt, "first", again[0].TP.String(), "err", results[again[0]])
		if err := a.wait(ctx, pause); err != nil {
			for _, m := range again {
				final[m] = fmt.Errorf("gave up waiting (%w); last answer: %w", err, final[m])
			}
			return logDirErrors(plan, final)
		}
		pending, pause = again, min(2*pause, time.Second)
	}
	return logDirErrors(plan, final)
}

// notHostedYet reports the answers a broker gives for a replica it does not
// host yet: REPLICA_NOT_AVAILABLE up to Kafka 2.x, NOT_LEADER_OR_FOLLOWER on
// later versions. Either way the broker has recorded the directory for
// when it creates the replica.
func notHostedYet(err error) bool {
	return errors.Is(err, sarama.ErrReplicaNotAvailable) || errors.Is(err, sarama.ErrNotLeaderForPartition)
}

// notKnownYet reports the answer of a broker whose metadata does not have
// the partition yet: a topic created a moment ago, whose news reaches every
// broker shortly. The broker has recorded the directory all the same (as
// for notHostedYet), but a partition that does not exist gets the same
// answer, so it is asked again for a bounded time only.
func notKnownYet(err error) bool {
	return errors.Is(err, sarama.ErrUnknownTopicOrPartition)
}

// errRequestFailed marks a move whose request did not get an answer (the
// broker is down or unreachable); it is asked again within the deadline.
var errRequestFailed = errors.New("request failed")

// alterLogDirs sends one AlterReplicaLogDirs request to each broker of
// moves, in parallel, and returns each move's outcome (nil: started).
func alterLogDirs(ctx context.Context, kc *kgo.Client, moves []replicaMove) map[replicaMove]error {
	byBroker := map[int32][]replicaMove{}
	for _, m := range moves {
		byBroker[m.Broker] = append(byBroker[m.Broker], m)
	}
	var mu sync.Mutex
	out := make(map[replicaMove]error, len(moves))
	var wg sync.WaitGroup
	for b, ms := range byBroker {
		wg.Go(func() {
			res := alterLogDirsOn(ctx, kc, b, ms)
			mu.Lock()
			maps.Copy(out, res)
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func alterLogDirsOn(ctx context.Context, kc *kgo.Client, broker int32, moves []replicaMove) map[replicaMove]error {
	out := make(map[replicaMove]error, len(moves))
	byDir := map[string]map[string][]int32{}
	for _, m := range moves {
		if byDir[m.Dir] == nil {
			byDir[m.Dir] = map[string][]int32{}
		}
		byDir[m.Dir][m.TP.Topic] = append(byDir[m.Dir][m.TP.Topic], m.TP.Partition)
	}
	req := kmsg.NewPtrAlterReplicaLogDirsRequest()
	for _, dir := range slices.Sorted(maps.Keys(byDir)) {
		d := kmsg.NewAlterReplicaLogDirsRequestDir()
		d.Dir = dir
		for _, topic := range slices.Sorted(maps.Keys(byDir[dir])) {
			t := kmsg.NewAlterReplicaLogDirsRequestDirTopic()
			t.Topic, t.Partitions = topic, byDir[dir][topic]
			d.Topics = append(d.Topics, t)
		}
		req.Dirs = append(req.Dirs, d)
	}
	kresp, err := kc.Broker(int(broker)).RetriableRequest(ctx, req)
	if err != nil {
		for _, m := range moves {
			out[m] = fmt.Errorf("broker %d: %w: %w", broker, errRequestFailed, err)
		}
		return out
	}
	resp := kresp.(*kmsg.AlterReplicaLogDirsResponse)
	answers := map[cluster.TopicPartition]int16{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			answers[cluster.TopicPartition{Topic: t.Topic, Partition: p.Partition}] = p.ErrorCode
		}
	}
	for _, m := range moves {
		code, ok := answers[m.TP]
		switch {
		case !ok:
			out[m] = fmt.Errorf("broker %d, log dir %s: the broker's response does not mention the partition", broker, m.Dir)
		case code != 0:
			out[m] = fmt.Errorf("broker %d, log dir %s: %w", broker, m.Dir, codeErr(code))
		default:
			out[m] = nil
		}
	}
	return out
}

// logDirErrors reports failed moves per partition, in a *PartitionErrors.
func logDirErrors(plan []cluster.PartitionAssignment, failed map[replicaMove]error) error {
	byTP := map[cluster.TopicPartition][]error{}
	for _, m := range slices.SortedFunc(maps.Keys(failed), func(a, b replicaMove) int {
		if c := a.TP.Compare(b.TP); c != 0 {
			return c
		}
		return int(a.Broker) - int(b.Broker)
	}) {
		byTP[m.TP] = append(byTP[m.TP], failed[m])
	}
	var errs []PartitionError
	for tp, es := range byTP {
		var err error = replicaErrors(es)
		if len(es) == 1 {
			err = es[0]
		}
		errs = append(errs, PartitionError{tp, err})
	}
	n := 0
	for _, p := range plan {
		if p.MovesLogDirs() {
			n++
		}
	}
	return newPartitionErrors("move log dirs", n, errs)
}

// replicaErrors are the failures of several replicas of one partition.
type replicaErrors []error

func (e replicaErrors) Error() string {
	s := make([]string, len(e))
	for i, err := range e {
		s[i] = err.Error()
	}
	return strings.Join(s, ", ")
}

func (e replicaErrors) Unwrap() []error { return e }

func checkLogDirPlan(plan []cluster.PartitionAssignment) error {
	if err := checkPlan(plan); err != nil {
		return err
	}
	for _, p := range plan {
		if p.LogDirs != nil && len(p.LogDirs) != len(p.Replicas) {
			return cluster.Invalidf("partition %s: %d log dirs for %d replicas", p.TP(), len(p.LogDirs), len(p.Replicas))
		}
		for _, d := range p.LogDirs {
			if d != cluster.AnyLogDir && !path.IsAbs(d) {
				return cluster.Invalidf("partition %s: log dir %q is neither \"any\" nor an absolute path", p.TP(), d)
			}
		}
	}
	return nil
}

// DescribeLogDirs implements LogDirDescriber: one DescribeLogDirs request
// per broker, in parallel.
func (a *adminCluster) DescribeLogDirs(ctx context.Context, brokers []int32, tps []cluster.TopicPartition) (map[int32]BrokerLogDirs, error) {
	kc, err := a.franz(ctx)
	if err != nil {
		return nil, fmt.Errorf("describe log dirs: %w", err)
	}
	req := kmsg.NewPtrDescribeLogDirsRequest()
	if tps != nil {
		byTopic := map[string][]int32{}
		for _, tp := range tps {
			byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
		}
		req.Topics = []kmsg.DescribeLogDirsRequestTopic{}
		for _, topic := range slices.Sorted(maps.Keys(byTopic)) {
			t := kmsg.NewDescribeLogDirsRequestTopic()
			t.Topic, t.Partitions = topic, byTopic[topic]
			req.Topics = append(req.Topics, t)
		}
	}
	out := make(map[int32]BrokerLogDirs, len(brokers))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, b := range slices.Compact(slices.Sorted(slices.Values(brokers))) {
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, a.timeout)
			defer cancel()
			// A request of its own per broker: the client sets the version
			// it negotiates with that broker on the request it sends.
			own := *req
			bd := describeLogDirsOn(rctx, kc, b, &own)
			mu.Lock()
			out[b] = bd
			mu.Unlock()
		})
	}
	wg.Wait()
	return out, nil
}

func describeLogDirsOn(ctx context.Context, kc *kgo.Client, broker int32, req *kmsg.DescribeLogDirsRequest) BrokerLogDirs {
	kresp, err := kc.Broker(int(broker)).RetriableRequest(ctx, req)
	if err != nil {
		return BrokerLogDirs{Err: fmt.Errorf("describe log dirs of broker %d: %w", broker, err)}
	}
	resp := kresp.(*kmsg.DescribeLogDirsResponse)
	if err := codeErr(resp.ErrorCode); err != nil {
		return BrokerLogDirs{Err: fmt.Errorf("describe log dirs of broker %d: %w", broker, err)}
	}
	bd := BrokerLogDirs{Dirs: map[string]error{}, Replicas: map[cluster.TopicPartition]ReplicaLogDir{}}
	for _, d := range resp.Dirs {
		bd.Dirs[d.Dir] = codeErr(d.ErrorCode)
		for _, t := range d.Topics {
			for _, p := range t.Partitions {
				tp := cluster.TopicPartition{Topic: t.Topic, Partition: p.Partition}
				r := bd.Replicas[tp]
				if p.IsFuture {
					r.Future = d.Dir
				} else {
					r.Dir = d.Dir
				}
				bd.Replicas[tp] = r
			}
		}
	}
	return bd
}
