#!/usr/bin/env bash
# The study, reproduced: does running several blob-server processes behind a
# round-robin balancer make the blob server faster? For each front and worker count,
# starts a fresh blob-cluster on a fresh store, runs each of the study's six
# actions `runs` times with blob-load, stops the cluster by pid and checks
# nothing of it is left; then writes one line per (workers, action) to
# OUT/sweep-<date>-<cpu>-<cores>c.txt and draws OUT/sweep-....png beside it.
# A run repeats batches of `amount` actions (one blob-load each, fresh ids)
# until --min-run-seconds of load have passed, and reads the CPU time of the
# client, the front (our balancers or haproxy; none in direct mode) and the workers from /proc
# before and after it; the file ends with the answer computed from the lines.
#
# Usage: scripts/sweep.sh [options]
#   --workers "1 2 4 8"     worker counts
#   --actions "baseline list put get flag delete"
#   --amount 1000           actions per run (get, flag, delete: 2 requests each)
#   --size 10KiB            blob size
#   --concurrency 10        connections (each runs actions back to back)
#   --runs 5                repetitions per (workers, action); the mean is kept
#   --min-run-seconds 1     a run repeats batches of `amount` actions until
#                           this much load time has passed
#   --pin                   client and cluster on separate cores (taskset): on
#                           2 cores one each; on 3+, a third (at least 1) to the
#                           client, the rest to the cluster (default: shared)
#   --fronts "tcp direct"   what stands on the front port, each in turn, all in
#                           one file and chart: tcp, http (blob-cluster's balancers
#                           in that mode), direct (no balancer: the workers accept
#                           on the port), haproxy (the study's config, in front of
#                           the same workers)
#   --balancers 1           balancer processes sharing the port (tcp and http)
#   --mode tcp|http         the same as --fronts tcp|http (older spelling)
#   --with-haproxy          adds haproxy to the fronts (older spelling)
#   --new-connection-per-request   as ab does (default: kept-alive connections)
#   --port 8000             front port; workers on the next ones
#   --out results           output folder
#   --store-parent DIR      where the fresh stores are made (default /dev/shm, a
#                           tmpfs, when writable: on a shared VM's disk the file
#                           system's noise hides the servers'; /tmp adds the disk)
#   --bin DIR               use the binaries in DIR instead of building (tests)
#   --multihost             instead, the study's actions across 3 hosts over a
#                           GlusterFS volume against one local host (root; runs
#                           scripts/multihost.sh --sweep, which says more); only
#                           --amount, --concurrency, --mode, --out and --bin apply
#   -h, --help
#
# Installs what is missing first (apt-get update once, then libevent-dev,
# zlib1g-dev, pkg-config, gnuplot-nox; haproxy if a front is haproxy), builds in
# release mode, and prints the paths of the results file and the chart.
# Progress goes to stderr. Everything listens on 127.0.0.1; fsync is off.
#
# With the haproxy front, blob-cluster still starts and supervises the
# workers (in direct mode, its own front on a spare port: PORT + 2 + the
# largest worker count) and haproxy takes the front port, with the study's configuration
# (no mode line, i.e. tcp; balance roundrobin; one server line per worker
# port; timeouts connect 5000, server and client 50000 ms).
set -euo pipefail

