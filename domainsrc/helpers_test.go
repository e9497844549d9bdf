package domainsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// fakeLister serves a fixed broker list, standing in for Kafka metadata.
type fakeLister struct {
	brokers []cluster.Broker
	err     error
	calls   int
}

func (f *fakeLister) Brokers(ctx context.Context) ([]cluster.Broker, error) {
	f.calls++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(f.brokers), f.err
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func domainsJSON(t *testing.T, d cluster.Domains) string {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reversed returns d's brokers in reverse order, so sources must sort.
func reversed(d cluster.Domains) cluster.Domains {
	d.Brokers = slices.Clone(d.Brokers)
	slices.Reverse(d.Brokers)
	return d
}

func brokersOf(d cluster.Domains) []cluster.Broker {
	var bs []cluster.Broker
	for _, b := range d.Brokers {
		bs = append(bs, cluster.Broker{ID: b.ID, Host: b.Host, Port: 9092, Rack: cluster.FormatFDUD(b.Domain())})
	}
	return bs
}

func csvOf(d cluster.Domains, header bool) string {
	var sb strings.Builder
	if header {
		sb.WriteString("broker_id,fault_domain,update_domain,zone\n")
	}
	for _, b := range d.Brokers {
		fmt.Fprintf(&sb, "%d,%d,%d,%s\n", b.ID, b.FaultDomain, b.UpdateDomain, b.Zone)
	}
	return sb.String()
}

func mustEqual(t *testing.T, got, want cluster.Domains) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("domains differ\n got: %s\nwant: %s", g, w)
	}
}

func newTestLogger(w *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
