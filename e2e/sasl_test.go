package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/testenv"
)

// adminSASLSSL runs the pipeline through a SASL_SSL listener with
// SCRAM-SHA-512 (part of TestAdminIntegration, on the clusters it starts), reached with --command-config exactly as an operator
// writes it (security.protocol, sasl.mechanism, sasl.jaas.config with the
// password, a PEM truststore with the CA the test set-up made), on the
// oldest and the newest release of the matrix: domains, generate, execute
// --throttle and verify --wait in a pipe, every message produced and
// consumed back through the same listener, the throttles gone afterwards,
// and neither the password nor the JAAS line in anything fdud prints, at
// debug level too. Settings the listener refuses end in one clear error,
// exit 2: a wrong password (issue 8: it was reported twice), SASL against
// the PLAINTEXT port (issue 8: "client has run out of available brokers"),
// and no command config against the SASL_SSL port.
func adminSASLSSL(t *testing.T, k *testenv.Kafka) {
	s := k.SASL(t)
	text, err := os.ReadFile(s.CommandConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
		"sasl.jaas.config=" + s.JAASConfig, "ssl.truststore.type=PEM", "ssl.truststore.location=" + s.CAFile} {
		if !strings.Contains(string(text), line+"\n") {
			t.Fatalf("the test set-up's client properties lack %q:\n%s", line, text)
		}
	}
	secrets := []string{s.Password, s.JAASConfig, "password="}
	t.Run("SASL_SSL: the pipeline", func(t *testing.T) {
		lc := openLiveCluster(t, s.Bootstrap, s.CommandConfig, k.ZooKeeperConnect, "")
		lc.kafka = k
		saslPipeline(t, lc, secrets)
	})
	t.Run("SASL_SSL: refused settings give one clear error", func(t *testing.T) { saslRefused(t, k, secrets) })
}

// fdudNoSecrets runs fdud at debug level and fails the test if stdout or
// stderr shows one of the secrets.
func fdudNoSecrets(t *testing.T, e env, secrets []string, timeout time.Duration, stdin string, args ...string) run {
	t.Helper()
	r := e.fdudWithin(t, timeout, stdin, append([]string{"--log-level", "debug"}, args...)...)
	for _, s := range secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("fdud %s printed a secret (%.12s...)", strings.Join(args, " "), s)
		}
	}
	return r
}

func saslPipeline(t *testing.T, lc *liveCluster, secrets []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	e := newEnv(t)
	conn := lc.connectArgs(false)
	stateDir := filepath.Join(e.dir, "fdud-state")
	topic := uniqueTopic(t, "sasl")

	// Every partition on two brokers of one fault domain: all at risk.
	a, b, _ := lc.sameFaultDomain(t)
	const partitions = 4
	assignment := make([][]int32, partitions)
	for p := range assignment {
		assignment[p] = []int32{a, b}
		if p%2 == 1 {
			assignment[p] = []int32{b, a}
		}
	}
	lc.createTopic(ctx, t, topic, assignment, map[string]string{kafka.MinInsyncReplicas: "1"})
	messages := testenv.Messages(topic, 2000)
	lc.produce(t, topic, messages)

	dom := fdudNoSecrets(t, e, secrets, 2*time.Minute, "", append([]string{"domains", "--source", lc.domainSpec}, conn...)...)
	if dom.code != 0 {
		t.Fatalf("domains: %s", dom)
	}
	domains := filepath.Join(e.dir, "domains.json")
	writeFile(t, domains, dom.stdout)

	gen := fdudNoSecrets(t, e, secrets, 3*time.Minute, "", append([]string{"generate", "--domains", domains, "--topics", topic}, conn...)...)
	if gen.code != 0 {
		t.Fatalf("generate: %s", gen)
	}
	plan, err := cluster.ParseAssignment([]byte(gen.stdout))
	if err != nil || len(plan.Partitions) != partitions {
		t.Fatalf("generate's plan (%v), want all %d partitions: %s\n%s", err, partitions, gen.stdout, gen)
	}
	planFile := filepath.Join(e.dir, "plan.json")
	writeFile(t, planFile, gen.stdout)
	cancelOnCleanup(t, e, conn, planFile, stateDir)

	const rate = 10000000
	before := lc.brokerThrottles(ctx, t)
	lc.restoreBrokerThrottlesOnCleanup(t, before, rate)
	ex := fdudNoSecrets(t, e, secrets, 3*time.Minute, gen.stdout, append([]string{"execute", "--throttle", strconv.Itoa(rate),
		"--state-dir", stateDir, "--rollback-file", filepath.Join(e.dir, "rollback.json")}, conn...)...)
	if ex.code != 0 {
		t.Fatalf("execute: %s", ex)
	}
	for _, want := range []string{"security=SASL_SSL", "Using the " + kafka.AdminAPIPath + " path.", "Throttles set for "} {
		if !strings.Contains(ex.stderr, want) {
			t.Errorf("execute's stderr lacks %q:\n%s", want, ex.stderr)
		}
	}

	ver := fdudNoSecrets(t, e, secrets, 12*time.Minute, ex.stdout, append([]string{"verify", "--wait", "--timeout", "10m",
		"--poll-interval", "2s", "--domains", domains, "--state-dir", stateDir, "--elect-leaders", "--format", "json"}, conn...)...)
	if ver.code != 0 {
		t.Fatalf("verify: %s\nstdout:\n%s", ver, ver.stdout)
	}
	checkVerifyReport(t, ver, kafka.AdminAPIPath, partitions)
	waitThrottlesOff(ctx, t, lc, topic, "", before)
	if recs := throttleRecords(t, stateDir); len(recs) > 0 {
		t.Errorf("after verify: throttle records left: %v", recs)
	}
	st := lc.state(ctx, t, topic)
	for _, p := range st.Partitions {
		if want := plan.Partitions[plan.Index()[p.TP()]].Replicas; p.Reassigning() || !cluster.SameMembers(p.Replicas, want) {
			t.Errorf("%s: %+v, planned %v", p.TP(), p, want)
		}
	}
	if ok, diff := testenv.SameMessages(lc.consume(t, topic, len(messages)), messages); !ok {
		t.Errorf("messages after the reassignment: %s", diff)
	}
	noSecretsInFiles(t, e.dir, secrets)
}

