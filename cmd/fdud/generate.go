package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/zookeeper"
)

const generateDescription = `Plans a reassignment that puts the replicas of every partition in scope in
distinct fault domains and update domains (zones first, when brokers have zones),
moving as few replicas as the rules allow. A partition that already meets the
rules is not moved; one that does not keeps the largest set of its replicas
that can stay. Preferred leaders (the first replica) are spread across brokers
and update domains by reordering replicas, which moves no data.

stdout carries only the plan, in Kafka's reassignment JSON (partitions whose
replicas change, or only their order; an empty list when nothing needs doing):
feed it to fdud execute or to kafka-reassign-partitions.sh --execute. stderr
carries a summary: rule violations before and after, replicas moved against
the lower bound, the per-FD spread (most minus fewest replicas on one broker
of a fault domain, worst fault domain) before, after the repair and after
--balance, leader changes, replicas and leaders per broker, and the FD x UD
grid of brokers. Within the fewest moves, fdud picks which replicas leave and
which brokers receive so that this spread is as small as it can make it.
On a cluster of more than 30 brokers it lists only the 20 brokers whose
counts change most, and when a cell of the grid holds more than 4 brokers it
shows brokers, replicas and leaders per cell instead of broker ids;
--summary all shows everything (so does --report, as JSON).

The cluster comes from --current-assignment (offline: Kafka's reassignment JSON,
or the text kafka-reassign-partitions.sh --generate prints) or from a live
cluster (--bootstrap-server, or --zookeeper for ZooKeeper-mode clusters).
Partitions being reassigned are planned from their in-flight targets.

A broker that is down (not alive, but in the domains: an update domain being
rebooted, a VM being redeployed) keeps its replicas, which count in its domains,
and gets nothing new; the summary names it. --evacuate-down-brokers (or
--exclude-brokers) moves its replicas off. A broker without a domain that holds
replicas in scope is an error (a down one too: --domains rack knows only live
brokers, and a reboot cannot be told from a dead broker), unless it is named in
--exclude-brokers or, when not alive, --evacuate-down-brokers is given (its
replicas then move off). The rules are judged over every domain that has a
live broker or holds replicas, as fdud verify judges them, even where no broker
may receive replicas (all excluded, say).
Partitions that cannot meet the rules (too few brokers or domains alive) make
generate fail with exit status 4 and a list of them; with --force they are
spread as widely as possible (fault domains before update domains) and each
compromise is reported. A partition that cannot even get distinct brokers is
left as it is, with a warning.

EXAMPLES:
   # Try it on a bundled example; no Kafka needed.
   fdud generate --domains examples/at-risk/domains.json \
     --current-assignment examples/at-risk/current.json

   # Plan for a live cluster, keep a rollback plan, apply with fdud execute.
   fdud generate --bootstrap-server kafka:9092 --domains domains.json \
     --current-file rollback.json | fdud execute --bootstrap-server kafka:9092

   # Broker 3's VM moved to another domain: plan only its partitions.
   fdud generate --domains zk:zk1:2181/kafka --bootstrap-server kafka:9092 --broker-ids 3

   # Decommission brokers 7 and 8.
   fdud generate --domains domains.json --bootstrap-server kafka:9092 --exclude-brokers 7,8

   # Raise orders to replication factor 3, domain-aware.
   fdud generate --domains domains.json --bootstrap-server kafka:9092 --topics orders --replication-factor 3

   # The HA assignment of a new topic (for kafka-topics.sh --replica-assignment).
   fdud generate --domains domains.json --new-topic audit --partitions 12 --replication-factor 3`

