package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/zookeeper"
)

// clusterSource gives the domain sources what they read from the cluster:
// the live brokers and the cluster's state topic. It lists the brokers of a
// state already read when it has one, else uses the stage's open cluster,
// else connects on first use (sources that need no cluster never wait for
// it). It is the one broker lister of both front ends.
type clusterSource struct {
	opts kafka.Options
	// adminAPI is set when the cluster is reached without ZooKeeper: only
	// then does it have a state topic (kafka: sources).
	adminAPI bool
	cl       kafka.Cluster
	owned    bool // cl was opened here, and is closed by Close
	st       *cluster.State
}

// newClusterSource returns the source for a cluster that is reached through
// cc; cl and st, either may be nil, are what the stage has already opened
// or read.
func newClusterSource(cc clusterConfig, cl kafka.Cluster, st *cluster.State) *clusterSource {
	return &clusterSource{opts: cc.kafkaOptions(), adminAPI: cc.ZooKeeper == "", cl: cl, st: st}
}

var _ domainsrc.BrokerLister = (*clusterSource)(nil)

// Brokers lists the live brokers.
func (s *clusterSource) Brokers(ctx context.Context) ([]cluster.Broker, error) {
	if s.st != nil {
		return s.st.Brokers, nil
	}
	cl, err := s.cluster(ctx)
	if err != nil {
		return nil, err
	}
	brokers, err := cl.Brokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the live brokers: %w", err)
	}
	return brokers, nil
}

func (s *clusterSource) cluster(ctx context.Context) (kafka.Cluster, error) {
	if s.cl == nil {
		cl, err := kafka.Connect(ctx, s.opts)
		if err != nil {
			return nil, err
		}
		s.cl, s.owned = cl, true
	}
	return s.cl, nil
}

// clusterState opens the cluster's state topic, for kafka: sources.
func (s *clusterSource) clusterState(ctx context.Context) (*clusterstate.Store, error) {
	cl, err := s.cluster(ctx)
	if err != nil {
		return nil, err
	}
	return clusterstate.Open(ctx, kafka.StateTopicOf(cl), clusterstate.Options{})
}

// Close closes a connection the source opened itself.
func (s *clusterSource) Close() {
	if s.owned {
		s.cl.Close()
	}
}

// domainEnv is what resolving a --domains spec reads and writes besides
// the cluster.
type domainEnv struct {
	Stdin           io.Reader
	Stderr          io.Writer
	Logger          *slog.Logger
	ZooKeeperDigest zookeeper.Secret
}

// stageUse says which stage takes the domains, since they take them
// differently (see resolveDomains).
type stageUse int

const (
	forGenerate stageUse = iota
	forVerify
)

// resolveDomains resolves a --domains spec (a file, - for stdin, or a
// source spec) for a stage, the same way for fdud's commands and for
// kafka-reassign-partitions' --generate and --verify. src is the cluster,
// nil when planning offline.
//
// verify reports what it finds rather than refusing: a live broker without
// a domain, or every broker in one fault domain, is part of its report.
// generate refuses a single fault domain; a live broker without a domain is
// left to the planner, which refuses it only if it holds replicas in scope.
func resolveDomains(ctx context.Context, spec string, use stageUse, src *clusterSource, e domainEnv) (cluster.Domains, error) {
	deps := domainsrc.Deps{
		Stdin: pipedStdin(e.Stdin, "domains", "--domains FILE"), Stderr: e.Stderr, Logger: e.Logger, ZooKeeperDigest: e.ZooKeeperDigest,
		AllowSingleFaultDomain: use == forVerify,
	}
	if src != nil {
		deps.Brokers = src
		deps.AllowMissing = true
		if src.adminAPI {
			deps.ClusterState = src.clusterState
		}
	}
	d, err := domainsrc.Resolve(ctx, spec, deps)
	if err != nil {
		return d, fmt.Errorf("domains from %s: %w", spec, err)
	}
	return d, nil
}
