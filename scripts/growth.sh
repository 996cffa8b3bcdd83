#!/usr/bin/env bash
# The growth study: do requests slow down as the store fills? Starts a fresh
# blob-cluster on a fresh store, fills it through the API (blob-load PUTs at
# high concurrency, random hex UUIDs as Soledad's, so the prefix directories
# fill as in use) to each step of stored blobs, and at each step runs two
# benchmarks: sequential uploads (one client, one request at a time) and a
# load test at --concurrency of each request kind in turn: put, get, flag,
# delete, count (list?only_count=1 of the full namespace) and list-small (the
# list of a namespace of --small blobs). Writes one line per step x benchmark
# x kind to OUT/growth-<date>-<cpu>-<cores>c.txt and draws the PNG beside it.
#
# Usage: scripts/growth.sh [options]
#   --max 100000            largest step: the steps are 10^3, 10^4, ... up to it
#   --steps "1000 10000"    the steps of stored blobs, given (instead of --max)
#   --size 1KiB             blob size
#   --amount 1000           requests per benchmark and kind (get, flag: a PUT,
#                           the request, a DELETE; only the request is reported)
#   --seconds 20            no request of a benchmark and kind starts after this
#                           long (a slow kind reports fewer than --amount)
#   --concurrency 10        connections of the load test
#   --fill-concurrency 64   connections of the fill
#   --small 10              blobs in the small namespace that list-small lists
#   --workers 2             blob-cluster workers
#   --quota SIZE            run the study a second time, on a fresh cluster and
#                           store with --quota SIZE; its lines end quota=SIZE
#   --quota-only            with --quota: only the pass with quota
#   --port 8000             the balancer's port; workers on the next ones
#   --out results           output folder
#   --suffix WORD           appended to the file name (e.g. before)
#   --store-parent DIR      where the fresh stores are made (default /dev/shm,
#                           a tmpfs, when writable; else TMPDIR)
#   --bin DIR               use the binaries in DIR instead of building (tests)
#   -h, --help
#
# The store keeps its size during the benchmarks: every action that writes a
# blob deletes it at its end (blob-load --clean-up), so a step's blobs are the
# blobs stored when its benchmarks ran (plus at most --concurrency in flight).
# Kinds run one after the other, not mixed, so each line is that kind's own
# latency at that size: a kind that slows down (a count walking the tree)
# shows on its own line instead of in every other kind's.
#
# Installs what is missing first (libevent-dev, zlib1g-dev, pkg-config,
# gnuplot-nox, python3), builds in release mode, and prints the paths of the
# results file and the chart. Progress goes to stderr. Everything listens on
# 127.0.0.1; fsync is off. A fill's PUTs that did not get 200 are retried
# (the server counts what is stored) and noted in the header; the
# benchmarks' answers, whatever they are, are counted in the lines.
set -euo pipefail

usage() { sed -n '12,33p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "growth.sh: $*" >&2; exit 64; }
progress() { echo "[growth $(date +%H:%M:%S)] $*" >&2; }
script=growth.sh
source "$(dirname "$0")/lib/cluster.sh"

max=100000 steps="" size=1KiB amount=1000 seconds=20 concurrency=10 fill_concurrency=64 small=10 workers=2
quota="" quota_only=0 port=8000 out=results suffix="" store_parent="" bin=""
while [ $# -gt 0 ]; do
  option=$1 value=""
  case "$option" in
    --*=*) value=${option#*=}; option=${option%%=*} ;;
    --max|--steps|--size|--amount|--seconds|--concurrency|--fill-concurrency|--small|--workers|--quota|--port|--out|--suffix|--store-parent|--bin)
      [ $# -ge 2 ] || die "$option needs a value"; value=$2; shift ;;
  esac
  case "$option" in
    --max) max=$value ;;
    --steps) steps=$value ;;
    --size) size=$value ;;
    --amount) amount=$value ;;
    --seconds) seconds=$value ;;
    --concurrency) concurrency=$value ;;
    --fill-concurrency) fill_concurrency=$value ;;
    --small) small=$value ;;
    --workers) workers=$value ;;
    --quota) quota=$value ;;
    --port) port=$value ;;
    --out) out=$value ;;
    --suffix) suffix=$value ;;
    --store-parent) store_parent=$value ;;
    --bin) bin=$value ;;
    --quota-only) quota_only=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$option' (see --help)" ;;
  esac
  shift
done

for pair in "--max $max" "--amount $amount" "--seconds $seconds" "--concurrency $concurrency" \
            "--fill-concurrency $fill_concurrency" "--small $small" "--workers $workers" "--port $port"; do
  positive $pair
