#!/usr/bin/env bash
# fdud-cron.sh: the per-broker job that keeps replicas spread across Azure
# fault and update domains after a VM changes domain (Azure moves a VM to
# another host after a host failure, and its FD/UD can change with it).
#
# Every broker runs it (cron or a systemd timer). Each run:
#   1. publishes this broker's domain, read from Azure IMDS, to ZooKeeper
#      (fdud domains --source imds --publish zk:...), or without
#      FDUD_ZOOKEEPER (KRaft, Kafka 4) to the cluster (--publish kafka);
#   2. when the stored value changed (or an earlier repair did not finish),
#      takes the cluster-wide repair lock and, holding it:
#      a. plans only the partitions with a replica on this broker
#         (fdud generate --broker-ids <me> --domains zk:... or kafka),
#      b. executes the plan with a replication throttle (fdud execute),
#      c. waits until it completes and checks the spread (fdud verify --wait),
#         which also removes the throttles.
#
# Configuration: /etc/fdud/cron.env (FDUD_CRON_ENV overrides the path); see
# cron.env.example. Log lines go to stderr, and to syslog (tag fdud-cron)
# when FDUD_SYSLOG=1. Every line starts with "fdud-cron: " and is key=value:
#   fdud-cron: level=info broker=3 event=unchanged
#   fdud-cron: level=error broker=3 event=publish-failed rc=1
# Alert on level=error (and on level=warn repeating across runs).
#
# Exit status (also in README.md):
#   0  nothing to do, or the repair finished and every partition is spread
#   1  error: IMDS, ZooKeeper or Kafka unreachable, or a step failed
#   2  bad configuration (a required setting is missing)
#   3  the repair is still running at FDUD_VERIFY_TIMEOUT (next run resumes)
#   4  partitions remain at risk: the rules cannot be met with the brokers
#      and domains there are, or verify found the spread violated
#   5  busy: another broker's repair holds the lock, or other reassignments
#      are in flight; the next run retries
set -uo pipefail

prog=fdud-cron
env_file=${FDUD_CRON_ENV:-/etc/fdud/cron.env}
if [ -r "$env_file" ]; then
  set -a
  # shellcheck source=/dev/null
  . "$env_file"
  set +a
fi

fdud=${FDUD_BIN:-fdud}
export FDUD_LOG_LEVEL=${FDUD_LOG_LEVEL:-warn} # fdud's diagnostics; its reports are logged regardless
state_dir=${FDUD_STATE_DIR:-/var/lib/fdud/cron}
throttle=${FDUD_THROTTLE:-50000000}
export -n FDUD_THROTTLE # passed as --throttle below ("none" is no number for fdud)
verify_timeout=${FDUD_VERIFY_TIMEOUT:-6h}
lock_name=${FDUD_LOCK_NAME:-repair}
broker=${FDUD_BROKER_ID:-}

# log LEVEL EVENT [key=value...]: one line, stable prefix, syslog optional.
log() {
  local level=$1 event=$2
  shift 2
  local line="level=$level broker=${broker:-?} event=$event${*:+ $*}"
  printf '%s: %s\n' "$prog" "$line" >&2
  if [ "${FDUD_SYSLOG:-0}" = 1 ] && command -v logger >/dev/null 2>&1; then
    local prio=user.info
    case $level in error) prio=user.err ;; warn) prio=user.warning ;; esac
    logger -t "$prog" -p "$prio" -- "$line" || true
  fi
}

# run STEP CMD...: run a fdud step; its messages become log lines
# (level=info event=STEP msg="..."); sets rc.
run() {
  local step=$1
  shift
  local errf
  errf=$(mktemp "${TMPDIR:-/tmp}/$prog.XXXXXX") || { rc=1; return; }
  "$@" 2>"$errf"
  rc=$?
  while IFS= read -r l; do
    [ -n "$l" ] && log info "$step" "msg=\"${l//\"/\'}\""
  done <"$errf"
  rm -f "$errf"
}

die() { # die RC EVENT [key=value...]
  local code=$1
  shift
  log error "$@" "exit=$code"
  exit "$code"
}

require() {
  for v in "$@"; do
    [ -n "${!v:-}" ] || die 2 config-missing "setting=$v" "file=$env_file"
  done
}

