#!/usr/bin/env python3
"""The study's actions through the multi-host front and through one local
host, side by side (scripts/multihost.sh --sweep): for each action and
front, blob-load's wall time per --amount actions, actions/s, p50 and p99,
and failures; then, per action, the multi-host front's time per action
relative to the local host's. Written from the measured runs only."""
import argparse
import json
import subprocess
import sys

ACTIONS = ["baseline", "list", "put", "get", "flag", "delete"]

parser = argparse.ArgumentParser()
parser.add_argument("--bin", required=True)
parser.add_argument("--front", action="append", required=True, help="NAME=URL, in the order to report")
parser.add_argument("--amount", type=int, default=200)
parser.add_argument("--concurrency", type=int, default=10)
parser.add_argument("--header", action="append", default=[], help="a line for the file's header")
parser.add_argument("--out", required=True)
args = parser.parse_args()
fronts = [f.split("=", 1) for f in args.front]


def run(action, url):
    """One blob-load run: its JSON report (the last line of its output)."""
    command = [f"{args.bin}/blob-load", "--action", action, "--amount", str(args.amount),
               "--concurrency", str(args.concurrency), "--size", "10KiB", "--url", url, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.exit(f"multihost_sweep: {' '.join(command)} failed: {done.stderr.strip()}")
    return json.loads(lines[-1])


def failure_kinds(report):
    """What failed, per request kind: statuses other than 200 and errors."""
    parts = []
    for kind, numbers in sorted(report["kinds"].items()):
        bad = {status: count for status, count in numbers["statuses"].items() if status != "200"}
        bad.update(numbers["errors"])
        if bad:
            parts.append(kind + " " + ", ".join(f"{what} x{count}" for what, count in sorted(bad.items())))
    return "; ".join(parts) or "see blob-load"


rows = {}
with open(args.out, "w") as out:
    for line in args.header:
        out.write(f"# {line}\n")
    out.write(f"# blob-load --amount {args.amount} --concurrency {args.concurrency} --size 10KiB per action and front\n#\n")
    out.write("# front action seconds actions_per_s p50_ms p99_ms failures requests\n")
    for action in ACTIONS:
        for name, url in fronts:
            report = run(action, url)
            rows[(name, action)] = report
            out.write(f"{name} {action} {report['wall_seconds']:.3f} {report['actions_per_second']:.1f} "
                      f"{report['p50_ms']:.2f} {report['p99_ms']:.2f} {report['failures']} {report['requests']}\n")
            if report["failures"]:
                out.write(f"#   failed: {failure_kinds(report)}\n")
            out.flush()
    (first, _), (second, _) = fronts[0], fronts[1]
    out.write(f"#\n# time per action, {first} / {second} (from the lines above)\n")
    for action in ACTIONS:
        a, b = rows[(first, action)], rows[(second, action)]
        ratio = a["wall_seconds"] / b["wall_seconds"] if b["wall_seconds"] > 0 else float("nan")
        out.write(f"# {action}: {ratio:.1f}x\n")
failed = sum(r["failures"] for r in rows.values())
sys.exit(1 if failed else 0)