done
[ $((port + workers)) -le 65535 ] || die "--port too high for $workers workers"
if [ -z "$steps" ]; then
  [ "$max" -ge 1000 ] || die "--max must be at least 1000 (or give --steps)"
  steps="" step=1000
  while [ "$step" -le "$max" ]; do steps="$steps $step"; step=$((step * 10)); done
fi
previous=0
for step in $steps; do
  positive --steps "$step"
  [ "$step" -gt "$previous" ] || die "--steps must grow: $steps"
  previous=$step
done
[ -n "${steps// /}" ] || die "--steps is empty"
[[ -z $suffix || $suffix =~ ^[A-Za-z0-9_-]+$ ]] || die "--suffix must be a word of A-Za-z0-9_-"
[[ $quota_only = 0 || -n $quota ]] || die "--quota-only needs --quota SIZE"
[[ -z $quota || $quota =~ ^[0-9]+([KMGT]i?B?)?$ ]] || die "--quota: not a size: $quota (e.g. 100GiB)"

store_parent=$(default_store_parent "$store_parent")
[ -d "$store_parent" ] && [ -w "$store_parent" ] || die "--store-parent: not a writable folder: $store_parent"

cd "$(dirname "$0")/.."
release_binaries libevent-dev zlib1g-dev pkg-config gnuplot-nox python3

work=$(mktemp -d "${TMPDIR:-/tmp}/growth-XXXXXX")
cluster_prefix=()
trap 'cluster_stop || true; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
url="http://127.0.0.1:$port"
user=growth

# blob-load against the cluster as the study's user, printing its JSON.
load() {
  "$bin/blob-load" --url "$url" --user "$user" --size "$size" --ids uuid --timeout 60s --json "$@" \
    || { echo "growth.sh: blob-load $* failed" >&2; exit 1; }
}

# The blobs the server counts in namespace $1 (GET list?only_count=1); up
# to 5 tries, 2 s apart (a worker being restarted resets its connections).
stored_count() {
  local try
  for try in 1 2 3 4 5; do
    python3 -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1], timeout=120))["count"])' "$url/blobs/$user/?only_count=1&namespace=$1" 2>"$work/count-error" \
      && return 0
    progress "count of namespace $1 failed (try $try of 5): $(tail -n 1 "$work/count-error")"
    sleep 2
  done
  echo "growth.sh: could not count the blobs of namespace $1" >&2
  exit 1
}

# Fills namespace $2 to $1 blobs: PUTs of new blobs, counted by the server
# after each round, until there are as many (at most 10 rounds). A round's
# PUTs that did not get 200 (a reset, a 507) are noted for the file's
# header and made up by the next round. Sets `stored` to the server's count.
fill() {
  local target=$1 namespace=$2 json round failed
  stored=$(stored_count "$namespace")
  for round in $(seq 10); do
    [ "$stored" -lt "$target" ] || return 0
    json=$(load --action put --amount $((target - stored)) --concurrency "$fill_concurrency" --namespace "$namespace")
    failed=$(python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["failures"], "of", r["requests"], "PUTs without 200:", ",".join(f"{k}={v}" for k, v in sorted({**r["statuses"], **r["errors"]}.items())))' <<<"$json")
    if [ "${failed%% *}" != 0 ]; then
      echo "# fill quota=$quota_label namespace=$namespace to $target (round $round): $failed" >>"$work/fill-notes"
      progress "fill: $failed"
    fi
    stored=$(stored_count "$namespace")
  done
  [ "$stored" -ge "$target" ] || { echo "growth.sh: could not fill namespace $namespace to $target blobs in 10 rounds ($stored stored)" >&2; exit 1; }
}

# Notes for the header how many workers blob-cluster restarted (and how
# many of those it killed for missed liveness probes) up to step $1 since
# the last note: a restarted worker resets its connections.
note_restarts() {
  local restarts liveness
  restarts=$(grep -c 'restarting worker' "$cluster_log" || true)
  liveness=$(grep -c 'liveness probes in a row' "$cluster_log" || true)
  if [ "$restarts" -gt "$restarts_seen" ]; then
    echo "# restarts quota=$quota_label: $((restarts - restarts_seen)) worker restarts during the fill to and benchmarks at step $1" \
      "($liveness killed for missed liveness probes so far in this pass)" >>"$work/fill-notes"
    progress "warning: $((restarts - restarts_seen)) worker restarts by step $1"
  fi
  restarts_seen=$restarts
}

