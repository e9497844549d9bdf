package compat

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

func TestParse(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o Options)
	}{
		{
			name: "generate with spaces",
			args: []string{"--bootstrap-server", "k:9092", "--generate", "--topics-to-move-json-file", "t.json", "--broker-list", "1,2,3"},
			check: func(t *testing.T, o Options) {
				if o.Action != Generate || o.BootstrapServer != "k:9092" || o.TopicsToMoveJSONFile != "t.json" ||
					!slices.Equal(o.BrokerList, []int32{1, 2, 3}) {
					t.Errorf("got %+v", o)
				}
				if o.Throttle != -1 || o.LogDirsThrottle != -1 || o.Timeout != DefaultTimeout {
					t.Errorf("defaults: throttle %d, log dirs %d, timeout %s", o.Throttle, o.LogDirsThrottle, o.Timeout)
				}
				if o.OutputStyle() != Modern {
					t.Errorf("style %s, want modern", o.OutputStyle())
				}
			},
		},
		{
			name: "execute with equals signs",
			args: []string{"--zookeeper=zk:2181/kafka", "--execute", "--reassignment-json-file=plan.json", "--throttle=50000000",
				"--replica-alter-log-dirs-throttle=1000", "--additional", "--timeout=60000"},
			check: func(t *testing.T, o Options) {
				if o.Action != Execute || o.ZooKeeper != "zk:2181/kafka" || o.ReassignmentJSONFile != "plan.json" ||
					o.Throttle != 50000000 || o.LogDirsThrottle != 1000 || !o.Additional || o.Timeout != time.Minute || !o.TimeoutSet {
					t.Errorf("got %+v", o)
				}
				if o.OutputStyle() != Legacy {
					t.Errorf("style %s, want legacy with only --zookeeper", o.OutputStyle())
				}
			},
		},
		{
			name: "verify with abbreviations and fdud flags",
			args: []string{"--bootstrap", "k:9092", "--verify", "--reassignment-json", "plan.json", "--preserve-throttles",
				"--kafka-exit-codes", "--kafka-output", "legacy", "--wait", "--timeout", "10m"},
			check: func(t *testing.T, o Options) {
				if o.Action != Verify || o.BootstrapServer != "k:9092" || !o.PreserveThrottles || !o.KafkaExitCodes ||
					o.OutputStyle() != Legacy || !o.Wait || o.Timeout != 10*time.Minute {
					t.Errorf("got %+v", o)
				}
			},
		},
		{
			name: "kafka 3.7 wording",
			args: []string{"--bootstrap-server", "k:9092", "--verify", "--reassignment-json-file", "plan.json", "--kafka-output", "3.7"},
			check: func(t *testing.T, o Options) {
				if o.OutputStyle() != Kafka37 {
					t.Errorf("style %s, want 3.7", o.OutputStyle())
				}
			},
		},
		{
			name: "domains from the environment",
			args: []string{"--bootstrap-server", "k:9092", "--generate", "--topics-to-move-json-file", "t.json", "--broker-list", "1"},
			env:  map[string]string{"FDUD_DOMAINS": "zk:zk:2181/kafka"},
			check: func(t *testing.T, o Options) {
				if o.Domains != "zk:zk:2181/kafka" {
					t.Errorf("domains %q", o.Domains)
				}
			},
		},
		{
			name: "domains flag beats the environment",
			args: []string{"--bootstrap-server", "k:9092", "--verify", "--reassignment-json-file", "p", "--domains", "d.json"},
			env:  map[string]string{"FDUD_DOMAINS": "zk:zk:2181/kafka"},
			check: func(t *testing.T, o Options) {
				if o.Domains != "d.json" {
					t.Errorf("domains %q", o.Domains)
				}
			},
		},
		{
			name: "list",
			args: []string{"--list", "--bootstrap-server", "k:9092", "--command-config", "client.properties"},
			check: func(t *testing.T, o Options) {
				if o.Action != List || o.CommandConfig != "client.properties" {
					t.Errorf("got %+v", o)
				}
			},
		},
		{
			name: "help needs nothing else",
			args: []string{"--help"},
			check: func(t *testing.T, o Options) {
				if !o.Help {
					t.Error("help not set")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Parse(tt.args, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no action", []string{"--bootstrap-server", "k:9092"}, "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list"},
		{"two actions", []string{"--bootstrap-server", "k:9092", "--execute", "--verify", "--reassignment-json-file", "p"}, "exactly one action"},
		{"no cluster", []string{"--list"}, "Please specify --bootstrap-server"},
		{"generate without broker list", []string{"--zookeeper", "z", "--generate", "--topics-to-move-json-file", "t"}, `Missing required argument "[--broker-list]"`},
		{"execute without plan", []string{"--zookeeper", "z", "--execute"}, `Missing required argument "[--reassignment-json-file]"`},
		{"throttle with verify", []string{"--zookeeper", "z", "--verify", "--reassignment-json-file", "p", "--throttle", "5"}, `Option "[throttle]" can't be used with action "[verify]"`},
		{"unknown option", []string{"--zookeeper", "z", "--list", "--frobnicate"}, "--frobnicate is not a recognized option"},
		{"ambiguous prefix", []string{"--zookeeper", "z", "--list", "--re"}, "ambiguous"},
		{"missing value", []string{"--list", "--zookeeper"}, "option --zookeeper requires an argument"},
		{"value on a switch", []string{"--list=yes", "--zookeeper", "z"}, "does not take an argument"},
		{"bare word", []string{"--list", "--zookeeper", "z", "extra"}, `unexpected argument "extra"`},
		{"bad broker list", []string{"--zookeeper", "z", "--generate", "--topics-to-move-json-file", "t", "--broker-list", "1,x"}, `"x" is not a broker id`},
		{"duplicate broker", []string{"--zookeeper", "z", "--generate", "--topics-to-move-json-file", "t", "--broker-list", "1,2,1"}, "Broker list contains duplicate entries: 1"},
		{"negative throttle", []string{"--zookeeper", "z", "--execute", "--reassignment-json-file", "p", "--throttle", "-5"}, "is not a rate"},
		{"bad timeout", []string{"--zookeeper", "z", "--execute", "--reassignment-json-file", "p", "--timeout", "soon"}, "is not a time"},
		{"bad style", []string{"--zookeeper", "z", "--list", "--kafka-output", "fancy"}, "--kafka-output must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.args, nil)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !cluster.IsInvalid(err) {
				t.Errorf("error %v is not an input error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// Issue 9: FDUD_* settings fdud's commands honour are honoured by compat
// too, so both share throttle records and rollback files.
func TestReadEnviron(t *testing.T) {
	env := map[string]string{"FDUD_STATE_DIR": "/var/lib/fdud", "FDUD_ROLLBACK_FILE": "/var/lib/fdud/rb.json",
		"FDUD_REQUEST_TIMEOUT": "45s", "FDUD_POLL_INTERVAL": "2s", "FDUD_ZOOKEEPER_DIGEST": "u:p"}
	var e Env
	if err := e.ReadEnviron(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if e.StateDir != "/var/lib/fdud" || e.RollbackFile != "/var/lib/fdud/rb.json" || e.RequestTimeout != 45*time.Second ||
		e.PollInterval != 2*time.Second || e.ZooKeeperDigest != "u:p" {
		t.Errorf("env %+v", e)
	}
	env["FDUD_REQUEST_TIMEOUT"] = "45"
	err := e.ReadEnviron(func(k string) string { return env[k] })
	if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "FDUD_REQUEST_TIMEOUT") {
		t.Errorf("bad duration: %v", err)
	}
	if _, err := Parse([]string{"--bootstrap-server", "k:9092", "--execute", "--reassignment-json-file", "p.json", "--allow-replication-factor-change"}, nil); err != nil {
		t.Errorf("--allow-replication-factor-change: %v", err)
	}
}
