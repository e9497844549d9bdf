package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fdud/fdud/internal/testenv"
)

// brokerRatesInZooKeeper: a broker throttle rate set and deleted through
// the Admin API lands in ZooKeeper, where ZooKeeper-mode brokers keep it,
// also on Kafka 2.4.1, whose DescribeConfigs does not show it (the
// conformance suite checks what DescribeConfigs shows). Part of
// TestIntegrationAdminAPI.
func brokerRatesInZooKeeper(t *testing.T, k *testenv.Kafka) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, c := connectBootstrap(ctx, t, k.Bootstrap, "")
	z := k.ZK(t)
	held := func(what string, want bool) {
		t.Helper()
		var data []byte
		var err error
		for ctx.Err() == nil {
			data, _, err = z.Get(ctx, "/config/brokers/1")
			if err == nil && strings.Contains(string(data), `"leader.replication.throttled.rate":"12345"`) == want {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("%s: /config/brokers/1 = %s, %v; want the rate there: %v", what, data, err, want)
	}
	if err := c.AlterConfigs(ctx, BrokerEntity, "1", map[string]string{LeaderThrottledRate: "12345"}, nil); err != nil {
		t.Fatal(err)
	}
	held("after a set", true)
	if err := c.AlterConfigs(ctx, BrokerEntity, "1", nil, []string{LeaderThrottledRate}); err != nil {
		t.Fatal(err)
	}
	held("after a delete", false)
}
