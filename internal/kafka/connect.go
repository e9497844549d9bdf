package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/await"
	"github.com/fdud/fdud/internal/cluster"
)

// Access path names, as Cluster.Path reports them.
const (
	AdminAPIPath  = "Admin API (Kafka 2.4+)"
	ZooKeeperPath = "ZooKeeper"
)

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 30 * time.Second
	}
	return o.Timeout
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Connect opens the cluster through the path it supports: ZooKeeper when
// o.ZooKeeper is set, else the Admin API, which needs Kafka 2.4 or later.
// An older cluster without --zookeeper is an InputError naming the remedy.
func Connect(ctx context.Context, o Options) (Cluster, error) {
	log := o.logger()
	if o.ZooKeeper != "" {
		c, err := connectZK(ctx, o)
		if err != nil {
			return nil, err
		}
		log.Info("using the ZooKeeper path", "zookeeper", o.ZooKeeper)
		return c, nil
	}
	if len(o.BootstrapServers) == 0 {
		return nil, cluster.Invalidf("no cluster given: pass --bootstrap-server (Kafka 2.4+) or --zookeeper")
	}
	sec, err := LoadCommandConfig(o.CommandConfig)
	if err != nil {
		return nil, err
	}
	v, err := detectVersion(ctx, o, sec)
	if err != nil {
		return nil, explainConnect(ctx, o, sec, err)
	}
	if !v.IsAtLeast(sarama.V2_4_0_0) {
		return nil, cluster.Invalidf("brokers at %v run Kafka %s, older than 2.4, which has no Admin API for reassignments: "+
			"pass --zookeeper HOST:PORT[/chroot] to use the ZooKeeper path", o.BootstrapServers, versionName(v))
	}
	if err := checkLogin(ctx, o, sec, v, true); err != nil {
		return nil, explainConnect(ctx, o, sec, err)
	}
	c, err := connectAdmin(ctx, o, sec, v, true)
	if err != nil {
		return nil, explainConnect(ctx, o, sec, err)
	}
	log.Info("using the Admin API path", "brokers", o.BootstrapServers, "kafka", versionName(v), "security", sec.Protocol)
	return c, nil
}

// ReadState reads the cluster's state once, for stages that only look
// (generate). It takes the ZooKeeper path when o.ZooKeeper is set, the Admin
// API on Kafka 2.4+, and on older clusters plain metadata: there, a partition
// being reassigned shows the union of its old and new replicas, which only
// ZooKeeper can tell apart, so a warning says to pass --zookeeper.
func ReadState(ctx context.Context, o Options, topics []string) (*cluster.State, error) {
	if o.ZooKeeper != "" || len(o.BootstrapServers) == 0 {
		c, err := Connect(ctx, o)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		return c.State(ctx, topics)
	}
	c, err := connectBrokers(ctx, o)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if v := c.version; !v.IsAtLeast(sarama.V2_4_0_0) {
		o.logger().Warn("Kafka older than 2.4: in-flight reassignments cannot be read from the brokers; "+
			"a partition being reassigned shows old and new replicas together (pass --zookeeper to read them exactly)",
			"kafka", versionName(v))
	}
	return c.State(ctx, topics)
}

// connectBrokers opens a sarama client to the brokers at
// o.BootstrapServers, of any release (Kafka 0.9 included), for what plain
// broker requests can do (metadata, offsets); its Admin API calls work
// only from Kafka 2.4.
func connectBrokers(ctx context.Context, o Options) (*adminCluster, error) {
	sec, err := LoadCommandConfig(o.CommandConfig)
	if err != nil {
		return nil, err
	}
	v, err := detectVersion(ctx, o, sec)
	if err != nil {
		return nil, explainConnect(ctx, o, sec, err)
	}
	if err := checkLogin(ctx, o, sec, v, v.IsAtLeast(sarama.V0_10_0_0)); err != nil {
		return nil, explainConnect(ctx, o, sec, err)
	}
	c, err := connectAdmin(ctx, o, sec, v, v.IsAtLeast(sarama.V0_10_0_0))
	if err != nil {
		return nil, explainConnect(ctx, o, sec, err)
	}
	return c, nil
}