usage() { sed -n '13,45p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "sweep.sh: $*" >&2; exit 64; }
progress() { echo "[sweep $(date +%H:%M:%S)] $*" >&2; }
script=sweep.sh
source "$(dirname "$0")/lib/cluster.sh"

workers="1 2 4 8"
actions="baseline list put get flag delete"
amount=1000 size=10KiB concurrency=10 runs=5 fronts="tcp direct" balancers=1 port=8000 out=results bin="" store_parent=""
per_request=0 with_haproxy=0 min_run_seconds=1 pin=0 multihost=0 mode_given=""
given=()  # the options given, for --multihost's check
while [ $# -gt 0 ]; do
  option=$1 value=""
  case "$option" in
    --*=*) value=${option#*=}; option=${option%%=*} ;;
    --workers|--actions|--amount|--size|--concurrency|--runs|--min-run-seconds|--mode|--fronts|--balancers|--port|--out|--bin|--store-parent)
      [ $# -ge 2 ] || die "$option needs a value"; value=$2; shift ;;
  esac
  given+=("$option")
  case "$option" in
    --workers) workers=$value ;;
    --actions) actions=$value ;;
    --amount) amount=$value ;;
    --size) size=$value ;;
    --concurrency) concurrency=$value ;;
    --runs) runs=$value ;;
    --min-run-seconds) min_run_seconds=$value ;;
    --pin) pin=1 ;;
    --mode) [[ $value == tcp || $value == http ]] || die "--mode must be tcp or http"; fronts=$value mode_given=$value ;;
    --fronts) fronts=$value ;;
    --balancers) balancers=$value ;;
    --port) port=$value ;;
    --out) out=$value ;;
    --bin) bin=$value ;;
    --store-parent) store_parent=$value ;;
    --new-connection-per-request) per_request=1 ;;
    --with-haproxy) with_haproxy=1 ;;
    --multihost) multihost=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$option' (see --help)" ;;
  esac
  shift
done

positive --amount "$amount"; positive --concurrency "$concurrency"; positive --runs "$runs"; positive --port "$port"
if [ "$multihost" = 1 ]; then
  for option in "${given[@]}"; do
    [[ " --multihost --amount --concurrency --mode --out --bin " == *" $option "* ]] ||
      die "--multihost takes only --amount, --concurrency, --mode, --out and --bin, not $option (the hosts' own options: scripts/multihost.sh --help)"
  done
  exec bash "$(dirname "$0")/multihost.sh" --sweep --amount "$amount" --concurrency "$concurrency" --out "$out" \
    ${mode_given:+--mode "$mode_given"} ${bin:+--bin "$bin"}
