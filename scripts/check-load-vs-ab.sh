#!/usr/bin/env bash
# Checks that blob-load measures what ab measures: on one blob-server, in
# one run, alternating who goes first (ROUNDS rounds), `blob-load --action baseline` against
# `ab` on `GET /`, once with a new connection per request (blob-load
# --new-connection-per-request vs ab) and once kept alive (blob-load vs
# ab -k), each with concurrency 10 and AMOUNT requests. Prints every run's
# requests/s, the medians, their ratio blob-load / ab, and the median of the
# per-round ratios; exits 1 when that median is outside 0.9-1.1 (the goal:
# within 10 %).
#
# Usage: scripts/check-load-vs-ab.sh [--rounds 3] [--amount 1000] [--bin DIR]
# Installs apache2-utils (ab) if missing; builds in release mode unless --bin.
set -euo pipefail

rounds=3 amount=1000 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?}; shift ;;
    --amount) amount=${2:?}; shift ;;
    --bin) bin=${2:?}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-load-vs-ab.sh: unknown option '$1'" >&2; exit 64 ;;
  esac
  shift
done
[[ $rounds =~ ^[1-9][0-9]*$ && $amount =~ ^[1-9][0-9]*$ ]] || { echo "check-load-vs-ab.sh: --rounds and --amount are positive integers" >&2; exit 64; }

cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config apache2-utils
if [ -z "$bin" ]; then
  swift build -c release >&2
  bin=$(swift build -c release --show-bin-path)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/load-vs-ab-XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/store"
"$bin/blob-server" --port 0 --store "$work/store" --log-level warning </dev/null >"$work/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/server.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log" >&2; echo "check-load-vs-ab.sh: blob-server did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"

load() {  # $@: extra blob-load flags; prints requests/s
  local json
  json=$("$bin/blob-load" --action baseline --amount "$amount" --concurrency 10 --url "$url" --json "$@")
  if [ "$(sed -n 's/.*"failures":\([0-9]*\).*/\1/p' <<<"$json")" != 0 ]; then echo "blob-load had failures: $json" >&2; fi
  sed -n 's/.*"requests_per_second":\([^,}]*\).*/\1/p' <<<"$json" | awk '{printf "%.0f\n", $1}'
}
bench() {  # $@: extra ab flags; prints requests/s
  local text
  text=$(ab -q -c 10 -n "$amount" "$@" "$url/" 2>&1) || { echo "$text" >&2; return 1; }
  if grep -qE '^(Failed requests|Non-2xx responses): *[1-9]' <<<"$text"; then grep -E '^(Failed|Non-2xx)' <<<"$text" >&2; fi
  awk '/^Requests per second:/ {printf "%.0f\n", $4}' <<<"$text"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

declare -A runs
for round in $(seq "$rounds"); do
  # Who goes first alternates, so a drift of the machine favours neither.
  if [ $((round % 2)) = 1 ]; then
    runs[load_new]+=" $(load --new-connection-per-request)"; runs[ab_new]+=" $(bench)"
    runs[load_keep]+=" $(load)"; runs[ab_keep]+=" $(bench -k)"
  else
    runs[ab_new]+=" $(bench)"; runs[load_new]+=" $(load --new-connection-per-request)"
    runs[ab_keep]+=" $(bench -k)"; runs[load_keep]+=" $(load)"
  fi
  echo "round $round/$rounds done" >&2
done

status=0
echo "blob-load vs ab on one blob-server, GET /, concurrency 10, $amount requests, $rounds alternating rounds (requests/s)"
for mode in new keep; do
  name="new connection per request (blob-load --new-connection-per-request vs ab)"
  [ "$mode" = keep ] && name="kept alive (blob-load vs ab -k)"
  load_median=$(median <<<"${runs[load_$mode]}")
  ab_median=$(median <<<"${runs[ab_$mode]}")
  ratio=$(awk -v a="$load_median" -v b="$ab_median" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
  # Each round's two runs were adjacent in time: their ratio is steadier
  # than the ratio of medians on a shared machine; the verdict uses it.
  paired=$(paste <(tr ' ' '\n' <<<"${runs[load_$mode]}" | grep .) <(tr ' ' '\n' <<<"${runs[ab_$mode]}" | grep .) \
    | awk '{printf " %.3f", ($2 > 0 ? $1 / $2 : 0)}')
  paired_median=$(median <<<"$paired")
  within=$(awk -v r="$paired_median" 'BEGIN {print (r >= 0.9 && r <= 1.1) ? "yes" : "no"}')
  echo "$name:"
  echo "  blob-load runs:${runs[load_$mode]}  median $load_median"
  echo "  ab runs:       ${runs[ab_$mode]}  median $ab_median"
  echo "  ratio of medians blob-load / ab: $ratio"
  echo "  per-round ratios:$paired  median $paired_median (within 10 %: $within)"
  [ "$within" = yes ] || status=1
done
exit $status
