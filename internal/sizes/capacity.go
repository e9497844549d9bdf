package sizes

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// Capacity is the operator's word on disk sizes (--broker-capacity): one
// size for every broker, and sizes for some brokers that take precedence.
type Capacity struct {
	All       int64 // 0: none given
	PerBroker map[int32]int64
}

// Of returns broker b's capacity, if given.
func (c Capacity) Of(b int32) (int64, bool) {
	if v, ok := c.PerBroker[b]; ok {
		return v, true
	}
	return c.All, c.All > 0
}

// ParseCapacity reads --broker-capacity: a size for all brokers ("2TiB"),
// sizes per broker ("1:2TiB,2:4TiB"), or both ("2TiB,3:4TiB"). Errors are
// input errors.
func ParseCapacity(s string) (Capacity, error) {
	var c Capacity
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		id, size, perBroker := strings.Cut(item, ":")
		if !perBroker {
			if c.All > 0 {
				return Capacity{}, cluster.Invalidf("--broker-capacity %q: two sizes for all brokers", s)
			}
			v, err := ParseBytes(item)
			if err != nil {
				return Capacity{}, cluster.Invalidf("--broker-capacity %q: %w", s, err)
			}
			if v == 0 {
				return Capacity{}, cluster.Invalidf("--broker-capacity %q: a capacity must be above 0", s)
			}
			c.All = v
			continue
		}
		b, err := strconv.ParseInt(strings.TrimSpace(id), 10, 32)
		if err != nil || b < 0 {
			return Capacity{}, cluster.Invalidf("--broker-capacity %q: %q is not a broker id (BROKER:SIZE, e.g. 1:2TiB)", s, id)
		}
		v, err := ParseBytes(strings.TrimSpace(size))
		if err != nil {
			return Capacity{}, cluster.Invalidf("--broker-capacity %q: broker %d: %w", s, b, err)
		}
		if v == 0 {
			return Capacity{}, cluster.Invalidf("--broker-capacity %q: broker %d: a capacity must be above 0", s, b)
		}
		if c.PerBroker == nil {
			c.PerBroker = map[int32]int64{}
		}
		if _, dup := c.PerBroker[int32(b)]; dup {
			return Capacity{}, cluster.Invalidf("--broker-capacity %q: broker %d is given twice", s, b)
		}
		c.PerBroker[int32(b)] = v
	}
	return c, nil
}

var units = []struct {
	suffix string
	factor float64
}{
	// Longest first, so that "KiB" is not read as "B".
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"pib", 1 << 50},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"pb", 1e15},
	{"b", 1},
}

// ParseBytes reads a byte count: a whole number of bytes ("50000000"), or a
// number with a unit, decimal (kB, MB, GB, TB, PB: powers of 1000) or binary
// (KiB, MiB, GiB, TiB, PiB: powers of 1024), case-insensitive ("2TiB",
// "1.5 GB").
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	factor := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	if factor == 1 {
		if v, err := strconv.ParseInt(t, 10, 64); err == nil && v >= 0 {
			return v, nil
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || t == "" || strings.ContainsAny(t, "eEnNxX") {
		return 0, fmt.Errorf("%q is not a size (bytes, or a number with B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)", s)
	}
	b := v * factor
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(math.Round(b)), nil
}

// ParseRate reads a rate in bytes per second, as ParseBytes reads a size,
// with "/s" allowed after it ("50000000", "50MB", "50MB/s"). It must be
// above 0: Kafka reads a throttle of 0 as "replicate nothing".
func ParseRate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.HasSuffix(strings.ToLower(t), "/s") {
		t = t[:len(t)-2]
	}
	v, err := ParseBytes(t)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%q is not a rate in bytes per second above 0 (50000000, 50MB or 50MB/s)", s)
	}
	return v, nil
}

// Format writes a byte count for people, in binary units ("1.5 GiB").
func Format(n int64) string {
	if n < 0 {
		return "-" + Format(-n)
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	const prefixes = "KMGTPE"
	v := float64(n)
	i := -1
	for v >= 1024 && i < len(prefixes)-1 {
		v /= 1024
		i++
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f %ciB", v, prefixes[i])
	}
	return fmt.Sprintf("%.1f %ciB", v, prefixes[i])
}
