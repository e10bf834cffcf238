#!/usr/bin/env bash
# Measures the hub recomputing and publishing, to a real Mosquitto, the
# documents of a generated region of 35,000 stops and 1,000 lines, after a
# network-wide alert and after one line's alert.
#   scripts/bench-hub.sh [N]      N runs of each (default 5)
# Installs mosquitto with apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages mosquitto
n=${1:-5}
echo "halte: $n runs of each..." >&2
out=$(go test -run '^$' -bench Region -benchtime "${n}x" ./feeds/hub/)
echo
echo "| hub: recompute and publish | stops | ms (mean of $n) | goal ms |"
echo "| --- | --- | --- | --- |"
awk '/^BenchmarkRegion\// {
    split($1, name, "/"); sub(/-[0-9]+$/, "", name[2])
    for (i = 3; i <= NF; i++) { if ($(i) == "ms") ms = $(i-1); if ($(i) == "stops") stops = $(i-1) }
    goal = (name[2] == "network-wide") ? 5000 : 100
    printf "| %s | %s | %s | %s |\n", name[2], stops, ms, goal }' <<<"$out"
echo
machine; mosquitto -h 2>/dev/null | head -1
