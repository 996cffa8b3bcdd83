#!/usr/bin/env bash
# Instructions per request of blob-server under callgrind, and the top of the
# inclusive profile, for one kind of request (see scripts/profile.py --help).
# Builds the profiling configuration first: a release build with DWARF 4
# (valgrind here cannot read the DWARF 5 of a plain release build), in its
# own build directory so the normal one is not disturbed.
# Usage: scripts/profile.sh [--kind baseline|get|put|newconn] [--requests N] [--top N]
#        [--keep FILE] [--nginx]  (--nginx: profile one nginx worker as the yardstick)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libevent-dev zlib1g-dev pkg-config valgrind python3 nginx
flags=(-c release --product blob-server --scratch-path .build-profile
       -Xswiftc -g -Xswiftc -debug-info-format=dwarf -Xswiftc -dwarf-version=4 -Xcc -gdwarf-4)
swift build "${flags[@]}" >&2
exec python3 scripts/profile.py --binary "$(swift build "${flags[@]}" --show-bin-path)/blob-server" "$@"
