#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, checks that
# Package.swift declares exactly what each target imports, builds, and runs
# every test (unit, integration with real processes on 127.0.0.1, the tiny
# sweep), runs the scale test shortened, then fuzzes both parser targets
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
