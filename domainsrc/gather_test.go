package domainsrc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec, kind, arg string
		wantErr         string
	}{
		{spec: "domains.json", kind: "file", arg: "domains.json"},
		{spec: "-", kind: "file", arg: "-"},
		{spec: "file:zk:odd-name.json", kind: "file", arg: "zk:odd-name.json"},
		{spec: "./rack", kind: "file", arg: "./rack"},
		{spec: "zk:zk1:2181,zk2:2181/kafka", kind: "zk", arg: "zk1:2181,zk2:2181/kafka"},
		{spec: "rack", kind: "rack", arg: ""},
		{spec: `rack:^(?P<zone>\w+)-FD(?P<fd>\d+)UD(?P<ud>\d+)$`, kind: "rack", arg: `^(?P<zone>\w+)-FD(?P<fd>\d+)UD(?P<ud>\d+)$`},
		{spec: "imds", kind: "imds"},
		{spec: "hdinsight:/tmp/topo.json", kind: "hdinsight", arg: "/tmp/topo.json"},
		{spec: "exec:inventory --fdud; echo", kind: "exec", arg: "inventory --fdud; echo"},
		{spec: "", wantErr: "empty domain source"},
		{spec: "zk:", wantErr: "missing argument"},
		{spec: "imds:foo", wantErr: "takes no argument"},
		{spec: "exec:", wantErr: "missing argument"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			k, arg, err := parseSpec(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !cluster.IsInvalid(err) {
					t.Fatalf("err = %v, want input error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || k.name != tc.kind || arg != tc.arg {
				t.Fatalf("got %s %q %v, want %s %q", k.name, arg, err, tc.kind, tc.arg)
			}
		})
	}
}

