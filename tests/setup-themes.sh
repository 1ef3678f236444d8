#!/usr/bin/env bash
# Installs the themes' npm packages (the map libraries the build copies into
# the site), as locked, only when missing or out of date. Part of
# tests/setup.sh; .ci/demo sources it alone.
set -euo pipefail
maillage_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for lock in "$maillage_root"/themes/*/package-lock.json; do
  [ -f "$lock" ] || continue
  dir="$(dirname "$lock")"
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --silent --no-audit --no-fund)
  fi
done
