package domainsrc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

func realCompute(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/imds-compute.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// computeWith returns the real document with fields replaced.
func computeWith(t *testing.T, repl ...string) string {
	t.Helper()
	return strings.NewReplacer(repl...).Replace(realCompute(t))
}

// fakeIMDS answers IMDS requests from a script: one handler per request,
// the last one repeating. It records what it was sent.
type fakeIMDS struct {
	*httptest.Server
	mu       sync.Mutex
	script   []http.HandlerFunc
	requests []*http.Request
}

func newFakeIMDS(t *testing.T, script ...http.HandlerFunc) *fakeIMDS {
	f := &fakeIMDS{script: script}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		n := len(f.requests)
		f.requests = append(f.requests, r)
		h := f.script[min(n, len(f.script)-1)]
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeIMDS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

// hang answers nothing until the client gives up on the try.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func fastIMDS(endpoint string) IMDSOptions {
	return IMDSOptions{
		Endpoint: endpoint, Timeout: 20 * time.Second, TryTimeout: 300 * time.Millisecond,
		RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond, MaxRetries: 4,
		GoneWindow: 200 * time.Millisecond,
	}
}

func imdsDeps(endpoint string, id int32) Deps {
	return Deps{BrokerID: &id, IMDS: fastIMDS(endpoint)}
}

func TestConformanceIMDS(t *testing.T) {
	testConformance(t, harness{
		single: true, zones: true, hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			b := want.Brokers[0]
			doc := computeWith(t, `"platformFaultDomain": "2"`, `"platformFaultDomain": "`+itoa(b.FaultDomain)+`"`,
				`"platformUpdateDomain": "4"`, `"platformUpdateDomain": "`+itoa(b.UpdateDomain)+`"`,
				`"zone": ""`, `"zone": "`+b.Zone+`"`, `"computerName": "kafka-broker-7"`, `"computerName": "`+b.Host+`"`)
			f := newFakeIMDS(t, status(200, doc))
			return "imds", imdsDeps(f.URL, b.ID)
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			f := newFakeIMDS(t, status(500, `{"error":"internal"}`))
			return "imds", imdsDeps(f.URL, 7), false
		},
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestIMDSRequest(t *testing.T) {
	f := newFakeIMDS(t, status(200, realCompute(t)))
	d, err := (&imdsSource{deps: imdsDeps(f.URL, 7), opts: fastIMDS(f.URL).withDefaults()}).Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, d, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{
		{ID: 7, FaultDomain: 2, UpdateDomain: 4, Host: "kafka-broker-7"}}})
	r := f.requests[0]
	if r.Method != http.MethodGet || r.URL.Path != "/metadata/instance/compute" || r.URL.Query().Get("api-version") != "2021-02-01" {
		t.Errorf("request %s %s", r.Method, r.URL)
	}
	if r.Header.Get("Metadata") != "true" {
		t.Errorf("Metadata header %q, want true", r.Header.Get("Metadata"))
	}
}

// IMDS answers only from the host: a proxy from the environment must never
// be used, so the transport has no Proxy function at all.
func TestIMDSNeverUsesAProxy(t *testing.T) {
	tr, ok := directHTTP().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T", directHTTP().Transport)
	}
	if tr.Proxy != nil {
		t.Fatal("IMDS transport has a Proxy function; it must reach 169.254.169.254 directly")
	}
	if (IMDSOptions{}).withDefaults().Endpoint != DefaultIMDSEndpoint {
		t.Fatal("default endpoint is not IMDS")
	}
}

