package generate

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/sizes"
	"github.com/fdud/fdud/schemas"
)

const gib = int64(1) << 30

// atRiskSized is the bundled at-risk example with its log dirs: orders-0
// 40 GiB on 1,2; orders-1 25 GiB on 4,5; orders-2 60 GiB on 3,6.
func atRiskSized(t *testing.T, capacity string) Input {
	t.Helper()
	ex := filepath.Join("..", "examples", "at-risk")
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(ex, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	cur, err := cluster.ParseAssignment(read("current.json"))
	if err != nil {
		t.Fatal(err)
	}
	doms, err := cluster.ParseDomains(read("domains.json"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := sizes.ParseLogDirs(read("log-dirs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var c sizes.Capacity
	if capacity != "" {
		if c, err = sizes.ParseCapacity(capacity); err != nil {
			t.Fatal(err)
		}
	}
	u := sizes.NewUsage(l, cur, c, nil)
	return Input{Current: cur, Domains: doms.Map(), Sizes: &u}
}

// TestPlanReportsBytes plans the bundled example with sizes: the report
// says 125 GiB to move, 60 GiB into the busiest broker (1289 s at 50 MB/s),
// passes the schema, and the summary and the table say it for people.
func TestPlanReportsBytes(t *testing.T) {
	in := atRiskSized(t, "100GiB")
	res, err := Plan(in, Options{Throttle: 50e6, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	var doc, errw bytes.Buffer
	if err := WriteReport(&doc, res.Report); err != nil {
		t.Fatal(err)
	}
	if err := schemas.Validate(schemas.GenerateReport, doc.Bytes()); err != nil {
		t.Fatalf("report breaks its schema: %v", err)
	}
	var r Report
	if err := json.Unmarshal(doc.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.BytesToMove == nil || *r.BytesToMove != 125*gib {
		t.Fatalf("bytes_to_move = %v, want %d", r.BytesToMove, 125*gib)
	}
	if want := float64(60*gib) / 50e6; r.EstimatedSeconds == nil || math.Abs(*r.EstimatedSeconds-want) > 1e-6 {
		t.Errorf("estimated_seconds = %v, want %v", r.EstimatedSeconds, want)
	}
	var in_, outb int64
	for _, b := range r.Sizes.Brokers {
		in_ += b.BytesIn
		outb += b.BytesOut
		if b.Capacity != 100*gib || b.UsedAfter != max(0, b.UsedBefore+b.BytesIn-b.BytesOut) {
			t.Errorf("broker %+v", b)
		}
	}
	if in_ != 125*gib || outb != 125*gib {
		t.Errorf("in %d, out %d; want 125 GiB each", in_, outb)
	}
	if len(r.Sizes.Largest) != 3 || r.Sizes.Largest[0].Topic != "orders" || r.Sizes.Largest[0].Partition != 2 {
		t.Errorf("largest moves = %+v", r.Sizes.Largest)
	}
	if err := WriteTable(&errw, res.Moves); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(&errw, res.Report, SummaryAuto); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"PARTITION  REPLICAS", "orders-0   1,2 -> ", "40.0 GiB  fault domain", "60.0 GiB  update domain",
		"bytes to move: 125 GiB (134217728000 bytes); about 21m at --throttle 50000000 bytes/s",
		"largest partitions moved:\n  orders-2  60.0 GiB  3,6 -> ",
	} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errw.String())
		}
	}
}

// TestRunNoSizesNoBytes: without sizes the report has no byte fields.
func TestRunNoSizesNoBytes(t *testing.T) {
	res, err := Plan(atRiskSized(t, "").withoutSizes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(res.Report)
	for _, key := range []string{"bytes_to_move", "estimated_seconds", `"sizes"`} {
		if bytes.Contains(doc, []byte(key)) {
			t.Errorf("report without sizes has %s", key)
		}
	}
}

func (in Input) withoutSizes() Input { in.Sizes = nil; return in }

// TestPlanKeepsDisksBelowLimit: broker 5 would receive orders-2 (60 GiB)
// and end at 60 of 65 GiB, beyond 85%; the plan sends it elsewhere.
func TestPlanKeepsDisksBelowLimit(t *testing.T) {
	in := atRiskSized(t, "100GiB,5:65GiB")
	res, err := Plan(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkDisks(t, res, 0.85)
	if got := res.Report.Sizes.FullBrokers; len(got) != 1 || got[0] != 5 {
		t.Errorf("full brokers = %v, want [5]", got)
	}
	if *res.Report.BytesToMove != 125*gib {
		t.Errorf("bytes to move %d: keeping broker 5 from receiving should cost nothing here", *res.Report.BytesToMove)
	}
	if res.Report.ViolationsAfter.Partitions != 0 {
		t.Errorf("violations after: %+v", res.Report.ViolationsAfter)
	}
}

// TestPlanDiskFullInfeasible: every broker is nearly full, so no plan fits:
// exit 4 (ErrAtRisk) naming a broker and its bytes, and a plan with --force.
func TestPlanDiskFullInfeasible(t *testing.T) {
	in := atRiskSized(t, "70GiB")
	_, err := Plan(in, Options{})
	if !errors.Is(err, cluster.ErrAtRisk) {
		t.Fatalf("err = %v, want ErrAtRisk", err)
	}
	for _, want := range []string{"--max-disk-usage 85%", "broker ", "GiB of 70.0 GiB"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	res, err := Plan(in, Options{Force: true})
	if err != nil {
		t.Fatalf("--force: %v", err)
	}
	if len(res.Plan.Partitions) == 0 {
		t.Error("--force planned nothing")
	}
	// A looser limit fits.
	res, err = Plan(in, Options{MaxDiskUsage: 1})
	if err != nil {
		t.Fatalf("100%%: %v", err)
	}
	checkDisks(t, res, 1)
}

// checkDisks fails when a broker that receives bytes ends above limit.
func checkDisks(t *testing.T, res Result, limit float64) {
	t.Helper()
	for _, b := range res.Report.Sizes.Brokers {
		if b.Capacity > 0 && b.BytesIn > 0 && float64(b.UsedAfter) > limit*float64(b.Capacity) {
			t.Errorf("broker %d ends at %d of %d (limit %.0f%%)", b.ID, b.UsedAfter, b.Capacity, 100*limit)
		}
	}
}

// TestMoveReasons: the per-partition view says why each partition changes.
func TestMoveReasons(t *testing.T) {
	doms := map[int32]cluster.Domain{}
	for id := int32(1); id <= 6; id++ {
		doms[id] = cluster.Domain{FaultDomain: int(id-1) / 3, UpdateDomain: int(id-1) % 3}
	}
	cur := cluster.Assignment{Version: 1, Partitions: []cluster.PartitionAssignment{
		{Topic: "a", Partition: 0, Replicas: []int32{1, 2}}, // FD0 twice
		{Topic: "a", Partition: 1, Replicas: []int32{1, 4}}, // UD0 twice
		{Topic: "a", Partition: 2, Replicas: []int32{6, 2}}, // on excluded 6
		{Topic: "a", Partition: 3, Replicas: []int32{2, 6}}, // on excluded 6
	}}
	res, err := Plan(Input{Current: cur, Domains: doms}, Options{ExcludeBrokers: []int32{6}, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a-0": "fault domain",
		"a-1": "update domain",
		"a-2": "excluded broker",
		"a-3": "excluded broker",
	}
	if len(res.Moves) != len(want) {
		t.Fatalf("moves = %+v", res.Moves)
	}
	for _, m := range res.Moves {
		if got := strings.Join(m.Reasons, ", "); got != want[m.String()] || m.Size != -1 {
			t.Errorf("%s: %q (size %d), want %q", m, got, m.Size, want[m.String()])
		}
	}
	res, err = Plan(Input{Current: cur, Domains: doms}, Options{Topics: []string{"a"}, ReplicationFactor: 3, Force: true, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Moves {
		if !strings.Contains(strings.Join(m.Reasons, ","), ReasonRF) {
			t.Errorf("%s: %v, want %q", m, m.Reasons, ReasonRF)
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, res.Moves); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "PARTITION  REPLICAS") || !strings.Contains(buf.String(), "?") {
		t.Errorf("table:\n%s", buf.String())
	}
}

func TestFormatSeconds(t *testing.T) {
	for s, want := range map[float64]string{0: "0s", 40.4: "40s", 600: "10m", 1289: "21m", 7500: "2h05m", 36000: "10h00m"} {
		if got := formatSeconds(s); got != want {
			t.Errorf("formatSeconds(%v) = %q, want %q", s, got, want)
		}
	}
}
