package compat

// usageText is --help. The options are Kafka's, with fdud's additions last.
const usageText = `This tool helps to move topic partitions between replicas.
(fdud's kafka-reassign-partitions: Kafka's command line, FD/UD-aware plans,
merged throttles cleaned up safely, and exit codes that say what --verify found.)

Actions (exactly one):
--generate                   Generate a candidate partition reassignment
                               configuration for --topics-to-move-json-file
                               over --broker-list. With domains (--domains or
                               FDUD_DOMAINS) the plan spreads every partition
                               across Azure fault and update domains and moves
                               as little as possible; without them it spreads
                               replicas over broker.rack values as Kafka's tool
                               does (over brokers only with
                               --disable-rack-aware or when no broker has a
                               rack). Only partitions whose replicas change
                               are proposed.
--execute                    Kick off the reassignment in
                               --reassignment-json-file (a plan written by
                               Kafka's tool or by fdud), under the cluster lock.
--verify                     Verify if the reassignment completed; once it has,
                               remove the throttles fdud set for it (kept while
                               an fdud execute, batching, still holds the
                               cluster lock: run --verify again later).
--cancel                     Cancel the active reassignments of the plan.
--list                       List the partition reassignments in flight.

Kafka's options:
--bootstrap-server <HOST:PORT>         Kafka brokers to connect to.
--zookeeper <HOST:PORT[/chroot]>       ZooKeeper of a ZooKeeper-mode cluster
                                         (Kafka before 2.4, or by choice).
--command-config <FILE>                Kafka client properties (security.protocol,
                                         sasl.*, ssl.* with PEM files).
--reassignment-json-file <FILE>        The plan (Kafka's reassignment JSON).
--topics-to-move-json-file <FILE>      {"version":1,"topics":[{"topic":"foo"}]}
--broker-list <1,2,3>                  Brokers that may hold replicas (--generate).
--throttle <B/s>                       Inter-broker replication throttle
                                         (--execute); merged with throttles
                                         already set, and removed by --verify.
--replica-alter-log-dirs-throttle <B/s>  Throttle for moves between log dirs.
--additional                           Execute even though other reassignments
                                         are in flight.
--preserve-throttles                   Leave throttles in place (--verify, --cancel).
--disable-rack-aware                   Without --domains: ignore broker.rack and
                                         spread over brokers only (as Kafka).
--timeout <ms>                         How long --execute waits for log dir moves
                                         to start (default 10000); bounds --wait.

fdud's options:
--domains <FILE|SPEC>                  Broker domains for --generate and --verify:
                                         a domains JSON file, "-", or a source such
                                         as zk:HOST:PORT/chroot, rack, imds.
                                         Default: $FDUD_DOMAINS.
--wait                                 --verify polls until the reassignment ends
                                         and no fdud execute holds the cluster lock.
--kafka-exit-codes                     Exit as Kafka 2.5+'s tool does: 0 whenever
                                         the action ran (whatever --verify found),
                                         1 on any failure.
--kafka-output <modern|3.7|legacy>     Which Kafka's text to print: modern (2.5
                                         to 3.6, "... is complete."), 3.7 (3.7+,
                                         "... is completed.") or legacy (0.8-2.4,
                                         "... completed successfully"). Default:
                                         legacy with only --zookeeper, else modern.
--allow-replication-factor-change      Accepted for fdud execute's runbooks; --execute
                                         takes replica-count changes anyway, as
                                         Kafka's tool does.

Kafka's text goes to stdout, as Kafka's tool prints it; fdud's own notes
(grid, warnings, progress) go to stderr. The rollback plan is also saved to
a file (FDUD_ROLLBACK_FILE, else fdud-rollback-<time>.json in the working
directory, or in the state directory when the working directory is read-only).
FDUD_STATE_DIR, FDUD_ZOOKEEPER_DIGEST, FDUD_REQUEST_TIMEOUT and
FDUD_POLL_INTERVAL are read as by fdud's commands.
`

// ExitCodesHelp documents compat's exit codes; keep the README in step.
const ExitCodesHelp = `EXIT STATUS:
   0  success; --verify: every partition of the plan is complete (and spread,
      when domains are known)
   1  error talking to Kafka or ZooKeeper, or reading files; --verify: nothing
      is in flight but some partitions are not where the plan put them
   2  bad command line or input document; nothing was changed
   3  --verify: reassignment still in progress, or nothing is in flight but
      another fdud run (execute, between batches) holds the cluster lock, so
      the throttles were kept
   4  --verify: complete, but partitions are at risk (domain spread violated);
      --generate: the placement rules cannot be met
   5  --execute: other reassignments are in flight (see --additional), or
      another fdud run holds the cluster lock
 130  interrupted
  With --kafka-exit-codes: 0 whenever the action ran, 1 on any failure.`
