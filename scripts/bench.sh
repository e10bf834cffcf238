#!/usr/bin/env bash
# Measures halte side by side with what users would pick instead, in one run
# on this machine, and prints one table (also written, with a latency
# picture, to results/bench/<time>/):
#   1. publish → first audio sample: an operator alert through the hub to the
#      agent's sound, with ../shared/bench's paced sink and harness, next to
#      its three baselines (mosquitto_sub | espeak-ng, Python paho, Node-RED);
#      and, in the same run, publish → first spoken word (after the chime)
#   2. button → first audio sample, answer synthesized ahead or not
#   3. the agent's idle footprint with 100 active alerts (the device build)
#   4. the hub recomputing and publishing 35,000 stops
#   5. a fleet of simulated agents against bridged Mosquittos, and on a
#      3-node NATS cluster with a node killed during an alert (35,000 each
#      in the full run)
#   6. cold start to a press answered, without a broker
#   7. the binary's size for linux/arm64 (device build and full build)
#
#   scripts/bench.sh [--quick | --region]
#     --quick: fewer alerts, windows and agents, under 5 minutes
#     --region: only figure 5, at 35,000 agents (50 to 80 minutes)
#
# Installs what it needs with apt (mosquitto, espeak-ng, pulseaudio, Python
# paho, an arm64 cross compiler), for Node-RED npm packages, and nats-server
# $nats_release built with go install, into /tmp/halte-bench-cache. Needs
# ../shared/bench beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mode=${1:---full}
[[ $mode =~ ^--(full|quick|region)$ ]] || { echo "usage: scripts/bench.sh [--quick | --region]" >&2; exit 2; }
bench=$(cd ../shared/bench 2>/dev/null && pwd) || { echo "halte: ../shared/bench is missing" >&2; exit 1; }
need_go
need_packages mosquitto mosquitto-clients nats-server espeak-ng libasound2-dev pkg-config python3-paho-mqtt \
    pulseaudio pulseaudio-utils libasound2-plugins bc
command -v npm >/dev/null || need_packages nodejs npm
export BENCH_CACHE=${BENCH_CACHE:-/tmp/halte-bench-cache}
out=results/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out" "$BENCH_CACHE/bin"
if [[ $mode == --quick ]]; then
    n_main=30 n_other=6 e2e=(-pause 800ms -idle 2s -text "Tram 1 rijdt niet.") presses=20 idle_for=10s hub_runs=1 agents=200 nats_agents=200
else
    n_main=100 n_other=30 e2e=() presses=100 idle_for=60s hub_runs=5 agents=35000 nats_agents=35000
fi
# The region's nats-server: 2.15 took a network-wide change twice as fast as
# Debian's 2.9 and has js_api_timeout (README, "Operate a region").
nats_release=v2.15.3
step() { echo "== $*" >&2; }
everything=true # --region: figure 5 only
[[ $mode == --region ]] && everything=false

step "building the bench tool and nats-server $nats_release"
go build -o "$BENCH_CACHE/bin/benchtool" ./scripts/benchtool
nats_bin=$BENCH_CACHE/nats-$nats_release
[[ -x $nats_bin/nats-server ]] || GOBIN=$nats_bin go install "github.com/nats-io/nats-server/v2@$nats_release"

