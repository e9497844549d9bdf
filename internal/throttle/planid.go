package throttle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// PlanID returns a stable name for a plan: the same partitions, replicas and
// log directories give the same id whatever the order of the entries or the
// formatting of the JSON. A missing log_dirs is the same as all "any". It is
// safe as a file name and a znode name.
func PlanID(plan cluster.Assignment) string {
	lines := make([]string, 0, len(plan.Partitions))
	for _, p := range plan.Partitions {
		var b strings.Builder
		fmt.Fprintf(&b, "%s\x00%d\x00", p.Topic, p.Partition)
		for i, r := range p.Replicas {
			dir := cluster.AnyLogDir
			if i < len(p.LogDirs) {
				dir = p.LogDirs[i]
			}
			fmt.Fprintf(&b, "%d=%s,", r, dir)
		}
		lines = append(lines, b.String())
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return "plan-" + hex.EncodeToString(h.Sum(nil))[:20]
}
