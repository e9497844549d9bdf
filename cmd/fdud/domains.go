package main

import (
	"errors"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/domainsrc"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/zookeeper"
)

const domainsDescription = `Writes the domains JSON (broker id -> fault domain, update domain, zone, host)
that generate and verify read, from wherever the cluster keeps it. stdout carries
only that document, written once everything has succeeded; stderr shows the
FD x UD grid of brokers and any warnings.

SOURCES (--source, repeatable; generate and verify take the same in --domains):
` + "{{SOURCES}}" + `
Several --source flags are merged in order: a later source replaces an earlier
one's entry for the same broker, and every disagreement is reported. A source
that lists a broker twice is an error.

With --bootstrap-server (or --zookeeper) the result is checked against the live
brokers: a live broker without a domain is an error naming it (with
--allow-missing it is reported and left out, so it gets no replicas), and
domains of brokers that are not live are warned about. rack and hdinsight need
the live brokers. Domains that put every broker in one fault domain and zone
are refused (that is what scale sets with max spreading report) unless
--allow-single-fault-domain.

--publish zk:HOST:PORT[/chroot] stores this broker's domain (the one named by
--broker-id, --server-properties or --meta-properties, or the only one found)
as /brokers/domains/<id> = FD<n>UD<m>, creating parents; with
FDUD_ZOOKEEPER_DIGEST=user:password the nodes are writable only by that user.
The exit status says whether the stored value changed: 6 changed (a repair is
due), 0 unchanged. A write whose answer was lost is confirmed by reading back
after reconnecting; if ZooKeeper stays unreachable the exit status is 1 and the
stored value may be the old or the new one (never a mixture): treat 1 as
"check needed".

--publish kafka stores it in the cluster itself instead (record domain/<id> of
the compacted topic __fdud_state, reached through --bootstrap-server), which
works without ZooKeeper (KRaft, Kafka 4); --source kafka reads them back.

EXAMPLES:
   # The domains ZooKeeper holds, with a file of manual overrides on top.
   fdud domains --source zk:zk1:2181/kafka --source overrides.csv > domains.json

   # broker.rack values such as FD0UD2, checked against the live brokers.
   fdud domains --source rack --bootstrap-server kafka:9092

   # HDInsight: the cluster topology matched to brokers by host name.
   fdud domains --source hdinsight:topology.json --bootstrap-server wn0-kafka:9092

   # An inventory service through a command printing domains JSON or CSV.
   fdud domains --source 'exec:/usr/local/bin/inventory --format fdud' --exec-timeout 30s

   # Cron on every broker: publish this VM's domain from Azure IMDS (the broker
   # id from --broker-id, FDUD_BROKER_ID or the broker's server.properties).
   export FDUD_SERVER_PROPERTIES=/etc/kafka/server.properties
   fdud domains --source imds --publish zk:zk1:2181/kafka; rc=$?
   # rc 6: the domain changed, plan and repair; 0: nothing to do; else: alert.

   # The same without ZooKeeper (KRaft): publish into the cluster, read back.
   fdud domains --source imds --publish kafka --bootstrap-server localhost:9092
   fdud domains --source kafka --bootstrap-server kafka:9092 > domains.json`

// specList is a repeatable flag whose values are never split: specs may
// hold commas (zk:zk1:2181,zk2:2181/kafka) and semicolons (exec:...).
type specList []string

func (l *specList) Set(v string) error { *l = append(*l, v); return nil }
func (l *specList) String() string     { return strings.Join(*l, " ") }