func TestIMDSAnswers(t *testing.T) {
	huge := strings.Repeat(" ", 2*maxIMDSBody) + realCompute(t)
	tests := []struct {
		name      string
		script    []http.HandlerFunc
		opts      func(*IMDSOptions)
		wantErr   string // "" means success
		invalid   bool
		wantTries int // 0: do not check
	}{
		{name: "404 then ok", script: []http.HandlerFunc{status(404, "Not Found"), status(200, realCompute(t))}, wantTries: 2},
		{name: "408 then ok", script: []http.HandlerFunc{status(408, ""), status(200, realCompute(t))}, wantTries: 2},
		{name: "410 while the VM starts, then ok",
			script: []http.HandlerFunc{status(410, ""), status(410, ""), status(410, ""), status(200, realCompute(t))}, wantTries: 4},
		{name: "429 rate limited then ok", script: []http.HandlerFunc{status(429, `{"error":"Too many requests"}`), status(200, realCompute(t))}, wantTries: 2},
		{name: "500 twice then ok", script: []http.HandlerFunc{status(500, ""), status(503, ""), status(200, realCompute(t))}, wantTries: 3},
		{name: "slow first try then ok", script: []http.HandlerFunc{hang, status(200, realCompute(t))}, wantTries: 2},
		{name: "400 is not retried", script: []http.HandlerFunc{status(400, `{"error":"Bad request. Required metadata header not specified"}`)},
			wantErr: "400 Bad Request", wantTries: 1},
		{name: "500 for ever", script: []http.HandlerFunc{status(500, `{"error":"boom"}`)}, wantErr: "500 Internal Server Error", wantTries: 5},
		{name: "410 beyond the window", script: []http.HandlerFunc{status(410, "")},
			opts: func(o *IMDSOptions) { o.MaxRetries = 1000; o.GoneWindow = 30 * time.Millisecond }, wantErr: "410 Gone"},
		{name: "429 for ever", script: []http.HandlerFunc{status(429, "")}, wantErr: "429 Too Many Requests", wantTries: 5},
		{name: "slow for ever", script: []http.HandlerFunc{hang},
			opts: func(o *IMDSOptions) {
				o.TryTimeout = 50 * time.Millisecond
				o.MaxRetries = 1000
				o.Timeout = 500 * time.Millisecond
			},
			wantErr: "no usable answer"},
		{name: "unreachable", script: nil, opts: func(o *IMDSOptions) {
			o.Endpoint = closedURL(t)
			o.Timeout = 300 * time.Millisecond
			o.MaxRetries = 1000
		},
			wantErr: "imds http://127.0.0.1"},
		{name: "garbage", script: []http.HandlerFunc{status(200, "<html>captive portal</html>")}, wantErr: "not the compute JSON"},
		{name: "oversized answer", script: []http.HandlerFunc{status(200, huge)}, wantErr: "larger than"},
		{name: "oversized error answer", script: []http.HandlerFunc{status(500, huge)}, opts: func(o *IMDSOptions) { o.MaxRetries = 1 },
			wantErr: "larger than"},
		{name: "fault domain missing", script: []http.HandlerFunc{status(200, computeWith(t, `"platformFaultDomain": "2",`, ""))},
			wantErr: "platformFaultDomain: missing", invalid: true},
		{name: "update domain empty", script: []http.HandlerFunc{status(200, computeWith(t, `"platformUpdateDomain": "4"`, `"platformUpdateDomain": ""`))},
			wantErr: "platformUpdateDomain: empty", invalid: true},
		{name: "negative fault domain", script: []http.HandlerFunc{status(200, computeWith(t, `"platformFaultDomain": "2"`, `"platformFaultDomain": "-1"`))},
			wantErr: "negative", invalid: true},
		{name: "scale set without fault domain", script: []http.HandlerFunc{status(200, computeWith(t,
			`"platformFaultDomain": "2"`, `"platformFaultDomain": ""`, `"vmScaleSetName": ""`, `"vmScaleSetName": "kafka-vmss"`))},
			wantErr: `scale set "kafka-vmss"`, invalid: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			script := tc.script
			if script == nil {
				script = []http.HandlerFunc{status(200, "")}
			}
			f := newFakeIMDS(t, script...)
			o := fastIMDS(f.URL)
			if tc.opts != nil {
				tc.opts(&o)
			}
			deps := imdsDeps(o.Endpoint, 7)
			deps.IMDS = o
			res, err := Gather(context.Background(), []string{"imds"}, deps)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				mustEqual(t, res.Domains, cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{
					{ID: 7, FaultDomain: 2, UpdateDomain: 4, Host: "kafka-broker-7"}}})
			} else {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if cluster.IsInvalid(err) != tc.invalid {
					t.Errorf("IsInvalid = %v, want %v", cluster.IsInvalid(err), tc.invalid)
				}
			}
			if tc.wantTries > 0 && f.count() != tc.wantTries {
				t.Errorf("%d requests, want %d", f.count(), tc.wantTries)
			}
		})
	}
}

