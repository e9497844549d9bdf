package generate

import (
	"maps"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// TestBalanceBytesByShare: --balance-by bytes evens the share of capacity
// used among the brokers of a fault domain when every broker's capacity is
// known (brokers of different sizes), and the bytes on disk otherwise. FD0
// holds brokers 1 and 2, FD1 brokers 3 and 4 (four update domains, so any
// pair across the FDs is spread); every partition is 10 GiB with a replica
// in each FD, and FD1 holds four on each broker.
func TestBalanceBytesByShare(t *testing.T) {
	for _, c := range []struct {
		name string
		// on1 is how many partitions broker 1 holds of the eight in FD0
		// (broker 2 the rest).
		on1 int
		// capacity in GiB per broker; a broker left out has none known.
		capacity map[int32]int64
		want     map[int32]int64 // GiB used after the plan, per broker
	}{
		{"no capacity: bytes even out", 2, nil,
			map[int32]int64{1: 40, 2: 40, 3: 40, 4: 40}},
		{"equal bytes, a small and a big broker: shares even out", 4, map[int32]int64{1: 100, 2: 300, 3: 200, 4: 200},
			map[int32]int64{1: 20, 2: 60, 3: 40, 4: 40}},
		{"equal shares already: nothing moves", 2, map[int32]int64{1: 100, 2: 300, 3: 200, 4: 200},
			map[int32]int64{1: 20, 2: 60, 3: 40, 4: 40}},
		{"equal capacities: bytes even out", 2, map[int32]int64{1: 200, 2: 200, 3: 200, 4: 200},
			map[int32]int64{1: 40, 2: 40, 3: 40, 4: 40}},
		{"one capacity unknown: bytes even out", 4, map[int32]int64{1: 100, 3: 200, 4: 200},
			map[int32]int64{1: 40, 2: 40, 3: 40, 4: 40}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := shareCluster(c.on1, c.capacity)
			res, err := Plan(in, Options{Balance: true, BalanceBy: BalanceBytes})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int32]int64{}
			for _, b := range res.Report.Sizes.Brokers {
				got[b.ID] = b.UsedAfter / gib
			}
			if !maps.Equal(got, c.want) {
				t.Errorf("GiB used after the plan %v, want %v", got, c.want)
			}
			moved := map[int32]int64{}
			for id, u := range got {
				moved[id] = u - in.Sizes.Used[id]/gib
			}
			var bytes int64
			for _, u := range moved {
				bytes += max(0, u)
			}
			if *res.Report.BytesToMove != bytes*gib {
				t.Errorf("moved %d bytes for a change of %v GiB: more than the balance needs", *res.Report.BytesToMove, moved)
			}
		})
	}
}

// shareCluster is TestBalanceBytesByShare's cluster: eight partitions of
// 10 GiB, on1 of them on broker 1 and the rest on broker 2 (FD0), each with
// its other replica on broker 3 or 4 in turn (FD1).
func shareCluster(on1 int, capacity map[int32]int64) Input {
	doms := map[int32]cluster.Domain{1: {FaultDomain: 0, UpdateDomain: 0}, 2: {FaultDomain: 0, UpdateDomain: 1},
		3: {FaultDomain: 1, UpdateDomain: 2}, 4: {FaultDomain: 1, UpdateDomain: 3}}
	u := sizes.Usage{Partitions: map[cluster.TopicPartition]int64{}, Used: map[int32]int64{}, Capacity: map[int32]int64{}}
	var cur cluster.Assignment
	for i := range 8 {
		fd0 := int32(2)
		if i < on1 {
			fd0 = 1
		}
		p := cluster.PartitionAssignment{Topic: "t", Partition: int32(i), Replicas: []int32{fd0, 3 + int32(i%2)}}
		cur.Partitions = append(cur.Partitions, p)
		u.Partitions[p.TP()] = 10 * gib
		for _, b := range p.Replicas {
			u.Used[b] += 10 * gib
		}
	}
	for id, c := range capacity {
		u.Capacity[id] = c * gib
	}
	cur.Version = 1
	return Input{Current: cur, Domains: doms, Sizes: &u}
}
