#!/usr/bin/env bash
# Install what the browser tests (tests/browser) need: Debian's chromium and
# the npm packages pinned in tests/browser/package-lock.json.
# Idempotent and non-interactive: does nothing when both are in place.
# Never downloads a browser build of its own: playwright-core drives the
# Debian chromium at /usr/bin/chromium.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/tests/browser"

export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

# ---- chromium and node (Debian) -------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "browser-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---- playwright-core (npm) ------------------------------------------------
# npm ci installs exactly the lock file; again only when it is missing or the
# lock file changed since the last install (npm writes
# node_modules/.package-lock.json on every install).
marker="$dir/node_modules/.package-lock.json"
if [ ! -f "$dir/node_modules/playwright-core/package.json" ] || [ ! -f "$marker" ] ||
   [ "$dir/package-lock.json" -nt "$marker" ]; then
  echo "browser-deps: npm ci in tests/browser"
  # --ignore-scripts: no install script may fetch anything (none is needed).
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
fi
