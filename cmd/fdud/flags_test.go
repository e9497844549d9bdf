package main

import "testing"

// execute's and generate's --throttle (and FDUD_THROTTLE, which both read)
// take Kafka's whole bytes per second or a size with a unit; -1 or nothing
// is no throttle.
func TestRateValue(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", -1, true},
		{"-1", -1, true},
		{"None", -1, true},
		{"50000000", 50000000, true},
		{"50MB/s", 50000000, true},
		{"1GiB", 1 << 30, true},
		{"0", 0, false},
		{"-2", 0, false},
		{"fast", 0, false},
	}
	for _, c := range cases {
		r := rateValue{bytes: -1}
		err := r.Set(c.in)
		if (err == nil) != c.ok || c.ok && r.bytes != c.want {
			t.Errorf("Set(%q): %d, %v; want %d, ok %v", c.in, r.bytes, err, c.want, c.ok)
		}
	}
}
