#!/usr/bin/env bash
# The autoscaler watched at work: for each front (--modes), starts
# blob-cluster --autoscale with one worker on a fresh store, drives it with an
# open-loop blob-load through low, high and low rates (--phases; fixed rates
# whatever the latencies, latency counted from each request's due time),
# samples the supervisor's metrics every second (workers wanted and running,
# the workers' CPU the policy sees), and writes
# OUT/scale-<date>-<cpu>-<cores>c.txt (one line per second per front, the
# scale decisions with their reasons, and the goals computed from the lines)
# and a PNG beside it (offered and answered rate, p99, errors, workers over
# time, one column per front).
#
# Usage: scripts/scale-test.sh [options]
#   --modes "http direct tcp"          fronts, each in turn
#   --phases "200:20s,4000:40s,200:60s"    RATE:DURATION,... (blob-load --phases)
#   --action baseline                  blob-load action (baseline, get, put, ...)
#   --concurrency 32                   blob-load's most connections
#   --target 5                         --autoscale-target (percent of a core per worker)
#   --max-workers 4                    --max-workers (the policy's ceiling)
#   --scale-out-cooldown 5s            passed to blob-cluster
#   --scale-in-cooldown 10s            passed to blob-cluster
#   --port 8000                        front port; workers, balancer and metrics above it
#   --out results                      output folder
#   --name scale                       the file name's first word
#   --store-parent DIR                 where fresh stores are made (default /dev/shm)
#   --bin DIR                          use the binaries in DIR instead of building
#   --check                            exit 1 unless each front scaled out in the
#                                      high phase and back to one worker after it,
#                                      and failed requests met the goal (0 in http
#                                      and direct, at most 0.1 % in tcp)
#   -h, --help
#
# Why a target of 5 %: on a 2-core machine the load generator, the front and
# the workers share the cores, and one worker answers GET / for about 20 us of
# CPU, so no rate this box can offer without overloading itself (about 6000/s
# through the http front) drives a worker near a production target such as
# 60 %. The policy is the same at any target; the low one only lets it act
# within reach. Installs what is missing (libevent-dev, zlib1g-dev,
# pkg-config, gnuplot-nox, python3), builds in release mode, prints the paths
# of the results file and the chart. Everything listens on 127.0.0.1.
set -euo pipefail

usage() { sed -n '13,31p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "scale-test.sh: $*" >&2; exit 64; }
progress() { echo "[scale $(date +%H:%M:%S)] $*" >&2; }
script=scale-test.sh
source "$(dirname "$0")/lib/cluster.sh"

modes="http direct tcp" phases="200:20s,4000:40s,200:60s" action=baseline concurrency=32 target=5 max_workers=4
out_cooldown=5s in_cooldown=10s port=8000 out=results name=scale store_parent="" bin="" check=0
while [ $# -gt 0 ]; do
  option=$1 value=""
  case "$option" in
    --*=*) value=${option#*=}; option=${option%%=*} ;;
    --modes|--phases|--action|--concurrency|--target|--max-workers|--scale-out-cooldown|--scale-in-cooldown|--port|--out|--name|--store-parent|--bin)
      [ $# -ge 2 ] || die "$option needs a value"; value=$2; shift ;;
  esac
  case "$option" in
    --modes) modes=$value ;;
    --phases) phases=$value ;;
    --action) action=$value ;;
    --concurrency) concurrency=$value ;;
    --target) target=$value ;;
    --max-workers) max_workers=$value ;;
    --scale-out-cooldown) out_cooldown=$value ;;
    --scale-in-cooldown) in_cooldown=$value ;;
    --port) port=$value ;;
    --out) out=$value ;;
    --name) name=$value ;;
    --store-parent) store_parent=$value ;;
    --bin) bin=$value ;;
    --check) check=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$option' (see --help)" ;;
  esac
  shift
