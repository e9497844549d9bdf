package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/fdud/fdud/internal/cluster"
)

// Wire-level tests of the Admin API path against sarama's MockBroker. The
// mock cannot run code per request from outside sarama, so each test scripts
// the responses (MockWrapper, MockSequence) and inspects what was sent
// (History).

const mdVersion = 9 // MetadataRequest version sarama uses for Kafka 2.4

type mockCluster struct {
	t       *testing.T
	brokers []*sarama.MockBroker
	dead    map[int32]bool // killed: closed already (a second Close panics)
}

func newMockCluster(t *testing.T, n int) *mockCluster {
	t.Helper()
	m := &mockCluster{t: t, dead: map[int32]bool{}}
	for i := 1; i <= n; i++ {
		b := sarama.NewMockBrokerAddr(t, int32(i), "127.0.0.1:0")
		t.Cleanup(func() {
			if !m.dead[b.BrokerID()] {
				b.Close()
			}
		})
		m.brokers = append(m.brokers, b)
	}
	return m
}

// kill closes a broker's listener and connections, as a crashed broker's
// would be: dialling it is refused.
func (m *mockCluster) kill(id int32) {
	m.broker(id).Close()
	m.dead[id] = true
}

func (m *mockCluster) broker(id int32) *sarama.MockBroker { return m.brokers[id-1] }

// metadata builds a metadata response naming every broker, the controller,
// and the given partitions ("topic/partition" -> replicas; ISR = replicas,
// leader = first replica).
func (m *mockCluster) metadata(controller int32, parts map[cluster.TopicPartition][]int32) *sarama.MetadataResponse {
	md := &sarama.MetadataResponse{Version: mdVersion, ControllerID: controller}
	for _, b := range m.brokers {
		md.AddBroker(b.Addr(), b.BrokerID())
	}
	for tp, rs := range parts {
		md.AddTopicPartition(tp.Topic, tp.Partition, rs[0], rs, rs, nil, sarama.ErrNoError)
	}
	return md
}

// franzVersions answers the ApiVersions request of the franz-go client that
// sends AlterPartitionReassignments, pinning the versions the mock's
// scripted responses are encoded at. (sarama sends none in these tests.)
func (m *mockCluster) franzVersions() sarama.MockResponse {
	return sarama.NewMockApiVersionsResponse(m.t).SetApiKeys([]sarama.ApiVersionsResponseKey{
		{ApiKey: 3, MinVersion: 0, MaxVersion: mdVersion}, // Metadata
		{ApiKey: 18, MinVersion: 0, MaxVersion: 3},        // ApiVersions
		{ApiKey: 45, MinVersion: 0, MaxVersion: 0},        // AlterPartitionReassignments
	})
}

// handle sets the same handlers on every broker, plus per-broker extras.
func (m *mockCluster) handle(common map[string]sarama.MockResponse, extra map[int32]map[string]sarama.MockResponse) {
	for _, b := range m.brokers {
		h := map[string]sarama.MockResponse{"ApiVersionsRequest": m.franzVersions()}
		for k, v := range common {
			h[k] = v
		}
		for k, v := range extra[b.BrokerID()] {
			h[k] = v
		}
		b.SetHandlerByMap(h)
	}
}

func (m *mockCluster) connect(timeout time.Duration) *adminCluster {
	m.t.Helper()
	o := Options{BootstrapServers: []string{m.brokers[0].Addr()}, Timeout: timeout}
	a, err := connectAdmin(context.Background(), o, &Security{Protocol: "PLAINTEXT"}, sarama.V2_4_0_0, false)
	if err != nil {
		m.t.Fatal(err)
	}
	m.t.Cleanup(func() { a.Close() })
	// The mock decodes the franz-go client's requests with sarama's
	// decoders, which do not read every newer version.
	a.franzOpts = []kgo.Opt{kgo.MaxVersions(kversion.V2_4_0())}
	return a
}

// requests returns what broker id received of type T.
func requests[T any](b *sarama.MockBroker) []T {
	var out []T
	for _, rr := range b.History() {
		if r, ok := rr.Request.(T); ok {
			out = append(out, r)
		}
	}
	return out
}

// field reads an unexported field of a sarama request for inspection.
func field(v any, name string) reflect.Value {
	return reflect.ValueOf(v).Elem().FieldByName(name)
}

// alterBlocks returns, per partition, the replicas an
// AlterPartitionReassignmentsRequest carries ("nil" for a cancellation).
func alterBlocks(req *sarama.AlterPartitionReassignmentsRequest) map[string]string {
	out := map[string]string{}
	blocks := field(req, "blocks")
	for _, t := range blocks.MapKeys() {
		ps := blocks.MapIndex(t)
		for _, p := range ps.MapKeys() {
			rs := ps.MapIndex(p).Elem().FieldByName("replicas")
			s := "nil"
			if !rs.IsNil() {
				s = fmt.Sprint(rs)
			}
			out[fmt.Sprintf("%s-%d", t.String(), p.Int())] = s
		}
	}
	return out
}

