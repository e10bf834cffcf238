#!/usr/bin/env bash
# Measures a traveler's button press to the first sample of the spoken
# answer taken by the audio device, through the whole agent, with the answer
# synthesized ahead (cache hit) and not (cache miss); and a cold start (state
# file and speech cache on disk, no broker) to the first sample of the
# answer to a press made as soon as the agent is ready. ALSA writes to a
# file, so this machine needs no sound card.
#   scripts/bench-button.sh [N]      N presses per case (default 50)
# Installs espeak-ng, libasound2-dev and pkg-config with apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages espeak-ng libasound2-dev pkg-config
n=${1:-50}
echo "halte: $n presses per case..." >&2
out=$(go test -run '^$' -bench 'PressToFirstSample|ColdStart' -benchtime "${n}x" ./firmware/agent/)
echo
echo "| to the first audio sample | p50 ms | p99 ms |"
echo "| --- | --- | --- |"
awk '/^Benchmark(PressToFirstSample|ColdStart)/ {
    for (i = 3; i <= NF; i++) { if ($(i) == "p50-ms") p50 = $(i-1); if ($(i) == "p99-ms") p99 = $(i-1) }
    what = ($1 ~ /ColdStart/) ? "cold start, press at once" : (($1 ~ /hit/) ? "button, cache hit" : "button, cache miss")
    printf "| %s | %s | %s |\n", what, p50, p99 }' <<<"$out"
echo
machine; echo "$n presses per case"
