package throttle

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// Wildcard in a throttled-replicas list throttles every replica of the topic.
const Wildcard = "*"

// parseList splits a throttled-replicas value ("0:1,0:2" or "*") into its
// entries, trimmed, without empties.
func parseList(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func formatList(entries []string) string { return strings.Join(entries, ",") }

func entry(partition, broker int32) string {
	return strconv.Itoa(int(partition)) + ":" + strconv.Itoa(int(broker))
}

// sortEntries orders partition:broker entries numerically.
func sortEntries(es []string) {
	key := func(e string) (int, int) {
		p, b, _ := strings.Cut(e, ":")
		pi, _ := strconv.Atoi(p)
		bi, _ := strconv.Atoi(b)
		return pi, bi
	}
	slices.SortFunc(es, func(x, y string) int {
		xp, xb := key(x)
		yp, yb := key(y)
		if xp != yp {
			return xp - yp
		}
		return xb - yb
	})
}

// Move is one partition of a plan as throttling sees it.
type Move struct {
	TP      cluster.TopicPartition
	Current []int32 // replicas now (the original set while a reassignment is in flight)
	Target  []int32 // replicas planned
	// LogDirBrokers are the brokers on which a replica changes log directory.
	LogDirBrokers []int32
}

// Adding returns the target replicas not in the current set.
func (m Move) Adding() []int32 {
	var out []int32
	for _, b := range m.Target {
		if !slices.Contains(m.Current, b) {
			out = append(out, b)
		}
	}
	return out
}

// Moving reports whether data moves between brokers (not a mere reorder).
func (m Move) Moving() bool {
	if len(m.Adding()) > 0 {
		return true
	}
	for _, b := range m.Current {
		if !slices.Contains(m.Target, b) {
			return true
		}
	}
	return false
}
