package verify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/verify"
)

// A partition moved as planned whose staying replica fell out of the ISR
// with the leader change (seen on a loaded Kafka 0.9: a cron job paged for
// it) is waited for a little before verify --wait judges the plan; one
// still out of sync after that grace is reported as under-replicated.
func TestWaitLetsCompletedPartitionsCatchUp(t *testing.T) {
	for _, c := range []struct {
		name    string
		outFor  int // State reads before replica 2 is back in the ISR
		timeout time.Duration
		wantURP bool
	}{
		{name: "back in sync after a few polls", outFor: 3},
		{name: "still out of sync after the grace", outFor: 1 << 30, wantURP: true},
		// Judged at --timeout by a pass that holds the lock, not as a
		// timed-out wait.
		{name: "a --timeout shorter than the grace", outFor: 1 << 30, timeout: 5 * time.Second, wantURP: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			var bs []cluster.Broker
			for id := range int32(3) {
				bs = append(bs, cluster.Broker{ID: id + 1, Host: "127.0.0.1", Port: 9092})
			}
			f := kafka.NewFakeWith(kafka.FakeOptions{}, "c1", bs...)
			if err := f.CreateTopic(ctx, "t", [][]int32{{1, 2}}, nil); err != nil {
				t.Fatal(err)
			}
			plan := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{{Topic: "t", Partition: 0, Replicas: []int32{3, 2}}}}
			lagging := cluster.PartitionState{Topic: "t", Partition: 0, Replicas: []int32{3, 2}, ISR: []int32{3}, Leader: 3}
			f.SetPartitions(lagging)
			f.BeforeState(func(read int) error {
				if read > c.outFor {
					back := lagging
					back.ISR = []int32{3, 2}
					f.SetPartitions(back)
				}
				return nil
			})
			o := verify.Options{Plan: plan, Wait: true, PollInterval: time.Millisecond, Timeout: c.timeout}
			res, err := verify.Run(ctx, o, verify.Deps{Cluster: f, Now: tickingClock(time.Second)})
			if res == nil {
				t.Fatal(err)
			}
			if got := len(res.Risk.UnderReplicated) > 0; got != c.wantURP || errors.Is(err, cluster.ErrAtRisk) != c.wantURP {
				t.Errorf("under-replicated %v, error %v; want under-replicated %v", res.Risk.UnderReplicated, err, c.wantURP)
			}
			if res.TimedOut {
				t.Error("judged as a timed-out wait")
			}
		})
	}
}