func tp(t string, p int32) cluster.TopicPartition {
	return cluster.TopicPartition{Topic: t, Partition: p}
}

func strp(s string) *string { return &s }

// Brokers answers from metadata alone: no ListPartitionReassignments, as
// State sends.
func TestAdminBrokers(t *testing.T) {
	m := newMockCluster(t, 3)
	md := m.metadata(2, map[cluster.TopicPartition][]int32{tp("orders", 0): {1, 2}})
	m.handle(map[string]sarama.MockResponse{"MetadataRequest": sarama.NewMockWrapper(md)}, nil)
	a := m.connect(5 * time.Second)
	bs, err := a.Brokers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []int32
	for _, b := range bs {
		if b.Host != "127.0.0.1" || b.Port == 0 {
			t.Errorf("broker %+v", b)
		}
		ids = append(ids, b.ID)
	}
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Errorf("brokers %v", ids)
	}
	for _, b := range m.brokers {
		if n := len(requests[*sarama.ListPartitionReassignmentsRequest](b)); n != 0 {
			t.Errorf("broker %d got %d ListPartitionReassignments", b.BrokerID(), n)
		}
	}
}

func TestAdminStateReadsInFlightReassignments(t *testing.T) {
	m := newMockCluster(t, 4)
	// orders-0 moves from [1 2 3] to [4 2 3]: metadata shows the union.
	md := m.metadata(1, map[cluster.TopicPartition][]int32{
		tp("orders", 0): {4, 2, 3, 1},
		tp("orders", 1): {2, 3, 1},
		tp("audit", 0):  {3, 1, 2},
	})
	list := &sarama.ListPartitionReassignmentsResponse{Version: 0}
	list.AddBlock("orders", 0, []int32{4, 2, 3, 1}, []int32{4}, []int32{1})
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":                   sarama.NewMockWrapper(md),
		"ListPartitionReassignmentsRequest": sarama.NewMockWrapper(list),
	}, nil)
	a := m.connect(5 * time.Second)
	st, err := a.State(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Brokers) != 4 || st.Controller != 1 || st.Brokers[0].ID != 1 || st.Brokers[0].Host != "127.0.0.1" || st.Brokers[0].Port == 0 {
		t.Errorf("brokers %+v controller %d", st.Brokers, st.Controller)
	}
	got := map[string]string{}
	for _, p := range st.Partitions {
		got[p.TP().String()] = fmt.Sprintf("replicas=%v target=%v adding=%v removing=%v leader=%d isr=%v",
			p.Replicas, p.Target, p.Adding, p.Removing, p.Leader, p.ISR)
	}
	want := map[string]string{
		"orders-0": "replicas=[2 3 1] target=[4 2 3] adding=[4] removing=[1] leader=4 isr=[4 2 3 1]",
		"orders-1": "replicas=[2 3 1] target=[] adding=[] removing=[] leader=2 isr=[2 3 1]",
		"audit-0":  "replicas=[3 1 2] target=[] adding=[] removing=[] leader=3 isr=[3 1 2]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("partitions:\n got %v\nwant %v", got, want)
	}
	if st.Partitions[0].Topic != "audit" || !st.Partitions[1].Reassigning() || st.Partitions[2].Reassigning() {
		t.Errorf("partitions not sorted or flags wrong: %+v", st.Partitions)
	}
	// The list request names every partition explicitly.
	reqs := requests[*sarama.ListPartitionReassignmentsRequest](m.broker(1))
	if len(reqs) != 1 {
		t.Fatalf("%d list requests to the controller", len(reqs))
	}
	blocks := field(reqs[0], "blocks")
	parts := map[string][]int32{}
	for _, k := range blocks.MapKeys() {
		v := blocks.MapIndex(k)
		for i := 0; i < v.Len(); i++ {
			parts[k.String()] = append(parts[k.String()], int32(v.Index(i).Int()))
		}
		slices.Sort(parts[k.String()])
	}
	if fmt.Sprint(parts) != "map[audit:[0] orders:[0 1]]" {
		t.Errorf("list request named %v", parts)
	}
}