func newDomainsCommand(s streams) *cli.Command {
	flags := []cli.Flag{
		&cli.GenericFlag{Name: "source", Value: &specList{}, EnvVars: []string{"FDUD_SOURCE"},
			Usage: "where to read domains, `SPEC` (see SOURCES); repeat to merge, later wins per broker"},
		&cli.StringFlag{Name: "publish", EnvVars: []string{"FDUD_PUBLISH"},
			Usage: "store this broker's domain in ZooKeeper, `zk:HOST:PORT[/chroot]`, or in the cluster (kafka, with --bootstrap-server); exit 6 when it changed"},
		&cli.IntFlag{Name: "broker-id", DefaultText: "from server.properties or meta.properties", EnvVars: []string{"FDUD_BROKER_ID"},
			Usage: "this machine's broker `ID` (imds, --publish)"},
		&cli.StringFlag{Name: "server-properties", EnvVars: []string{"FDUD_SERVER_PROPERTIES"},
			Usage: "the broker's server.properties `FILE`, to read broker.id (or meta.properties in log.dirs)"},
		&cli.StringFlag{Name: "meta-properties", EnvVars: []string{"FDUD_META_PROPERTIES"},
			Usage: "the broker's meta.properties `FILE`, to read broker.id or node.id"},
		&cli.StringFlag{Name: "imds-endpoint", Value: domainsrc.DefaultIMDSEndpoint, EnvVars: []string{"FDUD_IMDS_ENDPOINT"},
			Usage: "Azure Instance Metadata Service base `URL` (never reached through a proxy)"},
		&cli.DurationFlag{Name: "imds-timeout", Value: 90 * time.Second, EnvVars: []string{"FDUD_IMDS_TIMEOUT"},
			Usage: "give up on IMDS after this long, retries included (IMDS may answer 410 for 70 s after a VM starts)"},
		&cli.StringFlag{Name: "rack-pattern", Value: domainsrc.DefaultRackPattern, EnvVars: []string{"FDUD_RACK_PATTERN"},
			Usage: "`REGEXP` for broker.rack: groups fault domain, update domain (or named fd, ud, zone)"},
		&cli.BoolFlag{Name: "allow-missing", EnvVars: []string{"FDUD_ALLOW_MISSING"},
			Usage: "report live brokers without a domain and leave them out, instead of failing"},
		&cli.BoolFlag{Name: "allow-single-fault-domain", EnvVars: []string{"FDUD_ALLOW_SINGLE_FAULT_DOMAIN"},
			Usage: "accept domains that put every broker in one fault domain"},
		&cli.DurationFlag{Name: "exec-timeout", Value: 60 * time.Second, EnvVars: []string{"FDUD_EXEC_TIMEOUT"},
			Usage: "stop an exec: source's command after this long"},
	}
	return &cli.Command{
		Name:        "domains",
		Usage:       "write the domains JSON (broker -> fault/update domain) from IMDS, ZooKeeper, broker.rack, HDInsight, a file or a command",
		UsageText:   "fdud domains --source SPEC [--source SPEC ...] [--publish zk:HOST:PORT[/chroot]|kafka] [options] > domains.json",
		Description: strings.Replace(domainsDescription, "{{SOURCES}}", domainsrc.SpecHelp(), 1),
		Flags:       append(flags, clusterFlags()...),
		Action: func(c *cli.Context) error {
			opts := domainsrc.Options{Sources: *c.Generic("source").(*specList), Publish: c.String("publish")}
			if len(opts.Sources) == 0 {
				return cluster.Invalidf("fdud domains needs at least one --source (see fdud domains --help)")
			}
			deps := domainsrc.Deps{
				Stdin: pipedStdin(s.in, "domains", "--source FILE"), Stderr: s.err, Logger: newLogger(c, s),
				AllowMissing: c.Bool("allow-missing"), AllowSingleFaultDomain: c.Bool("allow-single-fault-domain"),
				ZooKeeperDigest:  zookeeper.Secret(c.String("zookeeper-digest")),
				ZooKeeperTimeout: c.Duration("request-timeout"),
				ServerProperties: c.String("server-properties"), MetaProperties: c.String("meta-properties"),
				IMDS:        domainsrc.IMDSOptions{Endpoint: c.String("imds-endpoint"), Timeout: c.Duration("imds-timeout")},
				RackPattern: c.String("rack-pattern"),
				ExecTimeout: c.Duration("exec-timeout"),
			}
			if c.IsSet("broker-id") {
				id := int32(c.Int("broker-id"))
				deps.BrokerID = &id
			}
			if c.String("bootstrap-server") != "" || c.String("zookeeper") != "" {
				src := newClusterSource(clusterOptions(c, deps.Logger), nil, nil)
				defer src.Close()
				deps.Brokers = src
				if src.adminAPI {
					deps.ClusterState = src.clusterState
				}
			}
			out, err := domainsrc.Run(c.Context, opts, deps)
			if err != nil && !errors.Is(err, cluster.ErrChanged) {
				return err
			}
			// A changed domain is no failure: the document is still written.
			if werr := domainsrc.Write(s.out, s.err, out); werr != nil {
				return werr
			}
			return err
		},
	}
}
