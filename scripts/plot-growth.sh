#!/usr/bin/env bash
# Draws a growth results file (scripts/growth.sh): one panel per benchmark
# and request kind, latency percentiles (p50, p90, p99, p99.9; ms, log
# scale) against the blobs stored (log scale); solid lines without quota,
# dashed with it. Above each step, the statuses counted there: "200x1000"
# when every request got the promised 200, else every status and failure,
# in red.
#
# Usage: scripts/plot-growth.sh RESULTS.txt [OUT.png] [TITLE]
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -ge 1 ] && exit 0 || exit 64
fi
input=$1
output=${2:-${input%.txt}.png}
title=${3:-$(basename "${input%.txt}")}
[ -r "$input" ] || { echo "plot-growth.sh: cannot read $input" >&2; exit 66; }
command -v gnuplot >/dev/null || { echo "plot-growth.sh: gnuplot is missing (bash scripts/install-deps.sh gnuplot-nox installs it)" >&2; exit 69; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One data file per panel and quota ("stored p50 p90 p99 p99.9"), and the
# gnuplot commands: the panels in the order of the file, a label per point.
awk -v work="$work" -v output="$output" -v title="${title//\'/}" '
  /^#/ || NF != 10 { next }
  {
    panel = $2 " " $3
    if (!(panel in seen)) { seen[panel] = 1; panels[++np] = panel }
    if (!($10 in qseen)) { qseen[$10] = 1; quotas[++nq] = $10 }
    file = work "/" $2 "-" $3 "-" $10 ".dat"
    print $1, $5, $6, $7, $8 > file
    if ($1 + 0 > maxx) maxx = $1 + 0
    if (minx == "" || $1 + 0 < minx) minx = $1 + 0
    promised = "200=" $4
    text[panel, $10, $1] = ($9 == promised) ? "200x" $4 : $9
    bad[panel, $10, $1] = ($9 != promised)
    points[panel, $10] = points[panel, $10] " " $1
    for (c = 5; c <= 8; c++) if ($c != "nan") {
      if (!(panel in lo) || $c + 0 < lo[panel]) lo[panel] = $c + 0
      if (!(panel in hi) || $c + 0 > hi[panel]) hi[panel] = $c + 0
    }
  }
  END {
    if (np == 0) { print "plot-growth.sh: no data rows" > "/dev/stderr"; exit 1 }
    columns = (np > 4) ? 4 : np; rows = int((np + columns - 1) / columns)
    printf "set terminal pngcairo size %d,%d font \"sans,9\"\n", 430 * columns, 380 * rows
    printf "set output \"%s\"\n", output
    styles = ""
    for (q = 1; q <= nq; q++) styles = styles sprintf("%s%s: quota %s", q > 1 ? ", " : "", q == 1 ? "solid" : "dashed", quotas[q])
    printf "set multiplot layout %d,%d title \"%s\\n%s\" font \"sans,12\"\n", rows, columns, title, styles
    print "set logscale xy"
    printf "set xrange [%g:%g]\n", minx / 3, maxx * 3
    print "set format x \"10^{%L}\""
    print "set grid xtics ytics mytics"
    print "set xlabel \"blobs stored\""
    print "set ylabel \"latency, ms\""
    print "set key bottom right font \"sans,8\""
    split("p50 p90 p99 p99.9", names, " ")
    for (p = 1; p <= np; p++) {
      print "unset label"
      printf "set title \"%s\"\n", panels[p]
      # Room above the lines for the status labels (a log scale: a factor).
      printf "set yrange [%g:%g]\n", (lo[panels[p]] > 0 ? lo[panels[p]] : 0.001) / 2, (hi[panels[p]] > 0 ? hi[panels[p]] : 1) * 12
      for (q = 1; q <= nq; q++) {
        n = split(points[panels[p], quotas[q]], xs, " ")
        for (i = 1; i <= n; i++) {
          key = panels[p] SUBSEP quotas[q] SUBSEP xs[i]
          printf "set label \"%s%s\" at first %s, graph %.2f center font \"sans,7\" textcolor rgb \"%s\"\n",
            (nq > 1 ? "q=" quotas[q] " " : ""), text[key], xs[i], 0.96 - 0.05 * (q - 1), bad[key] ? "red" : "#333333"
        }
      }
      command = "plot"
      for (q = 1; q <= nq; q++) {
        split(panels[p], part, " "); file = work "/" part[1] "-" part[2] "-" quotas[q] ".dat"
        if (!((panels[p] SUBSEP quotas[q]) in points)) continue
        for (c = 1; c <= 4; c++) {
          command = command sprintf("%s \"%s\" using 1:%d with linespoints lc %d dt %d pt 7 ps 0.6 %s",
            (command == "plot") ? " " : ", ", file, c + 1, c, q, q == 1 ? " title \"" names[c] "\"" : " notitle")
        }
      }
      print command
    }
    print "unset multiplot"
  }
' "$input" >"$work/plot.gp"
gnuplot "$work/plot.gp"
echo "$output"
