#!/usr/bin/env bash
# Does blob-load measure what ab measures? Baseline GET / on one blob-server,
# new connection per request and kept alive, alternating; medians and ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config apache2-utils
swift build -c release >&2
exec python3 scripts/check_load_vs_ab.py --bin "$(swift build -c release --show-bin-path)" "$@"
