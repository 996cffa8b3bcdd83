#!/usr/bin/env python3
"""Instructions per request of blob-server, from callgrind: the profiling
build runs under valgrind with instrumentation off, a fixed number of
sequential requests of one kind is sent with it switched on, and the
profile is dumped. Prints instructions per request (steady however busy the
machine is, unlike CPU time) and the top of the inclusive profile.

Kinds: baseline (GET / keep-alive), get (GET of a 10 KiB blob), put (PUT of
10 KiB with a fresh id each), newconn (GET / with a new connection each).
All traffic goes to 127.0.0.1; the server is stopped by pid and its store
removed."""

import argparse
import os
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


def send(kind, port, requests, prefix):
    """PUT ids share their first six characters, as bench_worker.py's do, so
    the blob directories are made once, not on every PUT."""
    client = Client(port, keep_alive=kind != "newconn")
    for i in range(requests):
        if kind == "put":
            client.request("PUT", f"/blobs/bench/{prefix}{i}", BLOB)
        elif kind == "get":
            client.request("GET", "/blobs/bench/blob1")
        else:
            client.request("GET", "/")
    client.close()


def total_instructions(annotated):
    match = re.search(r"^([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", annotated, re.M)
    return int(match.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="blob-server of the profiling build (DWARF 4)")
    parser.add_argument("--kind", choices=["baseline", "get", "put", "newconn"], default="get")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30, help="lines of the inclusive profile to print")
    parser.add_argument("--keep", help="copy the callgrind output file here")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="profile-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    procs = benchlib.Processes()
    try:
        port = benchlib.free_port()
        out = os.path.join(work, "cg.out")
        server = procs.start(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                              args.binary, "--port", str(port), "--store", os.path.join(work, "store"),
                              "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        benchlib.wait_for_port(port, timeout=60)
        Client(port, keep_alive=False).request("PUT", "/blobs/bench/blob1", BLOB)
        send(args.kind, port, 20, "warm00")  # warm: first-use costs stay out of the profile
        control = ["callgrind_control"]
        subprocess.run(control + ["-i", "on", str(server.pid)], check=True, stdout=subprocess.DEVNULL)
        send(args.kind, port, args.requests, "put000")
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
        print(f"# scripts/profile.sh --kind {args.kind} --requests {args.requests}: "
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
