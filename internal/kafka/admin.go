package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
)

// adminCluster drives Kafka 2.4+ through the Admin API with sarama. Requests
// are built by hand rather than through sarama.ClusterAdmin, which can only
// submit whole topics and drops per-partition errors.
type adminCluster struct {
	client  sarama.Client
	conf    *sarama.Config
	version sarama.KafkaVersion
	timeout time.Duration
	log     *slog.Logger

	// The log directory and AlterPartitionReassignments requests go
	// through franz-go (franz.go), opened on first use with the same servers
	// and security settings.
	seeds     []string
	sec       *Security
	franzOpts []kgo.Opt // added to kgoOptions; tests pin versions for sarama's MockBroker
	franzMu   sync.Mutex
	kc        *kgo.Client

	// pause waits d between two attempts, or returns ctx's error when ctx
	// ends first; nil waits on a timer. Tests set it to end the waiting at
	// a chosen attempt instead of racing a deadline.
	pause func(ctx context.Context, d time.Duration) error
}

// wait pauses d between two attempts (see adminCluster.pause): nil, or
// ctx's error when ctx ends first.
func (a *adminCluster) wait(ctx context.Context, d time.Duration) error {
	if a.pause != nil {
		return a.pause(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var _ Cluster = (*adminCluster)(nil)

// connectAdmin opens a sarama client. apiVersions=false is for tests against
// sarama's MockBroker and for Kafka 0.9.
func connectAdmin(ctx context.Context, o Options, sec *Security, v sarama.KafkaVersion, apiVersions bool) (*adminCluster, error) {
	conf := saramaConfig(o, sec, v, apiVersions)
	client, err := within(ctx, o.timeout(), func() (sarama.Client, error) {
		return sarama.NewClient(o.BootstrapServers, conf)
	})
	if err != nil {
		return nil, fmt.Errorf("connect to kafka at %v: %w", o.BootstrapServers, err)
	}
	return &adminCluster{client: client, conf: conf, version: v, timeout: o.timeout(), log: o.logger(),
		seeds: o.BootstrapServers, sec: sec}, nil
}

func (a *adminCluster) Path() string { return AdminAPIPath }

func (a *adminCluster) Capabilities() Capabilities {
	return Capabilities{Cancel: true, LogDirMover: a, LogDirDescriber: a, StateTopic: a, Sizer: a, Offsets: a}
}

func (a *adminCluster) Close() error {
	a.franzMu.Lock()
	if a.kc != nil {
		a.kc.Close()
		a.kc = nil
	}
	a.franzMu.Unlock()
	return a.client.Close()
}

// onController sends a request to the controller, following it when it moves
// (NotController, a dropped connection) for a few attempts within ctx. fn
// returns an error wrapping sarama.ErrNotController when the response says so.
func (a *adminCluster) onController(ctx context.Context, op string, fn func(*sarama.Broker) error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			a.log.Debug("retrying on the controller", "op", op, "attempt", i+1, "err", err)
			if werr := a.wait(ctx, time.Duration(i)*200*time.Millisecond); werr != nil {
				return fmt.Errorf("%s: %w (last error: %v)", op, werr, err)
			}
			if _, rerr := within(ctx, a.timeout, a.client.RefreshController); rerr != nil {
				err = rerr
				continue
			}
		}
		_, err = within(ctx, a.timeout, func() (struct{}, error) {
			b, err := a.client.Controller()
			if err != nil {
				return struct{}{}, err
			}
			return struct{}{}, fn(b)
		})
		if err == nil || !retriable(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// onBroker sends a request to one broker by id (broker configs must go to
// the broker they belong to), or to any broker when id < 0.
func (a *adminCluster) onBroker(ctx context.Context, id int32, fn func(*sarama.Broker) error) error {
	for attempt := 0; ; attempt++ {
		var b *sarama.Broker
		_, err := within(ctx, a.timeout, func() (struct{}, error) {
			var err error
			if id < 0 {
				b, err = a.anyBroker()
			} else {
				b, err = a.client.Broker(id)
			}
			if err != nil {
				return struct{}{}, err
			}
			return struct{}{}, fn(b)
		})
		if err == nil || attempt > 0 || ctx.Err() != nil {
			return err
		}
		switch {
		case b == nil && errors.Is(err, sarama.ErrBrokerNotFound):
			// A broker that was down when the client last read metadata
			// and is back now (a restarted VM, seen on a real KRaft
			// cluster) is unknown to the client until it reads metadata
			// again: read it once.
			a.log.Debug("broker not in the client's metadata; refreshing it", "broker", id)
			if _, rerr := within(ctx, a.timeout, func() (struct{}, error) { return struct{}{}, a.client.RefreshMetadata() }); rerr != nil {
				return fmt.Errorf("%w (refreshing metadata: %v)", err, rerr)
			}
		case b != nil && (closedByPeer(err) || errors.Is(err, sarama.ErrNotConnected)):
			// A connection the broker closed (it restarted while a long
			// verify --wait ran: seen on a real cluster) fails on its next
			// use: reconnect once. sarama's client reopens a closed broker.
			a.log.Debug("reconnecting to a broker that closed the connection", "broker", b.ID(), "err", err)
			b.Close()
		default:
			return err
		}
	}
}

func (a *adminCluster) anyBroker() (*sarama.Broker, error) {
	b, err := a.client.Controller()
	if err == nil {
		return b, nil
	}
	if b := a.client.LeastLoadedBroker(); b != nil {
		return b, nil
	}
	return nil, errors.New("no broker available")
}

// kerr turns an error code and message into an error, nil for none.
func kerr(code sarama.KError, msg *string) error {
	if code == sarama.ErrNoError {
		return nil
	}
	if msg != nil && *msg != "" {
		return fmt.Errorf("%w: %s", code, *msg)
	}
	return code
}
