package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/IBM/sarama"
	franzerr "github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// The log directory requests (AlterReplicaLogDirs, DescribeLogDirs) and
// AlterPartitionReassignments go through franz-go: sarama v1.61 has no
// AlterReplicaLogDirs request and keeps AlterPartitionReassignments'
// per-partition results unexported. The franz-go client is opened on first
// use, beside sarama's, with the same bootstrap servers and security
// settings.

// kgoOptions maps fdud's connection settings onto franz-go options. The
// password goes into the SASL mechanism only, never into a log.
func kgoOptions(seeds []string, sec *Security, timeout time.Duration, log *slog.Logger) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.ClientID("fdud"),
		kgo.DialTimeout(timeout),
		kgo.RequestTimeoutOverhead(timeout),
		kgo.RetryTimeout(timeout),
		kgo.WithLogger(kgoLogger{log}),
	}
	if sec.TLS != nil {
		// franz-go clones the config per dial and sets ServerName from the
		// broker's host when it is empty, as sarama does.
		opts = append(opts, kgo.DialTLSConfig(sec.TLS.Clone()))
	}
	switch sec.Mechanism {
	case "PLAIN":
		opts = append(opts, kgo.SASL(plain.Auth{User: sec.Username, Pass: string(sec.Password)}.AsMechanism()))
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(scram.Auth{User: sec.Username, Pass: string(sec.Password)}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(scram.Auth{User: sec.Username, Pass: string(sec.Password)}.AsSha512Mechanism()))
	}
	return opts
}

// kgoLogger passes franz-go's own log lines to slog at debug level: they
// are about connections and retries, which fdud reports itself.
type kgoLogger struct{ log *slog.Logger }

func (l kgoLogger) Level() kgo.LogLevel {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		return kgo.LogLevelInfo
	}
	return kgo.LogLevelNone
}

func (l kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	l.log.Debug(msg, append([]any{"lib", "franz-go", "lib_level", level.String()}, keyvals...)...)
}

// franz returns the franz-go client, opening it on first use and loading
// the brokers' addresses with a metadata request.
func (a *adminCluster) franz(ctx context.Context) (*kgo.Client, error) {
	a.franzMu.Lock()
	defer a.franzMu.Unlock()
	if a.kc != nil {
		return a.kc, nil
	}
	kc, err := kgo.NewClient(append(kgoOptions(a.seeds, a.sec, a.timeout, a.log), a.franzOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("open a franz-go client for %v: %w", a.seeds, err)
	}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{} // brokers only
	if _, err := kc.Request(rctx, req); err != nil {
		kc.Close()
		return nil, fmt.Errorf("connect to kafka at %v (franz-go): %w", a.seeds, err)
	}
	a.kc = kc
	return kc, nil
}

// codeError is an error code from a Kafka response. It reads as Kafka names
// it ("LOG_DIR_NOT_FOUND: The user-specified log directory is not found in
// the broker config.") and matches sarama's KError and franz-go's kerr
// values of the same code with errors.Is, like the rest of the package.
type codeError int16

func codeErr(code int16) error {
	if code == 0 {
		return nil
	}
	return codeError(code)
}

func (c codeError) Error() string {
	var ke *franzerr.Error
	if errors.As(franzerr.ErrorForCode(int16(c)), &ke) && ke.Code == int16(c) {
		return ke.Error()
	}
	return fmt.Sprintf("kafka error code %d", int16(c))
}

func (c codeError) Is(target error) bool {
	switch t := target.(type) {
	case sarama.KError:
		return int16(t) == int16(c)
	case *franzerr.Error:
		return t.Code == int16(c)
	}
	return false
}
