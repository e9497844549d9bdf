package generate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
)

// largestMoves is how many of the partitions moving the most bytes the
// report lists.
const largestMoves = 10

// DefaultMaxDiskUsage is --max-disk-usage's default: no broker is planned
// above 85% of its capacity.
const DefaultMaxDiskUsage = 0.85

// maxDiskRounds bounds the re-plans that keep full brokers from receiving.
const maxDiskRounds = 8

// SizeReport is what a plan does to disks; only when sizes are known.
type SizeReport struct {
	// ThrottleBytesPerSecond is the rate the estimate assumes (--throttle).
	ThrottleBytesPerSecond int64 `json:"throttle_bytes_per_second,omitempty"`
	// MaxDiskUsage is the share of a broker's capacity the plan may fill.
	MaxDiskUsage float64 `json:"max_disk_usage"`
	// UnsizedPartitions counts partitions in the cluster no broker reported
	// a size for; they count as empty.
	UnsizedPartitions int `json:"unsized_partitions"`
	// FullBrokers would have passed MaxDiskUsage: they receive nothing.
	FullBrokers []int32         `json:"full_brokers"`
	Brokers     []BrokerBytes   `json:"brokers"`
	Largest     []PartitionSize `json:"largest_moves"`
}

// BrokerBytes is one broker's data before and after the plan.
type BrokerBytes struct {
	ID         int32 `json:"id"`
	BytesIn    int64 `json:"bytes_in"`
	BytesOut   int64 `json:"bytes_out"`
	UsedBefore int64 `json:"used_before"`
	// UsedAfter is UsedBefore plus BytesIn less BytesOut (each counted at
	// the partition's size, which may differ a little from a follower's).
	UsedAfter int64 `json:"used_after"`
	// Capacity is the size of the broker's log dirs, when known (reported
	// by Kafka 3.3+, or --broker-capacity); 0 when not.
	Capacity int64 `json:"capacity,omitempty"`
}

// UsageBefore and UsageAfter are the shares of Capacity used; 0 when the
// capacity is unknown.
func (b BrokerBytes) UsageBefore() float64 { return share(b.UsedBefore, b.Capacity) }
func (b BrokerBytes) UsageAfter() float64  { return share(b.UsedAfter, b.Capacity) }

