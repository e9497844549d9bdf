package domainsrc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// harness adapts one kind of source to the conformance suite, the way
// restic's backend test suite is run against every backend.
type harness struct {
	// serve sets up backing data holding want (given in reverse order, so
	// that the source must sort) and returns the spec and deps to open it.
	serve  func(t *testing.T, want cluster.Domains) (string, Deps)
	single bool // the source describes one broker (imds)
	zones  bool // it carries zones
	hosts  bool // it fills hosts
	once   bool // its data can be read only once (stdin)
	// broken returns a spec whose backing is broken, and whether that is an
	// input error (bad data) rather than an unreachable service.
	broken func(t *testing.T) (spec string, deps Deps, invalid bool)
}

// fixture is the data a harness is asked to serve.
func (h harness) fixture() cluster.Domains {
	d := cluster.Domains{Version: 1}
	n := 9
	if h.single {
		n = 1
	}
	for i := 1; i <= n; i++ {
		b := cluster.BrokerDomain{ID: int32(10 * i), FaultDomain: (i - 1) % 3, UpdateDomain: (i - 1) % 5}
		if h.single {
			b = cluster.BrokerDomain{ID: 7, FaultDomain: 2, UpdateDomain: 4}
		}
		if h.zones {
			b.Zone = fmt.Sprint(1 + i%3)
		}
		if h.hosts {
			b.Host = fmt.Sprintf("wn%d-kafka.abc123.ax.internal.cloudapp.net", b.ID)
		}
		d.Brokers = append(d.Brokers, b)
	}
	return d
}

func openSpec(t *testing.T, spec string, deps Deps) (Source, *[]string) {
	t.Helper()
	var warnings []string
	s, err := open(spec, &env{Deps: deps, warnings: &warnings})
	if err != nil {
		t.Fatalf("open %q: %v", spec, err)
	}
	return s, &warnings
}

func openServed(t *testing.T, h harness, want cluster.Domains) (Source, *[]string) {
	t.Helper()
	spec, deps := h.serve(t, want)
	return openSpec(t, spec, deps)
}

// testConformance checks the Source contract (see source.go).
func testConformance(t *testing.T, h harness) {
	want := h.fixture()
	ctx := context.Background()

	t.Run("serves its data sorted", func(t *testing.T) {
		s, _ := openServed(t, h, reversed(want))
		got, err := s.Domains(ctx)
		if err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
		if got.Version != 1 {
			t.Errorf("version %d, want 1", got.Version)
		}
		if err := got.Check(); err != nil {
			t.Errorf("result fails Check: %v", err)
		}
		mustEqual(t, got, want)
	})
	// stdin can be read once: the file harnesses cover reading twice.
	if !h.once {
		t.Run("reads the same twice", func(t *testing.T) {
			s, _ := openServed(t, h, want)
			a, err := s.Domains(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.Domains(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, b, a)
		})
	}
	t.Run("name", func(t *testing.T) {
		s, _ := openServed(t, h, want)
		if s.Name() == "" {
			t.Fatal("empty name")
		}
		if strings.Contains(s.Name(), "s3cr3t") {
			t.Fatalf("name %q shows a secret", s.Name())
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		s, _ := openServed(t, h, want)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		got, err := s.Domains(cctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got.Brokers != nil {
			t.Fatalf("returned %v with an error", got)
		}
	})
	t.Run("broken backing", func(t *testing.T) {
		if h.broken == nil {
			t.Skip("no broken variant")
		}
		spec, deps, invalid := h.broken(t)
		s, _ := openSpec(t, spec, deps)
		got, err := s.Domains(ctx)
		if err == nil {
			t.Fatalf("%s: no error, got %v", s.Name(), got)
		}
		if got.Brokers != nil {
			t.Fatalf("returned part of a read with the error: %v", got)
		}
		if cluster.IsInvalid(err) != invalid {
			t.Errorf("IsInvalid(%v) = %v, want %v", err, cluster.IsInvalid(err), invalid)
		}
		if prefix := strings.SplitN(s.Name(), ":", 2)[0]; !strings.Contains(err.Error(), prefix) {
			t.Errorf("error %q does not name the source %s", err, s.Name())
		}
	})
	t.Run("through Gather", func(t *testing.T) {
		spec, deps := h.serve(t, want)
		deps.AllowSingleFaultDomain = true
		res, err := Gather(ctx, []string{spec}, deps)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, res.Domains, want)
	})
}
