package generate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestParseBrokerIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []int32
		err  string
	}{
		{"", nil, ""},
		{"1,2,3", []int32{1, 2, 3}, ""},
		{" 4 , 7\t9 ", []int32{4, 7, 9}, ""},
		{"1-3,7", []int32{1, 2, 3, 7}, ""},
		{"1,x", nil, `--broker-list: "x" is not a broker id`},
		{"-1", nil, "is not a broker id"},
		{"3-1", nil, "not a range"},
		{"1,1", nil, "broker 1 is listed twice"},
		{"1-2,2", nil, "broker 2 is listed twice"},
		{"99999999999", nil, "is not a broker id"},
		{"0-2147483647", nil, "spans more than"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseBrokerIDs("--broker-list", tc.in)
			if tc.err != "" {
				if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseBrokerIDs(f *testing.F) {
	for _, s := range []string{"1,2,3", "1-3,7", " 4 , 7\t9 ", "3-1", "1,,2", "-", "2147483646-2147483647", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ParseBrokerIDs("--broker-list", s)
		if err != nil {
			if !cluster.IsInvalid(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		if noDuplicates("x", ids) != nil {
			t.Fatalf("accepted %q with duplicates or negatives: %v", s, ids)
		}
		// The canonical form parses back to the same list.
		var parts []string
		for _, id := range ids {
			parts = append(parts, fmt.Sprint(id))
		}
		again, err := ParseBrokerIDs("--broker-list", strings.Join(parts, ","))
		if err != nil || !slices.Equal(again, ids) {
			t.Fatalf("round trip of %v: %v, %v", ids, again, err)
		}
	})
}

func FuzzParseTopics(f *testing.F) {
	for _, s := range []string{"orders,payments", " a , b ", "", "a b", "a,,b", strings.Repeat("x", 250)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := ParseTopics("--topics", s)
		if err != nil {
			if !cluster.IsInvalid(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		for _, n := range names {
			if !validTopic(n) {
				t.Fatalf("accepted invalid topic %q", n)
			}
		}
	})
}
