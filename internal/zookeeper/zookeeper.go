// Package zookeeper connects to ZooKeeper the way fdud needs everywhere:
// connection strings with a chroot, digest authentication, a session that is
// established (not merely dialled) before use, and no chatter on stderr.
package zookeeper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/await"
)

// Options says how to reach a ZooKeeper ensemble.
type Options struct {
	// Connect is Kafka's form: HOST:PORT[,HOST:PORT...][/chroot].
	Connect string
	// Digest is "user:password" for digest authentication, "" for none.
	// Nodes fdud creates are then readable by anyone and writable only by
	// that user.
	Digest         Secret
	SessionTimeout time.Duration // 0 means 10 s
	Logger         *slog.Logger  // nil discards
}

// Secret is a string that never prints itself, so that it cannot leak into
// logs or error messages by accident.
type Secret string

func (Secret) String() string                 { return "[redacted]" }
func (Secret) GoString() string               { return "[redacted]" }
func (s Secret) LogValue() slog.Value         { return slog.StringValue("[redacted]") }
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// ParseConnect splits a connection string into servers and chroot.
func ParseConnect(s string) (servers []string, chroot string, err error) {
	hosts := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hosts, chroot = s[:i], path.Clean(s[i:])
		if chroot == "/" {
			chroot = ""
		}
	}
	for _, h := range strings.Split(hosts, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if !strings.Contains(h, ":") {
			h += ":2181"
		}
		servers = append(servers, h)
	}
	if len(servers) == 0 {
		return nil, "", fmt.Errorf("zookeeper connection string %q names no server (want HOST:PORT[,HOST:PORT][/chroot])", s)
	}
	return servers, chroot, nil
}

// Conn is a ZooKeeper session whose paths are relative to a chroot.
type Conn struct {
	raw    *zk.Conn
	chroot string
	acl    []zk.ACL
	events <-chan zk.Event
}

// minEstablishWait is the least time Connect gives a session to be
// established, whatever the session timeout.
const minEstablishWait = 10 * time.Second

// Connect dials the ensemble and waits, within ctx and the longer of the
// session timeout and 10 s, until a session exists and digest credentials
// (if any) are added.
func Connect(ctx context.Context, o Options) (*Conn, error) {
	servers, chroot, err := ParseConnect(o.Connect)
	if err != nil {
		return nil, err
	}
	timeout := o.SessionTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	raw, events, err := zk.Connect(servers, timeout, zk.WithLogger(zkLogger{log}))
	if err != nil {
		return nil, fmt.Errorf("zookeeper %s: %w", o.Connect, err)
	}
	c := &Conn{raw: raw, chroot: chroot, acl: zk.WorldACL(zk.PermAll), events: events}
	// A short session timeout says how long a session survives a network
	// cut, not how long a busy server may take to accept the first one.
	wait, cancel := context.WithTimeout(ctx, max(timeout, minEstablishWait))
	defer cancel()
	if err := c.waitSession(wait); err != nil {
		raw.Close()
		return nil, fmt.Errorf("zookeeper %s: %w", o.Connect, err)
	}
	if o.Digest != "" {
		user, _, ok := strings.Cut(string(o.Digest), ":")
		if !ok {
			raw.Close()
			return nil, errors.New("zookeeper digest credentials must be user:password")
		}
		if err := raw.AddAuth("digest", []byte(o.Digest)); err != nil {
			raw.Close()
			return nil, fmt.Errorf("zookeeper %s: authenticate as %s: %w", o.Connect, user, err)
		}
		// Anyone may read (brokers and other tools read these nodes); only
		// the authenticated user may change or delete them.
		c.acl = append(zk.AuthACL(zk.PermAll), zk.WorldACL(zk.PermRead)...)
	}
	return c, nil
}

func (c *Conn) waitSession(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("no session established: %w", ctx.Err())
		case ev, ok := <-c.events:
			if !ok {
				return errors.New("connection closed before a session was established")
			}
			switch ev.State {
			case zk.StateHasSession:
				go drain(c.events)
				return nil
			case zk.StateAuthFailed:
				return errors.New("authentication failed")
			}
		}
	}
}

func drain(ch <-chan zk.Event) {
	for range ch {
	}
}

// Close ends the session; its ephemeral nodes go with it.
func (c *Conn) Close() { c.raw.Close() }

// Raw is the underlying connection, for what this wrapper does not cover.
// Paths given to it are not chrooted: use Path.
func (c *Conn) Raw() *zk.Conn { return c.raw }

// ACL is the ACL fdud puts on nodes it creates.
func (c *Conn) ACL() []zk.ACL { return c.acl }

// Path returns p under the chroot.
func (c *Conn) Path(p string) string {
	if c.chroot == "" {
		return p
	}
	if p == "/" {
		return c.chroot
	}
	return c.chroot + p
}

