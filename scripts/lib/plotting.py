"""Grouped bar charts with gnuplot, in the style of the study's graph.py:
one group per action, one bar per worker count; y = seconds per `amount`
actions. A results file with several balancers gets one panel each."""

import os
import subprocess
import tempfile

ACTIONS = ["baseline", "list", "put", "get", "flag", "delete"]


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            rows.append({
                "workers": int(parts[0]), "action": parts[1], "seconds": float(parts[4]),
                "balancer": parts[11] if len(parts) > 11 else "haproxy (study)",
            })
    return rows


def plot_sweep(data_path, png_path, title):
    rows = read_rows(data_path)
    balancers = list(dict.fromkeys(r["balancer"] for r in rows))
    workers = sorted({r["workers"] for r in rows})
    actions = [a for a in ACTIONS if any(r["action"] == a for r in rows)]
    top = max(r["seconds"] for r in rows) * 1.15
    work = tempfile.mkdtemp(prefix="plot-")
    panels = []
    for index, balancer in enumerate(balancers):
        table = os.path.join(work, f"panel{index}.dat")
        with open(table, "w") as f:
            for action in actions:
                values = []
                for w in workers:
                    match = [r["seconds"] for r in rows if r["balancer"] == balancer and r["workers"] == w and r["action"] == action]
                    values.append(f"{match[0]:.4f}" if match else "NaN")
                f.write(action + " " + " ".join(values) + "\n")
        columns = ", ".join(
            (f"'{table}' using {i + 2}:xtic(1) title '{w} worker{'s' if w > 1 else ''}'" if i == 0
             else f"'' using {i + 2} title '{w} worker{'s' if w > 1 else ''}'")
            for i, w in enumerate(workers))
        panels.append(f"set title '{balancer} in front'\nplot {columns}\n")
    script = f"""
set terminal pngcairo size 1100,{420 * len(panels) + 40} font 'sans,10'
set output '{png_path}'
set multiplot layout {len(panels)},1 title '{title}'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set ylabel 'seconds per run (lower is better)'
set yrange [0:{top:.4f}]
set grid ytics
set key outside right top Left reverse
{''.join(panels)}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
