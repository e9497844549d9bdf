// Package domainsrc turns the places a cluster keeps its Azure placement
// (a file, Azure IMDS, ZooKeeper, broker.rack, HDInsight's topology, a
// command) into fdud's domains document.
package domainsrc

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/fdud/fdud/cluster"
	"github.com/fdud/fdud/zookeeper"
)

// BrokerLister reads the live brokers (id, host, broker.rack) of a cluster.
type BrokerLister interface {
	Brokers(ctx context.Context) ([]cluster.Broker, error)
}

// Deps is what sources may need from their surroundings.
type Deps struct {
	Stdin           io.Reader
	Brokers         BrokerLister // nil when no cluster is reachable
	ZooKeeperDigest zookeeper.Secret
	Logger          *slog.Logger
}

// Resolve turns a --domains value into domains: a file path, "-" for stdin,
// or a source spec such as "zk:HOST:PORT[/chroot]", "rack", "imds".
// (Interim version: files and stdin only.)
func Resolve(ctx context.Context, spec string, deps Deps) (cluster.Domains, error) {
	var data []byte
	var err error
	if spec == "-" {
		data, err = cluster.ReadAll(deps.Stdin, "domains from stdin")
	} else {
		var f *os.File
		if f, err = os.Open(spec); err != nil {
			return cluster.Domains{}, cluster.Invalid(err)
		}
		defer f.Close()
		data, err = cluster.ReadAll(f, spec)
	}
	if err != nil {
		return cluster.Domains{}, err
	}
	return cluster.ParseDomains(data)
}
