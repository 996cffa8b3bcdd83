#!/usr/bin/env bash
# blob-balancer vs haproxy in front of the same backends (two nginx, two
# blob-server workers), tcp and http modes: GET / keep-alive c10, c64 and a
# new connection per request. Prints medians and CPU-per-request ratios.
# Usage: scripts/bench-balancer.sh [--rounds N] [--seconds S] [--backends nginx,blob-server]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config nginx haproxy wrk
swift build -c release >&2
exec python3 scripts/bench_balancer.py --bin "$(swift build -c release --show-bin-path)" "$@"
