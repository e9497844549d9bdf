// Package throttle sets, records and removes the replication throttles of a
// reassignment plan, the way Kafka's own tool does but without clobbering
// throttles somebody else set.
//
// What is set, with Kafka's semantics:
//   - brokers holding an old or new replica of a moving partition get
//     leader.replication.throttled.rate and follower.replication.throttled.rate;
//     brokers with a log directory move get
//     replica.alter.log.dirs.io.max.bytes.per.second;
//   - each topic with moving partitions gets
//     leader.replication.throttled.replicas = partition:broker for the current
//     replicas, and follower.replication.throttled.replicas = partition:broker
//     for the replicas being added.
//
// Merging, where Kafka's tool overwrites:
//   - replica lists: fdud appends its entries to a list already present and
//     leaves a list of "*" (every replica is throttled already) alone: it
//     never appends to "*";
//   - rates: fdud never raises a rate an operator set. The operator's rate
//     on a broker is the broker's own dynamic value, else the cluster-wide
//     default (kafka-configs --entity-type brokers --entity-default, read as
//     kafka.ClusterDefault). A broker whose rate is already at or below the
//     requested one keeps it untouched; a higher rate is lowered for the
//     duration, always by a per-broker value, and restored afterwards (a
//     broker that had only the default gets its per-broker value deleted
//     again). fdud never changes the cluster-wide default itself. Re-running
//     execute for the same plan with another --throttle changes the rates
//     fdud set (still never above the operator's rate).
//
// Recording: before any config is changed, a Record of exactly what fdud is
// about to set (each key's value before, the value set, the list entries
// added) is saved in a Store, so a crash leaves a trace that clean-up can
// act on. Remove undoes only that: it takes fdud's entries out of the lists
// and restores rates it set; a rate somebody changed since is left alone with
// a warning. Remove is idempotent.
//
// List edits are atomic on the cluster: fdud reads the lists to decide what
// to add, but writes only its own entries, with append and subtract
// (Cluster.AlterConfigOps: IncrementalAlterConfigs APPEND and SUBTRACT on the
// Admin API path, a compare-and-set of the topic's znode on the ZooKeeper
// path), which apply to the list as it is when written. So an entry an
// operator adds or removes between fdud's read and its write is kept, in
// Apply and in clean-up alike. Clean-up subtracts exactly the entries the
// record says fdud added (entries already gone are a no-op); a list fdud
// created is left empty by that, and deleted in a second step (Tidy) if it
// still holds nothing but fdud's entries. Two writes remain read-then-write
// and can lose an operator's change made in the same instant: that delete,
// and on the Admin API path an append to a list that reads as absent or
// empty, which is sent as a set (see "Config operations" in package kafka
// for the broker bugs that rule out APPEND there).
//
// Several plans at once (execute --additional) may rely on the same
// throttle: a rate one plan set that the other found low enough, or lowered
// further, or a list entry both need. Each record lists what its plan relies
// on (Uses), and a plan's clean-up hands what another plan of the same
// cluster still relies on over to that plan's record instead of undoing it
// (Handover), so the last plan out restores what was there before fdud.
// Records carry the cluster id; one made for another cluster (the same plan
// run from one machine against two clusters) is refused.
//
// Brokers apply config changes asynchronously: for a moment after a change,
// DescribeConfigs may still show the old value. So clean-up restores a rate
// that reads as either what fdud set or what was there before (writing the
// earlier value again, or deleting the key, is harmless); only a third value
// means somebody else changed it. Lists lose fdud's entries whatever they
// read as (except "*"), and a list fdud created that reads as absent is
// deleted again. And Apply and Cleanup, once they have
// written their changes, wait (bounded by Settle, 15 s by default) until
// DescribeConfigs shows them, so that the next run (clean-up right after
// execute, execute right after clean-up) reads the new values, not the old
// ones as somebody else's. Not seeing them in time is logged, not an error.
package throttle