func TestAdminReassignReportsEveryFailedPartition(t *testing.T) {
	m := newMockCluster(t, 3)
	md := m.metadata(1, nil)
	alter := &sarama.AlterPartitionReassignmentsResponse{Version: 0}
	alter.AddError("orders", 0, sarama.ErrNoError, nil)
	alter.AddError("orders", 2, sarama.ErrInvalidReplicaAssignment, strp("replica 9 is not alive"))
	alter.AddError("audit", 0, sarama.ErrUnknownTopicOrPartition, nil)
	alter.AddError("orders", 1, sarama.ErrNoError, nil)
	// orders-3 is missing from the response.
	list := &sarama.ListPartitionReassignmentsResponse{Version: 0}
	list.AddBlock("orders", 0, []int32{3, 2, 1}, []int32{3}, []int32{1}) // towards [3 2]
	list.AddBlock("orders", 1, []int32{3, 1, 2}, []int32{3}, []int32{2}) // someone else's target
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":                    sarama.NewMockWrapper(md),
		"AlterPartitionReassignmentsRequest": sarama.NewMockWrapper(alter),
		"ListPartitionReassignmentsRequest":  sarama.NewMockWrapper(list),
	}, nil)
	a := m.connect(5 * time.Second)
	plan := []cluster.PartitionAssignment{
		{Topic: "orders", Partition: 0, Replicas: []int32{3, 2}},
		{Topic: "orders", Partition: 1, Replicas: []int32{2, 1}},
		{Topic: "orders", Partition: 2, Replicas: []int32{9, 1}},
		{Topic: "orders", Partition: 3, Replicas: []int32{1, 2}},
		{Topic: "audit", Partition: 0, Replicas: []int32{1, 2}},
	}
	err := a.Reassign(context.Background(), plan)
	var pe *PartitionErrors
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want *PartitionErrors", err)
	}
	if got := fmt.Sprint(pe.Failed()); got != "[audit-0 orders-1 orders-2 orders-3]" {
		t.Errorf("failed %s", got)
	}
	for _, want := range []string{"reassign: 4 of 5 partitions failed", "audit-0: kafka server: Request was for a topic or partition that does not exist",
		"replica 9 is not alive", "orders-1: in flight towards [3 1], not the planned [2 1]", "orders-3: the controller's response does not mention"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !errors.Is(err, sarama.ErrInvalidReplicaAssignment) {
		t.Error("errors.Is does not see the partition's error")
	}
	// Exactly the planned partitions were submitted, to the controller.
	reqs := requests[*sarama.AlterPartitionReassignmentsRequest](m.broker(1))
	if len(reqs) != 1 {
		t.Fatalf("%d alter requests to the controller", len(reqs))
	}
	if got := fmt.Sprint(alterBlocks(reqs[0])); got != "map[audit-0:[1 2] orders-0:[3 2] orders-1:[2 1] orders-2:[9 1] orders-3:[1 2]]" {
		t.Errorf("submitted %s", got)
	}
}

