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
"$root/scripts/npm-lock.sh" browser-deps "$dir" playwright-core
