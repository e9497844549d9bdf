package generate

import (
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// ParseBrokerIDs reads a broker list as Kafka's tool takes it ("1,2,3"),
// also accepting spaces and ranges ("1-3,7"). flag names the option in errors.
func ParseBrokerIDs(flag, s string) ([]int32, error) {
	var out []int32
	seen := map[int32]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := parseID(lo)
		if err != nil {
			return nil, cluster.Invalidf("%s: %q is not a broker id: %w", flag, f, err)
		}
		b := a
		if isRange {
			if b, err = parseID(hi); err != nil || b < a {
				return nil, cluster.Invalidf("%s: %q is not a range of broker ids (want LOW-HIGH)", flag, f)
			}
			if b-a > 100000 {
				return nil, cluster.Invalidf("%s: range %q spans more than 100000 brokers", flag, f)
			}
		}
		for id := a; ; id++ {
			if seen[id] {
				return nil, cluster.Invalidf("%s: broker %d is listed twice", flag, id)
			}
			seen[id] = true
			out = append(out, id)
			if id == b {
				break
			}
		}
	}
	return out, nil
}

func parseID(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, strconv.ErrRange
	}
	return int32(n), nil
}

// ParseTopics reads a comma-separated topic list, checking each name.
func ParseTopics(flag, s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !validTopic(f) {
			return nil, cluster.Invalidf("%s: %q is not a valid topic name (1 to 249 of a-z A-Z 0-9 . _ -)", flag, f)
		}
		out = append(out, f)
	}
	return out, nil
}