func TestAdminReassignFollowsTheController(t *testing.T) {
	m := newMockCluster(t, 2)
	before, after := m.metadata(1, nil), m.metadata(2, nil)
	notCtl := &sarama.AlterPartitionReassignmentsResponse{Version: 0, ErrorCode: sarama.ErrNotController}
	ok := &sarama.AlterPartitionReassignmentsResponse{Version: 0}
	ok.AddError("orders", 0, sarama.ErrNoError, nil)
	m.handle(map[string]sarama.MockResponse{
		"ListPartitionReassignmentsRequest": sarama.NewMockWrapper(&sarama.ListPartitionReassignmentsResponse{Version: 0}),
	}, map[int32]map[string]sarama.MockResponse{
		1: {"MetadataRequest": sarama.NewMockSequence(before, after),
			"AlterPartitionReassignmentsRequest": sarama.NewMockWrapper(notCtl)},
		2: {"MetadataRequest": sarama.NewMockWrapper(after),
			"AlterPartitionReassignmentsRequest": sarama.NewMockWrapper(ok)},
	})
	a := m.connect(5 * time.Second)
	err := a.Reassign(context.Background(), []cluster.PartitionAssignment{{Topic: "orders", Partition: 0, Replicas: []int32{2, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(requests[*sarama.AlterPartitionReassignmentsRequest](m.broker(1))); n != 1 {
		t.Errorf("old controller got %d requests, want 1", n)
	}
	if n := len(requests[*sarama.AlterPartitionReassignmentsRequest](m.broker(2))); n != 1 {
		t.Errorf("new controller got %d requests, want 1", n)
	}
}

func TestAdminTimeoutsAndCancellation(t *testing.T) {
	m := newMockCluster(t, 1)
	// No handler for AlterPartitionReassignments: the broker never answers.
	m.handle(map[string]sarama.MockResponse{"MetadataRequest": sarama.NewMockWrapper(m.metadata(1, nil))}, nil)
	a := m.connect(300 * time.Millisecond)
	plan := []cluster.PartitionAssignment{{Topic: "orders", Partition: 0, Replicas: []int32{1}}}

	t.Run("timeout", func(t *testing.T) {
		err := a.Reassign(context.Background(), plan)
		var ne net.Error
		if err == nil || !(errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("got %v, want a timeout", err)
		}
		if !strings.HasPrefix(err.Error(), "reassign: ") {
			t.Errorf("error %q does not say what timed out", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := a.Reassign(ctx, plan); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

func TestAdminCancelReassignments(t *testing.T) {
	m := newMockCluster(t, 2)
	alter := &sarama.AlterPartitionReassignmentsResponse{Version: 0}
	alter.AddError("orders", 0, sarama.ErrNoError, nil)
	alter.AddError("orders", 1, sarama.ErrNoReassignmentInProgress, nil) // already done: fine
	alter.AddError("orders", 2, sarama.ErrNoError, nil)
	list := &sarama.ListPartitionReassignmentsResponse{Version: 0}
	list.AddBlock("orders", 2, []int32{1, 2}, []int32{2}, []int32{}) // did not go away
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":                    sarama.NewMockWrapper(m.metadata(1, nil)),
		"AlterPartitionReassignmentsRequest": sarama.NewMockWrapper(alter),
		"ListPartitionReassignmentsRequest":  sarama.NewMockWrapper(list),
	}, nil)
	a := m.connect(5 * time.Second)
	err := a.CancelReassignments(context.Background(), []cluster.TopicPartition{tp("orders", 0), tp("orders", 1), tp("orders", 2)})
	var pe *PartitionErrors
	if !errors.As(err, &pe) || fmt.Sprint(pe.Failed()) != "[orders-2]" || !strings.Contains(err.Error(), "still being reassigned") {
		t.Fatalf("got %v", err)
	}
	reqs := requests[*sarama.AlterPartitionReassignmentsRequest](m.broker(1))
	if len(reqs) != 1 || fmt.Sprint(alterBlocks(reqs[0])) != "map[orders-0:nil orders-1:nil orders-2:nil]" {
		t.Errorf("cancel request %v", alterBlocks(reqs[0]))
	}
}

func TestAdminConfigs(t *testing.T) {
	m := newMockCluster(t, 2)
	topicCfg := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.TopicResource, Name: "orders", Configs: []*sarama.ConfigEntry{
			{Name: "retention.ms", Value: "1000", Source: sarama.SourceTopic},
			{Name: "cleanup.policy", Value: "delete", Source: sarama.SourceDefault, Default: true},
			{Name: "min.insync.replicas", Value: "2", Source: sarama.SourceStaticBroker},
		}}}}
	brokerCfg := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.BrokerResource, Name: "2", Configs: []*sarama.ConfigEntry{
			{Name: LeaderThrottledRate, Value: "100", Source: sarama.SourceDynamicBroker},
			{Name: FollowerThrottledRate, Value: "50", Source: sarama.SourceDynamicDefaultBroker},
			{Name: "log.dirs", Value: "/data", Source: sarama.SourceStaticBroker},
		}}}}
	badTopic := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.TopicResource, Name: "nope", ErrorCode: int16(sarama.ErrUnknownTopicOrPartition), ErrorMsg: "no such topic"}}}
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":                sarama.NewMockWrapper(m.metadata(1, nil)),
		"IncrementalAlterConfigsRequest": sarama.NewMockIncrementalAlterConfigsResponse(t),
	}, map[int32]map[string]sarama.MockResponse{
		1: {"DescribeConfigsRequest": sarama.NewMockSequence(topicCfg, badTopic)},
		2: {"DescribeConfigsRequest": sarama.NewMockWrapper(brokerCfg)},
	})
	a := m.connect(5 * time.Second)
	a.version = sarama.V3_0_0_0 // a release whose DescribeConfigs reports broker throttle rates
	ctx := context.Background()

	got, err := a.DescribeConfigs(ctx, TopicEntity, []string{"orders"})
	if err != nil || fmt.Sprint(got) != "map[orders:map[retention.ms:1000]]" {
		t.Errorf("topic configs %v, %v", got, err)
	}
	got, err = a.DescribeConfigs(ctx, BrokerEntity, []string{"2"})
	if err != nil || fmt.Sprint(got) != "map[2:map[leader.replication.throttled.rate:100]]" {
		t.Errorf("broker configs %v, %v", got, err)
	}
	if _, err := a.DescribeConfigs(ctx, TopicEntity, []string{"nope"}); !errors.Is(err, sarama.ErrUnknownTopicOrPartition) ||
		!strings.Contains(err.Error(), "topics nope") {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := a.DescribeConfigs(ctx, BrokerEntity, []string{"x"}); !cluster.IsInvalid(err) {
		t.Errorf("bad broker id: %v", err)
	}

	// Broker configs go to the broker itself; keys are set and deleted incrementally.
	if err := a.AlterConfigs(ctx, BrokerEntity, "2", map[string]string{LeaderThrottledRate: "200"}, []string{FollowerThrottledRate}); err != nil {
		t.Fatal(err)
	}
	reqs := requests[*sarama.IncrementalAlterConfigsRequest](m.broker(2))
	if len(reqs) != 1 {
		t.Fatalf("broker 2 got %d alter config requests", len(reqs))
	}
	r := reqs[0].Resources[0]
	set, del := r.ConfigEntries[LeaderThrottledRate], r.ConfigEntries[FollowerThrottledRate]
	if r.Type != sarama.BrokerResource || r.Name != "2" || len(r.ConfigEntries) != 2 ||
		set.Operation != sarama.IncrementalAlterConfigsOperationSet || *set.Value != "200" ||
		del.Operation != sarama.IncrementalAlterConfigsOperationDelete || del.Value != nil {
		t.Errorf("request %+v", r)
	}
	if err := a.AlterConfigs(ctx, TopicEntity, "orders", map[string]string{"a": "1"}, []string{"a"}); !cluster.IsInvalid(err) {
		t.Errorf("set and delete of one key: %v", err)
	}
}

