package cluster

import "testing"

func TestSameMembers(t *testing.T) {
	tests := []struct {
		name string
		a, b []int32
		want bool
	}{
		{"both empty", nil, []int32{}, true},
		{"same order", []int32{1, 2, 3}, []int32{1, 2, 3}, true},
		{"other order", []int32{3, 1, 2}, []int32{1, 2, 3}, true},
		{"one more", []int32{1, 2}, []int32{1, 2, 3}, false},
		{"one different", []int32{1, 2, 4}, []int32{1, 2, 3}, false},
		// Regression: two of the five copies this replaces compared with
		// slices.Contains and called these equal.
		{"duplicates counted", []int32{1, 1, 2}, []int32{1, 2, 2}, false},
		{"same duplicates", []int32{2, 1, 1}, []int32{1, 2, 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := append([]int32(nil), tt.a...), append([]int32(nil), tt.b...)
			if got := SameMembers(tt.a, tt.b); got != tt.want {
				t.Errorf("SameMembers(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := SameMembers(tt.b, tt.a); got != tt.want {
				t.Errorf("SameMembers(%v, %v) = %v, want %v (not symmetric)", tt.b, tt.a, got, tt.want)
			}
			if !SameMembers(a, tt.a) || !SameMembers(b, tt.b) || len(a) != len(tt.a) {
				t.Fatal("inputs changed")
			}
		})
	}
	if SameMembers([]string{"0:1", "0:1", "1:2"}, []string{"0:1", "1:2", "1:2"}) {
		t.Error("config lists: duplicates not counted")
	}
}
