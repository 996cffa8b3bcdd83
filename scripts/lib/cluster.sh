# Shell pieces shared by the studies (sweep.sh, growth.sh): the binaries,
# built or given; a blob-cluster on a fresh store, started and stopped by pid
# with nothing of it left running; and the machine's description for the
# results' header and file name. Source it after setting `script` (the name
# errors start with) and defining `die` and `progress`; set `bin` (where
# blob-cluster is), `work` (a scratch folder) and `store_parent` (where fresh
# stores are made) before starting a cluster. `cluster_prefix` (an array,
# e.g. taskset) is put before blob-cluster when set.

cluster_pid="" child_pids="" store="" cluster_ready=""

# The commit measured, as the study starts (the results it writes, and
# earlier ones, are not changes to what is measured).
measured_commit=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && git diff --quiet HEAD -- . ':!results' 2>/dev/null); then
  measured_commit="$measured_commit (with uncommitted changes)"
fi

# Stops the pids given (e.g. haproxy), then blob-cluster, by pid: TERM, up
# to 15 s, KILL; checks that none of the cluster's children is left running
# (killing and naming any that is: then it returns 1), and removes the store.
cluster_stop() {
  local pid
  for pid in "$@" $cluster_pid; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  cluster_pid=""
  if [ -n "$store" ]; then rm -rf "$store"; store=""; fi
  local left=""
  for _ in $(seq 50); do
    left=""
    for pid in $child_pids; do
      if [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then left="$left $pid"; fi
    done
    [ -z "$left" ] && break
    sleep 0.1
  done
  child_pids=""
  if [ -n "$left" ]; then
    for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
    echo "$script: processes of the cluster outlived it:$left (killed)" >&2
    return 1
  fi
}

# Starts blob-cluster on a fresh store under store_parent with the options
# given (--workers, ports, ...), logging to $1; waits up to 20 s for its
# ready line (kept in cluster_ready) and notes its children's pids. Exits
# the script, with the log's tail, when it does not get ready.
cluster_start() {
  local log=$1
  shift
  store=$(mktemp -d "$store_parent/${script%.sh}-store-XXXXXX")
  : >"$log"
  "${cluster_prefix[@]}" "$bin/blob-cluster" --store "$store" "$@" </dev/null >"$log" 2>&1 &
  cluster_pid=$!
  cluster_ready=""
  for _ in $(seq 200); do
    cluster_ready=$(grep -m1 -w 'ready' "$log" || true)
    [ -n "$cluster_ready" ] && break
    kill -0 "$cluster_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$cluster_ready" ]; then
    tail -n 20 "$log" >&2
    echo "$script: blob-cluster ($*) was not ready within 20 s" >&2
    exit 1
  fi
  # Its children: every pid on the ready line but its own, and any other.
  child_pids=$( (grep -o 'pid [0-9]*' <<<"$cluster_ready" | awk '{print $2}'; pgrep -P "$cluster_pid" || true) \
    | grep -vx "$cluster_pid" | sort -u | tr '\n' ' ')
}

# The machine, for the header and the file name: cpu (model name), cores,
# slug (the model name cut to a file-name word).
machine_describe() {
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
  cpu=${cpu:-unknown CPU}
  cores=$(nproc)
  slug=$(sed -E 's/\((R|TM|tm)\)//g; s/ CPU//; s/@.*$//; s/Processor//; s/[^A-Za-z0-9]+/-/g; s/^-+|-+$//g' <<<"$cpu")
  slug=${slug:-cpu}
}

# The header lines every results file starts with: date, machine, swift and
# the commit measured (run machine_describe first).
machine_header() {
  echo "# date: $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "# cpu: $cpu; cores: $cores; memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); kernel: $(uname -r)"
  echo "# swift: $(swift --version 2>/dev/null | head -n1 || echo unknown)"
  echo "# git commit: $measured_commit"
}

# The folder for fresh stores: the one given, else /dev/shm (a tmpfs: on a
# shared VM's disk the file system's noise hides the servers') when
# writable, else TMPDIR.
default_store_parent() {
  if [ -n "$1" ]; then echo "$1"; return; fi
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then echo /dev/shm; else echo "${TMPDIR:-/tmp}"; fi
}

# Dies (with the script's `die`) unless $2 is a positive integer; $1 names it.
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"; }

# From the repository's root: installs the Debian packages given when
# missing, builds in release mode unless `bin` was given (then uses it),
# and checks blob-cluster and blob-load are there.
release_binaries() {
  bash scripts/install-deps.sh "$@"
  if [ -z "$bin" ]; then
    progress "building in release mode"
    swift build -c release >&2
    bin=$(swift build -c release --show-bin-path)
  fi
  local tool
  for tool in blob-cluster blob-load; do
    [ -x "$bin/$tool" ] || die "no $bin/$tool"
  done
}
