#!/usr/bin/env bash
# Several hosts on one machine (issue 17): each host a network namespace on a
# private bridge (10.211.77.0/24, bridge mhbr0, namespaces mh1..mhN), running
# its own glusterd; one GlusterFS volume, replica 3 with an arbiter (bricks on
# mh1..mh3, mh3 holding the arbiter), mounted in every host with the kernel's
# caches off; in each host `blob-cluster --mode none` over the mount; in the
# root namespace one blob-balancer on 127.0.0.1 in front of every host's
# workers, with health checks. Every packet stays inside this machine.
#
# Usage: scripts/multihost.sh [options]
#   --hosts 3                  hosts (namespaces), at least 3
#   --workers-per-host 1       blob-cluster --workers in each host
#   --mode http                the balancer's mode (tcp or http)
#   --port 8600                the balancer's port on 127.0.0.1
#   --serve                    stay up, print the front door's URL, tear
#                              everything down on TERM or INT
#   --check                    run the multi-host checks (scripts/multihost_check.py)
#                              and the API conformance tests (BlobAPITests, built in
#                              debug mode if need be) through the front; write
#                              OUT/multihost-check-<date>.txt, exit 1 if one fails.
#                              The hosts' workers get --max-body 16MiB (the tests
#                              send a body just over it)
#   --sweep                    the study's actions through the multi-host front and
#                              through one local host (a worker on this machine's
#                              disk behind its own blob-balancer), side by side:
#                              OUT/multihost-sweep-<date>.txt (scripts/multihost_sweep.py)
#   --amount 200               --sweep: actions per action and front
#   --concurrency 10           --sweep: connections (each runs actions back to back)
#   --out results              where --check and --sweep write
#   --keep-logs DIR            copy every host's logs (gluster, workers) to DIR at the end
#   --bin DIR                  use the binaries in DIR instead of building
#   -h, --help
#
# It refuses to start while leftovers of an earlier run exist (namespaces
# mh*, the bridge, its work folder or mounts under it) and names them. On
# exit or error it tears down all it made: processes by pid (every process in
# a host's namespace is one it started), FUSE mounts, glusterd daemons,
# namespaces, veths, the bridge, the work folder. Needs root.
#
# How a host is kept: `ip netns exec mhI unshare -m` starts a holder process
# (sleep) in the host's network namespace and a private mount namespace in
# which the host's own /var/lib/glusterd, /run, /var/log/glusterfs and
# /etc/hosts are bind-mounted from the work folder; every later command of
# that host enters both namespaces with nsenter. So glusterd, its bricks and
# the FUSE mount stay invisible to the root namespace and to each other.
set -euo pipefail

usage() { sed -n '10,32p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "multihost.sh: $*" >&2; exit 64; }
progress() { echo "[multihost $(date +%H:%M:%S)] $*" >&2; }
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"; }

hosts=3 workers=1 max_body=1GiB mode=http port=8600 serve=0 check=0 sweep=0 amount=200 concurrency=10 out=results keep_logs="" bin=""
while [ $# -gt 0 ]; do
  option=$1 value=""
  case "$option" in
    --*=*) value=${option#*=}; option=${option%%=*} ;;
    --hosts|--workers-per-host|--mode|--port|--out|--keep-logs|--bin|--amount|--concurrency)
      [ $# -ge 2 ] || die "$option needs a value"; value=$2; shift ;;
  esac
  case "$option" in
    --hosts) hosts=$value ;;
    --workers-per-host) workers=$value ;;
    --mode) mode=$value ;;
    --port) port=$value ;;
    --serve) serve=1 ;;
    --check) check=1 ;;
    --sweep) sweep=1 ;;
    --amount) amount=$value ;;
    --concurrency) concurrency=$value ;;
    --out) out=$value ;;
    --keep-logs) keep_logs=$value ;;
    --bin) bin=$value ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$option' (see --help)" ;;
  esac
  shift
done
positive --hosts "$hosts"; positive --workers-per-host "$workers"; positive --port "$port"
[ "$hosts" -ge 3 ] || die "--hosts must be at least 3 (replica 3 with an arbiter)"
[ "$hosts" -le 200 ] || die "--hosts: at most 200"
[[ " tcp http " == *" $mode "* ]] || die "unknown --mode '$mode' (tcp, http)"
[ $((serve + check + sweep)) -le 1 ] || die "--serve, --check and --sweep exclude each other"
positive --amount "$amount"; positive --concurrency "$concurrency"
[ "$check" = 1 ] && max_body=$((16 << 20))  # in bytes: the conformance tests are told it too
[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, bridge, FUSE)"

