package sizes

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"50000000", 50000000, true},
		{"2TiB", 2 << 40, true},
		{"2 tib", 2 << 40, true},
		{"1.5GB", 1500000000, true},
		{"100MB", 100e6, true},
		{"512KiB", 512 << 10, true},
		{"10B", 10, true},
		{"", 0, false},
		{"-1", 0, false},
		{"2T", 0, false},
		{"1e9", 0, false},
		{"NaNGB", 0, false},
		{"TiB", 0, false},
		{"99999999999PiB", 0, false},
	}
	for _, c := range cases {
		got, err := ParseBytes(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"50000000", 50000000, true},
		{"50MB", 50e6, true},
		{"50MB/s", 50e6, true},
		{" 1.5 GiB/S ", 1.5 * (1 << 30), true},
		{"0", 0, false},
		{"0MB/s", 0, false},
		{"/s", 0, false},
		{"-1", 0, false},
		{"fast", 0, false},
	}
	for _, c := range cases {
		got, err := ParseRate(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseCapacity(t *testing.T) {
	cases := []struct {
		in   string
		want Capacity
		err  string
	}{
		{in: "2TiB", want: Capacity{All: 2 << 40}},
		{in: "1:2TiB, 2:4TiB", want: Capacity{PerBroker: map[int32]int64{1: 2 << 40, 2: 4 << 40}}},
		{in: "1TiB,3:2TiB", want: Capacity{All: 1 << 40, PerBroker: map[int32]int64{3: 2 << 40}}},
		{in: "1TiB,2TiB", err: "two sizes for all brokers"},
		{in: "x:1TiB", err: `"x" is not a broker id`},
		{in: "1:1TiB,1:2TiB", err: "broker 1 is given twice"},
		{in: "0", err: "above 0"},
		{in: "1:lots", err: "broker 1:"},
	}
	for _, c := range cases {
		got, err := ParseCapacity(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseCapacity(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseCapacity(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	c, _ := ParseCapacity("1TiB,3:2TiB")
	if v, ok := c.Of(3); !ok || v != 2<<40 {
		t.Errorf("Of(3) = %d", v)
	}
	if v, ok := c.Of(7); !ok || v != 1<<40 {
		t.Errorf("Of(7) = %d", v)
	}
	if _, ok := (Capacity{}).Of(1); ok {
		t.Error("no capacity given, yet one found")
	}
}

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 2 << 40: "2.0 TiB", 300 << 30: "300 GiB", -2048: "-2.0 KiB"} {
		if got := Format(n); got != want {
			t.Errorf("Format(%d) = %q, want %q", n, got, want)
		}
	}
}
