#!/usr/bin/env python3
"""PUT latency with --quota when the user already has many blobs: one
blob-server on a store under /dev/shm holding BLOBS blobs of 64 bytes of
user `bench` (written straight into Soledad's layout), then N sequential
keep-alive PUTs of 10 KiB with unique ids. The first PUT is reported apart:
it may walk the user's tree once (no ledger yet, or one a worker without
--quota emptied). Pass --before BINARY to time an older blob-server too
(fewer PUTs: it walked the tree twice per PUT). Removes the store after."""

import argparse
import http.client
import os
import random
import re
import shutil
import string
import subprocess
import time


def populate(store, count):
    rng = random.Random(1)
    alphabet = string.ascii_letters + string.digits
    for _ in range(count):
        blob = "".join(rng.choice(alphabet) for _ in range(16))
        directory = f"{store}/bench/default/{blob[:1]}/{blob[:3]}/{blob[:6]}"
        os.makedirs(directory, exist_ok=True)
        with open(f"{directory}/{blob}", "wb") as handle:
            handle.write(b"y" * 64)


def run(binary, store, quota, count):
    arguments = [binary, "--port", "0", "--host", "127.0.0.1", "--store", store]
    if quota:
        arguments += ["--quota", quota]
    server = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        port = None
        for line in server.stdout:
            match = re.search(r"listening on [0-9.]+:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        tag = "".join(random.choice(string.ascii_lowercase) for _ in range(8))
        body = b"x" * 10240
        times = []
        for index in range(count):
            started = time.perf_counter()
            connection.request("PUT", f"/blobs/bench/{tag}{index}", body=body)
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            if response.status != 200:
                raise SystemExit(f"PUT answered {response.status}")
        return times
    finally:
        server.terminate()
        server.wait()


def describe(label, times):
    first, rest = times[0], sorted(times[1:]) or times
    mean = sum(rest) / len(rest)
    return (f"{label}: first PUT {first * 1e3:.1f} ms; next {len(rest)}: mean {mean * 1e6:.0f} us,"
            f" p50 {rest[len(rest) // 2] * 1e6:.0f} us, p99 {rest[int(len(rest) * 0.99)] * 1e6:.0f} us")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--before", help="an older blob-server to time as well")
    parser.add_argument("--blobs", type=int, default=100_000)
    parser.add_argument("--puts", type=int, default=3000)
    parser.add_argument("--before-puts", type=int, default=5)
    parser.add_argument("--quota", default="1TiB")
    options = parser.parse_args()
    store = f"/dev/shm/bench-quota-{os.getpid()}"
    try:
        populate(store, options.blobs)
        print(f"store {store}: {options.blobs} blobs of user bench; 10 KiB PUTs, --quota {options.quota}")
        if options.before:
            print(describe(f"before ({options.before})", run(options.before, store, options.quota, options.before_puts)))
        print(describe("after, no ledger yet", run(options.binary, store, options.quota, options.puts)))
        print(describe("after, ledger settled", run(options.binary, store, options.quota, options.puts)))
        print(describe("after, without --quota", run(options.binary, store, None, options.puts)))
    finally:
        shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
