#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, checks that
# Package.swift declares exactly what each target imports, builds, and runs
# every test (unit, integration with real processes on 127.0.0.1, the tiny
# sweep), runs the scale test shortened and the multi-host checks (where
# namespaces and FUSE are there), then fuzzes both parser targets
# briefly (FUZZ_SECONDS each, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config gnuplot-nox python3 python3-prometheus-client systemd
bash scripts/check-imports.sh
swift build --build-tests
# The sweep and the benchmarks run release (whole-module) builds, which
# resolve imports differently: build one here too so a break shows in CI.
swift build -c release
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test --skip-build 2>&1 | tee "$log" || status=$?
# The scale test, shortened: two fronts, short phases and cool-downs, at
# most 3 workers; it fails unless each front scaled out in the high phase
# and back to one worker after it with no failed request. Each step in
# takes about 8 s (the drain, a fresh 3-sample window, the 3 s cool-down),
# so the last phase leaves room for two.
scale_out=$(mktemp -d)
bash scripts/scale-test.sh --bin "$(swift build -c release --show-bin-path)" --modes "http direct" --max-workers 3 \
  --phases "200:4s,4000:10s,200:26s" --scale-out-cooldown 2s --scale-in-cooldown 3s --out "$scale_out" --check >/dev/null || status=$?
rm -rf "$scale_out"
# The multi-host checks (three hosts as network namespaces over one
# GlusterFS volume, about 3 minutes) where the machine allows them: root,
# network namespaces and FUSE; otherwise one line says why they were skipped.
multihost_unavailable() {
  [ "$(id -u)" -eq 0 ] || { echo "not root"; return 0; }
  [ -e /dev/fuse ] || modprobe fuse 2>/dev/null || true
  [ -e /dev/fuse ] || { echo "no /dev/fuse (FUSE)"; return 0; }
  local probe=mhprobe$$
  ip netns add "$probe" 2>/dev/null || { echo "cannot make a network namespace"; return 0; }
  ip netns del "$probe"
  return 1
}
if reason=$(multihost_unavailable); then
  echo "multihost checks: skipped ($reason)"
else
  multihost_out=$(mktemp -d)
  bash scripts/multihost.sh --check --bin "$(swift build -c release --show-bin-path)" --out "$multihost_out" >/dev/null || status=$?
  cat "$multihost_out"/multihost-check-*.txt 2>/dev/null | grep -v '^#' || echo "multihost checks: no results written"
  rm -rf "$multihost_out"
fi
bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}" || status=$?
summary=$(grep -aE "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -n 1 || true)
executed=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$summary" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
if [ -z "$summary" ] || [ "$executed" -eq 0 ]; then
  echo "tests: no XCTest summary found" >&2
  exit 1
fi
echo "tests: $((executed - failed)) passed, $failed failed"
exit $status
