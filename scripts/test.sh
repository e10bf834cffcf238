#!/usr/bin/env bash
# Runs all of halte's tests against the real parts: Mosquitto (each test
# starts its own on a free loopback port), espeak-ng, ALSA (into a file, or
# a PulseAudio null sink paced like a card), bbolt files, headless Chromium
# with axe-core for the stop's screen and the route report, the API's OpenAPI file
# validated, and the public feeds in
# ../shared/corpus. The pins are periph's gpiotest fakes.
#   scripts/test.sh
# Installs mosquitto, nats-server, apache2-utils (htpasswd), espeak-ng, libasound2-dev, pkg-config, chromium,
# pulseaudio (with its utilities and ALSA plugin) and npm with apt if
# missing, and axe-core and swagger-parser (the OpenAPI validator) with npm
# into ~/.cache/halte; then builds and checks
# the packages (scripts/package-test.sh, which installs the cross compilers,
# qemu-user-static, debootstrap and nfpm).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages mosquitto nats-server apache2-utils espeak-ng libasound2-dev pkg-config chromium pulseaudio pulseaudio-utils libasound2-plugins sox
command -v npm >/dev/null || need_packages nodejs npm
npm_dir=${XDG_CACHE_HOME:-$HOME/.cache}/halte/npm
npm_packages=(axe-core@4 @apidevtools/swagger-parser@12.1.0)
if [[ ! -f $npm_dir/node_modules/axe-core/axe.min.js || ! -f $npm_dir/node_modules/@apidevtools/swagger-parser/package.json ]]; then
    echo "halte: installing ${npm_packages[*]} (npm) into $npm_dir" >&2
    mkdir -p "$npm_dir"
    npm install --prefix "$npm_dir" --no-save --no-audit --no-fund --loglevel=error "${npm_packages[@]}" >&2
fi
export HALTE_AXE=$npm_dir/node_modules/axe-core/axe.min.js HALTE_NODE_MODULES=$npm_dir/node_modules
if [[ ! -d ../shared/corpus ]]; then
    echo "halte: ../shared/corpus is missing; the feed conformance tests will be skipped (and fail in CI)" >&2
fi

echo "== go vet (the full build and the device build)" >&2
go vet ./...
go vet -tags device ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then
    echo "halte: gofmt would change: $unformatted" >&2
    exit 1
fi

echo "== go test" >&2
go test -p 2 -count=1 ./...

# The race detector is slow on small machines: run it where goroutines meet.
echo "== go test -race (concurrent packages)" >&2
go test -race -p 1 -count=1 ./mqtt/... ./feeds/hub/... ./firmware/... ./device/gpio/... ./api/...

# A short fault campaign and crash storm (scripts/faults.sh: the full one
# runs 100 runs and 200 kills); the fuzz targets' seeds ran above as tests.
echo "== fault campaign (10 runs, a storm of 20 kills)" >&2
scripts/faults.sh --runs 10 --storm 20

# The packages for the Pi (arm64, armhf) and the hub (amd64): built with
# their cross compilers, smoke-tested under qemu-user, and the amd64 one
# installed into a clean Debian and purged.
echo "== packages (scripts/package-test.sh)" >&2
scripts/package-test.sh
