#!/usr/bin/env python3
"""Two blob-server binaries (A = old, B = new) on the JSON and base64 paths,
in one run, alternating A/B every round, medians: requests/s, p50/p99 and
each worker's CPU microseconds per request (from /proc, all its threads).

Settings (wrk, keep-alive, c10), each worker on its own store holding the
same blobs: POST flags to one blob; GET ?only_flags; GET a listing of
--blobs blobs; the same listing with filter_flag (every .flags file read
and parsed); GET of a 10 KiB blob (its Tag is base64). All traffic goes to
127.0.0.1; every process started is stopped by pid."""

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import benchlib  # noqa: E402

POST_FLAGS = """
wrk.method = "POST"
wrk.body = '["PROCESSING", "PENDING"]'
"""


def populate(port, blobs):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(method, path, body):
        conn.request(method, path, body=body)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status}")

    call("PUT", "/blobs/bench/f1", b"x" * 100)
    call("PUT", "/blobs/bench/g1", os.urandom(10240))
    for n in range(blobs):
        call("PUT", f"/blobs/bench/b{n:05d}?namespace=big", b"y" * 64)
        if n % 2 == 0:
            call("POST", f"/blobs/bench/b{n:05d}?namespace=big", b'["PENDING"]')
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="release blob-server A (e.g. built from the branch point)")
    parser.add_argument("--new", required=True, help="release blob-server B")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4, help="length of one measurement")
    parser.add_argument("--blobs", type=int, default=1000, help="blobs in the listed namespace")
    parser.add_argument("--only", default="", help="comma-separated setting names to run (default: all)")
    parser.add_argument("--dir", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir())
    args = parser.parse_args()

    procs = benchlib.Processes()
    work = tempfile.mkdtemp(prefix="bench-json-", dir=args.dir)
    try:
        servers = {}
        for label, binary in (("A old", args.old), ("B new", args.new)):
            port = benchlib.free_port()
            store = os.path.join(work, label.split()[0])
            proc = procs.start([binary, "--port", str(port), "--store", store, "--log-level", "error"],
                               stdout=subprocess.DEVNULL)
            benchlib.wait_for_port(port)
            populate(port, args.blobs)
            servers[label] = (proc, port)
        script = os.path.join(work, "post-flags.lua")
        with open(script, "w") as f:
            f.write(POST_FLAGS)

        settings = [
            ("POST flags", "/blobs/bench/f1", script),
            ("GET only_flags", "/blobs/bench/f1?only_flags=1", None),
            (f"GET listing {args.blobs}", "/blobs/bench/?namespace=big", None),
            (f"GET filter_flag {args.blobs}", "/blobs/bench/?namespace=big&filter_flag=PENDING", None),
            ("GET 10KiB (Tag)", "/blobs/bench/g1", None),
        ]
        only = [s.strip().lower() for s in args.only.split(",") if s.strip()]
        rows = []
        for name, path, lua in settings:
            if only and not any(o in name.lower() for o in only):
                continue
            results = {label: [] for label in servers}
            for round_number in range(args.rounds):
                order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
                for label in order:
                    proc, port = servers[label]
                    result = benchlib.measure([proc.pid], f"http://127.0.0.1:{port}{path}", 10, args.seconds, script=lua)
                    results[label].append(result)
                    print(f"  {name:24} round {round_number + 1} {label}: {result['rps']:9.0f} req/s "
                          f"{result['cpu_us']:7.1f} us/req  errors {result['errors']}", file=sys.stderr)
            row = {"setting": name}
            for label in servers:
                key = label.split()[0]
                row[f"{key} req/s"] = f"{benchlib.median([r['rps'] for r in results[label]]):.0f}"
                row[f"{key} p50/p99 ms"] = (f"{benchlib.median([r['p50_ms'] for r in results[label]]):.2f}/"
                                            f"{benchlib.median([r['p99_ms'] for r in results[label]]):.2f}")
                row[f"{key} us/req"] = f"{benchlib.median([r['cpu_us'] for r in results[label]]):.1f}"
                row[f"{key} errors"] = sum(r["errors"] for r in results[label])
            a = benchlib.median([r["cpu_us"] for r in results["A old"]])
            b = benchlib.median([r["cpu_us"] for r in results["B new"]])
            row["B/A cpu"] = f"{b / a:.3f}"
            rows.append(row)
        print(f"\nA={args.old}\nB={args.new}\n{args.rounds} rounds of {args.seconds}s, alternating, medians, wrk c10; "
              f"stores under {args.dir}")
        benchlib.print_table(rows, ["setting", "A req/s", "B req/s", "A p50/p99 ms", "B p50/p99 ms",
                                    "A us/req", "B us/req", "B/A cpu", "A errors", "B errors"])
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