done
[ -n "${modes// /}" ] || die "--modes is empty"
for mode in $modes; do [[ " tcp http direct " == *" $mode "* ]] || die "unknown mode '$mode' (tcp, http, direct)"; done
[[ $phases =~ ^[0-9.]+:[0-9.]+(ms|s|m)?(,[0-9.]+:[0-9.]+(ms|s|m)?)*$ ]] || die "--phases must be RATE:DURATION,... (e.g. 1000:20s,6000:40s)"
positive --concurrency "$concurrency"; positive --target "$target"; positive --max-workers "$max_workers"; positive --port "$port"
[ $((port + max_workers + 30)) -le 65535 ] || die "--port too high"
store_parent=$(default_store_parent "$store_parent")
[ -d "$store_parent" ] && [ -w "$store_parent" ] || die "--store-parent: not a writable folder: $store_parent"

cd "$(dirname "$0")/.."
release_binaries libevent-dev zlib1g-dev pkg-config gnuplot-nox python3
mkdir -p "$out"
work=$(mktemp -d)
sampler_pid="" load_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
  cluster_stop || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

metrics_port=$((port + max_workers + 20))
# One scrape of the supervisor's /metrics with bash's /dev/tcp (no curl on
# a fresh machine): "wanted running cpu" or nothing if it did not answer.
scrape() {
  local text
  text=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$metrics_port && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2>/dev/null) || return 0
  awk '/^cluster_workers_wanted / { w = $2 } /^cluster_workers_running / { r = $2 } /^cluster_autoscale_worker_cpu / { c = $2 }
       END { if (w != "") printf "%d %d %s\n", w, r, (c == "" ? "nan" : c) }' <<<"$text"
}

# Every second until killed: "elapsed wanted running cpu", elapsed from $1 (epoch seconds).
sample() {
  local start=$1 file=$2 next=1 now line
  while true; do
    now=$(date +%s.%N)
    line=$(scrape)
    [ -n "$line" ] && echo "$(awk -v n="$now" -v s="$start" 'BEGIN { printf "%.2f", n - s }') $line" >>"$file"
    sleep "$(awk -v n="$(date +%s.%N)" -v s="$start" -v k="$next" 'BEGIN { d = s + k - n; printf "%.3f", (d > 0 ? d : 0) }')"
    next=$((next + 1))
  done
}

for mode in $modes; do
  progress "$mode: blob-cluster --autoscale (1 worker, at most $max_workers, target $target %), load $phases"
  cluster_start "$work/$mode.log" --workers 1 --min-workers 1 --max-workers "$max_workers" --mode "$mode" \
    --port "$port" --worker-base-port $((port + 1)) --metrics-port "$metrics_port" --log-level info \
    --autoscale --autoscale-target "$target" --autoscale-interval 1s \
    --scale-out-cooldown "$out_cooldown" --scale-in-cooldown "$in_cooldown"
  start=$(date +%s.%N)
  : >"$work/$mode.samples"
  sample "$start" "$work/$mode.samples" &
  sampler_pid=$!
  "$bin/blob-load" --action "$action" --url "http://127.0.0.1:$port" --phases "$phases" --concurrency "$concurrency" \
    --size 1KiB --clean-up --timeline "$work/$mode.timeline" --latencies "$work/$mode.latencies" --json >"$work/$mode.json" &
  load_pid=$!
  wait "$load_pid"
  load_pid=""
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  cluster_stop
done

machine_describe
stem="$out/$name-$(date +%Y-%m-%d)-$slug-${cores}c"
{
  echo "# blob-cluster autoscaling under an open-loop load, $(date +%Y-%m-%d)"
  machine_header
  echo "# load: blob-load --action $action --phases $phases --concurrency $concurrency --size 1KiB --clean-up (open loop: latency from each action's due time)"
  echo "# cluster: blob-cluster --workers 1 --min-workers 1 --max-workers $max_workers --autoscale --autoscale-target $target --autoscale-interval 1s --scale-out-cooldown $out_cooldown --scale-in-cooldown $in_cooldown; store on $store_parent (fsync off)"
  echo "# CPU: the load generator, the front and the workers share all $(nproc) cores"
} >"$stem.txt"
python3 scripts/scale_report.py --work "$work" --modes "$modes" --phases "$phases" --out "$stem.txt" --plot "$work/plot.gnuplot" --png "$stem.png" \
  $([ "$check" = 1 ] && echo --check) && status=0 || status=$?
gnuplot "$work/plot.gnuplot"
echo "$stem.txt"
echo "$stem.png"
exit "$status"