// versionName describes a detected version: detection finds a lower bound.
func versionName(v sarama.KafkaVersion) string {
	switch {
	case v == sarama.V0_9_0_1:
		return "0.9"
	case v.IsAtLeast(sarama.V2_8_0_0):
		return "2.8 or later"
	default:
		return v.String() + " or later"
	}
}

// detectVersion asks the first bootstrap server that answers which APIs it
// speaks. A Kafka 0.9 broker knows no ApiVersions request: it leaves it
// unanswered (or closes the connection). When a broker then answers a
// version 0 metadata request, it is taken for 0.9.
func detectVersion(ctx context.Context, o Options, sec *Security) (sarama.KafkaVersion, error) {
	log := o.logger()
	probe := min(o.timeout(), apiVersionsTimeout)
	var errs []error
	for _, addr := range o.BootstrapServers {
		resp, err := onNewConnection(ctx, o, sec, addr, probe, func(b *sarama.Broker) (*sarama.ApiVersionsResponse, error) {
			return b.ApiVersions(&sarama.ApiVersionsRequest{Version: 0})
		})
		switch {
		case err == nil && resp.ErrorCode == int16(sarama.ErrNoError):
			v := versionFromAPIs(resp.ApiKeys)
			log.Debug("detected broker version", "broker", addr, "kafka", versionName(v))
			return v, nil
		case err == nil:
			errs = append(errs, fmt.Errorf("%s: api versions: %w", addr, sarama.KError(resp.ErrorCode)))
			continue
		case ctx.Err() != nil:
			return sarama.KafkaVersion{}, fmt.Errorf("detect kafka version at %s: %w", addr, err)
		case !closedByPeer(err) && !isTimeout(err):
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		_, merr := onNewConnection(ctx, o, sec, addr, o.timeout(), func(b *sarama.Broker) (*sarama.MetadataResponse, error) {
			return b.GetMetadata(&sarama.MetadataRequest{Version: 0, Topics: []string{}})
		})
		if merr != nil {
			errs = append(errs, fmt.Errorf("%s: api versions: %v; metadata: %w", addr, err, merr))
			continue
		}
		log.Debug("broker answers metadata but not ApiVersions: taking it for Kafka 0.9", "broker", addr, "api_versions_error", err)
		return sarama.V0_9_0_1, nil
	}
	return sarama.KafkaVersion{}, fmt.Errorf("no bootstrap server answered: %w", errors.Join(errs...))
}

// checkLogin logs in with the command config's SASL credentials on one
// connection to the first bootstrap server that answers, and returns the
// error when the broker refuses them. Without it a wrong password costs a
// failed login on every bootstrap server, several times over (sarama's
// client tries each, then retries the metadata request): enough to trip an
// alert or an account lock-out. Any other failure is left to the client.
func checkLogin(ctx context.Context, o Options, sec *Security, v sarama.KafkaVersion, apiVersions bool) error {
	if sec.Mechanism == "" {
		return nil
	}
	conf := saramaConfig(o, sec, v, apiVersions)
	for _, addr := range o.BootstrapServers {
		b := sarama.NewBroker(addr)
		_, err := within(ctx, o.timeout(), func() (struct{}, error) {
			if err := b.Open(conf); err != nil {
				return struct{}{}, err
			}
			// Any request: sarama authenticates when the connection opens.
			_, err := b.ApiVersions(&sarama.ApiVersionsRequest{Version: 0})
			return struct{}{}, err
		})
		b.Close()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, sarama.ErrSASLAuthenticationFailed), errors.Is(err, sarama.ErrIllegalSASLState),
			errors.Is(err, sarama.ErrUnsupportedSASLMechanism):
			return &loginError{addr: addr, err: err}
		case ctx.Err() != nil:
			return ctx.Err()
		}
		o.logger().Debug("login check failed", "broker", addr, "err", err)
		if !closedByPeer(err) && !isTimeout(err) && !unreachable(err) {
			return nil // the client reports it
		}
	}
	return nil
}

// loginError is a login refused by the broker at addr.
type loginError struct {
	addr string
	err  error
}

func (e *loginError) Error() string { return fmt.Sprintf("log in at %s: %v", e.addr, e.err) }
func (e *loginError) Unwrap() error { return e.err }

// apiVersionsTimeout bounds the wait for an ApiVersions answer, which a 0.9
// broker never gives.
const apiVersionsTimeout = 5 * time.Second