func newGenerateCommand(s streams) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "domains", EnvVars: []string{"FDUD_DOMAINS"},
			Usage: "where brokers run: a domains JSON `FILE`, - for stdin, or a source spec (zk:HOST:PORT[/chroot], rack, imds, ...)"},
		&cli.StringFlag{Name: "current-assignment", EnvVars: []string{"FDUD_CURRENT_ASSIGNMENT"},
			Usage: "the cluster offline: Kafka's reassignment JSON `FILE` (or -), or the text kafka-reassign-partitions.sh --generate prints"},
		&cli.StringFlag{Name: "topics-to-move-json-file", EnvVars: []string{"FDUD_TOPICS_TO_MOVE_JSON_FILE"},
			Usage: "plan only these topics: Kafka's topics-to-move JSON `FILE`"},
		&cli.StringFlag{Name: "topics", EnvVars: []string{"FDUD_TOPICS"},
			Usage: "plan only these topics, `T1,T2` (all topics when neither this nor --topics-to-move-json-file is given)"},
		&cli.StringFlag{Name: "broker-ids", EnvVars: []string{"FDUD_BROKER_IDS"},
			Usage: "plan only partitions with a replica on these brokers, `ID,ID` (e.g. a broker whose domain changed)"},
		&cli.StringFlag{Name: "broker-list", EnvVars: []string{"FDUD_BROKER_LIST"},
			Usage: "only these brokers may hold replicas, `ID,ID` or ranges LOW-HIGH (default: every live broker with a domain)"},
		&cli.StringFlag{Name: "exclude-brokers", EnvVars: []string{"FDUD_EXCLUDE_BROKERS"},
			Usage: "move every replica in scope off these brokers, `ID,ID` (decommissioning)"},
		&cli.BoolFlag{Name: "evacuate-down-brokers", EnvVars: []string{"FDUD_EVACUATE_DOWN_BROKERS"},
			Usage: "move replicas in scope off brokers that are not alive (by default a down broker with a domain keeps them)"},
		&cli.IntFlag{Name: "replication-factor", DefaultText: "unchanged", EnvVars: []string{"FDUD_REPLICATION_FACTOR"},
			Usage: "change the replication factor of the partitions in scope to `N` (with --new-topic: the new topic's)"},
		&cli.StringFlag{Name: "new-topic", EnvVars: []string{"FDUD_NEW_TOPIC"},
			Usage: "plan only a new topic `NAME`, from scratch (needs --partitions and --replication-factor; existing topics are not planned, their replicas count as load); also prints kafka-topics.sh's --replica-assignment"},
		&cli.IntFlag{Name: "partitions", DefaultText: "none", EnvVars: []string{"FDUD_PARTITIONS"},
			Usage: "partitions of --new-topic, `N`"},
		&cli.BoolFlag{Name: "force", EnvVars: []string{"FDUD_FORCE"},
			Usage: "place partitions that cannot meet the rules as widely as possible instead of failing (exit 4)"},
		&cli.BoolFlag{Name: "balance", EnvVars: []string{"FDUD_BALANCE"},
			Usage: "add moves that even out replicas per broker, worst fault domain first, never breaking a rule"},
		&cli.IntFlag{Name: "max-moves", DefaultText: "no limit", EnvVars: []string{"FDUD_MAX_MOVES"},
			Usage: "with --balance, add at most `N` replica moves (0: no limit)"},
		&cli.BoolFlag{Name: "no-leader-balance", EnvVars: []string{"FDUD_NO_LEADER_BALANCE"},
			Usage: "keep preferred leaders where they are (by default they are spread across brokers and update domains)"},
		&cli.Uint64Flag{Name: "seed", EnvVars: []string{"FDUD_SEED"},
			Usage: "tie-break seed: the same input and seed give the same plan"},
		&cli.StringFlag{Name: "current-file", EnvVars: []string{"FDUD_CURRENT_FILE"},
			Usage: "write the current assignment of the planned partitions (the rollback plan) to `FILE`"},
		&cli.StringFlag{Name: "report", EnvVars: []string{"FDUD_REPORT"},
			Usage: "write the summary as JSON (schemas/generate-report.schema.json) to `FILE`"},
		&cli.StringFlag{Name: "summary", EnvVars: []string{"FDUD_SUMMARY"}, Value: "auto",
			Usage: "detail of the summary on stderr: auto lists every broker of up to 30, else the 20 that change most, and counts per FD x UD cell when a cell holds over 4 brokers; all lists every broker and broker id, `auto|all`"},
	}
	return &cli.Command{
		Name:        "generate",
		Usage:       "plan a reassignment that spreads replicas across fault and update domains",
		UsageText:   "fdud generate --domains FILE|-|SOURCE (--current-assignment FILE | --bootstrap-server HOST:PORT) [options]",
		Description: generateDescription,
		Flags:       append(append(flags, sizeFlags()...), clusterFlags()...),
		Action: func(c *cli.Context) error {
			cfg, err := readGenerateFlags(c)
			if err != nil {
				return commandLineError(c, err)
			}
			logger := newLogger(c, s)
			return runGenerate(c.Context, cfg, generateEnv{
				Stdin: s.in, Stdout: s.out, Stderr: s.err, Logger: logger,
				Cluster:   clusterOptions(c, logger),
				DomainEnv: domainEnv{Stderr: s.err, Logger: logger, ZooKeeperDigest: zookeeper.Secret(c.String("zookeeper-digest"))},
			})
		},
	}
}

// readGenerateFlags reads the flags into a generateConfig.
func readGenerateFlags(c *cli.Context) (generateConfig, error) {
	if c.NArg() > 0 {
		return generateConfig{}, cluster.Invalidf("unexpected argument %q: generate takes flags only", c.Args().First())
	}
	cfg := generateConfig{
		Domains:           c.String("domains"),
		CurrentAssignment: c.String("current-assignment"),
		Live:              strings.TrimSpace(c.String("bootstrap-server")) != "" || c.String("zookeeper") != "",
		TopicsToMoveFile:  c.String("topics-to-move-json-file"),
		CurrentFile:       c.String("current-file"),
		ReportFile:        c.String("report"),
		Options: generate.Options{
			ReplicationFactor:   c.Int("replication-factor"),
			NewTopic:            c.String("new-topic"),
			NewPartitions:       c.Int("partitions"),
			Force:               c.Bool("force"),
			EvacuateDownBrokers: c.Bool("evacuate-down-brokers"),
			Balance:             c.Bool("balance"),
			MaxMoves:            c.Int("max-moves"),
			NoLeaderBalance:     c.Bool("no-leader-balance"),
			Seed:                c.Uint64("seed"),
		},
	}
	var err error
	if cfg.Summary, err = generate.ParseSummaryDetail(c.String("summary")); err != nil {
		return cfg, err
	}
	if err := readSizeFlags(c, &cfg); err != nil {
		return cfg, err
	}
	o := &cfg.Options
	if o.Topics, err = generate.ParseTopics("--topics", c.String("topics")); err != nil {
		return cfg, err
	}
	for _, l := range []struct {
		flag string
		dst  *[]int32
	}{{"broker-ids", &o.BrokerIDs}, {"broker-list", &o.BrokerList}, {"exclude-brokers", &o.ExcludeBrokers}} {
		if *l.dst, err = generate.ParseBrokerIDs("--"+l.flag, c.String(l.flag)); err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Validate()
}