# One benchmark of one kind: blob-load with $4..., one line for kind $3.
measure() {
  local stored=$1 benchmark=$2 kind=$3 json
  shift 3
  json=$(load --amount "$amount" --duration "${seconds}s" --clean-up "$@")
  python3 scripts/lib/growth.py line "$stored" "$benchmark" "$kind" "${quota_label}" <<<"$json" >>"$work/lines" 2>"$work/warnings" \
    || { echo "growth.sh: could not read blob-load's report: $json" >&2; exit 1; }
  if [ -s "$work/warnings" ]; then progress "warning: $stored $benchmark $kind: $(paste -sd';' "$work/warnings")"; fi
  tail -n 1 "$work/lines" | sed 's/^/  /' >&2
}

passes="off"
if [ -n "$quota" ]; then passes="off $quota"; fi
if [ "$quota_only" = 1 ]; then passes=$quota; fi
started=$(date +%s)
load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$work/lines"
: >"$work/fill-notes"
for quota_label in $passes; do
  quota_option=()
  if [ "$quota_label" != off ]; then quota_option=(--quota "$quota_label"); fi
  progress "quota=$quota_label: starting blob-cluster with $workers workers on a fresh store"
  cluster_start "$work/cluster-$quota_label.log" --workers "$workers" --port "$port" --worker-base-port $((port + 1)) \
    --graceful-timeout 5s --log-level info "${quota_option[@]}"
  cluster_log="$work/cluster-$quota_label.log" restarts_seen=0
  fill "$small" small
  for step in $steps; do
    progress "quota=$quota_label: filling to $step blobs"
    fill_began=$(date +%s.%N)
    fill "$step" default
    if [ "$stored" != "$step" ]; then
      echo "# fill quota=$quota_label: $stored blobs stored at step $step (a PUT answered by a reset was stored)" >>"$work/fill-notes"
    fi
    progress "quota=$quota_label: $step blobs stored (the fill took $(awk -v b="$fill_began" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - b }') s); benchmarks"
    measure "$step" sequential put --action put --concurrency 1
    for kind in put get flag delete count list-small; do
      case "$kind" in
        list-small) measure "$step" load "$kind" --action list --namespace small --concurrency "$concurrency" ;;
        *) measure "$step" load "$kind" --action "$kind" --concurrency "$concurrency" ;;
      esac
    done
    note_restarts "$step"
  done
  cluster_stop || exit 1
  progress "quota=$quota_label: cluster stopped, nothing of it left running, store removed"
done

machine_describe
mkdir -p "$out"
name="$out/growth-$(date +%Y-%m-%d)-$slug-${cores}c${suffix:+-$suffix}"
{
  echo "# blob-cluster growth study (scripts/growth.sh): latency against the number of blobs stored"
  machine_header
  echo "# settings: steps=\"${steps# }\" size=$size amount=$amount seconds=$seconds concurrency=$concurrency" \
    "fill_concurrency=$fill_concurrency small=$small workers=$workers mode=tcp fsync=off ids=uuid user=$user"
  echo "# quota: the last column; off = blob-cluster without --quota, SIZE = a second pass on a fresh store with --quota SIZE"
  echo "# store: fresh per pass under $store_parent ($(df --output=fstype "$store_parent" 2>/dev/null | tail -n1));" \
    "filled through the API (blob-load put, --fill-concurrency connections, random hex UUIDs)"
  echo "# benchmarks: sequential = one connection, one request at a time (PUT); load = --concurrency connections, one kind at a time;"
  echo "#   each action that writes a blob deletes it at its end (not reported), so the store keeps the step's size"
  echo "# kinds: put, get (of a blob just put), flag (POST [\"PROCESSING\"]), delete, count (GET list?only_count=1 of the step's"
  echo "#   namespace), list-small (GET list of a namespace of $small blobs of the same user)"
  echo "# count = requests measured (fewer than amount when --seconds ended the run); latencies in ms (HdrHistogram, client side);"
  echo "#   statuses = answers by status, then failures without an answer by reason (refused, reset, timeout = no answer in 60 s; verify = wrong bytes)"
  echo "# restarts: workers blob-cluster restarted (from its log); none is noted when there were none"
  echo "# load during the study (1-minute load average, before / after): $load_before / $(cut -d' ' -f1 /proc/loadavg);" \
    "duration: $(( $(date +%s) - started )) s"
  cat "$work/fill-notes"
  echo "# stored benchmark kind count p50_ms p90_ms p99_ms p99.9_ms statuses quota"
  cat "$work/lines"
} >"$name.txt"
python3 scripts/lib/growth.py goals "$name.txt" >>"$name.txt"
progress "wrote $name.txt"
bash scripts/plot-growth.sh "$name.txt" "$name.png" \
  "blob-cluster growth $(date +%Y-%m-%d): $cpu, $cores cores, $workers workers, $size blobs" >/dev/null
progress "drew $name.png"
echo "$name.txt"
echo "$name.png"