// Pins bug 2 (wire level): a cluster-wide default rate set with
// kafka-configs --entity-type brokers --entity-default was invisible
// (only DYNAMIC_BROKER_CONFIG entries were kept), so the throttle merge
// took it for unset and set a per-broker rate above it.
func TestAdminClusterDefaultConfigs(t *testing.T) {
	m := newMockCluster(t, 2)
	defaults := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.BrokerResource, Name: "", Configs: []*sarama.ConfigEntry{
			{Name: LeaderThrottledRate, Value: "300", Source: sarama.SourceDynamicDefaultBroker},
			{Name: "log.dirs", Value: "/data", Source: sarama.SourceStaticBroker},
			{Name: "num.io.threads", Value: "8", Source: sarama.SourceDefault, Default: true},
		}}}}
	broker2 := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.BrokerResource, Name: "2", Configs: []*sarama.ConfigEntry{
			{Name: LeaderThrottledRate, Value: "300", Source: sarama.SourceDynamicDefaultBroker},
			{Name: FollowerThrottledRate, Value: "100", Source: sarama.SourceDynamicBroker},
		}}}}
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest": sarama.NewMockWrapper(m.metadata(1, nil)),
	}, map[int32]map[string]sarama.MockResponse{
		1: {"DescribeConfigsRequest": sarama.NewMockWrapper(defaults)},
		2: {"DescribeConfigsRequest": sarama.NewMockWrapper(broker2)},
	})
	a := m.connect(5 * time.Second)
	a.version = sarama.V3_0_0_0 // a release whose DescribeConfigs reports broker throttle rates
	ctx := context.Background()

	got, err := a.DescribeConfigs(ctx, BrokerEntity, []string{ClusterDefault, "2"})
	want := map[string]map[string]string{"": {LeaderThrottledRate: "300"}, "2": {FollowerThrottledRate: "100"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("broker configs %v, %v; want %v", got, err, want)
	}
	// The default is asked of any broker (here the controller) as a broker
	// resource with an empty name, as Kafka's AdminClient does.
	reqs := requests[*sarama.DescribeConfigsRequest](m.broker(1))
	if len(reqs) != 1 || len(reqs[0].Resources) != 1 || reqs[0].Resources[0].Type != sarama.BrokerResource || reqs[0].Resources[0].Name != "" {
		t.Errorf("requests to broker 1: %+v", reqs)
	}
	// fdud never changes the default itself.
	if err := a.AlterConfigs(ctx, BrokerEntity, ClusterDefault, map[string]string{LeaderThrottledRate: "1"}, nil); !cluster.IsInvalid(err) ||
		!strings.Contains(err.Error(), "cluster-wide default") {
		t.Errorf("alter the cluster default: %v", err)
	}
}

func TestAdminAlterConfigsError(t *testing.T) {
	m := newMockCluster(t, 1)
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":                sarama.NewMockWrapper(m.metadata(1, nil)),
		"IncrementalAlterConfigsRequest": sarama.NewMockIncrementalAlterConfigsResponseWithErrorCode(t),
	}, nil)
	a := m.connect(5 * time.Second)
	err := a.AlterConfigs(context.Background(), TopicEntity, "orders", map[string]string{"retention.ms": "xyz"}, nil)
	if !errors.Is(err, sarama.ErrInvalidConfig) || !strings.Contains(err.Error(), "alter config of topics orders") {
		t.Errorf("got %v", err)
	}
}

