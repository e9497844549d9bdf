package execute

import (
	"context"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/kafka"
)

// Issue 8: a plan executed through the ZooKeeper path and cancelled through
// the Admin API alone (no --zookeeper) left its throttles, silently: the
// record was in ZooKeeper. The cancel now finds the follower throttles on
// the replicas it stopped adding and fails, saying how to remove them.
func TestCancelReportsThrottlesWithoutARecord(t *testing.T) {
	for _, tc := range []struct {
		name     string
		follower string // the topic's follower.replication.throttled.replicas
		wantErr  string
	}{
		{"the plan's throttles, recorded elsewhere", "0:3,0:4", "(t: 0:3,0:4)"},
		{"one of them, among an operator's", "2:5, 0:4", "(t: 0:4)"},
		{"an operator's on other replicas", "2:5,1:6", ""},
		{"none", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sixPartitions()
			reassigning(f, "t", 0, 3, 4)
			if tc.follower != "" {
				f.SetConfig(kafka.TopicEntity, "t", map[string]string{kafka.FollowerThrottledReplicas: tc.follower})
			}
			o := testOptions(t)
			o.Mode = ModeCancel
			r := runExecute(t, context.Background(), o, f, movePlan(1))
			if got := cancelled(f); len(got) != 1 {
				t.Errorf("cancelled %v, want t-0", got)
			}
			if tc.wantErr == "" {
				if r.err != nil {
					t.Errorf("cancel: %v", r.err)
				}
				return
			}
			if r.err == nil || !strings.Contains(r.err.Error(), tc.wantErr) || !strings.Contains(r.err.Error(), "--zookeeper beside --bootstrap-server") {
				t.Errorf("cancel: %v, want the throttles %s named and how to remove them", r.err, tc.wantErr)
			}
		})
	}
}
