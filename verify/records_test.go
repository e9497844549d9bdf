package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/schemas"
)

type fakeRecords []RecordInfo

func (f fakeRecords) List(context.Context) ([]RecordInfo, error) { return f, nil }

// Issue 9: a throttle record left behind (a plan never verified, a failed
// execute of an older fdud) kept its throttles on the cluster unseen. verify
// --all lists every record, in the text, the JSON report and a metric.
func TestVerifyAllListsThrottleRecords(t *testing.T) {
	st := &cluster.State{Brokers: brokers(1, 2, 3), Partitions: []cluster.PartitionState{part("a", 0, 1, 2, 3)}}
	recs := fakeRecords{{Plan: "plan-0123abcd", Entities: 4, Updated: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), Host: "admin-1"}}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var out, errw bytes.Buffer
			prom := t.TempDir() + "/fdud.prom"
			o := Options{All: true, Format: format, PrometheusFile: prom}
			res, err := runWritten(context.Background(), o, scripted(t, st), Env{Stdout: &out, Stderr: &errw, Records: recs})
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, errw.String())
			}
			if len(res.Records) != 1 {
				t.Errorf("records %+v", res.Records)
			}
			switch format {
			case "text":
				want := "Throttle records: 1 plans still hold throttles fdud set; fdud verify (or execute --cancel) with the plan removes them:\n" +
					"  plan-0123abcd: 4 brokers and topics, updated 2026-11-30T03:00:00Z on admin-1\n"
				if !strings.Contains(errw.String(), want) {
					t.Errorf("text lacks the records:\n%s", errw.String())
				}
			case "json":
				var rep Report
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
					t.Fatal(err)
				}
				want := []ReportRecord{{Plan: "plan-0123abcd", Entities: 4, Updated: "2026-11-30T03:00:00Z", Host: "admin-1"}}
				if !reflect.DeepEqual(rep.ThrottleRecords, want) {
					t.Errorf("report's throttle_records %+v, want %+v", rep.ThrottleRecords, want)
				}
				if err := schemas.Validate(schemas.VerifyReport, out.Bytes()); err != nil {
					t.Errorf("report does not match its schema: %v", err)
				}
			}
			var m bytes.Buffer
			if err := RenderMetrics(&m, res); err != nil || !strings.Contains(m.String(), "fdud_throttle_records 1\n") {
				t.Errorf("metrics lack fdud_throttle_records 1 (%v):\n%s", err, m.String())
			}
		})
	}
}