subnet=10.211.77 bridge=mhbr0 volume=mhvol worker_port=8001
work=${TMPDIR:-/tmp}/blob-multihost
root_address=$subnet.1
address() { echo "$subnet.$((10 + $1))"; }

cd "$(dirname "$0")/.."
repo=$(pwd)

# Leftovers of an earlier run (or of someone else's namespaces with our
# names): named, and nothing is started, since tearing them down could hit
# what is not ours.
refuse_leftovers() {
  local found=()
  local names
  names=$(ip netns list 2>/dev/null | awk '$1 ~ /^mh[0-9]*$/ {print $1}' | tr '\n' ' ')
  [ -n "$names" ] && found+=("namespaces: $names")
  ip link show "$bridge" >/dev/null 2>&1 && found+=("bridge $bridge")
  local links
  links=$(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^mh[0-9]+-br/ {sub(/@.*/, "", $2); print $2}' | tr '\n' ' ')
  [ -n "$links" ] && found+=("veths: $links")
  local mounts
  mounts=$(findmnt -rn -o TARGET 2>/dev/null | grep "^$work" | tr '\n' ' ' || true)
  [ -n "$mounts" ] && found+=("mounts: $mounts")
  [ -e "$work" ] && found+=("work folder $work")
  [ ${#found[@]} -eq 0 ] || die "leftovers of an earlier run, remove them first: $(IFS=';'; echo "${found[*]}")"
}

# The binaries, built unless --bin was given, and the packages.
prepare() {
  bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config glusterfs-server glusterfs-client iproute2 util-linux curl python3 procps
  if [ -z "$bin" ]; then
    progress "building in release mode"
    swift build -c release >&2
    bin=$(swift build -c release --show-bin-path)
  fi
  if [ "$check" = 1 ]; then
    progress "building the tests (debug) for the conformance run"
    swift build --build-tests >&2
  fi
  bin=$(cd "$bin" && pwd)  # the hosts' commands start in another mount namespace's /
  local tool
  for tool in blob-cluster blob-server blob-balancer; do [ -x "$bin/$tool" ] || die "no $bin/$tool"; done
}

holder=()        # per host: the pid whose namespaces the host's commands enter
cluster_pids=()  # per host: blob-cluster
balancer_pid=""
local_pids=()    # --sweep: the local worker and its balancer
made_bridge=0 made_hosts=0

# Runs a command inside host $1 (its network and mount namespaces); in the
# background, `enter $1` is put before the command so that $! is its pid.
on_host() { local i=$1; shift; nsenter -t "${holder[$i]}" -m -n -- "$@"; }
enter() { entering=(nsenter -t "${holder[$1]}" -m -n --); }

# The bridge in the root namespace, with an address so that the balancer
# (and the checks) reach the hosts' workers.
make_bridge() {
  ip link add "$bridge" type bridge
  made_bridge=1
  ip addr add "$root_address/24" dev "$bridge"
  ip link set "$bridge" up
}

# Host $1: its namespace, a veth pair (mhI-br on the bridge, eth0 inside),
# its folders and its holder with the per-host bind mounts.
make_host() {
  local i=$1 name=mh$1 dir=$work/mh$1
  ip netns add "$name"
  made_hosts=$i
  ip link add "$name-br" type veth peer name "$name-in"
  ip link set "$name-in" netns "$name"
  ip link set "$name-br" master "$bridge" up
  ip netns exec "$name" ip link set "$name-in" name eth0
  ip netns exec "$name" ip addr add "$(address "$i")/24" dev eth0
  ip netns exec "$name" ip link set eth0 up
  ip netns exec "$name" ip link set lo up
  mkdir -p "$dir/lib" "$dir/run" "$dir/log" "$dir/brick" "$dir/mnt" "$dir/logs"
  cp -a /var/lib/glusterd/. "$dir/lib/"
  # The holder: the mounts are made before it sleeps, and it says so.
  ip netns exec "$name" unshare -m --propagation private bash -c '
    mount --bind "$1/lib" /var/lib/glusterd && mount --bind "$1/run" /run &&
    mount --bind "$1/log" /var/log/glusterfs && mount --bind "$2" /etc/hosts &&
    touch "$1/held" && exec sleep infinity' holder "$dir" "$work/hosts" </dev/null >"$dir/logs/holder.log" 2>&1 &
  holder[$i]=$!
  for _ in $(seq 50); do [ -e "$dir/held" ] && return 0; sleep 0.1; done
  die "host $name: its holder did not start ($(cat "$dir/logs/holder.log"))"
}

# glusterd in host $1, in the foreground of its own pid (-N), logging into
# the host's log folder; up when its CLI answers.
start_glusterd() {
  local i=$1
  enter "$i"
  "${entering[@]}" glusterd -N --log-file=/var/log/glusterfs/glusterd.log </dev/null >"$work/mh$i/logs/glusterd.out" 2>&1 &
  for _ in $(seq 100); do
    on_host "$i" gluster --mode=script peer status >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "glusterd in mh$i did not answer within 20 s"
}

# The volume: every host a peer; bricks on mh1..mh3 (mh3: the arbiter);
# the options the issue names (no caching translators that would let a host
# see a stale entry; client quorum; a short ping timeout so a lost host is
# given up on in seconds; the self-heal daemon's crawl every 5 s instead of
# 10 minutes, so that a host back on the network is healed in seconds; a
# split-brain settled by the two bricks of three that agree: folders made at
# once from two hosts can get a different gfid on one brick, and without a
# policy such a folder answers EIO until an operator heals it).
make_volume() {
  local i
  for i in $(seq 2 "$hosts"); do on_host 1 gluster --mode=script peer probe "mh$i" >/dev/null; done
  for _ in $(seq 100); do
    [ "$(on_host 1 gluster --mode=script peer status | grep -c 'Peer in Cluster (Connected)')" -eq $((hosts - 1)) ] && break
    sleep 0.2
  done
  on_host 1 gluster --mode=script volume create "$volume" replica 3 arbiter 1 \
    "mh1:$work/mh1/brick/b" "mh2:$work/mh2/brick/b" "mh3:$work/mh3/brick/b" force >/dev/null
  local option
  for option in performance.stat-prefetch=off performance.quick-read=off performance.open-behind=off \
    cluster.quorum-type=auto network.ping-timeout=5 cluster.heal-timeout=5 cluster.favorite-child-policy=majority; do
    on_host 1 gluster --mode=script volume set "$volume" "${option%%=*}" "${option#*=}" >/dev/null
  done
  on_host 1 gluster --mode=script volume start "$volume" >/dev/null
}

# The volume mounted in host $1 with entry, attribute and negative timeouts
# 0: a host must not answer from what it cached about a file another host changed.
mount_volume() {
  local i=$1
  for _ in $(seq 50); do
    on_host "$i" mount -t glusterfs -o entry-timeout=0,attribute-timeout=0,negative-timeout=0,log-file=/var/log/glusterfs/mnt.log \
      "mh$i:/$volume" "$work/mh$i/mnt" 2>/dev/null && on_host "$i" mountpoint -q "$work/mh$i/mnt" && return 0
    sleep 0.2
  done
  die "mh$i: the volume did not mount (see $work/mh$i/log/mnt.log)"
}

# blob-cluster --mode none in host $1 over the mount (blob-server finds no
# O_TMPFILE on GlusterFS and stages uploads in named files); ready when it
# says so. A host losing a brick stalls every host's writes for up to
# network.ping-timeout (5 s): 8 failed probes 2 s apart before a worker is
# called hung, so that stall does not restart every host's workers.
start_workers() {
  local i=$1 log=$work/mh$1/logs/blob-cluster.log
  on_host "$i" mkdir -p "$work/mh$i/mnt/store"
  enter "$i"
  "${entering[@]}" "$bin/blob-cluster" --mode none --workers "$workers" --store "$work/mh$i/mnt/store" \
    --host "$(address "$i")" --worker-base-port "$worker_port" \
    --liveness-interval 2s --liveness-failures 8 --max-body "$max_body" $named_temp_option </dev/null >"$log" 2>&1 &
  cluster_pids[$i]=$!
  for _ in $(seq 300); do
    grep -qw ready "$log" 2>/dev/null && return 0  # the log appears once the background command starts
    kill -0 "${cluster_pids[$i]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "blob-cluster in mh$i was not ready within 30 s"
}

# The front door: one blob-balancer on 127.0.0.1 with every host's workers,
# checked by GET /healthcheck each second, DOWN after 8 failures (longer
# than the ping-timeout stall above, which would otherwise take every host
# down at once); a short connect timeout, since a host cut off drops
# packets instead of refusing them (a failed connect goes to the next backend).
start_balancer() {
  local backends=() i w log=$work/balancer.log
  for i in $(seq "$hosts"); do
    for w in $(seq 0 $((workers - 1))); do backends+=(--backend "$(address "$i"):$((worker_port + w))"); done
  done
  "$bin/blob-balancer" --host 127.0.0.1 --port "$port" --mode "$mode" "${backends[@]}" \
    --check healthcheck --check-inter 1s --rise 2 --fall 8 --timeout-connect 1s </dev/null >"$log" 2>&1 &
  balancer_pid=$!
  await_health "127.0.0.1:$port" "$balancer_pid" "$log"
}

# Waits up to 20 s for GET http://$1/healthcheck to answer 200 while pid $2
# lives; else shows the end of log $3 and gives up.
await_health() {
  local target=$1 pid=$2 log=$3
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://$target/healthcheck" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 20 "$log" >&2
  die "nothing answered on $target"
}

# --sweep's yardstick: one worker on this machine's own disk (the work
# folder), behind a blob-balancer of its own on port + 1, so both fronts
# have the same proxy hop.
start_local_host() {
  local store=$work/local/store worker=$((port + 2)) log=$work/local.log
  mkdir -p "$store"
  "$bin/blob-server" --host 127.0.0.1 --port "$worker" --store "$store" </dev/null >"$log" 2>&1 &
  local_pids+=($!)
  "$bin/blob-balancer" --host 127.0.0.1 --port $((port + 1)) --mode "$mode" --backend "127.0.0.1:$worker" \
    --check healthcheck --check-inter 1s </dev/null >>"$log" 2>&1 &
  local_pids+=($!)
  await_health "127.0.0.1:$((port + 1))" "$!" "$log"
}

# --check: the API conformance tests (Tests/IntegrationTests/BlobAPITests)
# through the front, from the root namespace, with the volume mounted once
# more for them (they look for leftovers in the store and lay out a Soledad
# folder by hand) in a private mount namespace that also has the hosts'
# names. Their output goes to $work/conformance.log; the status is theirs.
run_conformance() {
  local view=$work/conformance
  mkdir -p "$view"
  unshare -m --propagation private bash -c '
    set -e
    mount --bind "$1" /etc/hosts
    mount -t glusterfs -o entry-timeout=0,attribute-timeout=0,negative-timeout=0 "mh1:/$2" "$3"
    trap "umount \"$3\" || umount -l \"$3\"" EXIT
    BLOB_API_PORT=$4 BLOB_API_STORE=$3/store BLOB_API_MAX_BODY=$5 swift test --skip-build --filter IntegrationTests.BlobAPITests
  ' conformance "$work/hosts" "$volume" "$view" "$port" "$max_body" </dev/null >"$work/conformance.log" 2>&1
}

# One line for the check file from the conformance run's log and status $1.
conformance_line() {
  local summary
  summary=$(grep -E 'Executed [0-9]+ tests' "$work/conformance.log" | tail -n 1 | sed 's/^[[:space:]]*//')
  if [ "$1" = 0 ]; then
    echo "conformance: PASS; Tests/IntegrationTests/BlobAPITests through the $mode balancer on 127.0.0.1:$port (store seen over a mount of $volume): ${summary:-no summary}"
  else
    echo "conformance: FAIL; Tests/IntegrationTests/BlobAPITests through the $mode balancer on 127.0.0.1:$port: ${summary:-no summary}; $(grep -E 'error:' "$work/conformance.log" | head -n 5 | tr '\n' ' ')"
  fi
}

# Stops a pid: TERM, up to $2 seconds, KILL.
stop_pid() {
  local pid=$1 seconds=${2:-10}
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Everything made, in reverse: the balancer, the workers, the mounts, every
# process left in each host's namespace (glusterd, bricks, self-heal daemon,
# FUSE client, holder: all started here), the namespaces (their veth ends
# go with them), the bridge, the work folder. Says what it could not remove.
teardown() {
  local status=$? i pid
  trap - EXIT INT TERM
  set +e
  [ -n "$balancer_pid" ] && stop_pid "$balancer_pid"
  for pid in "${local_pids[@]}"; do stop_pid "$pid"; done
  for i in "${!cluster_pids[@]}"; do stop_pid "${cluster_pids[$i]}" 15; done
  if [ -n "$keep_logs" ] && [ -d "$work" ]; then
    mkdir -p "$keep_logs"
    cp "$work/balancer.log" "$work/conformance.log" "$keep_logs/" 2>/dev/null
    for i in $(seq "$made_hosts"); do
      mkdir -p "$keep_logs/mh$i" && cp -r "$work/mh$i/logs" "$work/mh$i/log" "$keep_logs/mh$i/" 2>/dev/null
    done
  fi
  # The conformance run's FUSE client, if it outlived its mount namespace.
  for pid in $(pgrep -f -- "$work/conformance" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  for i in "${!holder[@]}"; do
    on_host "$i" umount "$work/mh$i/mnt" 2>/dev/null || on_host "$i" umount -l "$work/mh$i/mnt" 2>/dev/null
  done
  for i in $(seq "$made_hosts"); do
    for signal in TERM KILL; do
      for pid in $(ip netns pids "mh$i" 2>/dev/null); do kill "-$signal" "$pid" 2>/dev/null; done
      for _ in $(seq 50); do [ -z "$(ip netns pids "mh$i" 2>/dev/null)" ] && break; sleep 0.1; done
    done
    for pid in "${holder[$i]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null; done
    ip netns del "mh$i" 2>/dev/null
    ip link del "mh$i-br" 2>/dev/null
  done
  [ "$made_bridge" = 1 ] && ip link del "$bridge" 2>/dev/null
  local left=""
  [ -n "$(findmnt -rn -o TARGET | grep "^$work")" ] && left="$left mounts under $work;"
  ip netns list | grep -q '^mh[0-9]' && left="$left namespaces;"
  ip link show "$bridge" >/dev/null 2>&1 && left="$left bridge;"
  if [ -z "$left" ]; then rm -rf "$work"; else echo "multihost.sh: could not remove:$left" >&2; status=1; fi
  exit "$status"
}

refuse_leftovers
prepare
named_temp_option=""
"$bin/blob-cluster" --help 2>&1 | grep -q -- '--named-temp-files' && named_temp_option=--named-temp-files
mkdir -p "$work"
trap teardown EXIT
trap 'exit 130' INT TERM
{
  echo "127.0.0.1 localhost"
  for i in $(seq "$hosts"); do echo "$(address "$i") mh$i"; done
} >"$work/hosts"

progress "bridge $bridge ($root_address/24) and $hosts hosts"
make_bridge
for i in $(seq "$hosts"); do make_host "$i"; done
progress "glusterd in each host, volume $volume (replica 3 arbiter 1 on mh1..mh3)"
for i in $(seq "$hosts"); do start_glusterd "$i"; done
make_volume
for i in $(seq "$hosts"); do mount_volume "$i"; done
[ -n "$named_temp_option" ] || progress "warning: blob-cluster has no --named-temp-files; workers pick their staging themselves"
progress "blob-cluster --mode none ($workers workers) in each host, blob-balancer --mode $mode on 127.0.0.1:$port"
for i in $(seq "$hosts"); do start_workers "$i"; done
start_balancer

if [ "$check" = 1 ]; then
  mkdir -p "$out"
  result=$out/multihost-check-$(date +%Y-%m-%d).txt
  progress "checks; results in $result"
  python3 scripts/multihost_check.py --hosts "$hosts" --workers "$workers" --subnet "$subnet" --worker-port "$worker_port" \
    --front "127.0.0.1:$port" --mode "$mode" --volume "$volume" --work "$work" --holders "${holder[*]}" \
    --commit "$(git rev-parse --short HEAD)" --out "$result" && status=0 || status=$?
  progress "API conformance tests through the front"
  run_conformance && tests=0 || tests=$?
  conformance_line "$tests" >>"$result"
  [ "$tests" = 0 ] || status=1
  echo "$result"
  exit "$status"
fi
if [ "$sweep" = 1 ]; then
  start_local_host
  mkdir -p "$out"
  result=$out/multihost-sweep-$(date +%Y-%m-%d).txt
  progress "the study's actions through both fronts; results in $result"
  python3 scripts/multihost_sweep.py --bin "$bin" --amount "$amount" --concurrency "$concurrency" \
    --front "multihost=http://127.0.0.1:$port" --front "local=http://127.0.0.1:$((port + 1))" \
    --header "multihost.sh --sweep, $(date '+%Y-%m-%d %H:%M:%S %z'); git commit: $(git rev-parse --short HEAD); cpu cores: $(nproc)" \
    --header "multihost: $hosts hosts (network namespaces on a bridge), $workers worker(s) each (blob-cluster --mode none) over GlusterFS $volume (replica 3 arbiter 1), blob-balancer --mode $mode on 127.0.0.1:$port" \
    --header "local: one blob-server on this machine's disk ($(df -T "$work" | awk 'NR == 2 { print $2 }') at $work/local/store), blob-balancer --mode $mode on 127.0.0.1:$((port + 1))" \
    --out "$result" && status=0 || status=$?
  echo "$result"
  exit "$status"
fi
if [ "$serve" = 1 ]; then
  echo "http://127.0.0.1:$port/"
  progress "serving; TERM or INT tears it all down"
  while true; do sleep 1 & wait $! || true; done
fi
