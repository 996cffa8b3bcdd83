#!/usr/bin/env python3
"""blob-server against one nginx worker process, on the same box, in one run,
alternating, several rounds, medians: requests/s, p50/p99 latency, and each
server's CPU microseconds per request (from /proc) with the ratio to nginx.

Settings: GET / keep-alive c10 and c64, GET / with a new connection per
request c10, GET of a 10 KiB blob (nginx: a static 10 KiB file) and PUT of
10 KiB blobs with unique ids (nginx: WebDAV PUT, which writes a temporary
file and renames it without fsync; blob-server runs without --fsync too),
keep-alive c10. All traffic goes to 127.0.0.1.

With --against BINARY a second blob-server (an earlier build, say) runs
beside them on a store of its own and takes its turn in every round: the
table then also gives ours over that build, measured in the same run;
--against-flags gives it flags of its own (the same binary with
--no-metrics measures what metrics cost)."""

import argparse
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import benchlib  # noqa: E402

PUT_SCRIPT = """
local counter = 0
local body = string.rep("x", 10240)
request = function()
  counter = counter + 1
  return wrk.format("PUT", "%s" .. counter, nil, body)
end
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="path to the release blob-server")
    parser.add_argument("--against", metavar="BINARY",
                        help="another blob-server build to measure in the same rounds (its CPU ratio is ours over it)")
    parser.add_argument("--against-flags", default="", metavar="FLAGS",
                        help="flags for the --against build, e.g. --against-flags=--no-metrics with --against the same binary "
                             "(the cost of a feature, measured in the same rounds)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4, help="length of one measurement")
    parser.add_argument("--only", default="", help="comma-separated setting names to run (default: all)")
    parser.add_argument("--dir", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir(),
                        help="where both servers keep their files (default /dev/shm: a shared VM's disk adds noise "
                             "larger than the difference measured; give /tmp to include it)")
    args = parser.parse_args()

    procs = benchlib.Processes()
    work = tempfile.mkdtemp(prefix="bench-worker-", dir=args.dir)
    try:
        pair = benchlib.WorkerAndNginx(procs, args.binary, work)
        # label -> (process, port, prefix of blob paths on that server)
        servers = {"ours": (pair.ours, pair.ours_port, "/blobs/bench/"), "nginx": (pair.nginx, pair.nginx_port, None)}
        if args.against:
            base_port = benchlib.free_port()
            base = procs.start([args.against, "--port", str(base_port), "--store", os.path.join(work, "base-store"),
                                "--log-level", "error"] + shlex.split(args.against_flags), stdout=subprocess.DEVNULL)
            benchlib.wait_for_port(base_port)
            servers["base"] = (base, base_port, "/blobs/bench/")
        for label, (_, port, prefix) in servers.items():
            if prefix:
                subprocess.run(["curl", "-sf", "-X", "PUT", "--data-binary", "@" + pair.blob_file,
                                f"http://127.0.0.1:{port}{prefix}blob1"], check=True)

        def put_script(prefix):
            path = os.path.join(work, f"put-{secrets.token_hex(4)}.lua")
            with open(path, "w") as f:
                f.write(PUT_SCRIPT % prefix)
            return path

        settings = [
            ("GET / keep-alive c10", 10, False, "/", "/", None),
            ("GET / keep-alive c64", 64, False, "/", "/", None),
            ("GET / new conn c10", 10, True, "/", "/", None),
            ("GET 10KiB keep-alive c10", 10, False, "/blobs/bench/blob1", "/blob.bin", None),
            ("PUT 10KiB keep-alive c10", 10, False, "/", "/", "put"),
        ]
        only = [s.strip() for s in args.only.split(",") if s.strip()]
        labels = list(servers)
        rows = []
        for name, conns, close, ours_path, nginx_path, kind in settings:
            if only and not any(o.lower() in name.lower() for o in only):
                continue
            results = {label: [] for label in labels}
            for round_number in range(args.rounds):
                # Each round starts with the next server: none is always first.
                shift = round_number % len(labels)
                for label in labels[shift:] + labels[:shift]:
                    proc, port, prefix = servers[label]
                    path = nginx_path if label == "nginx" else ours_path
                    script = None
                    if kind == "put":
                        token = secrets.token_hex(4)
                        script = put_script(f"{prefix or '/dav/'}p{token}n")
                    result = benchlib.measure([proc.pid], f"http://127.0.0.1:{port}{path}", conns, args.seconds,
                                              close=close, script=script)
                    results[label].append(result)
                    print(f"  {name:26} round {round_number + 1} {label:5}: {result['rps']:9.0f} req/s "
                          f"{result['cpu_us']:6.1f} us/req  errors {result['errors']}", file=sys.stderr)
            row = {"setting": name}
            cpu = {}
            for label in labels:
                row[f"{label} req/s"] = f"{benchlib.median([r['rps'] for r in results[label]]):.0f}"
                row[f"{label} p50/p99 ms"] = (f"{benchlib.median([r['p50_ms'] for r in results[label]]):.2f}/"
                                              f"{benchlib.median([r['p99_ms'] for r in results[label]]):.2f}")
                cpu[label] = benchlib.median([r["cpu_us"] for r in results[label]])
                row[f"{label} us/req"] = f"{cpu[label]:.1f}"
                row[f"{label} errors"] = sum(r["errors"] for r in results[label])
            row["cpu ratio"] = f"{cpu['ours'] / cpu['nginx']:.2f}"
            if "base" in cpu:
                row["ours/base cpu"] = f"{cpu['ours'] / cpu['base']:.2f}"
                row["base/nginx cpu"] = f"{cpu['base'] / cpu['nginx']:.2f}"
            rows.append(row)
        against = f"; base: {args.against} {args.against_flags}".rstrip() if args.against else ""
        print(f"\nblob-server vs nginx (1 worker), {args.rounds} rounds of {args.seconds}s, medians; "
              f"blob-server without --fsync; files under {args.dir}{against}")
        columns = ["setting"]
        for field in ("req/s", "p50/p99 ms", "us/req"):
            columns += [f"{label} {field}" for label in labels]
        columns += ["cpu ratio"] + (["ours/base cpu", "base/nginx cpu"] if args.against else [])
        columns += [f"{label} errors" for label in labels]
        benchlib.print_table(rows, columns)
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
