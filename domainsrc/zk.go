package domainsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/zookeeper"
)

// DomainsZNode is where the existing convention keeps each broker's domain:
// DomainsZNode/<brokerId> holding "FD<n>UD<m>".
const DomainsZNode = "/brokers/domains"

// zkSource reads and publishes the ZooKeeper store of broker domains.
type zkSource struct {
	connect        string
	digest         zookeeper.Secret
	timeout        time.Duration // bound on a whole read or publish
	sessionTimeout time.Duration
	log            *slog.Logger
	warnf          func(format string, args ...any)
	// beforeWrite, when set (tests only), runs after a publish has read the
	// stored value and before it writes.
	beforeWrite func(*zookeeper.Conn)
}

var (
	_ Source    = (*zkSource)(nil)
	_ Publisher = (*zkSource)(nil)
)

func openZK(arg string, e *env) (Source, error) {
	if _, _, err := zookeeper.ParseConnect(arg); err != nil {
		return nil, cluster.Invalid(err)
	}
	return &zkSource{
		connect: arg, digest: e.ZooKeeperDigest, timeout: e.zkTimeout(),
		sessionTimeout: e.ZooKeeperSessionTimeout, log: e.logger(), warnf: e.warnf,
	}, nil
}

func (s *zkSource) Name() string { return "zk:" + s.connect }

func (s *zkSource) dial(ctx context.Context) (*zookeeper.Conn, error) {
	c, err := zookeeper.Connect(ctx, zookeeper.Options{
		Connect: s.connect, Digest: s.digest, SessionTimeout: s.sessionTimeout, Logger: s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return c, nil
}

func (s *zkSource) Domains(ctx context.Context) (cluster.Domains, error) {
	if err := ctx.Err(); err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	c, err := s.dial(ctx)
	if err != nil {
		return cluster.Domains{}, err
	}
	defer c.Close() // also ends a read abandoned on timeout
	var warnings []string
	d, err := readZKDomains(ctx, c, &warnings)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), zkExplain(err))
	}
	for _, w := range warnings {
		s.warnf("%s: %s", s.Name(), w)
	}
	return d, nil
}

// readZKDomains reads every broker's domain, and its host from /brokers/ids.
func readZKDomains(ctx context.Context, c *zookeeper.Conn, warnings *[]string) (cluster.Domains, error) {
	out := cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{}}
	if err := holdsKafka(ctx, c); err != nil {
		return cluster.Domains{}, err
	}
	children, err := c.Children(ctx, DomainsZNode)
	if errors.Is(err, zk.ErrNoNode) {
		return out, nil
	}
	if err != nil {
		return cluster.Domains{}, err
	}
	slices.Sort(children)
	for _, child := range children {
		id, err := brokerID(child)
		if err != nil {
			*warnings = append(*warnings, fmt.Sprintf("ignoring %s/%s: not a broker id", DomainsZNode, child))
			continue
		}
		p := DomainsZNode + "/" + child
		data, _, err := c.Get(ctx, p)
		if errors.Is(err, zk.ErrNoNode) {
			continue // deleted since the listing
		}
		if err != nil {
			return cluster.Domains{}, err
		}
		dom, err := ParseZKValue(data)
		if err != nil {
			return cluster.Domains{}, cluster.Invalidf("znode %s: %w", p, err)
		}
		host, err := zkBrokerHost(ctx, c, id)
		if err != nil {
			return cluster.Domains{}, err
		}
		out.Brokers = append(out.Brokers, cluster.BrokerDomain{
			ID: id, FaultDomain: dom.FaultDomain, UpdateDomain: dom.UpdateDomain, Zone: dom.Zone, Host: host,
		})
	}
	out.Sort()
	return out, nil
}

// ErrNoKafka is the error of a ZooKeeper (chroot) without a Kafka cluster:
// no /brokers/ids, which every ZooKeeper-mode broker registers in. Usually
// the chroot is missing or wrong (zk1:2181 for zk1:2181/kafka).
var ErrNoKafka = errors.New("holds no Kafka cluster (no /brokers/ids): check the chroot")

// holdsKafka checks that the session's chroot holds a Kafka cluster, so that
// a wrong chroot is an error rather than an empty list of domains (or a
// domain published where no broker reads it).
func holdsKafka(ctx context.Context, c *zookeeper.Conn) error {
	ok, err := c.Exists(ctx, "/brokers/ids")
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoKafka
	}
	return nil
}

