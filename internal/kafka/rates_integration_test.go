package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/testenv"
)

// brokerRates pins down what each release's DescribeConfigs says of the
// broker throttle rates, against real brokers: Kafka 2.4.1 leaves them out
// or hides their values (fdud reads them as Unreported, although the broker
// holds and enforces them), later releases report them. Setting and
// deleting work everywhere. Part of TestIntegrationAdminAPI.
func brokerRates(t *testing.T, k *testenv.Kafka) {
	v := k.Version
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Connect(ctx, Options{BootstrapServers: strings.Split(k.Bootstrap, ","), Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reported := v.AtLeast(2, 6)
	if err := c.AlterConfigs(ctx, BrokerEntity, "1", map[string]string{LeaderThrottledRate: "12345"}, nil); err != nil {
		t.Fatal(err)
	}
	want := "12345"
	if !reported {
		want = Unreported
	}
	waitRate(ctx, t, c, "1", want)
	def, err := c.DescribeConfigs(ctx, BrokerEntity, []string{ClusterDefault})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := def[ClusterDefault][LeaderThrottledRate]; reported && ok || !reported && got != Unreported {
		t.Errorf("cluster default %s = %q (present %v); reported by this release: %v", LeaderThrottledRate, got, ok, reported)
	}
	if !v.KRaft {
		z := k.ZK(t)
		data, _, err := z.Get(context.Background(), "/config/brokers/1")
		if err != nil || !strings.Contains(string(data), `"leader.replication.throttled.rate":"12345"`) {
			t.Errorf("/config/brokers/1 = %s, %v: want the rate", data, err)
		}
	}
	if err := c.AlterConfigs(ctx, BrokerEntity, "1", nil, []string{LeaderThrottledRate}); err != nil {
		t.Fatal(err)
	}
	if reported {
		want = "" // deleted; on 2.4 it stays Unreported
	}
	waitRate(ctx, t, c, "1", want)
	if !v.KRaft {
		data, _, err := k.ZK(t).Get(context.Background(), "/config/brokers/1")
		if err != nil || strings.Contains(string(data), LeaderThrottledRate) {
			t.Errorf("/config/brokers/1 = %s, %v: want the rate gone", data, err)
		}
	}
}

// waitRate waits until broker id's leader rate reads as want ("" for
// absent).
func waitRate(ctx context.Context, t *testing.T, c Cluster, id, want string) {
	t.Helper()
	var got map[string]map[string]string
	for ctx.Err() == nil {
		var err error
		if got, err = c.DescribeConfigs(ctx, BrokerEntity, []string{id}); err == nil && got[id][LeaderThrottledRate] == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("broker %s: %s never read %q; last %q", id, LeaderThrottledRate, want, got[id][LeaderThrottledRate])
}
