#!/usr/bin/env python3
"""blob-balancer against haproxy in front of the same two backends (two
one-process nginx instances, and two blob-server workers), in one run,
alternating, several rounds, medians: our tcp mode vs haproxy with no mode
line and `balance roundrobin` (the study's config), our http mode vs haproxy
`mode http` with keep-alive to the servers. GET / with wrk, keep-alive at
c10 and c64, and a new connection per request at c10. Reports req/s,
p50/p99, and the proxy's own CPU microseconds per request with the ratio
ours/haproxy. All traffic stays on 127.0.0.1."""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import benchlib  # noqa: E402


def haproxy_config(path, port, backends, mode):
    servers = "\n".join(f"    server s{i} 127.0.0.1:{p}" for i, p in enumerate(backends))
    http = "    mode http\n    option http-keep-alive\n    http-reuse always\n" if mode == "http" else ""
    with open(path, "w") as f:
        f.write(f"""global
    maxconn 8000
    nbthread 1
defaults
{http}    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend front
    bind 127.0.0.1:{port}
    default_backend back
backend back
    balance roundrobin
{servers}
""")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="folder of the release binaries")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of one measurement")
    parser.add_argument("--backends", default="nginx", help="backend kinds to run in front of: nginx,blob-server")
    args = parser.parse_args()
    # TERM or INT: leave through `finally`, which stops every process by pid.
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda *_: sys.exit(130))

    procs = benchlib.Processes()
    work = tempfile.mkdtemp(prefix="bench-balancer-")
    rows = []
    try:
        for kind in args.backends.split(","):
            backends = []
            for index in range(2):
                port = benchlib.free_port()
                if kind == "nginx":
                    directory = os.path.join(work, f"nginx{index}")
                    os.makedirs(directory)
                    conf = benchlib.nginx_config(port, directory, workdir=directory)
                    procs.start(["nginx", "-c", conf, "-e", os.path.join(directory, "error.log")])
                else:
                    procs.start([os.path.join(args.bin, "blob-server"), "--port", str(port), "--store",
                                 os.path.join(work, "store"), "--log-level", "error"], stdout=subprocess.DEVNULL)
                benchlib.wait_for_port(port)
                backends.append(port)
            for mode in ("tcp", "http"):
                ours_port, haproxy_port = benchlib.free_port(), benchlib.free_port()
                argv = [os.path.join(args.bin, "blob-balancer"), "--port", str(ours_port), "--mode", mode, "--log-level", "error"]
                for port in backends:
                    argv += ["--backend", f"127.0.0.1:{port}"]
                ours = procs.start(argv, stdout=subprocess.DEVNULL)
                conf = os.path.join(work, f"haproxy-{kind}-{mode}.cfg")
                haproxy_config(conf, haproxy_port, backends, mode)
                haproxy = procs.start(["haproxy", "-f", conf, "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                benchlib.wait_for_port(ours_port)
                benchlib.wait_for_port(haproxy_port)
                for name, conns, close in (("keep-alive c10", 10, False), ("keep-alive c64", 64, False),
                                           ("new conn c10", 10, True)):
                    results = {"ours": [], "haproxy": []}
                    for round_number in range(args.rounds):
                        order = [("ours", ours, ours_port), ("haproxy", haproxy, haproxy_port)]
                        if round_number % 2:
                            order.reverse()
                        for label, proc, port in order:
                            result = benchlib.measure([proc.pid], f"http://127.0.0.1:{port}/", conns, args.seconds, close=close)
                            results[label].append(result)
                            print(f"  {kind} {mode} {name} round {round_number + 1} {label}: {result['rps']:.0f} req/s "
                                  f"{result['cpu_us']:.1f} us/req errors {result['errors']}", file=sys.stderr)
                    row = {"backends": kind, "mode": mode, "setting": name}
                    for label in ("ours", "haproxy"):
                        rs = results[label]
                        row[f"{label} req/s"] = f"{benchlib.median([r['rps'] for r in rs]):.0f}"
                        row[f"{label} p50/p99 ms"] = (f"{benchlib.median([r['p50_ms'] for r in rs]):.2f}/"
                                                      f"{benchlib.median([r['p99_ms'] for r in rs]):.2f}")
                        row[f"{label} us/req"] = f"{benchlib.median([r['cpu_us'] for r in rs]):.1f}"
                        row[f"{label} errors"] = sum(r["errors"] for r in rs)
                    row["cpu ratio"] = f"{float(row['ours us/req']) / float(row['haproxy us/req']):.2f}"
                    row["req/s ratio"] = f"{float(row['ours req/s']) / float(row['haproxy req/s']):.2f}"
                    rows.append(row)
                procs.stop(ours)
                procs.stop(haproxy)
        print(f"\nblob-balancer vs haproxy (nbthread 1), {args.rounds} rounds of {args.seconds}s, medians; "
              "CPU is the proxy's own")
        benchlib.print_table(rows, ["backends", "mode", "setting", "ours req/s", "haproxy req/s", "ours p50/p99 ms",
                                    "haproxy p50/p99 ms", "ours us/req", "haproxy us/req", "cpu ratio", "req/s ratio",
                                    "ours errors", "haproxy errors"])
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
