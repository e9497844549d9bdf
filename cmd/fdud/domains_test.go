package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/testenv"
	"github.com/fdud/fdud/internal/zookeeper"
)

// domainsRun runs fdud in-process and returns exit code, stdout and stderr.
func domainsRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(context.Background(), append([]string{"fdud"}, args...), strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

func domainsFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDomainsCommand(t *testing.T) {
	jsonFile := domainsFile(t, "domains.json", `{"version":1,"brokers":[
		{"id":2,"fault_domain":1,"update_domain":1},{"id":1,"fault_domain":0,"update_domain":0,"host":"wn1"},
		{"id":3,"fault_domain":2,"update_domain":2}]}`)
	overrides := domainsFile(t, "overrides.csv", "broker_id,fault_domain,update_domain\n3,0,1\n")
	tests := []struct {
		name      string
		args      []string
		stdin     string
		env       map[string]string
		code      int
		stdout    string // exact, when not ""
		stderrHas []string
		stdoutHas []string
	}{
		{name: "file", args: []string{"domains", "--source", jsonFile}, code: 0,
			stdout: `{
  "version": 1,
  "brokers": [
    {
      "id": 1,
      "fault_domain": 0,
      "update_domain": 0,
      "host": "wn1"
    },
    {
      "id": 2,
      "fault_domain": 1,
      "update_domain": 1
    },
    {
      "id": 3,
      "fault_domain": 2,
      "update_domain": 2
    }
  ]
}
`, stderrHas: []string{"UD0", "FD2", "3 brokers in 3 fault domains and 3 update domains"}},
		{name: "merge with overrides reports the conflict", args: []string{"domains", "--source", jsonFile, "--source", "file:" + overrides},
			code: 0, stderrHas: []string{"warning: broker 3: file:" + jsonFile + " says FD2 UD2, file:" + overrides + " says FD0 UD1"}},
		{name: "stdin CSV", args: []string{"domains", "--source", "-"}, stdin: "1,0,0\n2,1,1\n", code: 0,
			stderrHas: []string{"2 brokers"}},
		{name: "from the environment", args: []string{"domains"}, env: map[string]string{"FDUD_SOURCE": jsonFile}, code: 0,
			stderrHas: []string{"3 brokers"}},
		{name: "malformed file", args: []string{"domains", "--source", domainsFile(t, "bad.csv", "1,0,0\n1,1,1\n")}, code: 2,
			stderrHas: []string{"fdud: ", "broker 1 already appears on line 1"}},
		{name: "huge file", args: []string{"domains", "--source", domainsFile(t, "huge.json", "{"+strings.Repeat(" ", 17<<20)+"}")}, code: 2,
			stderrHas: []string{"larger than 16 MiB"}},
		{name: "no source", args: []string{"domains"}, code: 2, stderrHas: []string{"at least one --source"}},
		{name: "one fault domain", args: []string{"domains", "--source", "-"}, stdin: "1,0,0\n2,0,1\n", code: 2,
			stderrHas: []string{"all 2 brokers report fault domain 0"}},
		{name: "one fault domain allowed", args: []string{"domains", "--source", "-", "--allow-single-fault-domain"}, stdin: "1,0,0\n2,0,1\n", code: 0},
		{name: "exec failing", args: []string{"domains", "--source", "exec:echo inventory unreachable >&2; exit 3"}, code: 1,
			stderrHas: []string{"inventory unreachable", "exec:echo", "exit status 3"}},
		{name: "rack needs the cluster", args: []string{"domains", "--source", "rack"}, code: 2, stderrHas: []string{"--bootstrap-server"}},
		{name: "cluster unreachable", args: []string{"domains", "--source", jsonFile, "--bootstrap-server", closedAddr(t), "--request-timeout", "2s"},
			code: 1, stderrHas: []string{"list live brokers"}},
		{name: "help", args: []string{"domains", "--help"}, code: 0,
			stdoutHas: []string{"zk:HOST:PORT[,HOST:PORT][/chroot]", "hdinsight:FILE", "exec:COMMAND", "--publish zk:zk1:2181/kafka; rc=$?", "FDUD_BROKER_ID"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, out, errw := domainsRun(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tc.code, errw)
			}
			if tc.code != 0 && out != "" {
				t.Fatalf("stdout written on failure: %q", out)
			}
			if tc.stdout != "" && out != tc.stdout {
				t.Fatalf("stdout:\n%s\nwant:\n%s", out, tc.stdout)
			}
			if tc.code == 0 && !strings.Contains(strings.Join(tc.args, " "), "--help") {
				if _, err := cluster.ParseDomains([]byte(out)); err != nil {
					t.Fatalf("stdout is not a domains document: %v\n%s", err, out)
				}
			}
			for _, s := range tc.stdoutHas {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(errw, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errw)
				}
			}
		})
	}
}

