#!/usr/bin/env bash
# Measures the hub's open API under load: the real `halte hub --http` on a
# generated region of 35,000 stops, each with a document, asked by wrk over
# loopback for random stops' state (GET /v1/stops/{stop}?lang=nl) and for
# the stops around random places (GET /v1/stops?near=...&radius=300). The
# hub runs without its per-client rate limit, which would answer wrk's one
# address with 429.
#   scripts/bench-api.sh [SECONDS] [CONNECTIONS]    (default 20 s, 64 connections)
# Installs mosquitto and wrk with apt if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
need_packages mosquitto wrk
seconds=${1:-20}
conns=${2:-64}
mkdir -p bin
go build -o bin/halte ./cmd/halte
go build -o bin/benchtool ./scripts/benchtool
fig=$(bin/benchtool api --bin bin/halte --stops 35000 --for "${seconds}s" --connections "$conns")
python3 - "$fig" <<'PY'
import json, sys
f = json.loads(sys.argv[1])
print()
print(f"| open API, {f['stops']} stops ({f['documents']} with a document), wrk {f['connections']} connections, {f['seconds']:.0f} s | requests/s | p50 ms | p99 ms | errors |")
print("| --- | --- | --- | --- | --- |")
for name, what in (("state", "GET /v1/stops/{stop}?lang=nl"), ("near", "GET /v1/stops?near=LAT,LON&radius=300")):
    s = f[name]
    print(f"| {what} | {s['rps']:.0f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | {s['non_2xx']} |")
print()
print(f"the hub's resident memory after the runs: {f['hub_rss_mb']:.0f} MB")
PY
machine