if $everything; then
    step "building halte and the harness"
    go build -o bin/halte ./cmd/halte
    go build -tags device -o bin/halte-device ./cmd/halte
    (cd "$bench/e2elatency" && go build -o "$BENCH_CACHE/bin/e2elatency" .)
    "$bench/baselines/nodered/start.sh" --install

    step "1. publish → first audio sample"
    harness() { # label n sut [flags...]
        local label=$1 n=$2 sut=$3; shift 3
        "$BENCH_CACHE/bin/e2elatency" -sink-script "$bench/audio-sink.sh" -sut "$sut" -label "$label" -n "$n" \
            -json "$out/$label.json" -logdir "$out/logs-$label" "${e2e[@]}" "$@" 2>&1 | tee "$out/$label.log" >&2 || true
    }
    HALTE_CAPTURE=$out/halte.capture harness halte "$n_main" "$PWD/scripts/bench/halte-sut.sh {HOST} {PORT} {STOP}" -v \
        -topic 'halte/v1/operator/alerts/{ID}' \
        -payload '{"id":"{ID}","version":1,"effect":"OTHER_EFFECT","stops":["{STOP}"],"header":{"nl":"{TEXT}"}}'
    harness pipeline "$n_main" "$bench/baselines/pipeline.sh {HOST} {PORT} {STOP}"
    harness python_paho "$n_other" "/usr/bin/python3 $bench/baselines/python_paho.py {HOST} {PORT} {STOP}"
    harness nodered "$n_other" "$bench/baselines/nodered/start.sh {HOST} {PORT} {STOP}"
    "$BENCH_CACHE/bin/benchtool" firstword --capture "$out/halte.capture" --log "$out/halte.log" > "$out/firstword.json" ||
        echo '{}' > "$out/firstword.json"
    rm -f "$out/halte.capture"

    step "2 and 6. button and cold start"
    go test -run '^$' -bench 'PressToFirstSample|ColdStart' -benchtime "${presses}x" ./firmware/agent/ |
        awk '/^Benchmark/ { for (i = 3; i <= NF; i++) { if ($(i) == "p50-ms") p50 = $(i-1); if ($(i) == "p99-ms") p99 = $(i-1) }
            if ($1 ~ /hit/) { hp50 = p50; hp99 = p99 } else if ($1 ~ /miss/) { mp50 = p50; mp99 = p99 } else { cp50 = p50; cp99 = p99 } }
            END { printf "{\"hit_p50_ms\":%s,\"hit_p99_ms\":%s,\"miss_p50_ms\":%s,\"miss_p99_ms\":%s}\n", hp50, hp99, mp50, mp99 > "'"$out/button.json"'"
                  printf "{\"p50_ms\":%s,\"p99_ms\":%s}\n", cp50, cp99 > "'"$out/coldstart.json"'" }'

    step "3. idle footprint with 100 alerts ($idle_for)"
    "$BENCH_CACHE/bin/benchtool" idle --bin bin/halte-device --for "$idle_for" > "$out/idle.json"

    step "4. hub, 35,000 stops"
    go test -run '^$' -bench Region -benchtime "${hub_runs}x" ./feeds/hub/ |
        awk '/^BenchmarkRegion/ { for (i = 3; i <= NF; i++) if ($(i) == "ms") ms = $(i-1); if ($1 ~ /network/) nw = ms; else ol = ms }
            END { printf "{\"network_wide_ms\":%s,\"one_line_ms\":%s}\n", nw, ol > "'"$out/hub.json"'" }'
fi

step "5. fleet of $agents simulated agents"
"$BENCH_CACHE/bin/benchtool" fleet --agents "$agents" --deadline 10m > "$out/fleet.json" ||
    echo '{"agents":0,"limit":"the fleet run failed; see above"}' > "$out/fleet.json"
# As README's "Operate a region" says to run a region: clean sessions, the
# hub on 8 connections, the nodes waiting 30 s for JetStream. An alert may
# take 20 minutes, not 10: after the node's loss, the two nodes left and
# 35,000 simulated devices share this machine's two cores.
step "5. fleet of $nats_agents simulated agents on a 3-node NATS cluster (nats-server $nats_release)"
PATH=$nats_bin:$PATH "$BENCH_CACHE/bin/benchtool" fleet --agents "$nats_agents" --broker nats --session none --publishers 8 \
    --js-api-timeout 30s --deadline 20m > "$out/fleet-nats.json" ||
    echo '{"agents":0,"limit":"the fleet run failed; see above"}' > "$out/fleet-nats.json"

if $everything; then
    step "7. binary size, linux/arm64"
    arm64_size() { # [build tags]
        if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! dpkg-query -W libasound2-dev:arm64 libc6-dev-arm64-cross >/dev/null 2>&1; then
            [[ $(id -u) == 0 ]] && { dpkg --add-architecture arm64 && apt-get update -q && \
                apt-get install -y -q --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross libasound2-dev:arm64; } >&2 || return 1
        fi
        CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig \
            go build -tags "${1:-}" -trimpath -ldflags='-s -w' -o "$BENCH_CACHE/halte-arm64" ./cmd/halte >&2 &&
            echo "$(stat -c %s "$BENCH_CACHE/halte-arm64") / 1048576" | bc -l
    }
    if device=$(arm64_size device) && full=$(arm64_size); then
        printf '{"arm64":"%.1f MB device build, %.1f MB full build (stripped)"}\n' "$device" "$full" > "$out/size.json"
    else
        echo '{"arm64":"not built: no arm64 cross compiler"}' > "$out/size.json"
    fi
fi

step "report"
"$BENCH_CACHE/bin/benchtool" report --dir "$out"
machine
echo "results: $out/report.md and $out/latency.png"
