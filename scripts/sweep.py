#!/usr/bin/env python3
"""The study, reproduced: for each worker count, start a fresh cluster on a
fresh store, run each action `runs` times with blob-load, and write one line
per (workers, action) to results/sweep-<date>-<cpu>-<cores>c.txt, with a
plot beside it. The first five columns are the study's own
(`workers action amount size seconds`, seconds = mean wall time of `amount`
actions). With --with-haproxy the same sweep runs again with haproxy (the
study's config: tcp mode, roundrobin) in front of the same kind of workers.

Everything listens on 127.0.0.1; every process started is stopped by pid
and checked gone."""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import plotting  # noqa: E402

ACTIONS = ["baseline", "list", "put", "get", "flag", "delete"]


def progress(text):
    print(f"[sweep {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def machine():
    cpu = "unknown-cpu"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": f"{mem_kib / 1048576:.1f} GiB",
        "kernel": platform.release(), "swift": swift[0] if swift else "unknown", "commit": commit or "unknown",
    }


def slug(text):
    text = re.sub(r"\(R\)|\(TM\)|CPU|@.*$|Processor", "", text)
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "cpu"


def wait_for_line(proc, marker, timeout):
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        if marker in line:
            return line
    raise RuntimeError(f"no '{marker}' line within {timeout}s; got: {''.join(lines)[-2000:]}")


