// Package cron_test runs examples/cron/fdud-cron.sh end to end: the built
// fdud on PATH, a real ZooKeeper, a real six-broker Kafka 0.9 cluster and an
// Azure IMDS test server per broker.
package cron_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
)

// imds answers like Azure IMDS's compute endpoint for one VM; its domain
// changes when Azure moves the VM to another host.
type imds struct {
	srv    *httptest.Server
	domain atomic.Pointer[cluster.Domain]
}

func startIMDS(t *testing.T, name string, d cluster.Domain) *imds {
	m := &imds{}
	m.domain.Store(&d)
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Metadata") != "true" || r.URL.Path != "/metadata/instance/compute" {
			http.Error(w, `{"error":"Bad request. Required metadata header not specified"}`, http.StatusBadRequest)
			return
		}
		d := m.domain.Load()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"azEnvironment":"AzurePublicCloud","location":"westeurope","name":%q,"osProfile":{"computerName":%q},`+
			`"platformFaultDomain":"%d","platformUpdateDomain":"%d","vmId":"00000000-0000-0000-0000-00000000000%s","zone":""}`,
			name, name, d.FaultDomain, d.UpdateDomain, name[len(name)-1:])
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *imds) move(d cluster.Domain) { m.domain.Store(&d) }

func dom(fd, ud int) cluster.Domain { return cluster.Domain{FaultDomain: fd, UpdateDomain: ud} }

// buildFdud builds the fdud binary into a directory that goes first on PATH.
// FDUD_TEST_BIN_DIR names a directory holding an fdud to test instead (a
// release build, say).
func buildFdud(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("FDUD_TEST_BIN_DIR"); dir != "" {
		return dir
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "fdud"), "github.com/fdud/fdud/cmd/fdud")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fdud: %v\n%s", err, out)
	}
	return dir
}

// jobResult is one run of the job.
type jobResult struct {
	broker int32
	exit   int
	log    string
}

func (r jobResult) has(event string) bool { return strings.Contains(r.log, " event="+event) }

// runner runs the job script as one broker would, with its own settings
// file, state directory and IMDS.
type runner struct {
	t      *testing.T
	bin    string
	script string
	k      *testenv.Kafka
	dirs   map[int32]string
	imds   map[int32]*imds
}

func (r *runner) run(id int32) jobResult {
	dir := r.dirs[id]
	env := fmt.Sprintf(`FDUD_ZOOKEEPER=%s
