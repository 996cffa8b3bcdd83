#!/usr/bin/env bash
# Healing under load, in tcp and http mode: kill -9 of a worker while
# blob-load runs (failed requests, time until the worker answers again), then
# SIGHUP while blob-load runs (failed requests), then TERM (exit code).
# Everything on 127.0.0.1, stores on /dev/shm, every process stopped by pid.
set -u
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config python3
swift build -c release >&2
B=$(swift build -c release --show-bin-path)
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
for mode in tcp http; do
  store=$(mktemp -d -p /dev/shm); port=$((21000 + RANDOM % 5000))
  $B/blob-cluster --workers 2 --store $store --port $port --worker-base-port $((port+1)) --mode $mode --log-level info > $log_dir/heal-$mode.log 2>&1 &
  cpid=$!
  for i in $(seq 50); do grep -q ready $log_dir/heal-$mode.log && break; sleep 0.1; done
  $B/blob-load --action get --amount 20000 --url http://127.0.0.1:$port --json > $log_dir/heal-load-$mode.json &
  lpid=$!
  sleep 0.5
  victim=$(grep "booting worker" $log_dir/heal-$mode.log | grep ":$((port+1))$" | tail -1 | sed -E 's/.*pid ([0-9]+).*/\1/')
  t0=$(date +%s.%N); kill -9 $victim
  while ! curl -sf -o /dev/null http://127.0.0.1:$((port+1))/healthcheck; do sleep 0.005; done
  t1=$(date +%s.%N)
  wait $lpid
  echo "$mode kill -9: worker back in $(python3 -c "print(round($t1-$t0,3))") s; load: $(python3 -c "import json;d=json.load(open('$log_dir/heal-load-$mode.json'));print(d['requests'],'requests', d['failures'],'failures')")"
  $B/blob-load --action get --amount 20000 --url http://127.0.0.1:$port --json > $log_dir/heal-hup-$mode.json &
  lpid=$!
  sleep 0.3; kill -HUP $cpid; wait $lpid
  echo "$mode SIGHUP under load: $(python3 -c "import json;d=json.load(open('$log_dir/heal-hup-$mode.json'));print(d['requests'],'requests', d['failures'],'failures')"); replaced: $(grep -c 'replacing worker' $log_dir/heal-$mode.log)"
  kill -TERM $cpid; wait $cpid; echo "$mode TERM exit $?"; rm -rf $store
done
