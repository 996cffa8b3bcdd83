#!/usr/bin/env bash
# Lists a namespace of N blobs (default 100,000), on a fresh blob-server per
# listing, while a second client sends GET / every millisecond or so:
# prints, for each kind of listing
# (unsorted, sorted, gzip, only_count, only_count with a filter), how long
# it took, how many ids came back (checked against the files written), the
# worker's RSS growth during it (VmHWM after `clear_refs 5` reset the peak,
# minus VmRSS before, and the largest sampled VmRSS as a cross-check), and
# the slowest GET / meanwhile (the worker must not stall). Store on
# /dev/shm, filled by writing files directly; everything on 127.0.0.1; the
# server is stopped by pid. BLOB_SERVER=path runs another build instead,
# BLOB_SERVER=old:new several in turn on the same store (before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config python3 curl
if [ -z "${BLOB_SERVER:-}" ]; then
    swift build -c release --product blob-server >&2
    BLOB_SERVER="$(swift build -c release --show-bin-path)/blob-server"
fi
exec python3 - "$BLOB_SERVER" "$count" <<'PY'
import gzip, json, os, random, shutil, socket, subprocess, sys, tempfile, threading, time
sys.path.insert(0, "scripts/lib")
import benchlib
servers, count = sys.argv[1].split(":"), int(sys.argv[2])
store = tempfile.mkdtemp(prefix="listing-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
procs = benchlib.Processes()

def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0

def parallel(server, clients=50):
    """50 unsorted listings at once on one worker (default --max-listings 2,
    --listing-queue 8): how many were served whole, how many got 503, and
    the worker's RSS growth meanwhile."""
    port = benchlib.free_port()
    proc = procs.start([server, "--port", str(port), "--store", store, "--log-level", "error"], stdout=subprocess.DEVNULL)
    benchlib.wait_for_port(port)
    time.sleep(1)
    before = status_kib(proc.pid, "VmRSS")
    with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
        f.write("5")
    t = time.time()
    outputs = [tempfile.TemporaryFile() for _ in range(clients)]
    curls = [subprocess.Popen(["curl", "-s", "-w", "\\n%{http_code}", f"http://127.0.0.1:{port}/blobs/u/"], stdout=out)
             for out in outputs]
    for c in curls:
        c.wait()
    elapsed = time.time() - t
    peak = status_kib(proc.pid, "VmHWM")
    procs.stop(proc)
    whole = busy = 0
    for out in outputs:
        out.seek(0)
        body, _, code = out.read().rpartition(b"\n")
        if code == b"200" and len(json.loads(body)) == count:
            whole += 1
        elif code == b"503":
            busy += 1
    print(f"{clients} parallel GET /blobs/u/: {whole} whole, {busy} got 503, {clients - whole - busy} other, in {elapsed:.1f} s;"
          f" RSS growth {(peak - before) / 1024:.1f} MiB")

try:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    ids = set()
    while len(ids) < count:  # random ids, so the prefix directories fan out as in real use
        ids.add("".join(random.choice(alphabet) for _ in range(16)))
    for blob_id in ids:
        d = os.path.join(store, "u", "default", blob_id[:1], blob_id[:3], blob_id[:6])
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, blob_id), "w").close()
    flagged = set(list(ids)[: max(1, count // 10)])
    for blob_id in flagged:
        d = os.path.join(store, "u", "default", blob_id[:1], blob_id[:3], blob_id[:6])
        with open(os.path.join(d, blob_id + ".flags"), "w") as f:
            f.write('["PENDING"]')
    for server in servers:
        print(f"{count} blobs ({len(flagged)} flagged PENDING), {server}; a fresh worker for each listing")
        print(f"{'listing':48} {'time':>8} {'bytes':>11} {'ids':>9}  {'RSS before':>10} {'growth(HWM)':>11} {'growth(sampled)':>15}   GET / meanwhile: p50 p99 max")
        cases = [("/blobs/u/", [], ids), ("/blobs/u/?order_by=date", [], ids), ("/blobs/u/?order_by=-date", [], ids),
                 ("/blobs/u/ (gzip)", ["-H", "Accept-Encoding: gzip"], ids),
                 ("/blobs/u/?only_count=1", [], None), ("/blobs/u/?only_count=1&filter_flag=PENDING", [], None)]
        for label, extra, expected in cases:
            path = label.split(" ")[0]
            # A fresh worker each time: memory one listing freed but malloc
            # kept would otherwise count as the next one's baseline.
            port = benchlib.free_port()
            proc = procs.start([server, "--port", str(port), "--store", store, "--log-level", "error"], stdout=subprocess.DEVNULL)
            benchlib.wait_for_port(port)
            done, latencies = threading.Event(), []
            def probe():
                s = socket.create_connection(("127.0.0.1", port))
                while not done.is_set():
                    t = time.time()
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += s.recv(4096)
                    latencies.append(time.time() - t)
                    time.sleep(0.001)  # a steady prober, not a second load
            thread = threading.Thread(target=probe)
            thread.start()
            time.sleep(1)  # past the start-up sweep of temporary files
            before = status_kib(proc.pid, "VmRSS")
            with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            sampled, sampling = [before], [True]
            def sample():
                while sampling[0]:
                    sampled.append(status_kib(proc.pid, "VmRSS"))
                    time.sleep(0.005)
            sampler = threading.Thread(target=sample)
            sampler.start()
            t = time.time()
            body = subprocess.run(["curl", "-sf", *extra, f"http://127.0.0.1:{port}{path}"], capture_output=True, check=True).stdout
            elapsed = time.time() - t
            sampling[0] = False
            sampler.join()
            peak = status_kib(proc.pid, "VmHWM")
            # The prober stops before the big JSON is parsed here: that holds
            # Python's lock for a second and would count as the worker's delay.
            done.set()
            thread.join()
            procs.stop(proc)
            size = len(body)
            if "gzip" in label:
                body = gzip.decompress(body)
            answer = json.loads(body)
            if expected is None:
                got = answer["count"]
                want = len(flagged) if "filter_flag" in path else count
                assert got == want, f"{path}: count {got}, expected {want}"
            else:
                got = len(answer)
                assert set(answer) == expected and got == len(expected), f"{path}: ids differ from the store"
            latencies.sort()
            probe_text = (f"{latencies[len(latencies) // 2] * 1000:5.1f} {latencies[len(latencies) * 99 // 100] * 1000:6.1f}"
                          f" {latencies[-1] * 1000:6.1f} ms") if latencies else "-"
            print(f"GET {label:44} {elapsed:6.3f} s {size:11} {got:9}  {before / 1024:7.1f} MiB {(peak - before) / 1024:7.1f} MiB"
                  f" {(max(sampled) - before) / 1024:11.1f} MiB   {probe_text}")
        if b"--max-listings" in subprocess.run([server, "--help"], capture_output=True).stdout:
            parallel(server)
        print()
finally:
    procs.stop_all()
    shutil.rmtree(store, ignore_errors=True)
PY
