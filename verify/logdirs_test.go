package verify

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
)

func TestRunLogDirs(t *testing.T) {
	live := brokers(1, 2, 3)
	settled := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{part("a", 0, 1, 2), part("a", 1, 2, 3)}}
	p0 := pa("a", 0, 1, 2)
	p0.LogDirs = []string{"/b", cluster.AnyLogDir}
	thePlan := plan(p0, pa("a", 1, 2, 3))
	for _, tc := range []struct {
		name      string
		at        kafka.ReplicaLogDir // broker 1's replica of a-0
		err       error
		wait      bool
		wantErr   error
		stderrHas []string
	}{
		{name: "in place", at: kafka.ReplicaLogDir{Dir: "/b"}, stderrHas: []string{"Reassignment of partition a-0 is complete."}},
		{name: "moving", at: kafka.ReplicaLogDir{Dir: "/a", Future: "/b"}, wantErr: cluster.ErrInProgress,
			stderrHas: []string{"Reassignment of partition a-0 is still in progress.", "note: log dir of a-0: broker 1: in /a, moving to /b, planned /b"}},
		{name: "future replica left", at: kafka.ReplicaLogDir{Dir: "/b", Future: "/a"}, wantErr: ErrNotAsPlanned,
			stderrHas: []string{"There is no active reassignment of partition a-0, but its replicas are not in the planned log directories."}},
		{name: "not moved", at: kafka.ReplicaLogDir{Dir: "/a"}, wantErr: ErrNotAsPlanned,
			stderrHas: []string{"note: log dir of a-0: broker 1: in /a, planned /b"}},
		{name: "unreadable", err: errors.New("broker 1 unreachable"), wantErr: cluster.ErrInProgress,
			stderrHas: []string{"log directories could not be read"}},
		{name: "wait for the move", wait: true, stderrHas: []string{"Reassignment of partition a-0 is complete."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dc := scriptedWith(t, kafka.FakeOptions{LogDirs: []string{"/a", "/b"}}, settled)
			switch {
			case tc.wait: // the move finishes before the third poll
				dc.BeforeState(func(read int) error {
					dc.SetState(settled)
					if read < 3 {
						dc.PlaceReplica(1, tp("a", 0), "/a", "/b")
					} else {
						dc.PlaceReplica(1, tp("a", 0), "/b", "")
					}
					return nil
				})
			case tc.err != nil:
				dc.Fail("DescribeLogDirs", tc.err)
			default:
				dc.PlaceReplica(1, tp("a", 0), tc.at.Dir, tc.at.Future)
			}
			o := Options{Plan: thePlan, Wait: tc.wait, PollInterval: time.Millisecond}
			var stderr bytes.Buffer
			res, err := runWritten(context.Background(), o, dc, Env{Stderr: &stderr})
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v\n%s", err, tc.wantErr, stderr.String())
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if n := len(dc.Calls("DescribeLogDirs")); tc.wait && n != 3 {
				t.Errorf("described %d times, want 3 (until the move is done)", n)
			}
			if res != nil && res.Counts.Partitions != 2 {
				t.Errorf("counts %+v", res.Counts)
			}
		})
	}
}

// A plan without named log dirs never asks the brokers about them.
func TestRunWithoutLogDirsDoesNotDescribe(t *testing.T) {
	dc := scriptedWith(t, kafka.FakeOptions{LogDirs: []string{"/a", "/b"}}, &cluster.State{Brokers: brokers(1, 2), Partitions: []cluster.PartitionState{part("a", 0, 1, 2)}})
	dc.Fail("DescribeLogDirs", errors.New("must not be called"))
	if _, err := runWritten(context.Background(), Options{Plan: plan(pa("a", 0, 1, 2))}, dc, Env{}); err != nil {
		t.Fatal(err)
	}
	if calls := dc.Calls("DescribeLogDirs"); len(calls) != 0 {
		t.Errorf("described log dirs: %+v", calls)
	}
}