fi
[[ $min_run_seconds =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--min-run-seconds must be a number of seconds, not '$min_run_seconds'"
[ -n "${workers// /}" ] || die "--workers is empty"
max_workers=0
for count in $workers; do
  positive --workers "$count"
  if [ "$count" -gt "$max_workers" ]; then max_workers=$count; fi
done
for action in $actions; do
  [[ " baseline list put get flag delete " == *" $action "* ]] || die "unknown action '$action'"
done
[ -n "${actions// /}" ] || die "--actions is empty"
if [ "$with_haproxy" = 1 ] && [[ " $fronts " != *" haproxy "* ]]; then fronts="$fronts haproxy"; fi
[ -n "${fronts// /}" ] || die "--fronts is empty"
for front in $fronts; do
  [[ " tcp http direct haproxy " == *" $front "* ]] || die "unknown front '$front' (tcp, http, direct, haproxy)"
done
positive --balancers "$balancers"
[ "$balancers" -le 16 ] || die "--balancers must be 1...16"
store_parent=$(default_store_parent "$store_parent")
[ -d "$store_parent" ] && [ -w "$store_parent" ] || die "--store-parent: not a writable folder: $store_parent"
[ $((port + max_workers + 2 + balancers)) -le 65535 ] || die "--port too high for $max_workers workers"
size_kib=$(echo "$size" | awk '{
  s = tolower($0); n = s; sub(/[^0-9].*$/, "", n); u = substr(s, length(n) + 1)
  m = (u == "" || u == "b") ? 1 : (u ~ /^k(i?b)?$/) ? 1024 : (u ~ /^m(i?b)?$/) ? 1048576 : (u ~ /^g(i?b)?$/) ? 1073741824 : -1
  if (n == "" || m < 0) exit 1
  printf "%g\n", n * m / 1024 }') || die "--size: not a size: $size"

cd "$(dirname "$0")/.."
packages=(libevent-dev zlib1g-dev pkg-config gnuplot-nox)
if [[ " $fronts " == *" haproxy "* ]]; then packages+=(haproxy); fi
release_binaries "${packages[@]}"

# How the CPUs are shared: with --pin, the client on the first of the
# allowed CPUs (a third of them, at least one) and the cluster on the rest.
allowed=$(awk '/^Cpus_allowed_list/ { n = split($2, parts, ",")
  for (i = 1; i <= n; i++) { if (split(parts[i], r, "-") == 1) r[2] = r[1]; for (c = r[1]; c <= r[2]; c++) printf "%d ", c } }' /proc/self/status)
set -- $allowed
client_prefix=() cluster_prefix=()
cpu_sharing="shared: client and cluster on all $# allowed CPUs (${allowed% }), no --pin"
if [ "$pin" = 1 ]; then
  [ $# -ge 2 ] || die "--pin needs 2 or more CPUs, this process may use $#"
  client_count=$(( $# / 3 )); [ "$client_count" -ge 1 ] || client_count=1
  client_cpus=$(tr ' ' '\n' <<<"${allowed% }" | head -n "$client_count" | paste -sd, -)
  cluster_cpus=$(tr ' ' '\n' <<<"${allowed% }" | tail -n +$((client_count + 1)) | paste -sd, -)
  client_prefix=(taskset -c "$client_cpus") cluster_prefix=(taskset -c "$cluster_cpus")
  cpu_sharing="pinned (--pin, taskset): client (blob-load) on CPU $client_cpus; cluster (supervisor, balancer, workers, haproxy) on CPU $cluster_cpus"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sweep-XXXXXX")
haproxy_pid="" front_pids="" worker_pids=""

# Stops haproxy and the cluster by pid (see cluster_stop).
stop_cluster() {
  local haproxy=$haproxy_pid
  haproxy_pid=""
  cluster_stop $haproxy
}
trap 'stop_cluster || true; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Starts blob-cluster with $1 workers on a fresh store, with front $2 (tcp,
# http, direct, haproxy); with haproxy, haproxy takes the front port and the
# cluster (direct mode) a spare one.
start_cluster() {
  local count=$1 balancer=$2 front=$port log ready
  local mode_flags=(--mode "$balancer" --balancers "$balancers")
  if [ "$balancer" = direct ]; then mode_flags=(--mode direct); fi
  if [ "$balancer" = haproxy ]; then front=$((port + max_workers + 2)) mode_flags=(--mode direct); fi
  log="$work/cluster-$balancer-$count.log"
  cluster_start "$log" --workers "$count" --port "$front" --worker-base-port $((port + 1)) \
    --max-workers "$max_workers" "${mode_flags[@]}" --graceful-timeout 5s --log-level warning
  ready=$cluster_ready
  # Whose CPU is measured: the balancers (or haproxy, below; none in direct
  # mode) and the workers.
  front_pids=$(sed 's/, workers .*//' <<<"$ready" | grep -o 'pid [0-9]*' | awk '{print $2}' | tr '\n' ' ' || true)
  worker_pids=$(sed 's/.* workers //; s/, supervisor pid.*//' <<<"$ready" | grep -o 'pid [0-9]*' | awk '{print $2}' | tr '\n' ' ')
  [ -n "$worker_pids" ] || { echo "sweep.sh: no pids in the ready line: $ready" >&2; exit 1; }
  if [ -z "$front_pids" ] && [[ $balancer == tcp || $balancer == http ]]; then
    echo "sweep.sh: no balancer pid in the ready line: $ready" >&2; exit 1
  fi
  if [ "$balancer" = haproxy ]; then
    local config="$work/haproxy.cfg" i
    {
      echo "backend multiprocessing-blobs"
      echo "  balance roundrobin"
      for i in $(seq "$count"); do echo "  server processor$i 127.0.0.1:$((port + i))"; done
      echo "  timeout connect 5000"
      echo "  timeout server  50000"
      echo ""
      echo "frontend blobs-server"
      echo "  bind 127.0.0.1:$port"
      echo "  default_backend multiprocessing-blobs"
      echo "  timeout client  50000"
    } >"$config"
    "${cluster_prefix[@]}" haproxy -f "$config" -db </dev/null >"$work/haproxy.log" 2>&1 &
    haproxy_pid=$! front_pids=$haproxy_pid
    wait_for_port "$port" || { cat "$work/haproxy.log" >&2; echo "sweep.sh: haproxy did not start" >&2; exit 1; }
  fi
}

field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"; }

# CPU time (user + system, all threads) of a pid in clock ticks, from
# /proc/PID/stat; nothing when the process is gone.
ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  set -- ${stat##*) }
  echo $(( ${12} + ${13} ))
}

# One run of $1: batches of `amount` actions (one blob-load each, so fresh
# ids) until min_run_seconds of load time have passed. Prints the run's
# line: seconds per batch, req/s, p50, p99, non2xx, failures, CPU seconds of
# client, front and workers, actions, and how many pids vanished meanwhile
# (their CPU is left out: only what was measured is counted).
run_load() {
  local action=$1 pid json
  local -A before=()
  for pid in $front_pids $worker_pids; do before[$pid]=$(cpu_ticks "$pid"); done
  : >"$work/batches"
  while :; do
    json=$("${client_prefix[@]}" "$bin/blob-load" --action "$action" --amount "$amount" --concurrency "$concurrency" \
        --size "$size" --url "http://127.0.0.1:$port" --user "sweep-$action" --timeout 10s --json "${extra[@]}") \
      || { echo "sweep.sh: blob-load failed" >&2; exit 1; }
    failures=$(field failures "$json") non2xx=$(field non2xx "$json")
    if [ "$failures" != "$non2xx" ]; then
      progress "warning: $failures failed requests ($non2xx non-2xx): $(field errors "$json")"
    fi
    echo "$(field wall_seconds "$json") $(field requests "$json") $(field p50_ms "$json") $(field p99_ms "$json") $non2xx $failures" \
      "$(field cpu_seconds "$json")" \
      >>"$work/batches"
    awk -v least="$min_run_seconds" '{ s += $1 } END { exit !(s < least) }' "$work/batches" || break
  done
  local front_ticks=0 worker_ticks=0 vanished=0 now
  for pid in $front_pids $worker_pids; do
    now=$(cpu_ticks "$pid")
    if [ -z "$now" ] || [ -z "${before[$pid]}" ]; then vanished=$((vanished + 1)); continue; fi
    if [[ " $front_pids " == *" $pid "* ]]; then front_ticks=$((front_ticks + now - before[$pid])); else worker_ticks=$((worker_ticks + now - before[$pid])); fi
  done
  awk -v amount="$amount" -v tick="$ticks_per_second" -v front="$front_ticks" -v workers="$worker_ticks" -v vanished="$vanished" '
    function median(list,   n, v, i, j, t) {
      n = split(list, v, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    { n++; wall += $1; requests += $2; p50 = p50 " " $3; p99 = p99 " " $4; bad += $5; failed += $6; client += $7 }
    END {
      printf "%.6f %.1f %.3f %.3f %d %d %.6f %.6f %.6f %d %d\n", wall / n, (wall > 0 ? requests / wall : 0), median(p50), median(p99),
        bad, failed, client, front / tick, workers / tick, n * amount, vanished
    }' "$work/batches"
}

# The results file's name for each front.
front_label() {
  case $1 in
    tcp|http) if [ "$balancers" = 1 ]; then echo "blob-balancer-$1"; else echo "blob-balancer-$1-x$balancers"; fi ;;
    direct) echo direct ;;
    haproxy) echo haproxy-tcp ;;
  esac
}
set -- $workers; worker_counts=$#
set -- $actions; action_count=$#
total=$(( $(wc -w <<<"$fronts") * worker_counts * action_count ))
step=0
load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$work/runs"
for balancer in $fronts; do
  label=$(front_label "$balancer")
  for count in $workers; do
    progress "$label: starting blob-cluster with $count worker(s) on a fresh store"
    start_cluster "$count" "$balancer"
    for action in $actions; do
      step=$((step + 1))
      for run in $(seq "$runs"); do
        progress "[$step/$total] $label workers=$count $action run $run/$runs"
        extra=()
        if [ "$per_request" = 1 ]; then extra+=(--new-connection-per-request); fi
        line=$(run_load "$action") || exit 1
        echo "$label $count $action $line" >>"$work/runs"
      done
    done
    stop_cluster || exit 1
    progress "$label: $count worker(s) stopped, nothing of the cluster left running"
  done
done

machine_describe
mkdir -p "$out"
name="$out/sweep-$(date +%Y-%m-%d)-$slug-${cores}c"
{
  echo "# blob-cluster sweep: the LEAP Soledad blobs-multiprocess study, reproduced by scripts/sweep.sh"
  machine_header
  echo "# settings: workers=\"$workers\" actions=\"$actions\" amount=$amount size=$size concurrency=$concurrency runs=$runs" \
    "connections=$([ "$per_request" = 1 ] && echo new-per-request || echo kept-alive)" \
    "fronts=\"$fronts\" balancers=$balancers port=$port fsync=off"
  echo "# settings (cost): min_run_seconds=$min_run_seconds pin=$([ "$pin" = 1 ] && echo on || echo off)"
  echo "# store: fresh per worker count under $store_parent ($(df --output=fstype "$store_parent" 2>/dev/null | tail -n1))"
  echo "# balancer (the front): blob-balancer-MODE = blob-cluster's own balancer in that mode (-xK: K balancer processes"
  echo "#   sharing the port); direct = blob-cluster --mode direct, no balancer, every worker accepts on the port;"
  echo "#   haproxy-tcp = haproxy with the study's config (tcp, balance roundrobin) in front of the same blob-cluster's workers"
  echo "# cpus: $cpu_sharing"
  echo "# load during the sweep (1-minute load average, before the first run / after the last): $load_before / $(cut -d' ' -f1 /proc/loadavg)"
  echo "# a run repeats batches of \`amount\` actions (one blob-load each, fresh ids) until min_run_seconds=$min_run_seconds of load have passed;"
  echo "# seconds = mean wall time of one batch of \`amount\` actions (the study's column; get, flag, delete are 2 requests each);"
  echo "# req_per_s = requests / load time; p50_ms, p99_ms = median over the batches of each batch's request latency percentile;"
  echo "# non2xx = answers outside 2xx, summed over the runs; failures = requests without the promised 200, summed
# (non-2xx included, and refused, reset, timeout, verify: wrong bytes); spread = (max - min) / mean of the runs' seconds;"
  echo "# client_us, front_us, workers_us = CPU time (user + system, from /proc/PID/stat, ${ticks_per_second} ticks/s) per action of"
  echo "#   blob-load (its own clock, during the load, not its start), of the front (the blob-balancers or haproxy summed; 0 in direct mode)"
  echo "#   and of all workers summed;"
  echo "#   server_us = front_us + workers_us (the supervisor, idle, is left out); actions = actions measured over the runs;"
  echo "#   vanished = measured pids that were gone after a run (a restarted worker): their CPU is missing from that run"
  echo "# workers action amount size seconds req_per_s p50_ms p99_ms non2xx failures spread client_us front_us workers_us server_us actions vanished balancer"
  awk -v amount="$amount" -v size="$size_kib" '
    function median(list,   n, v, i, j, t) {
      n = split(list, v, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    {
      key = $1 SUBSEP $2 SUBSEP $3
      if (!(key in n)) { order[++keys] = key; lo[key] = $4; hi[key] = $4 }
      n[key]++; secs[key] += $4; rps[key] += $5; p50[key] = p50[key] " " $6; p99[key] = p99[key] " " $7; bad[key] += $8; failed[key] += $9
      client[key] += $10; front[key] += $11; workers[key] += $12; actions[key] += $13; vanished[key] += $14
      if ($4 < lo[key]) lo[key] = $4
      if ($4 > hi[key]) hi[key] = $4
    }
    END {
      for (k = 1; k <= keys; k++) {
        key = order[k]; split(key, part, SUBSEP); mean = secs[key] / n[key]; per = 1e6 / actions[key]
        printf "%s %s %d %s %.6f %.1f %.3f %.3f %d %d %.3f %.2f %.2f %.2f %.2f %d %d %s\n", part[2], part[3], amount, size, mean,
          rps[key] / n[key], median(p50[key]), median(p99[key]), bad[key], failed[key], (mean > 0 ? (hi[key] - lo[key]) / mean : 0),
          client[key] * per, front[key] * per, workers[key] * per, (front[key] + workers[key]) * per, actions[key], vanished[key], part[1]
      }
    }' "$work/runs" >"$work/lines"
  cat "$work/lines"
  # The answer, from the lines above.
  echo "# answer: for each front and action, N workers against the fewest measured (base): actions/s and server CPU per action"
  echo "#   relative to the base's (rate_x, server_cpu_x); and the rate each component would reach alone on one core,"
  echo "#   1 s / its CPU per action, in actions/s (client_alone, front_alone, workers_alone: all workers sharing that core)"
  echo "# answer front action workers base rate_x server_cpu_x client_alone front_alone workers_alone"
  awk '
    {
      key = $18 SUBSEP $2
      if (!(key in base) || $1 + 0 < baseworkers[key]) { baseworkers[key] = $1 + 0; base[key] = NR }
      row[NR] = $0; rate[NR] = ($5 > 0 ? $3 / $5 : 0); server[NR] = $15
    }
    END {
      for (r = 1; r <= NR; r++) {
        split(row[r], f, " "); b = base[f[18] SUBSEP f[2]]
        printf "# answer %s %s %d %d %.3f %.3f %.0f %.0f %.0f\n", f[18], f[2], f[1], baseworkers[f[18] SUBSEP f[2]],
          (rate[b] > 0 ? rate[r] / rate[b] : 0), (server[b] > 0 ? server[r] / server[b] : 0),
          (f[12] > 0 ? 1e6 / f[12] : 0), (f[13] > 0 ? 1e6 / f[13] : 0), (f[14] > 0 ? 1e6 / f[14] : 0)
      }
    }' "$work/lines"
  # Against the study's own figure (its published table, results/study-2017-01-05_Intel-Core-i7-4600U.txt):
  # one worker (one process there), seconds per 1000 actions of 10 KiB; the goal is 20 times its speed.
  echo "# study: for each front and action with 1 worker, the study's seconds per 1000 actions (1 process, 10 KiB) over ours (x); goal x >= 20"
  echo "# study front action ours_s study_s x verdict"
  awk '
    FNR == NR { if ($0 !~ /^#/ && $1 == 1) study[$2] = $5; next }
    $1 == 1 && $4 == 10 && ($2 in study) && $5 > 0 {
      ours = $5 * 1000 / $3; x = sprintf("%.1f", study[$2] / ours)  # the verdict of the figure printed
      printf "# study %s %s %.4f %.4f %s %s\n", $18, $2, ours, study[$2], x, (x + 0 >= 20 ? "met" : "missed")
    }' results/study-2017-01-05_Intel-Core-i7-4600U.txt "$work/lines"
} >"$name.txt"
progress "wrote $name.txt"
bash scripts/plot.sh "$name.txt" "$name.png" \
  "blob-cluster sweep $(date +%Y-%m-%d): $cpu, $cores cores ($([ "$per_request" = 1 ] && echo 'new connection per request' || echo 'kept-alive'), concurrency $concurrency)" >/dev/null
progress "drew $name.png"
echo "$name.txt"
echo "$name.png"
