#!/usr/bin/env bash
# The JSON and base64 paths (POST flags, only_flags, a 1,000-blob listing,
# filter_flag, a blob's Tag) of this tree's blob-server (B) against the one
# built from REF (A, default: the parent commit), alternating, medians, CPU
# per request. Both are release builds; REF is built in a scratch worktree
# that is removed afterwards.
# Usage: scripts/bench-json.sh [--ref REF] [--rounds N] [--seconds S] [--only ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ref=HEAD~1
if [[ "${1:-}" == "--ref" ]]; then ref=$2; shift 2; fi
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config wrk python3
swift build -c release --product blob-server >&2
new="$(swift build -c release --show-bin-path)/blob-server"
scratch=$(mktemp -d /tmp/bench-json-ref-XXXXXX)
trap 'git worktree remove --force "$scratch/tree" 2>/dev/null || true; rm -rf "$scratch"' EXIT
git worktree add -q --detach "$scratch/tree" "$ref"
(cd "$scratch/tree" && swift build -c release --product blob-server >&2)
old="$(cd "$scratch/tree" && swift build -c release --show-bin-path)/blob-server"
python3 scripts/bench_json.py --old "$old" --new "$new" "$@"