class Cluster:
    """One blob-cluster (and, for the haproxy run, haproxy in front of its
    workers), stopped by pid."""

    def __init__(self, args, workers, front_port, balancer):
        self.store = tempfile.mkdtemp(prefix="sweep-store-", dir=args.store_parent)
        self.haproxy = None
        self.haproxy_dir = None
        cluster_port = front_port if balancer == "ours" else front_port + 50
        argv = [os.path.join(args.bin, "blob-cluster"), "--workers", str(workers), "--store", self.store,
                "--port", str(cluster_port), "--worker-base-port", str(front_port + 1), "--mode", args.mode,
                "--log-level", "warning"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        ready = wait_for_line(self.proc, "ready", 30)
        self.pids = [int(p) for p in re.findall(r"pid (\d+)", ready)]
        self.worker_ports = [int(p) for p in re.findall(r":(\d+) \(pid", ready.split("workers", 1)[1])]
        if balancer == "haproxy":
            self.start_haproxy(front_port)

    def start_haproxy(self, port):
        self.haproxy_dir = tempfile.mkdtemp(prefix="sweep-haproxy-")
        conf = os.path.join(self.haproxy_dir, "haproxy.cfg")
        servers = "\n".join(f"    server w{i} 127.0.0.1:{p}" for i, p in enumerate(self.worker_ports))
        with open(conf, "w") as f:
            # The study's haproxy.cfg: no mode line (tcp), balance roundrobin.
            f.write(f"""global
    maxconn 4096
defaults
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend blobs
    bind 127.0.0.1:{port}
    default_backend workers
backend workers
    balance roundrobin
{servers}
""")
        self.haproxy = subprocess.Popen(["haproxy", "-f", conf, "-db"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        import socket
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("haproxy did not start")

    def stop(self):
        for proc in (self.haproxy, self.proc):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(40)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        deadline = time.time() + 5
        while time.time() < deadline and any(os.path.exists(f"/proc/{p}") and not zombie(p) for p in self.pids):
            time.sleep(0.05)
        left = [p for p in self.pids if os.path.exists(f"/proc/{p}") and not zombie(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        shutil.rmtree(self.store, ignore_errors=True)
        if self.haproxy_dir:
            shutil.rmtree(self.haproxy_dir, ignore_errors=True)
        if left:
            raise RuntimeError(f"processes of the cluster outlived it: {left}")


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


def run_action(args, action, port):
    argv = [os.path.join(args.bin, "blob-load"), "--action", action, "--amount", str(args.amount),
            "--concurrency", str(args.concurrency), "--size", args.size, "--url", f"http://127.0.0.1:{port}",
            "--user", f"sweep-{action}", "--json"]
    if args.new_connection_per_request:
        argv.append("--new-connection-per-request")
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"blob-load failed: {out.stderr}")
    return json.loads(out.stdout)


def default_store_parent():
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else tempfile.gettempdir()


def file_system(path):
    out = subprocess.run(["df", "--output=fstype", path], capture_output=True, text=True).stdout.split()
    return out[-1] if out else "unknown"


def size_kib(text):
    match = re.fullmatch(r"(\d+)\s*([kKmMgG]?)(i?[bB])?", text.strip())
    if not match:
        raise SystemExit(f"--size: not a size: {text}")
    value, unit = int(match.group(1)), match.group(2).lower()
    return value * {"": 1 / 1024, "k": 1, "m": 1024, "g": 1024 * 1024}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1 2 4 8", help='worker counts (default "1 2 4 8")')
    parser.add_argument("--actions", default=" ".join(ACTIONS), help="actions to run (default: all six)")
    parser.add_argument("--amount", type=int, default=1000, help="actions per run (default 1000)")
    parser.add_argument("--size", default="10KiB", help="blob size (default 10KiB)")
    parser.add_argument("--concurrency", type=int, default=10, help="actions in flight (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions, mean kept (default 5)")
    parser.add_argument("--mode", choices=["tcp", "http"], default="tcp", help="our balancer's mode (default tcp)")
    parser.add_argument("--new-connection-per-request", action="store_true", help="as ab does (default: keep-alive)")
    parser.add_argument("--with-haproxy", action="store_true", help="run again with haproxy in front of the workers")
    parser.add_argument("--port", type=int, default=8000, help="front port (workers on the next ones; default 8000)")
    parser.add_argument("--out", default="results", help="output folder (default results/)")
    parser.add_argument("--store-parent", default=default_store_parent(),
                        help="where the fresh stores are made (default /dev/shm, a tmpfs, when there is one: on a "
                             "shared VM's disk the file system's noise hides the servers'; give /tmp to include the disk)")
    parser.add_argument("--bin", required=True, help="folder of the release binaries")
    args = parser.parse_args()

    workers = [int(w) for w in args.workers.split()]
    actions = args.actions.split()
    for action in actions:
        if action not in ACTIONS:
            raise SystemExit(f"unknown action {action}: use {' '.join(ACTIONS)}")
    if any(not 1 <= w <= 8 for w in workers):
        raise SystemExit("--workers: each count must be 1 to 8")
    balancers = ["ours"] + (["haproxy"] if args.with_haproxy else [])
    info = machine()
    now = datetime.datetime.now()
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, f"sweep-{now:%Y-%m-%d}-{slug(info['cpu'])}-{info['cores']}c")
    kib = size_kib(args.size)
    size_column = f"{kib:g}"

    rows = []
    total = len(balancers) * len(workers) * len(actions)
    step = 0
    for balancer in balancers:
        for count in workers:
            label = f"blob-balancer-{args.mode}" if balancer == "ours" else "haproxy-tcp"
            progress(f"{label}: starting {count} worker(s)")
            cluster = Cluster(args, count, args.port, balancer)
            try:
                for action in actions:
                    step += 1
                    results = []
                    for run in range(args.runs):
                        progress(f"[{step}/{total}] {label} workers={count} {action} run {run + 1}/{args.runs}")
                        results.append(run_action(args, action, args.port))
                    seconds = [r["wall_seconds"] for r in results]
                    mean = statistics.mean(seconds)
                    rows.append({
                        "workers": count, "action": action, "amount": args.amount, "size": size_column,
                        "seconds": mean,
                        "rps": statistics.mean(r["requests_per_second"] for r in results),
                        "p50": statistics.median(r["latency_ms"].get("p50", 0) for r in results),
                        "p99": statistics.median(r["latency_ms"].get("p99", 0) for r in results),
                        "non2xx": sum(r["non2xx"] for r in results),
                        "failures": sum(r["failures"] for r in results),
                        "spread": (max(seconds) - min(seconds)) / mean if mean > 0 else 0,
                        "balancer": label,
                    })
            finally:
                cluster.stop()
                progress(f"{label}: {count} worker(s) stopped, nothing left running")

    with open(base + ".txt", "w") as f:
        f.write(f"# blob-cluster scaling sweep (the LEAP Soledad blobs-multiprocess study, reproduced)\n")
        f.write(f"# date: {now:%Y-%m-%d %H:%M:%S}\n")
        f.write(f"# machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, kernel {info['kernel']}\n")
        f.write(f"# swift: {info['swift']}\n# git commit: {info['commit']}\n")
        f.write(f"# settings: workers={args.workers!r} actions={args.actions!r} amount={args.amount} size={args.size} "
                f"concurrency={args.concurrency} runs={args.runs} mode={args.mode} "
                f"connections={'new per request' if args.new_connection_per_request else 'kept alive'} "
                f"balancers={','.join(balancers)} fsync=off\n")
        f.write(f"# store: fresh per worker count under {args.store_parent} ({file_system(args.store_parent)})\n")
        f.write("# seconds = mean wall time of one run of `amount` actions (the study's column); req_per_s = mean;\n")
        f.write("# p50_ms, p99_ms = median over runs of each run's request latency percentile; non2xx = answers\n")
        f.write("# outside 2xx over all runs; failures = requests without the promised status (incl. refused, reset);\n")
        f.write("# spread = (max - min) / mean of seconds over the runs\n")
        f.write("# workers action amount size seconds req_per_s p50_ms p99_ms non2xx failures spread balancer\n")
        for r in rows:
            f.write(f"{r['workers']} {r['action']} {r['amount']} {r['size']} {r['seconds']:.6f} {r['rps']:.1f} "
                    f"{r['p50']:.3f} {r['p99']:.3f} {r['non2xx']} {r['failures']} {r['spread']:.3f} {r['balancer']}\n")
    plotting.plot_sweep(base + ".txt", base + ".png",
                        title=f"blob-cluster sweep, {info['cpu']}, {info['cores']} cores ({now:%Y-%m-%d})")
    print(base + ".txt")
    print(base + ".png")


if __name__ == "__main__":
    main()
