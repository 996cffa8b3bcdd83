#!/usr/bin/env python3
"""Instructions per request of blob-server, from callgrind: the profiling
build runs under valgrind with instrumentation off, a fixed number of
sequential requests of one kind is sent with it switched on, and the
profile is dumped. Prints instructions per request (steady however busy the
machine is, unlike CPU time) and the top of the inclusive profile.

Kinds: baseline (GET / keep-alive), get (GET of a 10 KiB blob), put (PUT of
10 KiB with a fresh id each), newconn (GET / with a new connection each).
With --nginx the yardstick is profiled the same way instead: one nginx
worker (Debian's binary, so its own code shows as addresses unless the
nginx debug symbols are installed) serving the same 10 KiB file as a static
file and WebDAV PUT, as scripts/bench-worker.sh compares them. All traffic
goes to 127.0.0.1; the server is stopped by pid and its files removed."""

import argparse
import os
import shlex
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import benchlib  # noqa: E402
from syscalls import Client  # noqa: E402

BLOB = os.urandom(10240)


OURS_PATHS = {"get": "/blobs/bench/blob1", "put": "/blobs/bench/"}
NGINX_PATHS = {"get": "/blob.bin", "put": "/dav/"}


def send(kind, port, requests, prefix, paths):
    """PUT ids share their first six characters, as bench_worker.py's do, so
    the blob directories are made once, not on every PUT."""
    client = Client(port, keep_alive=kind != "newconn")
    for i in range(requests):
        if kind == "put":
            client.request("PUT", f"{paths['put']}{prefix}{i}", BLOB)
        elif kind == "get":
            client.request("GET", paths["get"])
        else:
            client.request("GET", "/")
    client.close()


def total_instructions(annotated):
    match = re.search(r"^([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", annotated, re.M)
    return int(match.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="blob-server of the profiling build (DWARF 4)")
    parser.add_argument("--nginx", action="store_true", help="profile one nginx worker instead of blob-server")
    parser.add_argument("--kind", choices=["baseline", "get", "put", "newconn"], default="get")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--server-flags", default="", metavar="FLAGS",
                        help="more flags for blob-server, e.g. --server-flags=--no-metrics")
    parser.add_argument("--top", type=int, default=30, help="lines of the inclusive profile to print")
    parser.add_argument("--keep", help="copy the callgrind output file here")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="profile-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    procs = benchlib.Processes()
    try:
        port = benchlib.free_port()
        out = os.path.join(work, "cg.out")
        valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        if args.nginx:
            webroot = os.path.join(work, "www")
            os.makedirs(os.path.join(webroot, "dav"))
            with open(os.path.join(webroot, "blob.bin"), "wb") as f:
                f.write(BLOB)
            conf = benchlib.nginx_config(port, webroot, workdir=work, extra_locations="""
            location /dav/ { dav_methods PUT; create_full_put_path on; }""")
            argv, paths = ["nginx", "-c", conf, "-e", os.path.join(work, "error.log")], NGINX_PATHS
        else:
            if not args.binary:
                parser.error("--binary is required unless --nginx is given")
            argv = [args.binary, "--port", str(port), "--store", os.path.join(work, "store"), "--log-level", "error"]
            argv += shlex.split(args.server_flags)
            paths = OURS_PATHS
        server = procs.start(valgrind + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        benchlib.wait_for_port(port, timeout=60)
        if not args.nginx:
            Client(port, keep_alive=False).request("PUT", "/blobs/bench/blob1", BLOB)
        send(args.kind, port, 20, "warm00", paths)  # warm: first-use costs stay out of the profile
        control = ["callgrind_control"]
        subprocess.run(control + ["-i", "on", str(server.pid)], check=True, stdout=subprocess.DEVNULL)
        send(args.kind, port, args.requests, "put000", paths)
        subprocess.run(control + ["-i", "off", str(server.pid)], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(control + ["-d", str(server.pid)], check=True, stdout=subprocess.DEVNULL)
        dump = out + ".1"
        deadline = time.time() + 30
        while not os.path.exists(dump) and time.time() < deadline:
            time.sleep(0.1)
        procs.stop_all()
        annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", dump],
                                   capture_output=True, text=True, check=True).stdout
        demangled = subprocess.run(["swift", "demangle", "--simplified"], input=annotated,
                                   capture_output=True, text=True, check=True).stdout
        total = total_instructions(demangled)
        who = " --nginx" if args.nginx else ""
        print(f"# scripts/profile.sh{who} --kind {args.kind} --requests {args.requests}: "
              f"{total / args.requests:,.0f} instructions per request (callgrind, inclusive)")
        lines = [line for line in demangled.splitlines() if re.match(r"^\s*[\d,]+ \(\s*[\d.]+%\)", line)]
        for line in lines[1:args.top + 1]:
            count, rest = line.split(None, 1)
            per_request = int(count.replace(",", "")) / args.requests
            rest = re.sub(r"\s*\[[^\]]*\]\s*$", "", rest)  # the object file
            print(f"{per_request:9,.0f}  {rest[:160]}")
        if args.keep:
            shutil.copy(dump, args.keep)
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