func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

func TestIMDSBrokerID(t *testing.T) {
	logs := t.TempDir()
	meta := filepath.Join(logs, "meta.properties")
	os.WriteFile(meta, []byte("#\n#Tue Jan 02 10:00:00 UTC 2024\nversion=0\nbroker.id=1003\ncluster.id=abc\n"), 0o644)
	explicit := int32(5)
	tests := []struct {
		name    string
		deps    Deps
		want    int32
		wantErr string
	}{
		{name: "flag", deps: Deps{BrokerID: &explicit}, want: 5},
		{name: "server.properties", deps: Deps{ServerProperties: writeFile(t, "server.properties",
			"# Kafka\nbroker.id = 12\nlog.dirs=/data/kafka\nlisteners=PLAINTEXT://:9092\n")}, want: 12},
		{name: "server.properties with colon", deps: Deps{ServerProperties: writeFile(t, "server.properties", "broker.id:13\n")}, want: 13},
		{name: "KRaft node.id", deps: Deps{ServerProperties: writeFile(t, "server.properties", "process.roles=broker\nnode.id=4\n")}, want: 4},
		{name: "generated id from meta.properties in log.dirs", deps: Deps{ServerProperties: writeFile(t, "server.properties",
			"broker.id=-1\nlog.dirs=/nonexistent/a, \\\n  "+logs+"\n")}, want: 1003},
		// Read as Kafka reads it (java.util.Properties): escapes, continued
		// lines and trailing blanks.
		{name: "escaped and continued broker.id", deps: Deps{ServerProperties: writeFile(t, "server.properties",
			"# a comment is never continued \\\nbroker.id = \\u0031\\\n   4 \t\n")}, want: 14},
		{name: "trailing blanks in log.dirs", deps: Deps{ServerProperties: writeFile(t, "server.properties",
			"broker.id=-1\nlog.dirs="+logs+"  \n")}, want: 1003},
		{name: "malformed escape", deps: Deps{ServerProperties: writeFile(t, "server.properties", "broker.id=\\u12\n")},
			wantErr: "malformed"},
		{name: "meta.properties flag", deps: Deps{MetaProperties: meta}, want: 1003},
		{name: "nothing given", deps: Deps{}, wantErr: "--broker-id"},
		{name: "negative flag", deps: Deps{BrokerID: ptr(int32(-2))}, wantErr: "negative"},
		{name: "bad broker.id", deps: Deps{ServerProperties: writeFile(t, "server.properties", "broker.id=seven\n")}, wantErr: "not an integer"},
		{name: "generated id and no meta.properties", deps: Deps{ServerProperties: writeFile(t, "server.properties",
			"broker.id=-1\nlog.dirs=/nonexistent/a\n")}, wantErr: "no meta.properties"},
		{name: "missing server.properties", deps: Deps{ServerProperties: "/nonexistent/server.properties"}, wantErr: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, _, err := tc.deps.thisBrokerID()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !cluster.IsInvalid(err) {
					t.Fatalf("err = %v, want an input error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id != tc.want {
				t.Fatalf("id %d, want %d", id, tc.want)
			}
		})
	}
	t.Run("imds refuses to start without an id", func(t *testing.T) {
		_, err := Gather(context.Background(), []string{"imds"}, Deps{})
		if !errors.Is(err, errNoBrokerID) {
			t.Fatalf("err = %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
