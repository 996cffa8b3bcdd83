#!/usr/bin/env bash
# blob-server vs one nginx worker: GET / (keep-alive c10, c64; new connection
# c10), GET and PUT of 10 KiB blobs. Prints medians and CPU-per-request ratios.
# Usage: scripts/bench-worker.sh [--rounds N] [--seconds S] [--only 'GET /,PUT']
#        [--against PATH/TO/OTHER/blob-server]  (a second build measured in the same rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config nginx wrk curl python3
swift build -c release --product blob-server >&2
exec python3 scripts/bench_worker.py --binary "$(swift build -c release --show-bin-path)/blob-server" "$@"