// noSecretsInFiles fails the test if a file fdud wrote under dir (plans,
// rollback files, throttle records, lock files) holds one of the secrets.
func noSecretsInFiles(t *testing.T, dir string, secrets []string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s holds a secret (%.12s...)", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("no files under %s: fdud wrote no plan, rollback or record there", dir)
	}
}

func saslRefused(t *testing.T, k *testenv.Kafka, secrets []string) {
	s := k.SASL(t)
	e := newEnv(t)
	text, err := os.ReadFile(s.CommandConfig)
	if err != nil {
		t.Fatal(err)
	}
	wrongPassword := "wrong-" + s.Password
	wrong := filepath.Join(e.dir, "wrong-password.properties")
	writeFile(t, wrong, strings.Replace(string(text), `password="`+s.Password+`"`, `password="`+wrongPassword+`"`, 1))
	saslPlain := filepath.Join(e.dir, "sasl-plaintext.properties")
	writeFile(t, saslPlain, strings.Replace(string(text), "security.protocol=SASL_SSL", "security.protocol=SASL_PLAINTEXT", 1))
	secrets = append(secrets, wrongPassword)

	for _, tc := range []struct {
		name string
		conn []string
		want []string
	}{
		{"wrong password", []string{"--bootstrap-server", s.Bootstrap, "--command-config", wrong},
			[]string{`refused user "` + s.Username + `" (SCRAM-SHA-512 over SASL_SSL)`, "check the username and password in sasl.jaas.config of " + wrong}},
		{"SASL_SSL settings against the PLAINTEXT port", []string{"--bootstrap-server", k.Bootstrap, "--command-config", s.CommandConfig},
			[]string{"is a PLAINTEXT listener", "security.protocol=SASL_SSL in " + s.CommandConfig, "names the port of the brokers' SASL_SSL listener"}},
		{"SASL_PLAINTEXT settings against the PLAINTEXT port", []string{"--bootstrap-server", k.Bootstrap, "--command-config", saslPlain},
			[]string{"is a PLAINTEXT listener", "ILLEGAL_SASL_STATE", "security.protocol=SASL_PLAINTEXT in " + saslPlain}},
		{"no command config against the SASL_SSL port", []string{"--bootstrap-server", s.Bootstrap},
			[]string{"is a SASL_SSL listener", "SCRAM-SHA-512", "security.protocol=PLAINTEXT (no --command-config"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failedBefore := failedLogins(t, k)
			commands := [][]string{{"generate", "--domains", "rack"}, {"execute", "--list"}}
			defer func() {
				// One failed login per command (sarama alone tried each
				// broker, then again); the brokers log each one.
				n := failedLogins(t, k) - failedBefore
				if tc.name == "wrong password" && (n < 1 || n > len(commands)) {
					t.Errorf("the brokers logged %d failed logins for %d commands, want one each", n, len(commands))
				}
			}()
			for _, args := range commands {
				r := fdudNoSecrets(t, e, secrets, 2*time.Minute, "", append(args, tc.conn...)...)
				if r.code != 2 || r.stdout != "" {
					t.Errorf("exit %d, stdout %q; want exit 2 and nothing on stdout\n%s", r.code, r.stdout, r)
				}
				var errLines []string
				for _, line := range strings.Split(r.stderr, "\n") {
					if strings.HasPrefix(line, "fdud: ") || strings.Contains(line, "level=ERROR") {
						errLines = append(errLines, line)
					}
				}
				if len(errLines) != 1 {
					t.Errorf("want one error line, got %d:\n%s", len(errLines), r.stderr)
					continue
				}
				msg := errLines[0]
				for _, want := range tc.want {
					if !strings.Contains(msg, want) {
						t.Errorf("error lacks %q: %s", want, msg)
					}
				}
				if n := strings.Count(strings.ToLower(r.stderr), "authentication failed"); n > 1 {
					t.Errorf("stderr says authentication failed %d times:\n%s", n, r.stderr)
				}
				if strings.Contains(msg, "run out of available brokers") { // the debug log may show the library's error
					t.Errorf("error without a hint: %s", msg)
				}
			}
		})
	}
}

// failedLogins counts the failed SASL logins the brokers have logged.
func failedLogins(t *testing.T, k *testenv.Kafka) int {
	t.Helper()
	n := 0
	for _, b := range k.Brokers() {
		data, err := os.ReadFile(b.LogFile())
		if err != nil {
			t.Fatal(err)
		}
		n += strings.Count(string(data), "Failed authentication with")
	}
	return n
}