// Every request below takes a context: go-zookeeper's requests cannot be
// cancelled and wait for a lost connection to come back, so each is bounded
// by ctx (see await.Do). A request abandoned when ctx ends may still reach
// the server; its result is dropped.

// call runs a go-zookeeper request within ctx.
func call[T any](ctx context.Context, f func() (T, error)) (T, error) {
	return await.Do(ctx, f)
}

// Get returns a node's data and version.
func (c *Conn) Get(ctx context.Context, p string) ([]byte, int32, error) {
	type got struct {
		data    []byte
		version int32
	}
	g, err := call(ctx, func() (got, error) {
		data, st, err := c.raw.Get(c.Path(p))
		if err != nil {
			return got{}, err
		}
		return got{data, st.Version}, nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("zookeeper get %s: %w", p, err)
	}
	return g.data, g.version, nil
}

// GetACL returns a node's ACL.
func (c *Conn) GetACL(ctx context.Context, p string) ([]zk.ACL, error) {
	acl, err := call(ctx, func() ([]zk.ACL, error) {
		acl, _, err := c.raw.GetACL(c.Path(p))
		return acl, err
	})
	if err != nil {
		return nil, fmt.Errorf("zookeeper get acl %s: %w", p, err)
	}
	return acl, nil
}

// Children lists a node's children.
func (c *Conn) Children(ctx context.Context, p string) ([]string, error) {
	ch, err := call(ctx, func() ([]string, error) {
		ch, _, err := c.raw.Children(c.Path(p))
		return ch, err
	})
	if err != nil {
		return nil, fmt.Errorf("zookeeper list %s: %w", p, err)
	}
	return ch, nil
}

// Exists reports whether a node exists.
func (c *Conn) Exists(ctx context.Context, p string) (bool, error) {
	ok, err := call(ctx, func() (bool, error) {
		ok, _, err := c.raw.Exists(c.Path(p))
		return ok, err
	})
	if err != nil {
		return false, fmt.Errorf("zookeeper exists %s: %w", p, err)
	}
	return ok, nil
}

// Set replaces a node's data if its version is still version (-1: any).
func (c *Conn) Set(ctx context.Context, p string, data []byte, version int32) error {
	_, err := call(ctx, func() (*zk.Stat, error) { return c.raw.Set(c.Path(p), data, version) })
	if err != nil {
		return fmt.Errorf("zookeeper set %s: %w", p, err)
	}
	return nil
}

// Create creates a node with fdud's ACL, creating missing parents (as
// persistent, empty nodes) first. flags are zk.FlagEphemeral and friends. It
// returns the created path (relevant for sequential nodes), without chroot.
func (c *Conn) Create(ctx context.Context, p string, data []byte, flags int32) (string, error) {
	_, err := call(ctx, func() (struct{}, error) { return struct{}{}, c.ensureParents(p) })
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return "", fmt.Errorf("zookeeper create %s: %w", p, err)
		}
		return "", err // names the parent
	}
	return c.CreateACL(ctx, p, data, flags, c.acl)
}

// CreateACL creates one node with the given ACL; its parent must exist.
func (c *Conn) CreateACL(ctx context.Context, p string, data []byte, flags int32, acl []zk.ACL) (string, error) {
	got, err := call(ctx, func() (string, error) { return c.raw.Create(c.Path(p), data, flags, acl) })
	if err != nil {
		return "", fmt.Errorf("zookeeper create %s: %w", p, err)
	}
	return strings.TrimPrefix(got, c.chroot), nil
}

// Delete removes a node if its version is still version (-1: any).
func (c *Conn) Delete(ctx context.Context, p string, version int32) error {
	_, err := call(ctx, func() (struct{}, error) { return struct{}{}, c.raw.Delete(c.Path(p), version) })
	if err != nil {
		return fmt.Errorf("zookeeper delete %s: %w", p, err)
	}
	return nil
}

func (c *Conn) ensureParents(p string) error {
	dir := path.Dir(p)
	if dir == "/" || dir == "." {
		// The chroot itself may not exist yet.
		full := ""
		for _, part := range strings.Split(strings.Trim(c.chroot, "/"), "/") {
			if part == "" {
				continue
			}
			full += "/" + part
			if err := c.createIfMissing(full); err != nil {
				return err
			}
		}
		return nil
	}
	if err := c.ensureParents(dir); err != nil {
		return err
	}
	return c.createIfMissing(c.Path(dir))
}

func (c *Conn) createIfMissing(full string) error {
	_, err := c.raw.Create(full, nil, 0, c.acl)
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return fmt.Errorf("zookeeper create %s: %w", full, err)
	}
	return nil
}

// zkLogger sends go-zookeeper's messages to slog at debug level instead of
// the standard logger's stderr.
type zkLogger struct{ l *slog.Logger }

func (z zkLogger) Printf(format string, args ...any) {
	z.l.Debug("zookeeper: " + fmt.Sprintf(format, args...))
}
