package cluster

import (
	"cmp"
	"slices"
)

// SameMembers reports whether a and b hold the same elements the same number
// of times, in any order: a multiset comparison, so [1 1 2] and [1 2 2]
// differ. It is the one comparison of replica sets (where order is the
// leader preference, not membership) and of throttled-replica config lists.
// A valid replica set names each broker once, where multiset and set
// semantics agree; on an invalid one (a duplicate broker), the multiset
// comparison is the one that does not call two different lists equal.
func SameMembers[T cmp.Ordered](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
