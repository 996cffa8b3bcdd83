#!/usr/bin/env bash
# The product's main job: the LEAP Soledad multiprocess study, reproduced.
# Installs what is missing, builds in release mode, and runs the sweep
# (1, 2, 4, 8 workers x baseline, list, put, get, flag, delete; 1000 actions
# of 10 KiB, concurrency 10, kept-alive connections, 5 runs) into results/.
# Usage: scripts/sweep.sh [--workers "1 2 4 8"] [--actions "..."] [--amount N]
#        [--size 10KiB] [--concurrency N] [--runs N] [--mode tcp|http]
#        [--new-connection-per-request] [--with-haproxy] [--port 8000] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [ "$arg" = "-h" ] || [ "$arg" = "--help" ]; then
    exec python3 scripts/sweep.py --bin . --help
  fi
done
packages=(libevent-dev zlib1g-dev pkg-config gnuplot-nox)
for arg in "$@"; do [ "$arg" = "--with-haproxy" ] && packages+=(haproxy); done
bash scripts/install-deps.sh "${packages[@]}"
echo "[sweep] building in release mode" >&2
swift build -c release >&2
exec python3 scripts/sweep.py --bin "$(swift build -c release --show-bin-path)" "$@"
