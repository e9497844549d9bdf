package verify

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// sample is one parsed series: name plus sorted labels as written.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

func (s sample) key() string {
	var ls []string
	for _, k := range []string{"dimension", "domain"} {
		if v, ok := s.labels[k]; ok {
			ls = append(ls, k+"="+v)
		}
	}
	return s.name + "{" + strings.Join(ls, ",") + "}"
}

// parseExposition is a strict reader of the subset of the Prometheus text
// format fdud writes: every series is preceded by HELP and TYPE lines for
// its metric, label values use only the format's escapes, values are
// floats, and no series repeats.
func parseExposition(text string) (map[string]float64, error) {
	out := map[string]float64{}
	help, typ := map[string]bool{}, map[string]bool{}
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("does not end in a newline")
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n := i + 1
		switch {
		case strings.HasPrefix(line, "# HELP "):
			f := strings.SplitN(line, " ", 4)
			if len(f) != 4 || f[3] == "" {
				return nil, fmt.Errorf("line %d: HELP without text", n)
			}
			help[f[2]] = true
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Split(line, " ")
			if len(f) != 4 || f[3] != "gauge" {
				return nil, fmt.Errorf("line %d: bad TYPE %q", n, line)
			}
			if !help[f[2]] {
				return nil, fmt.Errorf("line %d: TYPE before HELP", n)
			}
			typ[f[2]] = true
		case strings.HasPrefix(line, "#") || line == "":
			return nil, fmt.Errorf("line %d: unexpected %q", n, line)
		default:
			s, err := parseSample(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			if !typ[s.name] {
				return nil, fmt.Errorf("line %d: %s has no HELP/TYPE before it", n, s.name)
			}
			if _, dup := out[s.key()]; dup {
				return nil, fmt.Errorf("line %d: series %s repeated", n, s.key())
			}
			out[s.key()] = s.value
		}
	}
	return out, nil
}

func parseSample(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, fmt.Errorf("no metric name in %q", line)
	}
	s.name = line[:i]
	for _, c := range s.name {
		if !(c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return s, fmt.Errorf("bad metric name %q", s.name)
		}
	}
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for rest[0] != '}' {
			eq := strings.Index(rest, `="`)
			if eq <= 0 {
				return s, fmt.Errorf("bad label in %q", line)
			}
			name := rest[:eq]
			rest = rest[eq+2:]
			var v strings.Builder
			for {
				if rest == "" {
					return s, fmt.Errorf("unterminated label value in %q", line)
				}
				c := rest[0]
				rest = rest[1:]
				if c == '"' {
					break
				}
				if c == '\\' {
					switch rest[0] {
					case '\\', '"':
						v.WriteByte(rest[0])
					case 'n':
						v.WriteByte('\n')
					default:
						return s, fmt.Errorf("bad escape in %q", line)
					}
					rest = rest[1:]
					continue
				}
				v.WriteByte(c)
			}
			s.labels[name] = v.String()
			rest = strings.TrimPrefix(rest, ",")
		}
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, " ") {
		return s, fmt.Errorf("no value in %q", line)
	}
	v, err := strconv.ParseFloat(rest[1:], 64)
	if err != nil {
		return s, fmt.Errorf("bad value in %q: %v", line, err)
	}
	s.value = v
	return s, nil
}

