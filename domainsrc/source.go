// Package domainsrc turns the places a cluster keeps its Azure placement (a
// file, Azure IMDS, ZooKeeper, broker.rack, HDInsight's topology, a command)
// into fdud's domains document.
//
// Every place is a Source. Sources are opened from a spec string (see
// SpecHelp) through one registry (registry.go), read in order and merged
// (Gather), and checked against the live brokers when a BrokerLister is
// given. One conformance suite (suite_test.go) runs against every source.
package domainsrc

import (
	"context"

	"github.com/fdud/fdud/internal/cluster"
)

// Source is one place that knows where brokers run.
//
// The contract every implementation keeps, and the conformance suite checks:
//   - Domains returns entries sorted by broker id, with Version 1, that pass
//     cluster.Domains.Check (no duplicates, nothing negative). A source that
//     finds a duplicate or an unusable value fails; it does not guess.
//   - On error it returns the zero Domains: callers never see part of a read.
//   - It returns promptly once ctx is done, with an error wrapping ctx.Err();
//     a context that is already done fails before any I/O.
//   - Problems with what the operator supplied (a malformed file, a bad
//     pattern, a value that is not FD<n>UD<m>) are cluster.Invalid errors;
//     unreachable services are plain errors. Either names the source.
//   - Reading twice from unchanged backing data gives the same result.
//   - Name and error messages never contain secrets.
type Source interface {
	// Name identifies the source for people: "zk:zk1:2181/kafka", "imds".
	Name() string
	// Domains reads the brokers' domains.
	Domains(ctx context.Context) (cluster.Domains, error)
}

// Publisher is a Source that can also store one broker's domain (ZooKeeper).
type Publisher interface {
	Source
	// Publish stores d for broker d.ID. It returns changed=true when the
	// stored value differed (or did not exist) and was replaced, false when it
	// already held d. A write is a single compare-and-set: readers see the old
	// value or the new one, never a mixture.
	Publish(ctx context.Context, d cluster.BrokerDomain) (changed bool, err error)
}

// Limits that keep a wrong input from exhausting memory or time.
const (
	// MaxDocumentSize bounds a domains file, CSV, topology or command output.
	// 100,000 brokers in the domains JSON take about 10 MB.
	MaxDocumentSize = 16 << 20
	// MaxDomain is the largest fault or update domain accepted (the schema's).
	MaxDomain = 1000
)