func TestAdminCreateTopic(t *testing.T) {
	m := newMockCluster(t, 3)
	v := sarama.NewCreateTopicsRequest(sarama.V2_4_0_0, nil, 0, false).Version
	results := map[string]*sarama.CreatableTopicResult{"orders": {NumPartitions: 3, ReplicationFactor: 2}}
	created := &sarama.CreateTopicsResponse{Version: v, TopicErrors: map[string]*sarama.TopicError{"orders": {Err: sarama.ErrNoError}}, TopicResults: results}
	exists := &sarama.CreateTopicsResponse{Version: v, TopicErrors: map[string]*sarama.TopicError{"orders": {Err: sarama.ErrTopicAlreadyExists}}, TopicResults: results}
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":     sarama.NewMockWrapper(m.metadata(1, nil)),
		"CreateTopicsRequest": sarama.NewMockSequence(created, exists),
	}, nil)
	a := m.connect(5 * time.Second)
	ctx := context.Background()
	if err := a.CreateTopic(ctx, "orders", [][]int32{{1, 2}, {2, 3}, {3, 1}}, map[string]string{"min.insync.replicas": "2"}); err != nil {
		t.Fatal(err)
	}
	reqs := requests[*sarama.CreateTopicsRequest](m.broker(1))
	d := reqs[0].TopicDetails["orders"]
	if d.NumPartitions != -1 || d.ReplicationFactor != -1 || fmt.Sprint(d.ReplicaAssignment) != "map[0:[1 2] 1:[2 3] 2:[3 1]]" ||
		*d.ConfigEntries["min.insync.replicas"] != "2" {
		t.Errorf("request %+v", d)
	}
	if err := a.CreateTopic(ctx, "orders", [][]int32{{1, 2}}, nil); !errors.Is(err, ErrTopicExists) {
		t.Errorf("second create: %v", err)
	}
	for _, bad := range [][][]int32{nil, {{1, 1}}, {{1, 2}, {3}}, {{}}} {
		if err := a.CreateTopic(ctx, "x", bad, nil); !cluster.IsInvalid(err) {
			t.Errorf("assignment %v: %v", bad, err)
		}
	}
	if err := a.CreateTopic(ctx, "a/b", [][]int32{{1}}, nil); !cluster.IsInvalid(err) {
		t.Errorf("bad name: %v", err)
	}
}

func TestAdminElectPreferredLeaders(t *testing.T) {
	m := newMockCluster(t, 2)
	resp := &sarama.ElectLeadersResponse{Version: 1, ReplicaElectionResults: map[string]map[int32]*sarama.PartitionResult{
		"orders": {
			0: {ErrorCode: sarama.ErrNoError},
			1: {ErrorCode: sarama.ErrElectionNotNeeded},
			2: {ErrorCode: sarama.ErrPreferredLeaderNotAvailable, ErrorMessage: strp("broker 2 is down")},
		}}}
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":     sarama.NewMockWrapper(m.metadata(1, nil)),
		"ElectLeadersRequest": sarama.NewMockWrapper(resp),
	}, nil)
	a := m.connect(5 * time.Second)
	err := a.ElectPreferredLeaders(context.Background(), []cluster.TopicPartition{tp("orders", 2), tp("orders", 1), tp("orders", 0)})
	var pe *PartitionErrors
	if !errors.As(err, &pe) || fmt.Sprint(pe.Failed()) != "[orders-2]" || !strings.Contains(err.Error(), "broker 2 is down") {
		t.Fatalf("got %v", err)
	}
	req := requests[*sarama.ElectLeadersRequest](m.broker(1))[0]
	if req.Type != sarama.PreferredElection || req.Version != 1 || len(req.TopicPartitions["orders"]) != 3 {
		t.Errorf("request %+v", req)
	}
}

