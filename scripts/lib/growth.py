"""The growth study's arithmetic (scripts/growth.sh): blob-load's JSON to one
results line, and the goals computed from the lines.

  growth.py line STORED BENCHMARK KIND QUOTA < blob-load.json
      prints "stored benchmark kind count p50 p90 p99 p99.9 statuses quota"
      for the request kind KIND (put, get, flag, delete, count, list-small),
      then, on stderr, any request of the run (e.g. the clean-up DELETEs)
      that did not get its 200.
  growth.py goals RESULTS.txt
      prints the "# goal" lines: each kind's p99 at every step against the
      first step's, and whether every answer was the promised 200.
"""

import json
import sys

# blob-load's request kinds by the names of the results file.
KINDS = {"put": "PUT blob", "get": "GET blob", "flag": "POST flags", "delete": "DELETE blob",
         "count": "GET count", "list-small": "GET list"}
PROMISED = "200"
# The goal: p99 at the largest step within this factor of the first step's.
GOAL_RATIO = 1.5
GOAL_KINDS = ("put", "get", "flag", "delete")


def statuses(kind):
    """'200=998,507=2,timeout=1': answers by status, then failures by reason."""
    parts = [f"{code}={n}" for code, n in sorted(kind.get("statuses", {}).items())]
    parts += [f"{reason}={n}" for reason, n in sorted(kind.get("errors", {}).items())]
    return ",".join(parts) or "none"


def line(stored, benchmark, name, quota):
    report = json.load(sys.stdin)
    kind = report["kinds"].get(KINDS[name], {})
    latency = kind.get("latency_ms", {})
    values = " ".join("%.3f" % latency.get(p, float("nan")) for p in ("p50", "p90", "p99", "p99.9"))
    print(f"{stored} {benchmark} {name} {kind.get('count', 0)} {values} {statuses(kind)} {quota}")
    for other, stats in sorted(report["kinds"].items()):
        if stats["success"] != stats["count"]:
            print(f"{other}: {stats['count'] - stats['success']} of {stats['count']} without the promised 200 "
                  f"({statuses(stats)})", file=sys.stderr)


def rows(path):
    with open(path) as f:
        for text in f:
            if text.startswith("#") or not text.strip():
                continue
            stored, benchmark, kind, count, p50, p90, p99, p999, codes, quota = text.split()
            yield {"stored": int(stored), "benchmark": benchmark, "kind": kind, "count": int(count),
                   "p99": float(p99), "statuses": codes, "quota": quota}


def goals(path):
    table = list(rows(path))
    series = {}
    for row in table:
        series.setdefault((row["quota"], row["benchmark"], row["kind"]), []).append(row)
    print(f"# goal: p99 at each step / p99 at the first step, per quota, benchmark and kind "
          f"(goal for {', '.join(GOAL_KINDS)}: at most {GOAL_RATIO} at the largest step)")
    print("# goal quota benchmark kind first_step step p99_first_ms p99_ms ratio verdict")
    for (quota, benchmark, kind), points in series.items():
        points.sort(key=lambda r: r["stored"])
        first = points[0]
        for point in points[1:]:
            ratio = point["p99"] / first["p99"] if first["p99"] > 0 else float("inf")
            verdict = "-"
            if kind in GOAL_KINDS and point is points[-1]:
                verdict = "met" if ratio <= GOAL_RATIO else "missed"
            print(f"# goal {quota} {benchmark} {kind} {first['stored']} {point['stored']} "
                  f"{first['p99']:.3f} {point['p99']:.3f} {ratio:.2f} {verdict}")
    bad = [r for r in table if r["statuses"] != f"{PROMISED}={r['count']}"]
    if bad:
        print(f"# goal statuses: {len(bad)} of {len(table)} lines had answers other than {PROMISED}: "
              + "; ".join(f"{r['stored']} {r['benchmark']} {r['kind']} quota={r['quota']} {r['statuses']}" for r in bad))
    else:
        print(f"# goal statuses: met: every request of all {len(table)} lines was answered {PROMISED}")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "line":
        line(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "goals":
        goals(sys.argv[2])
    else:
        sys.exit(__doc__)