FDUD_BOOTSTRAP_SERVER=%s
FDUD_BROKER_ID=%d
FDUD_STATE_DIR=%s
FDUD_THROTTLE=none
FDUD_VERIFY_TIMEOUT=3m
FDUD_POLL_INTERVAL=500ms
FDUD_IMDS_ENDPOINT=%s
`, r.k.ZooKeeperConnect, r.k.Bootstrap, id, filepath.Join(dir, "state"), r.imds[id].srv.URL)
	envFile := filepath.Join(dir, "cron.env")
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", r.script)
	cmd.Env = append(os.Environ(), "FDUD_CRON_ENV="+envFile, "PATH="+r.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TMPDIR="+dir)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	res := jobResult{broker: id, log: out.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.exit = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("run job for broker %d: %v\n%s", id, err, out.String())
	}
	r.t.Logf("job on broker %d: exit %d\n%s", id, res.exit, res.log)
	return res
}

// assignment reads every partition's replicas from ZooKeeper.
func assignment(t *testing.T, k *testenv.Kafka, topics ...string) map[cluster.TopicPartition][]int32 {
	t.Helper()
	out := map[cluster.TopicPartition][]int32{}
	for _, topic := range topics {
		for p, r := range k.Assignment(t, topic) {
			out[cluster.TopicPartition{Topic: topic, Partition: int32(p)}] = r
		}
	}
	return out
}

func atRisk(doms map[int32]cluster.Domain, a map[cluster.TopicPartition][]int32) map[cluster.TopicPartition]bool {
	ids := make([]int32, 0, len(doms))
	for id := range doms {
		ids = append(ids, id)
	}
	top := cluster.NewTopology(doms, ids)
	out := map[cluster.TopicPartition]bool{}
	for tp, r := range a {
		if len(top.Check(r)) > 0 {
			out[tp] = true
		}
	}
	return out
}

// checkRepair asserts what a repair may and may not have done: partitions
// at risk are now spread; partitions that were not at risk hold the same
// replicas as before (a repair may reorder them to balance preferred
// leaders; no data moves for that).
func checkRepair(t *testing.T, doms map[int32]cluster.Domain, before, after map[cluster.TopicPartition][]int32) {
	t.Helper()
	risk := atRisk(doms, before)
	if left := atRisk(doms, after); len(left) > 0 {
		t.Errorf("partitions still at risk after the repair: %v", left)
	}
	moved := 0
	for tp, b := range before {
		a := after[tp]
		switch {
		case len(a) != len(b):
			t.Errorf("%s: replication factor changed: %v -> %v", tp, b, a)
		case !risk[tp] && !cluster.SameMembers(a, b):
			t.Errorf("%s was not at risk but moved: %v -> %v", tp, b, a)
		case risk[tp]:
			moved++
		}
	}
	if moved != len(risk) {
		t.Errorf("%d partitions repaired, %d were at risk", moved, len(risk))
	}
}

func TestCronJob(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.Unavailable(t, "bash not found")
	}
	bin := buildFdud(t)
	k := testenv.StartKafka(t, testenv.KafkaOptions{Brokers: 6})
	script, err := filepath.Abs("fdud-cron.sh")
	if err != nil {
		t.Fatal(err)
	}

	// Six VMs on 2 FDs x 3 UDs; every broker has published its domain.
	doms := map[int32]cluster.Domain{1: dom(0, 0), 2: dom(1, 1), 3: dom(0, 2), 4: dom(1, 0), 5: dom(0, 1), 6: dom(1, 2)}
	zk := k.ZK(t)
	r := &runner{t: t, bin: bin, script: script, k: k, dirs: map[int32]string{}, imds: map[int32]*imds{}}
	for id, d := range doms {
		if _, err := zk.Create(context.Background(), fmt.Sprintf("/brokers/domains/%d", id), []byte(cluster.FormatFDUD(d)), 0); err != nil {
			t.Fatalf("seed domain of broker %d: %v", id, err)
		}
		r.dirs[id] = t.TempDir()
		r.imds[id] = startIMDS(t, fmt.Sprintf("wn%d", id), d)
	}
	// Topics placed by the rules: "orders" at RF 2 and "audit" at RF 3,
	// around the ring 1..6 (odd brokers in FD0, even in FD1).
	var orders, audit [][]int32
	for i := int32(0); i < 6; i++ {
		a, b, c := i+1, (i+1)%6+1, (i+2)%6+1
		orders = append(orders, []int32{a, b}, []int32{b, a})
		audit = append(audit, []int32{a, b, c})
	}
	k.CreateTopicWithAssignment(t, "orders", orders)
	k.CreateTopicWithAssignment(t, "audit", audit)
	k.Produce(t, "orders", testenv.Messages("o", 300))
	if left := atRisk(doms, assignment(t, k, "orders", "audit")); len(left) > 0 {
		t.Fatalf("test set-up: partitions at risk from the start: %v", left)
	}

	t.Run("unchanged", func(t *testing.T) {
		before := assignment(t, k, "orders", "audit")
		res := r.run(3)
		if res.exit != 0 || !res.has("unchanged") {
			t.Errorf("exit %d, want 0 with event=unchanged", res.exit)
		}
		if after := assignment(t, k, "orders", "audit"); !mapsEqual(before, after) {
			t.Errorf("an unchanged domain moved partitions")
		}
	})

	t.Run("VM moved to another FD and UD", func(t *testing.T) {
		// Azure healed broker 3's host failure by moving its VM: FD0 UD2 ->
		// FD1 UD0. Partitions it shares with FD1 or UD0 brokers are at risk.
		before := assignment(t, k, "orders", "audit")
		doms[3] = dom(1, 0)
		r.imds[3].move(doms[3])
		if n := len(atRisk(doms, before)); n == 0 {
			t.Fatal("test set-up: the move puts nothing at risk")
		}
		res := r.run(3)
		if res.exit != 0 || !res.has("domain-changed") || !res.has("repaired") {
			t.Fatalf("exit %d, want 0 with event=domain-changed and event=repaired", res.exit)
		}
		stored, _, err := zk.Get(context.Background(), "/brokers/domains/3")
		if err != nil || string(stored) != "FD1UD0" {
			t.Errorf("stored domain of broker 3: %q, %v; want FD1UD0", stored, err)
		}
		after := assignment(t, k, "orders", "audit")
		for tp, b := range before {
			if !slices.Contains(b, 3) && !slices.Equal(b, after[tp]) {
				t.Errorf("%s has no replica on broker 3 but changed: %v -> %v", tp, b, after[tp])
			}
		}
		checkRepair(t, doms, before, after)
		if got := k.ConsumeAll(t, "orders"); len(got) != 300 {
			t.Errorf("orders holds %d messages after the repair, want 300", len(got))
		}
		// The next run finds nothing to do.
		if res := r.run(3); res.exit != 0 || !res.has("unchanged") {
			t.Errorf("next run: exit %d, want 0 with event=unchanged", res.exit)
		}
	})

	t.Run("pending repair with nothing left to move", func(t *testing.T) {
		// An earlier run was interrupted after the repair was done (or another
		// broker's repair fixed these partitions): the plan is empty, and it
		// goes through execute and verify like any other (issue 9: the script
		// used to stop before them, since verify exited 2 on an empty plan).
		before := assignment(t, k, "orders", "audit")
		if err := os.WriteFile(filepath.Join(r.dirs[3], "state", "repair-pending"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		res := r.run(3)
		if res.exit != 0 || !res.has("resume") || !res.has("nothing-to-move") {
			t.Fatalf("exit %d, want 0 with event=resume and event=nothing-to-move", res.exit)
		}
		for _, want := range []string{"event=execute msg=\"fdud execute: the plan has no partitions", "event=verify msg=\"fdud verify: the plan has no partitions"} {
			if !strings.Contains(res.log, want) {
				t.Errorf("the log lacks %q: the empty plan did not go through execute and verify", want)
			}
		}
		if strings.Contains(res.log, "level=error") {
			t.Errorf("the job logged an error")
		}
		if after := assignment(t, k, "orders", "audit"); !mapsEqual(before, after) {
			t.Errorf("nothing was to move, but partitions moved")
		}
		if _, err := os.Stat(filepath.Join(r.dirs[3], "state", "repair-pending")); !os.IsNotExist(err) {
			t.Errorf("the pending marker is still there (%v)", err)
		}
	})

	t.Run("two brokers at once", func(t *testing.T) {
		// One rack event moves two VMs; both jobs start at the same moment.
		before := assignment(t, k, "orders", "audit")
		doms[4], doms[5] = dom(0, 2), dom(1, 1)
		r.imds[4].move(doms[4])
		r.imds[5].move(doms[5])
		if len(atRisk(doms, before)) == 0 {
			t.Fatal("test set-up: the moves put nothing at risk")
		}
		var wg sync.WaitGroup
		results := make([]jobResult, 2)
		start := make(chan struct{})
		for i, id := range []int32{4, 5} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = r.run(id)
			}()
		}
		close(start)
		wg.Wait()
		for _, res := range results {
			switch {
			case res.exit == 0 && (res.has("repaired") || res.has("nothing-to-move")):
			case res.exit == 5 && res.has("busy"):
				// Refused by the lock; the next run (cron's next tick) resumes.
				again := r.run(res.broker)
				if again.exit != 0 || !again.has("resume") || !(again.has("repaired") || again.has("nothing-to-move")) {
					t.Errorf("broker %d's next run: exit %d, want 0 resuming the repair", res.broker, again.exit)
				}
			default:
				t.Errorf("broker %d's job: exit %d, want 0 (repaired, nothing to move) or 5 (busy)", res.broker, res.exit)
			}
			if strings.Contains(res.log, "level=error") {
				t.Errorf("broker %d's job logged an error", res.broker)
			}
		}
		checkRepair(t, doms, before, assignment(t, k, "orders", "audit"))
		if got := k.ConsumeAll(t, "orders"); len(got) != 300 {
			t.Errorf("orders holds %d messages after the repairs, want 300", len(got))
		}
	})

	t.Run("bad configuration", func(t *testing.T) {
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), "FDUD_CRON_ENV=/nonexistent", "FDUD_ZOOKEEPER=", "FDUD_BOOTSTRAP_SERVER=")
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "fdud-cron: level=error broker=? event=config-missing setting=FDUD_BOOTSTRAP_SERVER") {
			t.Errorf("exit %v, want 2 with a config-missing line:\n%s", err, out)
		}
	})
}

func mapsEqual(a, b map[cluster.TopicPartition][]int32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
