#!/usr/bin/env bash
# The kill -9 storm of Tests/IntegrationTests/KillStormTests.swift at full
# length: a random worker of a 4-worker http cluster killed every 300 ms
# while blob-load and the test's recording client PUT, GET and DELETE; then
# the store check before and after --repair, and every acknowledged blob read
# back. Usage: scripts/measure-faults.sh [SECONDS] (default 30). Writes
# results/faults-<date>-<cpu>-<cores>c.txt. The test stops and removes every
# process and store it started (store on /dev/shm).
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-30}
case $seconds in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 64;; esac
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config
swift build --build-tests >&2
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
cores=$(nproc)
short=$(echo "$cpu" | sed -E 's/\(R\)|\(TM\)|Processor|CPU|[0-9]+-Core//g; s/ +/ /g; s/^ //; s/ @.*//' | awk '{print $1"-"$2}')
out=results/faults-$(date -u +%Y-%m-%d)-$short-${cores}c.txt
report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT
if ! STORM_SECONDS=$seconds STORM_REPORT=$report swift test --skip-build --filter KillStormTests > "$log" 2>&1; then
  grep -E "error|failed" "$log" >&2 || tail -40 "$log" >&2
  echo "the storm failed its checks; see above" >&2
  exit 1
fi
{
  echo "# kill -9 storm (scripts/measure-faults.sh $seconds)"
  echo "machine: $cpu, $cores cores, $(uname -sr), $(grep MemTotal /proc/meminfo | awk '{print int($2/1024)" MiB"}')"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources || echo ' (with uncommitted changes)')"
  echo "build: debug (swift build --build-tests), as the test suite runs it"
  sed -E 's#/dev/shm/storm-[0-9A-F-]+#STORE#g' "$report"
} > "$out"
cat "$out"
echo "wrote $out" >&2
