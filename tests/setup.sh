#!/usr/bin/env bash
# Installs what the test suite and the demo need, idempotently:
#   - Python tools (moto's DynamoDB server, validators) in target/test-env/venv
#   - Debian packages (chromium for browser tests, hugo for the peer benchmark)
#   - npm packages (the theme's map libraries, the browser test driver)
# Source it to get the environment it prepares:  . tests/setup.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env_dir="$root/target/test-env"
venv="$env_dir/venv"
mkdir -p "$env_dir"

# Python: reinstall only when requirements.txt changes.
stamp="$env_dir/requirements.stamp"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! cmp -s "$root/tests/requirements.txt" "$stamp" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tests/requirements.txt"
  cp "$root/tests/requirements.txt" "$stamp"
fi

# Debian packages, only those missing.
missing=()
for pkg in chromium hugo; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, installed as locked: the themes' (in their own script, which
# the demo uses alone) and the browser tests'. tests/quality/run installs its
# own (Lighthouse, the Nu Html Checker), which the test suite does not need.
. "$root/tests/setup-themes.sh"
npm_ci() {
  local dir="$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --silent --no-audit --no-fund) \
      || { echo "npm ci failed in $dir" >&2; return 1; }
  fi
}
npm_ci "$root/tests/browser"

export PATH="$venv/bin:$PATH"
export MAILLAGE_TEST_PYTHON="$venv/bin/python"
export MAILLAGE_CHROMIUM="${MAILLAGE_CHROMIUM:-/usr/bin/chromium}"