func share(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// PartitionSize is one partition of the plan with the bytes it moves.
type PartitionSize struct {
	Topic     string  `json:"topic"`
	Partition int32   `json:"partition"`
	Size      int64   `json:"size"`
	Moved     int64   `json:"bytes_moved"` // Size times the replicas added
	Before    []int32 `json:"replicas_before"`
	After     []int32 `json:"replicas_after"`
}

// Move is one partition of the plan, for the per-partition view: its
// replicas before and after, its size (-1 when unknown) and why it changes.
type Move struct {
	cluster.TopicPartition
	Before, After []int32
	Size          int64
	Reasons       []string
}

// Reasons a partition changes.
const (
	ReasonZone        = "zone"
	ReasonFaultDomain = "fault domain"
	ReasonUpdateDom   = "update domain"
	ReasonExcluded    = "excluded broker"
	ReasonDown        = "down broker"
	ReasonNotListed   = "not in --broker-list"
	ReasonNoDomain    = "broker without a domain"
	ReasonDuplicate   = "broker listed twice"
	ReasonRF          = "replication factor"
	ReasonBalance     = "balance"
	ReasonLeader      = "preferred leader (no data moves)"
	ReasonNewTopic    = "new topic"
)

// moves lists the partitions of the plan with why each changes.
func (p *planner) moves() []Move {
	t := p.t
	var out []Move
	for i := range p.src {
		if !p.changed(i) {
			continue
		}
		cur, fin := p.curOf(i), p.final(i)
		m := Move{TopicPartition: p.tp(i), Size: -1,
			Before: make([]int32, len(cur)), After: make([]int32, len(fin))}
		copyIDs(m.Before, cur, t)
		copyIDs(m.After, fin, t)
		if p.in.Sizes != nil {
			if s, ok := p.in.Sizes.Partitions[m.TopicPartition]; ok {
				m.Size = s
			}
		}
		m.Reasons = p.reasons(i, cur, fin)
		out = append(out, m)
	}
	return out
}

// reasons says why partition i changes from cur to fin.
func (p *planner) reasons(i int, cur, fin []int32) []string {
	if p.src[i] < 0 {
		return []string{ReasonNewTopic}
	}
	t := p.t
	var why []string
	mask := t.check(cur, p.limits(len(cur), levelAll))
	for _, r := range []struct {
		bit  uint8
		name string
	}{{violZone, ReasonZone}, {violFD, ReasonFaultDomain}, {violUD, ReasonUpdateDom}} {
		if mask&r.bit != 0 {
			why = append(why, r.name)
		}
	}
	if mask&violBrkr != 0 {
		for j, b := range cur {
			name := ""
			switch t.brokers[b].status {
			case statusExcluded:
				name = ReasonExcluded
			case statusDead:
				name = ReasonDown
			case statusNotListed:
				name = ReasonNotListed
			case statusNoDomain:
				name = ReasonNoDomain
			}
			if slices.Contains(cur[:j], b) {
				name = ReasonDuplicate
			}
			if name != "" && !slices.Contains(why, name) {
				why = append(why, name)
			}
		}
	}
	if len(cur) != len(fin) {
		why = append(why, ReasonRF)
	}
	if len(why) == 0 {
		if sameIDs(cur, fin) {
			why = append(why, ReasonLeader)
		} else {
			why = append(why, ReasonBalance)
		}
	}
	return why
}

// sameIDs reports whether a and b hold the same brokers, in any order.
func sameIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// diskLimit is the share of capacity a plan may fill.
func (o *Options) diskLimit() float64 {
	if o.MaxDiskUsage == 0 {
		return DefaultMaxDiskUsage
	}
	return o.MaxDiskUsage
}

// sizeReport sums up what res moves, per broker and in all, with in's sizes;
// with largest, it also lists the partitions that move the most bytes.
func sizeReport(in *Input, opts *Options, res *Result, largest bool) SizeReport {
	u := in.Sizes
	r := SizeReport{ThrottleBytesPerSecond: opts.Throttle, MaxDiskUsage: opts.diskLimit(),
		UnsizedPartitions: u.Unsized, FullBrokers: slices.Sorted(slices.Values(opts.full)), Largest: []PartitionSize{}}
	if r.FullBrokers == nil {
		r.FullBrokers = []int32{}
	}
	bytesIn, bytesOut := map[int32]int64{}, map[int32]int64{}
	// The rollback lists the plan's existing partitions in the plan's order.
	roll := res.Rollback.Partitions
	for _, pa := range res.Plan.Partitions {
		if len(roll) == 0 || roll[0].Topic != pa.Topic || roll[0].Partition != pa.Partition {
			continue // a new topic's partition holds no data yet
		}
		cur := roll[0].Replicas
		roll = roll[1:]
		size := u.Partitions[pa.TP()]
		added := 0
		for _, b := range pa.Replicas {
			if !slices.Contains(cur, b) {
				bytesIn[b] += size
				added++
			}
		}
		for _, b := range cur {
			if !slices.Contains(pa.Replicas, b) {
				bytesOut[b] += size
			}
		}
		if largest && added > 0 {
			r.Largest = keepLargest(r.Largest, PartitionSize{Topic: pa.Topic, Partition: pa.Partition, Size: size,
				Moved: size * int64(added), Before: cur, After: pa.Replicas})
		}
	}
	ids := slices.Collect(maps.Keys(u.Used))
	for id := range in.Domains {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		used := u.Used[id]
		r.Brokers = append(r.Brokers, BrokerBytes{ID: id, BytesIn: bytesIn[id], BytesOut: bytesOut[id],
			UsedBefore: used, UsedAfter: max(0, used+bytesIn[id]-bytesOut[id]), Capacity: u.Capacity[id]})
	}
	return r
}

// keepLargest inserts p into top, kept sorted by bytes moved (most first,
// earlier partitions first on ties) and at most largestMoves long.
func keepLargest(top []PartitionSize, p PartitionSize) []PartitionSize {
	i := len(top)
	for i > 0 && top[i-1].Moved < p.Moved {
		i--
	}
	if i >= largestMoves {
		return top
	}
	top = slices.Insert(top, i, p)
	return top[:min(len(top), largestMoves)]
}

// totals returns the bytes to move and the seconds they take at the
// throttle: the busiest broker's inbound bytes over the rate, since Kafka
// throttles each follower's fetching at it. seconds is -1 without a rate.
func (r SizeReport) totals() (bytes int64, seconds float64) {
	var busiest int64
	for _, b := range r.Brokers {
		bytes += b.BytesIn
		busiest = max(busiest, b.BytesIn)
	}
	if r.ThrottleBytesPerSecond <= 0 {
		return bytes, -1
	}
	return bytes, float64(busiest) / float64(r.ThrottleBytesPerSecond)
}

// overfull lists the brokers the plan fills beyond the disk limit: they
// receive bytes and end above it.
func (r SizeReport) overfull() []BrokerBytes {
	var out []BrokerBytes
	for _, b := range r.Brokers {
		if b.Capacity > 0 && b.BytesIn > 0 && float64(b.UsedAfter) > r.MaxDiskUsage*float64(b.Capacity) {
			out = append(out, b)
		}
	}
	return out
}

// planSized plans, then, while the plan fills a broker beyond the disk
// limit, plans again with that broker kept from receiving. When that
// cannot be done (the rules need the full brokers, or nothing may receive)
// or a broker is still filled, it fails with cluster.ErrAtRisk naming the
// brokers and bytes, the report filled in; with opts.Force it keeps the
// plan that spares the most disks without breaking more rules, and warns.
func planSized(in Input, opts Options) (Result, error) {
	res, err := planOnce(in, opts)
	if in.Sizes == nil {
		return res, err
	}
	if err != nil {
		if errors.Is(err, cluster.ErrAtRisk) {
			res.addSizes(&in, &opts)
		}
		return res, err
	}
	var filled []BrokerBytes // every broker kept from receiving, as the plan that filled it had it
	for round := 0; len(in.Sizes.Capacity) > 0 && round < maxDiskRounds; round++ {
		over := sizeReport(&in, &opts, &res, false).overfull()
		if len(over) == 0 {
			break
		}
		trial := opts
		trial.full = slices.Clone(opts.full)
		for _, b := range over {
			trial.full = append(trial.full, b.ID)
		}
		next, nerr := planOnce(in, trial)
		switch {
		case opts.Force && (nerr != nil || len(next.Report.Compromises) > len(res.Report.Compromises)):
			round = maxDiskRounds // keep res: no disk is worth a rule
		case nerr != nil:
			why := diskError(append(filled, over...), opts.diskLimit())
			if errors.Is(nerr, cluster.ErrAtRisk) {
				next.Report.Warnings = append(next.Report.Warnings, fullWarning(trial.full))
				return next, fmt.Errorf("%w; with brokers kept from receiving because %s", nerr, why)
			}
			res.addSizes(&in, &opts)
			return res, fmt.Errorf("%w: %s, and no plan spares them (%v)", cluster.ErrAtRisk, why, nerr)
		default:
			filled = append(filled, over...)
			opts, res = trial, next
		}
	}
	res.addSizes(&in, &opts)
	over := res.Report.Sizes.overfull()
	if len(over) == 0 {
		return res, nil
	}
	msg := diskError(over, res.Report.Sizes.MaxDiskUsage)
	if opts.Force {
		res.Report.Warnings = append(res.Report.Warnings, "--force: "+msg)
		return res, nil
	}
	return res, fmt.Errorf("%w: %s (use --force to plan it anyway, or raise --max-disk-usage)", cluster.ErrAtRisk, msg)
}

// addSizes fills the report's byte figures and the warnings about them.
func (res *Result) addSizes(in *Input, opts *Options) {
	sr := sizeReport(in, opts, res, true)
	total, secs := sr.totals()
	res.Report.Sizes = &sr
	res.Report.BytesToMove = &total
	if secs >= 0 {
		res.Report.EstimatedSeconds = &secs
	}
	if len(opts.full) > 0 {
		res.Report.Warnings = append(res.Report.Warnings, fullWarning(opts.full))
	}
	if sr.UnsizedPartitions > 0 {
		res.Report.Warnings = append(res.Report.Warnings, fmt.Sprintf(
			"%d partitions have no size (no broker reported them); they count as empty", sr.UnsizedPartitions))
	}
}

func fullWarning(full []int32) string {
	ids := make([]string, len(full))
	for i, id := range slices.Sorted(slices.Values(full)) {
		ids[i] = fmt.Sprint(id)
	}
	if len(ids) == 1 {
		return fmt.Sprintf("broker %s receives nothing: the plan would fill it beyond --max-disk-usage", ids[0])
	}
	return fmt.Sprintf("brokers %s receive nothing: the plan would fill them beyond --max-disk-usage", strings.Join(ids, ", "))
}

func diskError(over []BrokerBytes, limit float64) string {
	parts := make([]string, len(over))
	for i, b := range over {
		parts[i] = fmt.Sprintf("broker %d would hold %s of %s (%.0f%%, receiving %s)",
			b.ID, sizes.Format(b.UsedAfter), sizes.Format(b.Capacity), 100*b.UsageAfter(), sizes.Format(b.BytesIn))
	}
	return fmt.Sprintf("the plan fills brokers beyond --max-disk-usage %.0f%%: %s", 100*limit, strings.Join(parts, "; "))
}