func closedAddr(t *testing.T) string { return fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)) }

// The per-broker cron job: IMDS says where the VM is, --publish stores it in
// ZooKeeper, and the exit status says whether it changed.
func TestDomainsPublishCron(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	var fd, ud atomic.Int32
	fd.Store(1)
	ud.Store(3)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Metadata") != "true" {
			http.Error(w, `{"error":"Bad request. Required metadata header not specified"}`, 400)
			return
		}
		fmt.Fprintf(w, `{"azEnvironment":"AzurePublicCloud","location":"westeurope","name":"kafka-2","osProfile":{"computerName":"kafka-2"},`+
			`"platformFaultDomain":"%d","platformUpdateDomain":"%d","vmScaleSetName":"","vmSize":"Standard_E8s_v5","zone":""}`, fd.Load(), ud.Load())
	}))
	defer imds.Close()
	props := domainsFile(t, "server.properties", "broker.id=2\nlog.dirs=/var/lib/kafka\n")
	zkSpec := "zk:" + z.Addr + "/kafka"
	t.Setenv("FDUD_IMDS_ENDPOINT", imds.URL)
	t.Setenv("FDUD_SERVER_PROPERTIES", props)
	t.Setenv("FDUD_ZOOKEEPER_DIGEST", "kafka-cron:s3cr3t")
	cron := func() (int, string, string) {
		return domainsRun(t, "", "domains", "--source", "imds", "--publish", zkSpec)
	}

	// Issue 9: until Kafka has registered in the chroot, it is the wrong
	// one: reading it, or publishing to it, is an error, not an empty list.
	if code, out, errw := domainsRun(t, "", "domains", "--source", zkSpec); code != exitError || out != "" ||
		!strings.Contains(errw, "holds no Kafka cluster (no /brokers/ids): check the chroot") {
		t.Errorf("domains --source %s without Kafka: exit %d, stdout %q; want %d and no document\n%s", zkSpec, code, out, exitError, errw)
	}
	if code, _, errw := cron(); code != exitError || !strings.Contains(errw, "check the chroot") {
		t.Errorf("publish to a chroot without Kafka: exit %d, want %d\n%s", code, exitError, errw)
	}
	kc, err := zookeeper.Connect(context.Background(), zookeeper.Options{Connect: z.Addr + "/kafka"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Create(context.Background(), "/brokers/ids", nil, 0); err != nil {
		t.Fatal(err)
	}
	kc.Close()

	code, out, errw := cron()
	if code != exitChanged {
		t.Fatalf("first run: exit %d, want %d (changed)\n%s", code, exitChanged, errw)
	}
	if strings.Contains(errw, "fdud: ") {
		t.Errorf("a change is not an error, but stderr says:\n%s", errw)
	}
	if !strings.Contains(out, `"fault_domain": 1`) || !strings.Contains(errw, "published broker 2 as FD1 UD3") {
		t.Errorf("stdout %s\nstderr %s", out, errw)
	}
	if code, _, errw = cron(); code != exitOK {
		t.Fatalf("second run: exit %d, want 0 (unchanged)\n%s", code, errw)
	}
	fd.Store(0) // Azure moved the VM after a host failure
	if code, _, errw = cron(); code != exitChanged {
		t.Fatalf("after the move: exit %d, want %d\n%s", code, exitChanged, errw)
	}
	code, out, errw = domainsRun(t, "", "domains", "--source", zkSpec)
	if code != 0 || !strings.Contains(out, `"fault_domain": 0`) || !strings.Contains(out, `"update_domain": 3`) {
		t.Fatalf("read back: exit %d\n%s\n%s", code, out, errw)
	}
	if strings.Contains(errw, "s3cr3t") {
		t.Fatal("stderr shows the ZooKeeper password")
	}
	t.Run("another user cannot overwrite", func(t *testing.T) {
		t.Setenv("FDUD_ZOOKEEPER_DIGEST", "intruder:guess")
		fd.Store(2)
		code, out, errw := cron()
		if code != exitError || out != "" || !strings.Contains(errw, "not authenticated") {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errw)
		}
	})
	t.Run("zookeeper down writes nothing", func(t *testing.T) {
		code, out, errw := domainsRun(t, "", "domains", "--source", "imds", "--publish", "zk:"+closedAddr(t), "--request-timeout", "2s")
		if code != exitError || out != "" {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errw)
		}
	})
	t.Run("imds down writes nothing", func(t *testing.T) {
		code, out, errw := domainsRun(t, "", "domains", "--source", "imds", "--imds-endpoint", "http://"+closedAddr(t),
			"--imds-timeout", "1s", "--publish", zkSpec)
		if code != exitError || out != "" || !strings.Contains(errw, "imds") {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errw)
		}
	})
}
