#!/usr/bin/env bash
# The fault campaign: randomized runs against the real hub, three agents and
# Mosquitto with persistence, each drawn from a seed: operator alerts
# published, updated and cancelled in a burst while faults strike at random
# moments (Mosquitto killed with SIGKILL and restarted, links cut, delayed
# and reset through a loopback proxy, agents and the hub killed and
# restarted, older documents delivered twice and out of order). Then, per
# device: its state equals the hub's latest document, nothing it committed
# went back, no alert was announced after its cancellation was committed,
# and its state file passes bbolt's check. One line per run, then
#   faults: runs R, faults F, lost L, wrongly spoken W, diverged D
# and the seeds of failing runs (kept in results/faults/failing-seeds).
#   scripts/faults.sh [--runs N] [--seed S] [--storm K] [--broken]
#     --runs N   fault runs (default 10); 0 runs none
#     --seed S   the first run's seed, to replay a failing run (default: drawn)
#     --storm K  also kill an agent K times while it commits (default 0)
#     --broken   use a deliberately broken agent (it stores replayed older
#                documents): the campaign must fail
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
runs=10 seed=0 storm=0 tags=""
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --storm) storm=$2; shift 2 ;;
        --broken) tags=halte_broken_replay; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "faults.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
need_go
need_packages mosquitto espeak-ng libasound2-dev pkg-config
mkdir -p results/faults
bin=$(mktemp -d)/halte
go build -tags "$tags" -o "$bin" ./cmd/halte
machine
echo "faults.sh: $runs runs${tags:+ with the broken agent}, storm of $storm kills" >&2
set +e
go test ./internal/faults -run 'TestCampaign|TestCrashStorm' -count=1 -v -timeout 90m \
    -args -runs "$runs" -seed "$seed" -storm "$storm" -halte "$bin" -failed results/faults/failing-seeds 2>&1 |
    tee results/faults/last.log | grep --line-buffered -E '^(run |faults:|storm:|failing seeds|  [^ ])|_test\.go:[0-9]+:'
status=${PIPESTATUS[0]}
set -e
if ((status != 0)); then
    echo "faults.sh: the campaign failed; full output in results/faults/last.log" >&2
fi
rm -rf "$(dirname "$bin")"
exit $status
