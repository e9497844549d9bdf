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

// dirCluster adds a log directory describer to the fake: answers[i] on the i-th
// call (the last once exhausted), each broker -> partition -> placement.
type dirCluster struct {
	*fakeCluster
	answers []map[int32]map[cluster.TopicPartition]kafka.ReplicaLogDir
	err     error
	calls   int
}

func (d *dirCluster) Capabilities() kafka.Capabilities {
	c := d.fakeCluster.Capabilities()
	c.LogDirDescriber = d
	return c
}

func (d *dirCluster) DescribeLogDirs(_ context.Context, brokers []int32, _ []cluster.TopicPartition) (map[int32]kafka.BrokerLogDirs, error) {
	if d.err != nil {
		return nil, d.err
	}
	a := d.answers[min(d.calls, len(d.answers)-1)]
	d.calls++
	out := map[int32]kafka.BrokerLogDirs{}
	for _, b := range brokers {
		out[b] = kafka.BrokerLogDirs{Dirs: map[string]error{"/a": nil, "/b": nil}, Replicas: a[b]}
	}
	return out, nil
}

func TestRunLogDirs(t *testing.T) {
	live := brokers(1, 2, 3)
	settled := &cluster.State{Brokers: live, Partitions: []cluster.PartitionState{part("a", 0, 1, 2), part("a", 1, 2, 3)}}
	p0 := pa("a", 0, 1, 2)
	p0.LogDirs = []string{"/b", cluster.AnyLogDir}
	thePlan := plan(p0, pa("a", 1, 2, 3))
	at := func(dir, future string) map[int32]map[cluster.TopicPartition]kafka.ReplicaLogDir {
		return map[int32]map[cluster.TopicPartition]kafka.ReplicaLogDir{1: {tp("a", 0): {Dir: dir, Future: future}}}
	}
	type answer = map[int32]map[cluster.TopicPartition]kafka.ReplicaLogDir
	one := func(a answer) []answer { return []answer{a} }
	for _, tc := range []struct {
		name      string
		answers   []map[int32]map[cluster.TopicPartition]kafka.ReplicaLogDir
		err       error
		wait      bool
		wantErr   error
		stderrHas []string
	}{
		{name: "in place", answers: one(at("/b", "")), stderrHas: []string{"Reassignment of partition a-0 is complete."}},
		{name: "moving", answers: one(at("/a", "/b")), wantErr: cluster.ErrInProgress,
			stderrHas: []string{"Reassignment of partition a-0 is still in progress.", "note: log dir of a-0: broker 1: in /a, moving to /b, planned /b"}},
		{name: "future replica left", answers: one(at("/b", "/a")), wantErr: ErrNotAsPlanned,
			stderrHas: []string{"There is no active reassignment of partition a-0, but its replicas are not in the planned log directories."}},
		{name: "not moved", answers: one(at("/a", "")), wantErr: ErrNotAsPlanned,
			stderrHas: []string{"note: log dir of a-0: broker 1: in /a, planned /b"}},
		{name: "unreadable", err: errors.New("broker 1 unreachable"), wantErr: cluster.ErrInProgress,
			stderrHas: []string{"log directories could not be read"}},
		{name: "wait for the move", wait: true, stderrHas: []string{"Reassignment of partition a-0 is complete."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dc := &dirCluster{fakeCluster: &fakeCluster{states: []*cluster.State{settled}}, err: tc.err}
			switch {
			case tc.wait:
				dc.answers = append(dc.answers, at("/a", "/b"), at("/a", "/b"), at("/b", ""))
			case tc.err == nil:
				dc.answers = append(dc.answers, tc.answers...)
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
			if tc.wait && dc.calls != 3 {
				t.Errorf("described %d times, want 3 (until the move is done)", dc.calls)
			}
			if res != nil && res.Counts.Partitions != 2 {
				t.Errorf("counts %+v", res.Counts)
			}
		})
	}
}

// A plan without named log dirs never asks the brokers about them.
func TestRunWithoutLogDirsDoesNotDescribe(t *testing.T) {
	dc := &dirCluster{fakeCluster: &fakeCluster{states: []*cluster.State{{Brokers: brokers(1, 2), Partitions: []cluster.PartitionState{part("a", 0, 1, 2)}}}},
		err: errors.New("must not be called")}
	if _, err := runWritten(context.Background(), Options{Plan: plan(pa("a", 0, 1, 2))}, dc, Env{}); err != nil {
		t.Fatal(err)
	}
}
