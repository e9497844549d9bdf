package compat

import (
	"strings"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/zookeeper"
)

// Env holds the settings a Kafka command line does not carry, read from
// fdud's FDUD_* environment variables (ReadEnviron), so that compat and
// fdud's commands share them.
type Env struct {
	// ZooKeeperDigest authenticates to ZooKeeper (FDUD_ZOOKEEPER_DIGEST).
	ZooKeeperDigest zookeeper.Secret
	// RequestTimeout bounds each request to Kafka or ZooKeeper; 0 means 30 s.
	RequestTimeout time.Duration
	// StateDir holds the lock and throttle records when there is no
	// ZooKeeper; "" is fdud's default.
	StateDir string
	// PollInterval is how often --verify --wait reads the cluster; 0 is verify's default.
	PollInterval time.Duration
	// RollbackFile is where --execute writes the rollback plan before any
	// change; "" is execute's default (a timestamped file in the working
	// directory, named on stderr).
	RollbackFile string
}

// ReadEnviron sets what fdud's commands read from FDUD_* environment
// variables, so that compat and fdud share them (throttle records in the same
// state directory, the same rollback file): FDUD_STATE_DIR,
// FDUD_ROLLBACK_FILE, FDUD_REQUEST_TIMEOUT, FDUD_POLL_INTERVAL and
// FDUD_ZOOKEEPER_DIGEST. (FDUD_DOMAINS is read by Parse;
// FDUD_ALLOW_REPLICATION_FACTOR_CHANGE needs nothing: compat's --execute
// always allows it, as Kafka's does.) A malformed duration is an input error
// naming the variable.
func (e *Env) ReadEnviron(getenv func(string) string) error {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	if v := get("FDUD_STATE_DIR"); v != "" {
		e.StateDir = v
	}
	if v := get("FDUD_ROLLBACK_FILE"); v != "" {
		e.RollbackFile = v
	}
	if v := get("FDUD_ZOOKEEPER_DIGEST"); v != "" {
		e.ZooKeeperDigest = zookeeper.Secret(v)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"FDUD_REQUEST_TIMEOUT", &e.RequestTimeout}, {"FDUD_POLL_INTERVAL", &e.PollInterval}} {
		v := get(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return cluster.Invalidf("environment variable %s: %q is not a duration: a number with a unit, such as 30s or 2m", d.name, v)
		}
		*d.dst = t
	}
	return nil
}