// zkBrokerHost reads the host a live broker registered in /brokers/ids/<id>;
// "" when the broker is not registered (down) or names no host.
func zkBrokerHost(ctx context.Context, c *zookeeper.Conn, id int32) (string, error) {
	data, _, err := c.Get(ctx, fmt.Sprintf("/brokers/ids/%d", id))
	if errors.Is(err, zk.ErrNoNode) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var reg struct {
		Host      string   `json:"host"`
		Endpoints []string `json:"endpoints"`
	}
	if json.Unmarshal(data, &reg) != nil {
		return "", nil // not ours to judge; the host is only informative
	}
	if reg.Host != "" {
		return reg.Host, nil
	}
	for _, ep := range reg.Endpoints {
		if _, addr, ok := strings.Cut(ep, "://"); ok {
			if h, _, err := net.SplitHostPort(addr); err == nil && h != "" {
				return h, nil
			}
		}
	}
	return "", nil
}

// ParseZKValue parses a znode's value: "FD<n>UD<m>", or a JSON object with
// fault_domain/faultDomain, update_domain/updateDomain (numbers or numeric
// strings) and an optional zone.
func ParseZKValue(data []byte) (cluster.Domain, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return cluster.Domain{}, cluster.Invalidf("empty value; want FD<n>UD<m>")
	}
	if data[0] != '{' {
		if len(data) > 64 {
			return cluster.Domain{}, cluster.Invalidf("value of %d bytes is not FD<n>UD<m>", len(data))
		}
		return ParseFDUD(string(data))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return cluster.Domain{}, cluster.Invalidf("JSON value: %w", err)
	}
	pick := func(keys ...string) json.RawMessage {
		for _, k := range keys {
			if v, ok := m[k]; ok {
				return v
			}
		}
		return nil
	}
	var d cluster.Domain
	var err error
	if d.FaultDomain, err = jsonDomainNumber(pick("fault_domain", "faultDomain", "FD", "fd")); err != nil {
		return cluster.Domain{}, cluster.Invalidf("JSON value: fault domain: %w", err)
	}
	if d.UpdateDomain, err = jsonDomainNumber(pick("update_domain", "updateDomain", "UD", "ud")); err != nil {
		return cluster.Domain{}, cluster.Invalidf("JSON value: update domain: %w", err)
	}
	if z := pick("zone"); z != nil && string(z) != "null" {
		if err := json.Unmarshal(z, &d.Zone); err != nil {
			return cluster.Domain{}, cluster.Invalidf("JSON value: zone: %w", err)
		}
	}
	return d, nil
}

// FormatZKValue renders a domain for the store: "FD<n>UD<m>", which other
// tools of the convention read, or JSON when there is a zone to keep.
func FormatZKValue(d cluster.Domain) []byte {
	if d.Zone == "" {
		return []byte(cluster.FormatFDUD(d))
	}
	b, _ := json.Marshal(struct {
		FD   int    `json:"fault_domain"`
		UD   int    `json:"update_domain"`
		Zone string `json:"zone"`
	}{d.FaultDomain, d.UpdateDomain, d.Zone})
	return b
}

// Publish stores d as DomainsZNode/<id>, creating parents with fdud's ACL
// (writable only by the digest user when one is configured). It reads the
// stored value and writes with a version check, retrying after a lost
// connection or session until ctx or the source's timeout ends; a write whose
// outcome was lost is confirmed by reading back.
func (s *zkSource) Publish(ctx context.Context, d cluster.BrokerDomain) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("%s: %w", s.Name(), err)
	}
	if err := (cluster.Domains{Brokers: []cluster.BrokerDomain{d}}).Check(); err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	c, err := s.dial(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if err := holdsKafka(ctx, c); err != nil {
		return false, fmt.Errorf("%s: %w", s.Name(), zkExplain(err))
	}
	want := d.Domain()
	p := &zkPublish{s: s, c: c, id: d.ID, path: fmt.Sprintf("%s/%d", DomainsZNode, d.ID), want: want,
		value: FormatZKValue(want), delay: 50 * time.Millisecond}
	return p.run(ctx)
}

// zkPublish is one Publish: the znode, the value it should hold, and what
// the attempts so far have seen.
type zkPublish struct {
	s     *zkSource
	c     *zookeeper.Conn
	id    int32
	path  string
	want  cluster.Domain
	value []byte // want, as stored

	differed bool // some read saw another value, or none: the stored value changed during this run
	unsure   bool // a write was sent and its outcome lost
	hookDone bool
	lastErr  error
	delay    time.Duration // before the next attempt after a lost connection
}

