#!/usr/bin/env bash
# blob-balancer vs haproxy in front of the same two one-process nginx
# backends (add --backends nginx,blob-server for workers too), tcp and http
# modes: GET / with wrk, keep-alive c10 and c64 and a new connection per
# request; alternating rounds, medians, and the proxies' own CPU per request
# with the ratio ours/haproxy. Everything on 127.0.0.1; every process it
# starts is stopped by pid (bench_balancer.py stops them on exit, TERM or INT).
# Usage: scripts/bench-balancer.sh [--rounds N] [--seconds S] [--backends nginx,blob-server]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config nginx haproxy wrk python3
swift build -c release --scratch-path .build-release >&2
exec python3 scripts/bench_balancer.py --bin "$(swift build -c release --scratch-path .build-release --show-bin-path)" "$@"
