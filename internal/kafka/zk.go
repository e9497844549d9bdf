package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/zookeeper"
)

// zkCluster drives a ZooKeeper-mode cluster through the znodes its
// controller and brokers watch, as Kafka's own tools did before 2.4.
type zkCluster struct {
	conn    *zookeeper.Conn
	timeout time.Duration
	log     *slog.Logger
	// admin, when the brokers' addresses are given too, reaches the same
	// cluster's Admin API for what ZooKeeper cannot do (cancelling), and
	// sizer its brokers' replica sizes; nil without them.
	admin Options
	sizer *zkSizer
	// offsets reaches the brokers for their offsets, at the addresses
	// given or at those registered in ZooKeeper.
	offsets *zkOffsets
}

var _ Cluster = (*zkCluster)(nil)

func connectZK(ctx context.Context, o Options) (*zkCluster, error) {
	conn, err := zookeeper.Connect(ctx, zookeeper.Options{
		Connect: o.ZooKeeper, Digest: o.ZooKeeperDigest, SessionTimeout: o.timeout(), Logger: o.logger(),
	})
	if err != nil {
		return nil, err
	}
	z := &zkCluster{conn: conn, timeout: o.timeout(), log: o.logger()}
	bo := o
	bo.ZooKeeper = ""
	z.offsets = &zkOffsets{z: z, o: bo}
	if len(o.BootstrapServers) > 0 {
		z.admin = o
		z.admin.ZooKeeper = ""
		z.sizer = &zkSizer{o: z.admin}
	}
	// A Kafka cluster registers brokers under /brokers/ids; its absence
	// usually means a wrong chroot.
	ok, err := conn.Exists(ctx, "/brokers/ids")
	if err != nil {
		conn.Close()
		return nil, err
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("zookeeper %s holds no Kafka cluster (no /brokers/ids): check the chroot", o.ZooKeeper)
	}
	return z, nil
}

func (z *zkCluster) Path() string { return ZooKeeperPath }

func (z *zkCluster) Capabilities() Capabilities {
	c := Capabilities{OneBatch: true, Offsets: z.offsets}
	if z.sizer != nil {
		// Not assigned when nil: a nil *zkSizer would make a non-nil
		// interface.
		c.Sizer = z.sizer
	}
	return c
}

func (z *zkCluster) Close() error {
	if z.sizer != nil {
		z.sizer.close()
	}
	z.offsets.close()
	z.conn.Close()
	return nil
}

// getJSON reads a znode into v; found is false when the node does not exist.
func (z *zkCluster) getJSON(ctx context.Context, p string, v any) (version int32, found bool, err error) {
	data, version, err := z.conn.Get(ctx, p)
	if errors.Is(err, zk.ErrNoNode) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if len(data) == 0 || string(data) == "null" {
		return version, true, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return 0, false, fmt.Errorf("znode %s: %w", p, err)
	}
	return version, true, nil
}

// createInherit creates a node that Kafka itself will later change or
// delete, with the ACL of its nearest existing ancestor (as the brokers set
// it), rather than fdud's own ACL, which could lock the brokers out. Missing
// ancestors are created the same way. It returns the created path (for
// sequential nodes) relative to the chroot.
func (z *zkCluster) createInherit(ctx context.Context, p string, data []byte, flags int32) (string, error) {
	var missing []string
	anc := path.Dir(p)
	var acl []zk.ACL
	for {
		a, err := z.conn.GetACL(ctx, anc)
		if err == nil {
			acl = a
			break
		}
		if !errors.Is(err, zk.ErrNoNode) {
			return "", err
		}
		if anc == "/" {
			acl = zk.WorldACL(zk.PermAll)
			break
		}
		missing = append(missing, anc)
		anc = path.Dir(anc)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if _, err := z.conn.CreateACL(ctx, missing[i], nil, 0, acl); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return "", err
		}
	}
	return z.conn.CreateACL(ctx, p, data, flags, acl)
}
