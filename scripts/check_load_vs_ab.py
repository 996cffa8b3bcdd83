#!/usr/bin/env python3
"""blob-load against ab on the same blob-server, in one run, alternating:
baseline (GET /) with a new connection per request (blob-load
--new-connection-per-request vs ab -c 10 -n 1000) and kept alive (blob-load
vs ab -k -c 10 -n 1000). Prints the medians of requests/s and the ratio; the
two should agree within 10 %."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import benchlib  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--amount", type=int, default=1000)
    args = parser.parse_args()
    procs = benchlib.Processes()
    store = tempfile.mkdtemp(prefix="load-vs-ab-")
    try:
        port = benchlib.free_port()
        procs.start([os.path.join(args.bin, "blob-server"), "--port", str(port), "--store", store, "--log-level", "error"],
                    stdout=subprocess.DEVNULL)
        benchlib.wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        rows = []
        for label, keep_alive in (("new connection per request", False), ("kept alive", True)):
            ours, ab = [], []
            for round_number in range(args.rounds):
                def run_ours():
                    argv = [os.path.join(args.bin, "blob-load"), "--action", "baseline", "-c", "10", "-n", str(args.amount),
                            "--url", url, "--json"] + ([] if keep_alive else ["--new-connection-per-request"])
                    ours.append(json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)["requests_per_second"])

                def run_ab():
                    argv = ["ab", "-q", "-c", "10", "-n", str(args.amount)] + (["-k"] if keep_alive else []) + [url + "/"]
                    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
                    ab.append(float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)))

                for run in ((run_ours, run_ab) if round_number % 2 == 0 else (run_ab, run_ours)):
                    run()
            rows.append({"connections": label, "blob-load req/s": f"{benchlib.median(ours):.0f}",
                         "ab req/s": f"{benchlib.median(ab):.0f}",
                         "ratio": f"{benchlib.median(ours) / benchlib.median(ab):.2f}"})
        print(f"baseline GET / against one blob-server, c10, n{args.amount}, {args.rounds} rounds, medians")
        benchlib.print_table(rows, ["connections", "blob-load req/s", "ab req/s", "ratio"])
    finally:
        procs.stop_all()
        shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
