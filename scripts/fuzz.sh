#!/usr/bin/env bash
# Runs every fuzz target of halte (go test -fuzz) for the given time each,
# one after the other, and prints a line per target: its executions, the new
# inputs it found, and its findings (a crash or a broken property; the input
# is kept in the package's testdata/fuzz/ as a regression seed, and runs with
# every go test from then on).
#   scripts/fuzz.sh [--time 60s]
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
fuzztime=60s
while (($#)); do
    case $1 in
        --time) fuzztime=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
need_go
need_packages libasound2-dev pkg-config
machine
targets=(
    ".:FuzzDecodeAlert" ".:FuzzDecodeStopState"
    "./sign:FuzzOpen" "./feeds/gtfsrt:FuzzDecode" "./feeds/siri:FuzzDecode" "./feeds/gtfs:FuzzLoad"
    "./feeds/hub:FuzzApplyAlert" "./firmware/agent:FuzzParseConfig"
    "./tts/phrases:FuzzLexicon" "./tts/phrases:FuzzSpeakable"
)
log=$(mktemp)
found=0
for t in "${targets[@]}"; do
    pkg=${t%%:*} name=${t##*:}
    echo "fuzz.sh: $name in $pkg for $fuzztime" >&2
    go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -parallel 2 >"$log" 2>&1
    code=$?
    last=$(grep -E '^fuzz: elapsed' "$log" | tail -n 1)
    execs=$(sed -E 's/.*execs: ([0-9]+).*/\1/' <<<"$last")
    new=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
    if ((code == 0)); then
        echo "$name ($pkg): ${execs:-0} execs in $fuzztime, ${new:-0} new inputs, findings 0"
    else
        found=$((found + 1))
        input=$(sed -nE 's/.*Failing input written to (.*)/\1/p' "$log" | head -n 1)
        echo "$name ($pkg): ${execs:-0} execs, findings 1: ${input:-see below}"
        grep -E '^\s+\S+_test\.go:[0-9]+:|panic:' "$log" | head -n 5
    fi
done
rm -f "$log"
echo "fuzz: targets ${#targets[@]}, findings $found"
((found == 0))
