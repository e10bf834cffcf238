#!/usr/bin/env bash
# Runs the halte demo: an embedded broker, a hub on a sample Ghent GTFS, a stop
# device at Gent Korenmarkt, and a scripted operator. It speaks through the
# sound card, or writes WAV files where there is none.
#   scripts/demo.sh [--for 30s] [--wav-dir DIR]
# Installs espeak-ng, libasound2-dev and pkg-config with apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages espeak-ng libasound2-dev pkg-config
echo "halte: building..." >&2
go build -o bin/halte ./cmd/halte
exec bin/halte demo "$@"
