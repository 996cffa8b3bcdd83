#!/usr/bin/env bash
# System calls per request, blob-server vs one nginx worker (strace -c -f over
# a fixed number of requests per kind): GET / keep-alive, GET and PUT of a
# 10 KiB blob, GET / with a new connection per request. Prints one table per kind.
# Usage: scripts/syscalls.sh [--requests N] > results/bench/syscalls-$(date +%F).txt
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config nginx strace curl python3
swift build -c release --product blob-server >&2
exec python3 scripts/syscalls.py --binary "$(swift build -c release --show-bin-path)/blob-server" "$@"
