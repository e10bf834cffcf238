#!/usr/bin/env bash
# Runs all of halte's tests against the real parts: Mosquitto (each test
# starts its own on a free loopback port), espeak-ng, ALSA (into a file),
# bbolt files, and the public feeds in ../shared/corpus.
#   scripts/test.sh
# Installs mosquitto, espeak-ng, libasound2-dev and pkg-config with apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages mosquitto espeak-ng libasound2-dev pkg-config
if [[ ! -d ../shared/corpus ]]; then
    echo "halte: ../shared/corpus is missing; the feed conformance tests will be skipped (and fail in CI)" >&2
fi

echo "== go vet" >&2
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then
    echo "halte: gofmt would change: $unformatted" >&2
    exit 1
fi

echo "== go test" >&2
go test -p 2 -count=1 ./...

# The race detector is slow on small machines: run it where goroutines meet.
echo "== go test -race (concurrent packages)" >&2
go test -race -p 1 -count=1 ./feeds/mqtt/... ./feeds/hub/... ./firmware/...