func TestGather(t *testing.T) {
	base := writeFile(t, "base.json", `{"version":1,"brokers":[
		{"id":1,"fault_domain":0,"update_domain":0,"host":"wn1"},
		{"id":2,"fault_domain":1,"update_domain":1,"host":"wn2"},
		{"id":3,"fault_domain":2,"update_domain":2}]}`)
	overrides := writeFile(t, "over.csv", "3,0,1\n4,1,2\n")
	dup := writeFile(t, "dup.json", `{"brokers":[{"id":1,"fault_domain":0,"update_domain":0},{"id":1,"fault_domain":1,"update_domain":0}]}`)
	live := func(ids ...int32) *fakeLister {
		f := &fakeLister{}
		for _, id := range ids {
			f.brokers = append(f.brokers, cluster.Broker{ID: id, Host: "live" + string(rune('0'+id))})
		}
		return f
	}
	tests := []struct {
		name     string
		specs    []string
		deps     Deps
		want     string // broker ids and domains, "id:FDxUDy" joined by space
		warnings []string
		excluded []int32
		wantErr  string
	}{
		{name: "later source wins and the conflict is reported", specs: []string{base, overrides},
			want:     "1:FD0UD0 2:FD1UD1 3:FD0UD1 4:FD1UD2",
			warnings: []string{"broker 3: file:" + base + " says FD2 UD2, file:" + overrides + " says FD0 UD1; using file:" + overrides}},
		{name: "same value from two sources is no conflict", specs: []string{base, base}, want: "1:FD0UD0 2:FD1UD1 3:FD2UD2"},
		{name: "duplicates in one source are an error", specs: []string{base, dup}, wantErr: "appears more than once"},
		{name: "a live broker without a domain is an error", specs: []string{base}, deps: Deps{Brokers: live(1, 2, 3, 5, 6)},
			wantErr: "2 live broker(s) have no domain: 5, 6"},
		{name: "allow-missing reports and leaves them out", specs: []string{base}, deps: Deps{Brokers: live(1, 2, 3, 5), AllowMissing: true},
			want: "1:FD0UD0 2:FD1UD1 3:FD2UD2", excluded: []int32{5},
			warnings: []string{"live brokers without a domain, left out of placement: 5"}},
		{name: "domains of brokers not in the cluster are warned", specs: []string{base, overrides}, deps: Deps{Brokers: live(1, 2, 3)},
			want:     "1:FD0UD0 2:FD1UD1 3:FD0UD1 4:FD1UD2",
			warnings: []string{"broker 3:", "not live in the cluster: 4"}},
		{name: "single fault domain is refused", specs: []string{writeFile(t, "one.csv", "1,0,0\n2,0,1\n3,0,2\n")},
			wantErr: "all 3 brokers report fault domain 0"},
		{name: "single fault domain across zones is fine", specs: []string{writeFile(t, "zones.csv", "1,0,0,1\n2,0,0,2\n")},
			want: "1:zone1FD0UD0 2:zone2FD0UD0"},
		{name: "no sources", wantErr: "no domain source"},
		{name: "lister failure", specs: []string{base}, deps: Deps{Brokers: &fakeLister{err: context.DeadlineExceeded}}, wantErr: "list live brokers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Gather(context.Background(), tc.specs, tc.deps)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if res.Domains.Brokers != nil {
					t.Fatalf("partial result with the error: %v", res.Domains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range res.Domains.Brokers {
				got = append(got, strings.ReplaceAll(b.Domain().String(), " ", ""))
				got[len(got)-1] = string(rune('0'+b.ID)) + ":" + got[len(got)-1]
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("domains %q, want %q", g, tc.want)
			}
			if len(res.Warnings) != len(tc.warnings) {
				t.Fatalf("warnings %q, want %d like %q", res.Warnings, len(tc.warnings), tc.warnings)
			}
			for i, w := range tc.warnings {
				if !strings.Contains(res.Warnings[i], w) {
					t.Errorf("warning %q lacks %q", res.Warnings[i], w)
				}
			}
			if idList(res.Excluded) != idList(tc.excluded) {
				t.Errorf("excluded %v, want %v", res.Excluded, tc.excluded)
			}
		})
	}
	t.Run("live hosts fill missing hosts and the lister is asked once", func(t *testing.T) {
		res, err := Gather(context.Background(), []string{"rack", base}, Deps{Brokers: &fakeLister{brokers: []cluster.Broker{
			{ID: 1, Host: "h1", Rack: "FD0UD0"}, {ID: 2, Host: "h2", Rack: "FD1UD1"}, {ID: 3, Host: "h3", Rack: "FD2UD2"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := res.Domains.Lookup(3); b.Host != "h3" {
			t.Errorf("broker 3 host %q, want h3 from the live list", b.Host)
		}
		if b, _ := res.Domains.Lookup(1); b.Host != "wn1" {
			t.Errorf("broker 1 host %q, want wn1 from the later source", b.Host)
		}
		f := &fakeLister{brokers: brokersOf(cluster.Domains{Brokers: []cluster.BrokerDomain{{ID: 1}, {ID: 2, FaultDomain: 1}}})}
		if _, err := Gather(context.Background(), []string{"rack", "rack"}, Deps{Brokers: f}); err != nil {
			t.Fatal(err)
		}
		if f.calls != 1 {
			t.Errorf("broker list read %d times, want once", f.calls)
		}
	})
}

func TestResolveLogsWarnings(t *testing.T) {
	var logs bytes.Buffer
	deps := Deps{Stdin: strings.NewReader("1,0,0\n2,1,1\n9,2,2\n"), Brokers: &fakeLister{brokers: []cluster.Broker{{ID: 1}, {ID: 2}}}}
	deps.Logger = newTestLogger(&logs)
	d, err := Resolve(context.Background(), "-", deps)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Brokers) != 3 || !strings.Contains(logs.String(), "not live in the cluster: 9") {
		t.Fatalf("domains %v, logs %s", d, logs.String())
	}
}

// runWritten runs and renders as fdud domains does.
func runWritten(ctx context.Context, o Options, deps Deps, stdout, stderr io.Writer) error {
	out, err := Run(ctx, o, deps)
	if err != nil && !errors.Is(err, cluster.ErrChanged) {
		return err
	}
	if werr := Write(stdout, stderr, out); werr != nil {
		return werr
	}
	return err
}

func TestRun(t *testing.T) {
	t.Run("nothing on stdout when a later step fails", func(t *testing.T) {
		var out, errw bytes.Buffer
		err := runWritten(context.Background(), Options{Sources: []string{writeFile(t, "d.csv", "1,0,0\n2,1,1\n")}, Publish: "rack"},
			Deps{Brokers: &fakeLister{}}, &out, &errw)
		if err == nil || out.Len() != 0 {
			t.Fatalf("err %v, stdout %q", err, out.String())
		}
	})
	t.Run("exec timeout", func(t *testing.T) {
		var out bytes.Buffer
		err := runWritten(context.Background(), Options{Sources: []string{"exec:sleep 30"}},
			Deps{ExecTimeout: 200 * time.Millisecond}, &out, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") || out.Len() != 0 {
			t.Fatalf("err %v, stdout %q", err, out.String())
		}
	})
	t.Run("exec endless output is cut off", func(t *testing.T) {
		var out bytes.Buffer
		err := runWritten(context.Background(), Options{Sources: []string{"exec:yes"}}, Deps{}, &out, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "larger than") || !cluster.IsInvalid(err) || out.Len() != 0 {
			t.Fatalf("err %v, stdout %q", err, out.String())
		}
	})
	t.Run("exec stderr passes through, arguments stay out of messages", func(t *testing.T) {
		var errw bytes.Buffer
		_, err := Gather(context.Background(), []string{"exec:echo looking up >&2; echo not-json --token=abc"}, Deps{Stderr: &errw})
		if errw.String() != "looking up\n" {
			t.Errorf("stderr %q", errw.String())
		}
		if err == nil || strings.Contains(err.Error(), "token=abc") {
			t.Fatalf("err %v", err)
		}
	})
}