func TestDetectVersion(t *testing.T) {
	key := func(k int16) sarama.ApiVersionsResponseKey {
		return sarama.ApiVersionsResponseKey{ApiKey: k, MaxVersion: 0}
	}
	tests := []struct {
		name string
		keys []int16
		want sarama.KafkaVersion
	}{
		{"2.8", []int16{3, 18, 44, 45, 60}, sarama.V2_8_0_0},
		{"2.4", []int16{3, 18, 43, 44, 45, 46}, sarama.V2_4_0_0},
		{"2.3", []int16{3, 18, 43, 44}, sarama.V2_3_0_0},
		{"1.0", []int16{3, 18, 32, 37}, sarama.V1_0_0_0},
		{"0.10.0", []int16{3, 18}, sarama.V0_10_0_0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sarama.NewMockBrokerAddr(t, 1, "127.0.0.1:0")
			defer b.Close()
			var keys []sarama.ApiVersionsResponseKey
			for _, k := range tt.keys {
				keys = append(keys, key(k))
			}
			b.SetHandlerByMap(map[string]sarama.MockResponse{
				"ApiVersionsRequest": sarama.NewMockApiVersionsResponse(t).SetApiKeys(keys),
				"MetadataRequest":    sarama.NewMockMetadataResponse(t).SetBroker(b.Addr(), 1).SetController(1),
			})
			o := Options{BootstrapServers: []string{b.Addr()}, Timeout: 5 * time.Second}
			v, err := detectVersion(context.Background(), o, &Security{Protocol: "PLAINTEXT"})
			if err != nil || v != tt.want {
				t.Fatalf("got %v %v, want %v", v, err, tt.want)
			}
			if !v.IsAtLeast(sarama.V2_4_0_0) {
				_, err := Connect(context.Background(), o)
				if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "pass --zookeeper") {
					t.Errorf("Connect to a pre-2.4 cluster: %v", err)
				}
			}
		})
	}
	t.Run("unanswered ApiVersions means 0.9", func(t *testing.T) {
		// A Kafka 0.9 broker leaves ApiVersions unanswered but serves
		// metadata v0; the mock answers nothing it has no handler for.
		b := sarama.NewMockBrokerAddr(t, 1, "127.0.0.1:0")
		defer b.Close()
		b.SetHandlerByMap(map[string]sarama.MockResponse{
			"MetadataRequest": sarama.NewMockMetadataResponse(t).SetBroker(b.Addr(), 1),
		})
		o := Options{BootstrapServers: []string{b.Addr()}, Timeout: time.Second}
		v, err := detectVersion(context.Background(), o, &Security{Protocol: "PLAINTEXT"})
		if err != nil || v != sarama.V0_9_0_1 {
			t.Fatalf("got %v %v", v, err)
		}
	})
	t.Run("a server that hangs up is no kafka", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 4)
				c.Read(buf)
				c.Close()
			}
		}()
		o := Options{BootstrapServers: []string{l.Addr().String()}, Timeout: 5 * time.Second}
		_, err = detectVersion(context.Background(), o, &Security{Protocol: "PLAINTEXT"})
		if err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		o := Options{BootstrapServers: []string{addr}, Timeout: 2 * time.Second}
		if _, err := detectVersion(context.Background(), o, &Security{Protocol: "PLAINTEXT"}); err == nil || !strings.Contains(err.Error(), addr) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestAdminClusterID(t *testing.T) {
	m := newMockCluster(t, 1)
	md := m.metadata(1, nil)
	md.ClusterID = strp("x1QmQ5oFTbaIrlXSdw7Rtw")
	m.handle(map[string]sarama.MockResponse{"MetadataRequest": sarama.NewMockWrapper(md)}, nil)
	a := m.connect(5 * time.Second)
	id, err := a.ClusterID(context.Background())
	if err != nil || id != "x1QmQ5oFTbaIrlXSdw7Rtw" {
		t.Fatalf("got %q, %v", id, err)
	}
}

// Kafka 2.4's DescribeConfigs leaves the broker throttle rates out, set or
// not (seen on a real 2.4.1): they read as Unreported, never as absent.
func TestAdminRatesUnreportedOn24(t *testing.T) {
	m := newMockCluster(t, 2)
	broker2 := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.BrokerResource, Name: "2", Configs: []*sarama.ConfigEntry{
			{Name: "log.dirs", Value: "/data", Source: sarama.SourceStaticBroker},
		}}}}
	topic := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.TopicResource, Name: "orders", Configs: []*sarama.ConfigEntry{}}}}
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest": sarama.NewMockWrapper(m.metadata(1, nil)),
	}, map[int32]map[string]sarama.MockResponse{
		1: {"DescribeConfigsRequest": sarama.NewMockWrapper(topic)},
		2: {"DescribeConfigsRequest": sarama.NewMockWrapper(broker2)},
	})
	a := m.connect(5 * time.Second)
	got, err := a.DescribeConfigs(context.Background(), BrokerEntity, []string{"2"})
	want := map[string]map[string]string{"2": {LeaderThrottledRate: Unreported, FollowerThrottledRate: Unreported, LogDirsThrottledRate: Unreported}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("broker configs %q, %v; want %q", got, err, want)
	}
	got, err = a.DescribeConfigs(context.Background(), TopicEntity, []string{"orders"})
	if err != nil || len(got["orders"]) != 0 {
		t.Errorf("topic configs %q, %v: topics report their throttled replica lists", got, err)
	}
}

