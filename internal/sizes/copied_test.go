package sizes

import (
	"maps"
	"slices"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestCopyProgress(t *testing.T) {
	tp := func(p int32) cluster.TopicPartition { return cluster.TopicPartition{Topic: "t", Partition: p} }
	// t-0 on 1 (leader, 1000 B), 3 has 400 B so far, 4 nothing yet;
	// t-1 on 1 (500 B); 5 holds a stale 900 B copy (counted up to the size)
	// and 6 a future replica of a log-dir move (never counted).
	var l LogDirs
	l.AddReplica(tp(0), Replica{Broker: 1, Size: 1000})
	l.AddReplica(tp(0), Replica{Broker: 3, Size: 400})
	l.AddReplica(tp(1), Replica{Broker: 1, Size: 500})
	l.AddReplica(tp(1), Replica{Broker: 5, Size: 900})
	l.AddReplica(tp(1), Replica{Broker: 6, Size: 300, Future: true})
	// t-2 (1000 B, led by 1) moves log dirs: 1 from /a into /b (400 B
	// copied), 2 is in /b already, 3 is in /a with no move yet, 4 moves
	// into /c instead, 5 reports only a future replica in /b, 6 is not
	// reported.
	l.AddReplica(tp(2), Replica{Broker: 1, Dir: "/a", Size: 1000})
	l.AddReplica(tp(2), Replica{Broker: 1, Dir: "/b", Size: 400, Future: true})
	l.AddReplica(tp(2), Replica{Broker: 2, Dir: "/b", Size: 990})
	l.AddReplica(tp(2), Replica{Broker: 3, Dir: "/a", Size: 900})
	l.AddReplica(tp(2), Replica{Broker: 4, Dir: "/a", Size: 500})
	l.AddReplica(tp(2), Replica{Broker: 4, Dir: "/c", Size: 200, Future: true})
	l.AddReplica(tp(2), Replica{Broker: 5, Dir: "/b", Size: 300, Future: true})
	move := func(b int32, dir string) []Copying {
		return []Copying{{TP: tp(2), MovingTo: map[int32]string{b: dir}, Leader: 1}}
	}
	for _, c := range []struct {
		name  string
		parts []Copying
		want  Copied
	}{
		{"nothing to copy", nil, Copied{}},
		{"an order change copies nothing", []Copying{{TP: tp(0), Leader: 1}}, Copied{}},
		{"partly copied", []Copying{{TP: tp(0), Adding: []int32{3, 4}, Leader: 1}}, Copied{Done: 400, Total: 2000, Counted: 1}},
		{"complete counts in full", []Copying{{TP: tp(0), Adding: []int32{3, 4}, Leader: 1, Complete: true}}, Copied{Done: 2000, Total: 2000, Counted: 1}},
		{"no more than the size, no future replica", []Copying{{TP: tp(1), Adding: []int32{5, 6}, Leader: 1}}, Copied{Done: 500, Total: 1000, Counted: 1}},
		{"leader unknown: largest in sync", []Copying{{TP: tp(0), Adding: []int32{4}, Leader: -1, ISR: []int32{1, 3}}}, Copied{Done: 0, Total: 1000, Counted: 1}},
		{"unknown size not counted", []Copying{{TP: tp(0), Adding: []int32{3}, Leader: 1}, {TP: tp(9), Adding: []int32{2}, Leader: 1}},
			Copied{Done: 400, Total: 1000, Unknown: 1, Counted: 1}},
		{"log-dir move: the future replica of the current one", move(1, "/b"), Copied{Done: 400, Total: 1000, Counted: 1}},
		{"log-dir move: a trailing slash is the same directory", move(1, "/b/"), Copied{Done: 400, Total: 1000, Counted: 1}},
		{"log-dir move done or not needed", move(2, "/b"), Copied{Done: 990, Total: 990, Counted: 1}},
		{"log-dir move not started", move(3, "/b"), Copied{Done: 0, Total: 900, Counted: 1}},
		{"log-dir move towards another directory", move(4, "/b"), Copied{Done: 0, Total: 500, Counted: 1}},
		{"only a future replica: out of the partition's size", move(5, "/b"), Copied{Done: 300, Total: 1000, Counted: 1}},
		{"broker not reported", move(6, "/b"), Copied{Counted: 1}},
		{"complete does not finish a log-dir move", []Copying{{TP: tp(2), MovingTo: map[int32]string{1: "/b"}, Leader: 1, Complete: true}},
			Copied{Done: 400, Total: 1000, Counted: 1}},
		{"adding and moving together", []Copying{{TP: tp(2), Adding: []int32{7}, MovingTo: map[int32]string{1: "/b", 3: "/b"}, Leader: 1}},
			Copied{Done: 400, Total: 2900, Counted: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := CopyProgress(c.parts, l)
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
			if got.Remaining() != c.want.Total-c.want.Done {
				t.Errorf("remaining %d", got.Remaining())
			}
		})
	}
}

func TestMovingTo(t *testing.T) {
	for _, c := range []struct {
		planned []int32
		dirs    []string
		orig    []int32
		want    map[int32]string
	}{
		{[]int32{1, 2}, nil, []int32{1, 2}, nil},
		{[]int32{1, 2}, []string{"any", "any"}, []int32{1, 2}, nil},
		{[]int32{1, 2}, []string{"/a", "any"}, []int32{2, 1}, map[int32]string{1: "/a"}},
		// A replica being added is created in its directory: no move.
		{[]int32{1, 3}, []string{"/a", "/b"}, []int32{1, 2}, map[int32]string{1: "/a"}},
	} {
		if got := MovingTo(c.planned, c.dirs, c.orig); !maps.Equal(got, c.want) {
			t.Errorf("MovingTo(%v, %v, %v) = %v, want %v", c.planned, c.dirs, c.orig, got, c.want)
		}
	}
}

func TestAdding(t *testing.T) {
	for _, c := range []struct{ planned, original, want []int32 }{
		{[]int32{3, 4}, []int32{1, 2}, []int32{3, 4}},
		{[]int32{2, 1}, []int32{1, 2}, nil},
		{[]int32{1, 3}, []int32{1, 2}, []int32{3}},
		{[]int32{1, 2}, nil, []int32{1, 2}},
	} {
		if got := Adding(c.planned, c.original); !slices.Equal(got, c.want) {
			t.Errorf("Adding(%v, %v) = %v, want %v", c.planned, c.original, got, c.want)
		}
	}
}
