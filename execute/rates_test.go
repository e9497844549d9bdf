package execute

import (
	"context"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/kafka"
)

// Issue 9: Result says which throttles execute set, for the messages of
// both front ends (Kafka's "throttle limit was set" lines in compat mode):
// a --throttle on a plan that adds no replica sets none, and neither line
// may say one was set.
func TestResultRatesAreTheThrottlesSet(t *testing.T) {
	dirs := kafka.FakeOptions{LogDirs: []string{"/data/a", "/data/b"}}
	for _, tc := range []struct {
		name                 string
		plan                 string
		throttle, logDirs    int64
		wantRate, wantLogDir int64
	}{
		{"preferred leader only", `{"partitions":[{"topic":"t","partition":0,"replicas":[2,1]}]}`, 1000, 500, 0, 0},
		{"a replica added", `{"partitions":[{"topic":"t","partition":0,"replicas":[1,3]}]}`, 1000, -1, 1000, 0},
		{"a replica added, log-dir throttle only", `{"partitions":[{"topic":"t","partition":0,"replicas":[1,3]}]}`, -1, 500, 0, 0},
		{"a log dir moved", `{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/b","any"]}]}`, 1000, 500, 0, 500},
		{"both", `{"partitions":[{"topic":"t","partition":0,"replicas":[1,3],"log_dirs":["any","/data/b"]}]}`, 1000, 500, 1000, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t)
			o.Throttle, o.LogDirThrottle = tc.throttle, tc.logDirs
			r := runExecute(t, context.Background(), o, sixPartitionsWith(dirs), tc.plan)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.res.InterBrokerRate != tc.wantRate || r.res.LogDirRate != tc.wantLogDir {
				t.Errorf("rates set %d, %d; want %d, %d", r.res.InterBrokerRate, r.res.LogDirRate, tc.wantRate, tc.wantLogDir)
			}
			for _, l := range []struct {
				line string
				set  bool
			}{{"The inter-broker throttle limit was set", tc.wantRate > 0}, {"The replica-alter-dir throttle limit was set", tc.wantLogDir > 0}} {
				if strings.Contains(r.errw, l.line) != l.set {
					t.Errorf("stderr says %q: %v, want %v", l.line, !l.set, l.set)
				}
			}
		})
	}
}