// run reads the stored value and, unless it is already the wanted one,
// writes it, until one write succeeds or ctx ends. It reports whether the
// stored value changed.
func (p *zkPublish) run(ctx context.Context) (bool, error) {
	for ctx.Err() == nil {
		data, version, err := p.read(ctx)
		exists := err == nil
		switch {
		case err == nil:
			if cur, perr := ParseZKValue(data); perr == nil && cur == p.want {
				p.s.log.Debug("zookeeper domain", "znode", p.path, "value", string(data), "changed", p.differed)
				return p.differed, nil
			}
			p.differed = true
		case errors.Is(err, zk.ErrNoNode):
			p.differed = true
		case mayRecover(err):
			p.lastErr = err
			p.backoff(ctx)
			continue
		default:
			return false, fmt.Errorf("%s: read %s: %w", p.s.Name(), p.path, zkExplain(err))
		}
		if p.s.beforeWrite != nil && !p.hookDone {
			p.hookDone = true
			p.s.beforeWrite(p.c)
		}
		err = p.write(ctx, exists, version)
		switch {
		case err == nil:
			p.s.log.Debug("zookeeper domain written", "znode", p.path, "value", string(p.value))
			return true, nil
		case errors.Is(err, zk.ErrBadVersion), errors.Is(err, zk.ErrNodeExists):
			continue // someone else wrote in between: read again
		case mayRecover(err):
			p.unsure, p.lastErr = true, err
			p.backoff(ctx)
			continue
		default:
			return false, fmt.Errorf("%s: write %s: %w", p.s.Name(), p.path, zkExplain(err))
		}
	}
	return false, p.gaveUp(ctx)
}

// read returns the stored value and its version.
func (p *zkPublish) read(ctx context.Context) ([]byte, int32, error) {
	return p.c.Get(ctx, p.path)
}

// write replaces the value read at version, or creates the znode when the
// read found none; either fails if someone else wrote in between.
func (p *zkPublish) write(ctx context.Context, exists bool, version int32) error {
	if exists {
		return p.c.Set(ctx, p.path, p.value, version)
	}
	_, err := p.c.Create(ctx, p.path, p.value, 0)
	return err
}

// backoff waits before the next attempt, twice as long each time up to a
// second, or until ctx ends (the loop in run then stops).
func (p *zkPublish) backoff(ctx context.Context) {
	t := time.NewTimer(p.delay)
	defer t.Stop()
	p.delay = min(2*p.delay, time.Second)
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// gaveUp is the error once ctx has ended with the connection lost. It says
// whether the stored value may have changed all the same.
func (p *zkPublish) gaveUp(ctx context.Context) error {
	msg := "the stored value was not changed"
	if p.unsure {
		msg = "a write was sent but not confirmed, so the stored value may be the old or the new domain, never a mixture; " +
			"treat the domain as possibly changed"
	}
	return fmt.Errorf("%s: publish broker %d as %s to %s: gave up (%w) after losing the ZooKeeper connection: %v; %s",
		p.s.Name(), p.id, p.want, p.path, ctx.Err(), zkExplain(p.lastErr), msg)
}

// mayRecover reports errors that end an attempt but not the publish: a lost
// connection or session, which may recover, or no answer in time (run stops
// when that was ctx ending).
func mayRecover(err error) bool {
	return isZKConnectionError(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// isZKConnectionError reports errors after which the session may recover.
func isZKConnectionError(err error) bool {
	return errors.Is(err, zk.ErrConnectionClosed) || errors.Is(err, zk.ErrSessionExpired) ||
		errors.Is(err, zk.ErrNoServer) || errors.Is(err, zk.ErrSessionMoved)
}

// zkExplain adds what an operator needs to the ZooKeeper errors people hit.
func zkExplain(err error) error {
	switch {
	case err == nil:
		return errors.New("no error recorded")
	case errors.Is(err, zk.ErrNoAuth):
		return fmt.Errorf("%w (the node's ACL allows another user: set FDUD_ZOOKEEPER_DIGEST=user:password)", err)
	case errors.Is(err, zk.ErrSessionExpired):
		return fmt.Errorf("%w (the ZooKeeper session expired)", err)
	case errors.Is(err, zk.ErrConnectionClosed), errors.Is(err, zk.ErrNoServer):
		return fmt.Errorf("%w (lost the connection to ZooKeeper)", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w (no answer from ZooKeeper in time)", err)
	}
	return err
}
