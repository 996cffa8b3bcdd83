#!/usr/bin/env bash
# Lists a namespace of N blobs (default 100,000) on one blob-server while a
# second client sends GET / back to back: prints how long the listing took
# and the slowest GET / meanwhile (the worker must not stall). Store on
# /dev/shm; everything on 127.0.0.1; the server is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config python3
swift build -c release --product blob-server >&2
bin="$(swift build -c release --show-bin-path)"
exec python3 - "$bin" "$count" <<'PY'
import os, random, shutil, socket, subprocess, sys, tempfile, threading, time
sys.path.insert(0, "scripts/lib")
import benchlib
bin_dir, count = sys.argv[1], int(sys.argv[2])
store = tempfile.mkdtemp(prefix="listing-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
procs = benchlib.Processes()
try:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    for _ in range(count):  # random ids, so the prefix directories fan out as in real use
        blob_id = "".join(random.choice(alphabet) for _ in range(16))
        d = os.path.join(store, "u", "default", blob_id[:1], blob_id[:3], blob_id[:6])
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, blob_id), "w").close()
    port = benchlib.free_port()
    procs.start([os.path.join(bin_dir, "blob-server"), "--port", str(port), "--store", store, "--log-level", "error"],
                stdout=subprocess.DEVNULL)
    benchlib.wait_for_port(port)
    done, slowest, probes = threading.Event(), [0.0], [0]
    def probe():
        s = socket.create_connection(("127.0.0.1", port))
        while not done.is_set():
            t = time.time()
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                data += s.recv(4096)
            slowest[0] = max(slowest[0], time.time() - t)
            probes[0] += 1
    thread = threading.Thread(target=probe)
    thread.start()
    time.sleep(0.3)
    for path in ("/blobs/u/", "/blobs/u/?order_by=date", "/blobs/u/?only_count=1"):
        t = time.time()
        body = subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}{path}"], capture_output=True, check=True).stdout
        print(f"GET {path:28} {time.time() - t:6.3f} s  {len(body)} bytes")
    done.set()
    thread.join()
    print(f"{count} blobs; meanwhile {probes[0]} GET / on another connection, the slowest {slowest[0] * 1000:.1f} ms")
finally:
    procs.stop_all()
    shutil.rmtree(store, ignore_errors=True)
PY
