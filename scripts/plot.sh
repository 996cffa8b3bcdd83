#!/usr/bin/env bash
# Draws a sweep results file as grouped bars, as the study's graph.py did:
# one group per action (baseline, list, put, put+get, put+flag, put+delete),
# one bar per worker count. Top row: seconds per `amount` actions (the
# study's column, lower is better); bottom row: actions per second (what
# graph.py drew, 1000 / seconds; higher is better); and, for a sweep file
# with the CPU columns, a third row: server CPU (front + workers) in
# microseconds per action (lower is better). One column of panels per
# balancer (the last column of a sweep file; a study file, with 5 columns,
# is drawn as one column), on the same y scale so they compare at a glance.
#
# Usage: scripts/plot.sh RESULTS.txt [OUT.png] [TITLE]
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -ge 1 ] && exit 0 || exit 64
fi
input=$1
output=${2:-${input%.txt}.png}
title=${3:-$(basename "${input%.txt}")}
[ -r "$input" ] || { echo "plot.sh: cannot read $input" >&2; exit 66; }
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot is missing (bash scripts/install-deps.sh gnuplot-nox installs it)" >&2; exit 69; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One table per balancer: "action w1 w2 ..." with the mean seconds, and the
# same with actions/s; and a list of the balancers, the worker counts, the
# amount and the largest values (for one y scale per row).
awk -v work="$work" -v default_label="haproxy tcp (study)" '
  /^#/ || NF < 5 { next }
  {
    label = (NF >= 11) ? $NF : default_label
    if (NF >= 18) { cpu[label, $1, $2] = $15; hascpu = 1 }
    if (!(label in seen)) { seen[label] = 1; order[++nb] = label }
    if (!($1 in wseen)) { wseen[$1] = 1; workers[++nw] = $1 + 0 }
    amount = $3; secs[label, $1, $2] = $5
  }
  END {
    if (nb == 0) { print "no data rows" > "/dev/stderr"; exit 1 }
    # worker counts in numeric order
    for (i = 1; i <= nw; i++) for (j = i + 1; j <= nw; j++) if (workers[j] < workers[i]) { t = workers[i]; workers[i] = workers[j]; workers[j] = t }
    split("baseline list put get flag delete", actions, " ")
    split("baseline list put put+get put+flag put+delete", labels, " ")
    maxs = 0; maxr = 0
    for (b = 1; b <= nb; b++) {
      s = work "/seconds-" b ".dat"; r = work "/rate-" b ".dat"; c = work "/cpu-" b ".dat"
      header = "action"
      for (i = 1; i <= nw; i++) header = header sprintf(" \"%d %s\"", workers[i], workers[i] == 1 ? "worker" : "workers")
      print header > s; print header > r; print header > c
      for (a = 1; a <= 6; a++) {
        any = 0; ls = labels[a]; lr = labels[a]; lc = labels[a]
        for (i = 1; i <= nw; i++) {
          key = order[b] SUBSEP workers[i] SUBSEP actions[a]
          if (key in secs) {
            any = 1; v = secs[key] + 0
            ls = ls sprintf(" %.6f", v); lr = lr sprintf(" %.2f", v > 0 ? amount / v : 0)
            if (v > maxs) maxs = v
            if (v > 0 && amount / v > maxr) maxr = amount / v
            u = (key in cpu) ? cpu[key] + 0 : 0; lc = lc ((key in cpu) ? sprintf(" %.2f", u) : " NaN")
            if (u > maxc) maxc = u
          } else { ls = ls " NaN"; lr = lr " NaN"; lc = lc " NaN" }
        }
        if (any) { print ls > s; print lr > r; print lc > c }
      }
      close(s); close(r); close(c)
      print order[b] > (work "/balancers")
    }
    printf "%d %d %s %.6f %.2f %d %.2f\n", nb, nw, amount, maxs * 1.25, maxr * 1.25, hascpu ? 3 : 2, maxc * 1.25 > (work "/meta")
  }
' "$input"

read -r nb nw amount max_seconds max_rate rows max_cpu < "$work/meta"
mapfile -t balancers < "$work/balancers"

{
  echo "set terminal pngcairo size $((560 * nb + 240)),$((410 * rows)) font 'sans,10'"
  echo "set output '$output'"
  echo "set multiplot layout $rows,$nb title '${title//\'/}' font 'sans,12'"
  echo "set style data histogram"
  echo "set style histogram clustered gap 1"
  echo "set style fill solid 0.85 border -1"
  echo "set boxwidth 0.9"
  echo "set grid ytics"
  echo "set key top center horizontal"
  echo "set xtics nomirror"
  for b in $(seq 1 "$nb"); do
    label=${balancers[$((b - 1))]}
    echo "set title 'in front: ${label//\'/}'"
    echo "set ylabel 'seconds per $amount actions (lower is better)'"
    echo "set yrange [0:$max_seconds]"
    echo "plot for [i=2:$((nw + 1))] '$work/seconds-$b.dat' using i:xtic(1) title columnheader(i)"
  done
  for b in $(seq 1 "$nb"); do
    label=${balancers[$((b - 1))]}
    echo "set title 'in front: ${label//\'/}'"
    echo "set ylabel 'actions per second (higher is better)'"
    echo "set yrange [0:$max_rate]"
    echo "plot for [i=2:$((nw + 1))] '$work/rate-$b.dat' using i:xtic(1) title columnheader(i)"
  done
  if [ "$rows" = 3 ]; then
    for b in $(seq 1 "$nb"); do
      label=${balancers[$((b - 1))]}
      echo "set title 'in front: ${label//\'/}'"
      echo "set ylabel 'server CPU, us per action (lower is better)'"
      echo "set yrange [0:$max_cpu]"
      echo "plot for [i=2:$((nw + 1))] '$work/cpu-$b.dat' using i:xtic(1) title columnheader(i)"
    done
  fi
  echo "unset multiplot"
} > "$work/plot.gp"
gnuplot "$work/plot.gp"
echo "$output"