func TestRenderMetrics(t *testing.T) {
	zones := &cluster.Domains{Brokers: []cluster.BrokerDomain{
		{ID: 1, Zone: `east"1`, FaultDomain: 0, UpdateDomain: 0}, {ID: 2, Zone: "2", FaultDomain: 1, UpdateDomain: 1},
		{ID: 3, Zone: "2", FaultDomain: 0, UpdateDomain: 1},
	}}
	st := &cluster.State{Brokers: brokers(1, 2, 3), Partitions: []cluster.PartitionState{
		part("a", 0, 2, 3), moving("a", 1, r(1, 2), r(1, 3)), part("a", 2, 1, 2),
	}}
	st.Partitions[2].ISR = r(1)
	p := plan(pa("a", 0, 2, 3), pa("a", 1, 1, 3), pa("a", 2, 1, 2))
	ss := Classify(p, st)
	res := &Result{
		Time: time.Unix(1700000000, 250e6), Statuses: ss, Counts: Count(ss),
		Risk:    Assess(AssessInput{Partitions: st.Partitions, Live: r(1, 2, 3), Domains: zones.Map()}),
		Domains: zones.Map(), Live: r(1, 2, 3), Throttles: ThrottleOutcome{Checked: true, Entities: 5},
	}
	var b bytes.Buffer
	if err := RenderMetrics(&b, res); err != nil {
		t.Fatal(err)
	}
	got, err := parseExposition(b.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	want := map[string]float64{
		// a-0 on 2,3: both zone 2, so zone "2" down takes it offline.
		`fdud_partitions_at_risk{dimension=zone}`:                                          1,
		`fdud_partitions_at_risk{dimension=fault_domain}`:                                  0,
		`fdud_partitions_at_risk{dimension=update_domain}`:                                 1,
		`fdud_partitions_structural_risk{dimension=zone}`:                                  0,
		`fdud_partitions_structural_risk{dimension=fault_domain}`:                          0,
		`fdud_partitions_structural_risk{dimension=update_domain}`:                         0,
		`fdud_partitions_offline_if_domain_down{dimension=zone,domain=east"1}`:             0,
		`fdud_partitions_offline_if_domain_down{dimension=zone,domain=2}`:                  1,
		`fdud_partitions_offline_if_domain_down{dimension=fault_domain,domain=FD0}`:        0,
		`fdud_partitions_offline_if_domain_down{dimension=fault_domain,domain=FD1}`:        0,
		`fdud_partitions_offline_if_domain_down{dimension=update_domain,domain=UD0}`:       0,
		`fdud_partitions_offline_if_domain_down{dimension=update_domain,domain=UD1}`:       1,
		`fdud_partitions_below_min_isr_if_domain_down{dimension=zone,domain=east"1}`:       0,
		`fdud_partitions_below_min_isr_if_domain_down{dimension=zone,domain=2}`:            0,
		`fdud_partitions_below_min_isr_if_domain_down{dimension=fault_domain,domain=FD0}`:  0,
		`fdud_partitions_below_min_isr_if_domain_down{dimension=fault_domain,domain=FD1}`:  0,
		`fdud_partitions_below_min_isr_if_domain_down{dimension=update_domain,domain=UD0}`: 0,
		`fdud_partitions_below_min_isr_if_domain_down{dimension=update_domain,domain=UD1}`: 0,
		`fdud_partitions_spread_violations{}`:                                              1,
		`fdud_partitions_under_replicated{}`:                                               1,
		`fdud_partitions_catching_up{}`:                                                    1, // a-1: replica 3 being added
		`fdud_reassignments_in_flight{}`:                                                   1,
		`fdud_partitions_not_as_planned{}`:                                                 0,
		`fdud_throttles_set{}`:                                                             5,
		`fdud_verify_complete{}`:                                                           0,
		`fdud_verify_last_run_timestamp_seconds{}`:                                         1700000000.25,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %t), want %v", k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected series %s", k)
		}
	}
	if !strings.Contains(b.String(), `domain="east\"1"`) {
		t.Errorf("zone label not escaped as the format wants:\n%s", b.String())
	}
}

func TestRenderMetricsWithoutDomains(t *testing.T) {
	res := &Result{Time: time.Unix(1, 0), Counts: Counts{Partitions: 2, Complete: 2}}
	var b bytes.Buffer
	if err := RenderMetrics(&b, res); err != nil {
		t.Fatal(err)
	}
	got, err := parseExposition(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if got["fdud_verify_complete{}"] != 1 || strings.Contains(b.String(), "fdud_partitions_at_risk") {
		t.Errorf("metrics without domains:\n%s", b.String())
	}
}

// The file appears whole or not at all, and no temporary file is left.
func TestWriteMetricsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fdud.prom")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := &Result{Time: time.Unix(1, 0)}
	if err := WriteMetricsFile(path, res); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseExposition(string(data)); err != nil {
		t.Errorf("%v\n%s", err, data)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 so node_exporter can read it", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only fdud.prom", len(entries))
	}
	if err := WriteMetricsFile(filepath.Join(dir, "missing", "x.prom"), res); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
