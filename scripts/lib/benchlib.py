"""Shared pieces of the benchmark scripts: CPU time of a process from /proc,
wrk runs and their parsing, nginx instances on loopback, medians.

Everything here talks to 127.0.0.1 only and every process it starts is
stopped by pid (see Processes)."""

import os
import re
import signal
import statistics
import subprocess
import tempfile
import time


def cpu_seconds(pid):
    """User+system CPU time of every thread of `pid`, in seconds (schedstat: ns)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e9


class Processes:
    """Starts processes and guarantees they are stopped, by pid."""

    def __init__(self):
        self.started = []

    def start(self, argv, **kwargs):
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kwargs)
        self.started.append(proc)
        return proc

    def stop(self, proc, grace=5):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self):
        for proc in reversed(self.started):
            self.stop(proc)


def wait_for_port(port, timeout=10):
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse_duration_ms(text):
    value = float(re.match(r"[\d.]+", text).group(0))
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    if text.endswith("s"):
        return value * 1000
    return value


def run_wrk(url, connections, seconds, close=False, script=None, threads=1):
    """Runs wrk; returns dict(requests, rps, p50_ms, p99_ms, errors)."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if close:
        argv += ["-H", "Connection: close"]
    if script:
        argv += ["-s", script]
    argv.append(url)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return {
        "requests": requests,
        "rps": rps,
        "p50_ms": parse_duration_ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": parse_duration_ms(p99.group(1)) if p99 else float("nan"),
        "errors": errors,
    }


def measure(pids, url, connections, seconds, close=False, script=None):
    """One wrk run; adds the CPU microseconds per request the `pids` spent."""
    before = sum(cpu_seconds(p) for p in pids)
    result = run_wrk(url, connections, seconds, close=close, script=script)
    after = sum(cpu_seconds(p) for p in pids)
    result["cpu_us"] = (after - before) * 1e6 / max(result["requests"], 1)
    return result


def median(values):
    return statistics.median(values)


def nginx_config(port, root, extra_locations="", workdir=None):
    """A one-process nginx (no master, no daemon) on 127.0.0.1:port."""
    workdir = workdir or tempfile.mkdtemp(prefix="bench-nginx-")
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
daemon off;
master_process off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log crit;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port} reuseport backlog=1024;
        root {root};
        location = / {{ return 200 ""; }}
        {extra_locations}
    }}
}}
""")
    return conf


def print_table(rows, columns):
    widths = [max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths)))


class WorkerAndNginx:
    """One blob-server and one nginx worker side by side under `work`, each
    holding the same 10 KiB blob (the worker at /blobs/bench/blob1, nginx
    as the static file /blob.bin, with WebDAV PUT under /dav/): what
    bench_worker.py and syscalls.py compare. Started through `procs`, so
    they stop with it."""

    def __init__(self, procs, binary, work):
        self.work = work
        store = os.path.join(work, "store")
        self.ours_port, self.nginx_port = free_port(), free_port()
        self.ours = procs.start([binary, "--port", str(self.ours_port), "--store", store, "--log-level", "error"],
                                stdout=subprocess.DEVNULL)
        self.webroot = os.path.join(work, "www")
        os.makedirs(os.path.join(self.webroot, "dav"))
        self.blob = os.urandom(10240)
        self.blob_file = os.path.join(self.webroot, "blob.bin")
        with open(self.blob_file, "wb") as f:
            f.write(self.blob)
        conf = nginx_config(self.nginx_port, self.webroot, workdir=work, extra_locations="""
            location /dav/ { dav_methods PUT; create_full_put_path on; }""")
        self.nginx = procs.start(["nginx", "-c", conf, "-e", os.path.join(work, "error.log")])
        wait_for_port(self.ours_port)
        wait_for_port(self.nginx_port)
