#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, builds, and
# runs every test (unit, integration with real processes on 127.0.0.1, and a
# short fuzzing run of the HTTP parsers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config gnuplot-nox
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