// A broker that was down when the client read metadata and is back now is
// unknown to sarama's client until it reads metadata again; a request for
// that broker reads it once instead of failing (seen on a real KRaft cluster
// after a broker restart: "broker for ID is not found").
func TestAdminRefreshesMetadataForAnUnknownBroker(t *testing.T) {
	m := newMockCluster(t, 2)
	without2 := &sarama.MetadataResponse{Version: mdVersion, ControllerID: 1}
	without2.AddBroker(m.broker(1).Addr(), 1)
	brokerCfg := &sarama.DescribeConfigsResponse{Version: 1, Resources: []*sarama.ResourceResponse{{
		Type: sarama.BrokerResource, Name: "2", Configs: []*sarama.ConfigEntry{
			{Name: LeaderThrottledRate, Value: "100", Source: sarama.SourceDynamicBroker},
		}}}}
	m.handle(nil, map[int32]map[string]sarama.MockResponse{
		1: {"MetadataRequest": sarama.NewMockSequence(without2, m.metadata(1, nil))},
		2: {"DescribeConfigsRequest": sarama.NewMockWrapper(brokerCfg)},
	})
	a := m.connect(5 * time.Second)
	a.version = sarama.V3_0_0_0
	got, err := a.DescribeConfigs(context.Background(), BrokerEntity, []string{"2"})
	if err != nil || fmt.Sprint(got) != "map[2:map[leader.replication.throttled.rate:100]]" {
		t.Errorf("broker configs %v, %v", got, err)
	}
	// A broker that is not in the cluster at all still fails, after one
	// refresh.
	if _, err := a.DescribeConfigs(context.Background(), BrokerEntity, []string{"3"}); !errors.Is(err, sarama.ErrBrokerNotFound) {
		t.Errorf("broker 3: %v, want %v", err, sarama.ErrBrokerNotFound)
	}
}

// A controller that dies (its VM rebooted in an update-domain wave) leaves
// its id in the client's cache and in the other brokers' metadata for the
// session timeout. Dialling it is refused, and a long verify --wait must
// follow the controller to the broker that takes over instead of failing
// on every poll until the client's next periodic refresh (10 minutes).
func TestAdminFollowsAControllerThatDied(t *testing.T) {
	m := newMockCluster(t, 3)
	tp := cluster.TopicPartition{Topic: "orders", Partition: 0}
	parts := map[cluster.TopicPartition][]int32{tp: {2, 3}}
	m.handle(map[string]sarama.MockResponse{
		"MetadataRequest":                   sarama.NewMockWrapper(m.metadata(2, parts)),
		"ListPartitionReassignmentsRequest": sarama.NewMockWrapper(&sarama.ListPartitionReassignmentsResponse{Version: 0}),
	}, nil)
	a := m.connect(5 * time.Second)
	if _, err := a.State(context.Background(), []string{"orders"}); err != nil {
		t.Fatalf("state with every broker up: %v", err)
	}
	// Broker 2 dies. The survivors still name it controller for a moment,
	// then name broker 3.
	m.kill(2)
	for _, id := range []int32{1, 3} {
		m.broker(id).SetHandlerByMap(map[string]sarama.MockResponse{
			"ApiVersionsRequest":                m.franzVersions(),
			"MetadataRequest":                   sarama.NewMockSequence(m.metadata(2, parts), m.metadata(3, parts)),
			"ListPartitionReassignmentsRequest": sarama.NewMockWrapper(&sarama.ListPartitionReassignmentsResponse{Version: 0}),
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	for range 3 { // verify --wait polls: one may fail while the controller moves
		if _, err = a.State(ctx, []string{"orders"}); err == nil {
			break
		}
		t.Logf("state while the controller moves: %v", err)
	}
	if err != nil {
		t.Fatalf("state after the controller died: %v", err)
	}
	if n := len(requests[*sarama.ListPartitionReassignmentsRequest](m.broker(3))); n == 0 {
		t.Error("the new controller (broker 3) was never asked for the reassignments")
	}
}

// A new state topic has a leader on the broker that answered first while
// another broker's metadata does not know it yet (seen on real 3.9.1: the
// first execute on a fresh cluster failed with UNKNOWN_TOPIC_OR_PARTITION
// while taking the cluster lock). Waiting for the leader waits that out.
func TestStateTopicLeaderKnownToOneBrokerFirst(t *testing.T) {
	m := newMockCluster(t, 1)
	known := m.metadata(1, map[cluster.TopicPartition][]int32{{Topic: StateTopicName, Partition: 0}: {1}})
	unknown := m.metadata(1, nil)
	unknown.AddTopic(StateTopicName, sarama.ErrUnknownTopicOrPartition)
	m.handle(map[string]sarama.MockResponse{
		// the client's first read, fdud's read (a leader), the client's
		// refresh and its two retries (not yet), then known everywhere
		"MetadataRequest": sarama.NewMockSequence(known, known, unknown, unknown, unknown, known),
	}, nil)
	a := m.connect(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.waitLeader(ctx, StateTopicName); err != nil {
		t.Fatalf("wait for the state topic's leader: %v", err)
	}
}
