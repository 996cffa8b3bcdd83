#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are missing, running
# `apt-get update` once first (a new machine has stale package lists).
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
# Debian starts services it installs; ours start their own copies on loopback.
for service in nginx haproxy; do
  if [[ " ${missing[*]} " == *" $service "* ]]; then
    service "$service" stop >/dev/null 2>&1 || true
  fi
done