// onNewConnection sends one request on a connection of its own, without
// SASL (ApiVersions and the 0.9 probe come before authentication).
func onNewConnection[T any](ctx context.Context, o Options, sec *Security, addr string, timeout time.Duration,
	fn func(*sarama.Broker) (T, error)) (T, error) {
	conf := saramaConfig(o, sec, sarama.V2_4_0_0, false)
	conf.Net.SASL.Enable = false
	conf.Net.DialTimeout, conf.Net.ReadTimeout, conf.Net.WriteTimeout = timeout, timeout, timeout
	b := sarama.NewBroker(addr)
	defer b.Close()
	return within(ctx, timeout, func() (T, error) {
		if err := b.Open(conf); err != nil {
			var zero T
			return zero, err
		}
		return fn(b)
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// versionFromAPIs maps the API keys a broker offers to the oldest Kafka
// release that has them all.
func versionFromAPIs(keys []sarama.ApiVersionsResponseKey) sarama.KafkaVersion {
	has := map[int16]bool{}
	for _, k := range keys {
		has[k.ApiKey] = true
	}
	for _, step := range []struct {
		key int16
		v   sarama.KafkaVersion
	}{
		{60, sarama.V2_8_0_0},  // DescribeCluster
		{57, sarama.V2_7_0_0},  // UpdateFeatures
		{48, sarama.V2_6_0_0},  // DescribeClientQuotas
		{45, sarama.V2_4_0_0},  // AlterPartitionReassignments
		{44, sarama.V2_3_0_0},  // IncrementalAlterConfigs
		{43, sarama.V2_2_0_0},  // ElectLeaders
		{42, sarama.V2_0_0_0},  // DeleteGroups
		{37, sarama.V1_0_0_0},  // CreatePartitions
		{32, sarama.V0_11_0_0}, // DescribeConfigs
		{19, sarama.V0_10_1_0}, // CreateTopics
	} {
		if has[step.key] {
			return step.v
		}
	}
	return sarama.V0_10_0_0
}

func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// unreachable reports a broker that cannot be dialled: its process is gone
// (refused) or its VM is (no route).
func unreachable(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH)
}

func saramaConfig(o Options, sec *Security, v sarama.KafkaVersion, apiVersions bool) *sarama.Config {
	conf := sarama.NewConfig()
	conf.ClientID = "fdud"
	conf.Version = v
	conf.ApiVersionsRequest = apiVersions
	t := o.timeout()
	conf.Net.DialTimeout, conf.Net.ReadTimeout, conf.Net.WriteTimeout = t, t, t
	conf.Admin.Timeout = t
	// sarama refreshes brokers and the controller only along with topics;
	// Full keeps that working (State sends its own metadata requests).
	conf.Metadata.Full = true
	conf.Metadata.Retry.Max = 2
	conf.Metadata.Retry.Backoff = 250 * time.Millisecond
	// fdud creates the topics it writes (the state topic) with their own
	// settings; a metadata request must not create one with the broker's.
	conf.Metadata.AllowAutoTopicCreation = false
	// State topic writes (state_topic.go): acknowledged by every in-sync
	// replica, sent once.
	conf.Producer.RequiredAcks = sarama.WaitForAll
	conf.Producer.Return.Successes = true
	conf.Producer.Retry.Max = 0
	conf.Producer.Timeout = t
	sec.apply(conf)
	if conf.Net.SASL.Enable && v.IsAtLeast(sarama.V1_0_0_0) {
		conf.Net.SASL.Version = sarama.SASLHandshakeV1
	}
	return conf
}

// within runs fn, which blocks on sarama's network I/O (itself bounded by the
// configured timeouts), and returns early with the context's error when ctx
// ends or timeout passes.
func within[T any](ctx context.Context, timeout time.Duration, fn func() (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return await.Do(ctx, fn)
}

// retriable reports errors after which asking the (possibly new) controller
// again can succeed. A controller that died stays in the client's cache
// until its metadata is read again, so an unreachable one counts too.
func retriable(err error) bool {
	return errors.Is(err, sarama.ErrNotController) || errors.Is(err, sarama.ErrNotConnected) ||
		errors.Is(err, sarama.ErrControllerNotAvailable) || closedByPeer(err) || isTimeout(err) ||
		unreachable(err)
}
