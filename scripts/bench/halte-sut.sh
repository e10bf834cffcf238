#!/usr/bin/env bash
# halte as a system under test for ../shared/bench's latency harness: the hub
# and a stop agent on the harness's broker. An operator alert goes in (the
# harness publishes it), the agent's speech comes out on the paced sink.
#   halte-sut.sh HOST PORT STOP
# HALTE_BIN is the hub's binary (default bin/halte), HALTE_DEVICE_BIN the
# agent's (default bin/halte-device, the device build, as on a stop).
# The hub takes the harness's unsigned alerts (--insecure for operators) and
# signs its documents; the agent checks them, as in production.
# HALTE_CAPTURE, if set, is a file for a recording of the sink while the
# agent runs (raw s16le mono 48 kHz, as the harness reads it): benchtool
# firstword finds in it when speech starts after each chime.
set -euo pipefail
host=$1 port=$2 stop=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HALTE_BIN:-$root/bin/halte}
device_bin=${HALTE_DEVICE_BIN:-$root/bin/halte-device}
dir=$(mktemp -d /tmp/halte-sut-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf "$dir"' EXIT
mkdir -p "$dir/gtfs"
printf 'stop_id,stop_name\n%s,Bench stop\n' "$stop" > "$dir/gtfs/stops.txt"
printf 'route_id,route_short_name,route_type\nR1,1,0\n' > "$dir/gtfs/routes.txt"
"$bin" keys gen --out "$dir/hub" > /dev/null 2>&1
cat > "$dir/agent.yaml" <<YAML
broker: tcp://$host:$port
device: bench
stops: ["$stop"]
state_dir: $dir/state
hub_keys: [$dir/hub.pub]
# A stop announces each new alert at once: no gathering of bursts, a
# short gap (the harness leaves 3 s of silence between alerts), no repeats.
announce: {coalesce: 1ms, min_gap: 1s, repeat_every: -1s}
YAML
"$bin" hub --broker "tcp://$host:$port" --gtfs "$dir/gtfs" --insecure --key "$dir/hub.key" 2> "$dir/hub.log" &
if [[ -n ${HALTE_CAPTURE:-} ]]; then
    parec -d "$BENCH_SINK_MONITOR" --raw --format=s16le --rate=48000 --channels=1 --latency-msec=10 > "$HALTE_CAPTURE" &
fi
"$device_bin" agent --config "$dir/agent.yaml" 2> "$dir/agent.log" &
wait