# --- the locked part: plan, execute, verify ---------------------------------
repair() {
  local ts plan rollback
  ts=$(date -u +%Y%m%dT%H%M%SZ)
  plan="$state_dir/plan-$ts.json"
  rollback="$state_dir/rollback-$ts.json"

  log info plan "domains=$domains"
  run generate "$fdud" generate "${cluster_flags[@]}" --domains "$domains" \
    --broker-ids "$broker" --current-file "$rollback" >"$plan"
  case $rc in
    0) ;;
    4) die 4 plan-infeasible "msg=\"the placement rules cannot be met for partitions on this broker; see the lines above\"" ;;
    5) log warn busy step=generate; exit 5 ;;
    *) die 1 plan-failed "rc=$rc" ;;
  esac
  # An empty plan (every partition on this broker is still spread) goes
  # through execute and verify like any other: both exit 0 saying so.
  local moves done_event=repaired
  moves=$(grep -o '"partition":' "$plan" | wc -l)
  [ "$moves" -eq 0 ] && done_event=nothing-to-move
  log info planned "partitions=$moves" "plan=$plan" "rollback=$rollback"

  local throttle_flags=()
  case $throttle in
    none | 0 | -1 | "") ;; # Kafka before 0.10.1 has no replication throttles
    *) throttle_flags=(--throttle "$throttle") ;;
  esac
  run execute "$fdud" execute "${cluster_flags[@]}" --reassignment-json-file "$plan" \
    "${throttle_flags[@]}" --rollback-file "$rollback.execute" >/dev/null
  case $rc in
    0) ;;
    5) log warn busy step=execute "msg=\"other reassignments are in flight or another run holds the lock; retrying next run\""; exit 5 ;;
    *) die 1 execute-failed "rc=$rc" "plan=$plan" ;;
  esac
  log info executing "partitions=$moves" "throttle=$throttle"

  run verify "$fdud" verify "${cluster_flags[@]}" --reassignment-json-file "$plan" \
    --domains "$domains" --wait --timeout "$verify_timeout" >/dev/null
  case $rc in
    0) rm -f "$pending"; log info "$done_event" "partitions=$moves" "plan=$plan"; exit 0 ;;
    3) log warn still-in-progress "timeout=$verify_timeout" "plan=$plan"; exit 3 ;;
    4) rm -f "$pending"; die 4 at-risk "msg=\"moved as planned, but partitions remain at risk; see the lines above\"" "plan=$plan" ;;
    *) die 1 verify-failed "rc=$rc" "plan=$plan" ;;
  esac
}

# --- main ---------------------------------------------------------------------
require FDUD_BOOTSTRAP_SERVER
command -v "$fdud" >/dev/null 2>&1 || die 2 config-missing "msg=\"fdud not found (FDUD_BIN=$fdud)\""
mkdir -p "$state_dir" || die 1 state-dir "dir=$state_dir"
pending="$state_dir/repair-pending"
# With FDUD_ZOOKEEPER the domains and the lock live in ZooKeeper (and the
# ZooKeeper path is used); without it (KRaft, Kafka 4) they live in the
# cluster's own state topic, __fdud_state, reached through the brokers.
admin_flags=(--bootstrap-server "$FDUD_BOOTSTRAP_SERVER")
[ -n "${FDUD_COMMAND_CONFIG:-}" ] && admin_flags+=(--command-config "$FDUD_COMMAND_CONFIG")
if [ -n "${FDUD_ZOOKEEPER:-}" ]; then
  domains="zk:$FDUD_ZOOKEEPER"
  cluster_flags=("${admin_flags[@]}" --zookeeper "$FDUD_ZOOKEEPER")
  lock_flags=(--zookeeper "$FDUD_ZOOKEEPER")
  publish_flags=(--publish "zk:$FDUD_ZOOKEEPER")
else
  domains=kafka
  cluster_flags=("${admin_flags[@]}")
  lock_flags=("${admin_flags[@]}")
  publish_flags=(--publish kafka "${admin_flags[@]}")
fi

if [ "${1:-}" = __repair ]; then
  repair
fi

# Which broker is this? FDUD_BROKER_ID, else broker.id in server.properties.
id_flags=()
if [ -n "$broker" ]; then
  id_flags=(--broker-id "$broker")
else
  props=${FDUD_SERVER_PROPERTIES:-/etc/kafka/server.properties}
  broker=$(sed -n 's/^[[:space:]]*broker\.id[[:space:]]*[=:][[:space:]]*\([0-9][0-9]*\).*/\1/p' "$props" 2>/dev/null | tail -n1)
  [ -n "$broker" ] || die 2 config-missing "msg=\"set FDUD_BROKER_ID or FDUD_SERVER_PROPERTIES (no broker.id in $props)\""
  id_flags=(--broker-id "$broker")
fi
export FDUD_BROKER_ID=$broker

# --allow-missing: only this broker is read here; the others publish their own.
run publish "$fdud" domains --source imds "${id_flags[@]}" --allow-missing "${publish_flags[@]}" >/dev/null
case $rc in
  0)
    if [ ! -e "$pending" ]; then
      log info unchanged
      exit 0
    fi
    log info resume "msg=\"an earlier repair did not finish\""
    ;;
  6)
    : >"$pending" || die 1 state-dir "dir=$state_dir"
    log warn domain-changed "msg=\"this broker's fault/update domain changed; repairing its partitions\""
    ;;
  *) die 1 publish-failed "rc=$rc" ;;
esac

# The lock spans plan, execute and verify: two brokers whose domains changed
# together repair one after the other, each planning on the state the other
# left. A refused run exits 5 and the next run retries (the pending marker
# stays).
# The locked part's own lines pass through; fdud lock's (a busy lock names
# its holder) become log lines too.
"$fdud" lock "${lock_flags[@]}" --name "$lock_name" -- "$0" __repair 2> >(
  while IFS= read -r l; do
    case $l in
      "$prog: "*) printf '%s\n' "$l" >&2 ;;
      ?*) log info lock "msg=\"${l//\"/\'}\"" ;;
    esac
  done
)
rc=$?
wait 2>/dev/null # let the relay finish writing
if [ $rc -eq 5 ]; then
  log warn busy "msg=\"another repair holds the lock or reassignments are in flight; retrying next run\""
fi
exit $rc
