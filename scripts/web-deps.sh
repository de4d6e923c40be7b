#!/usr/bin/env bash
# Install the browser code the build embeds in the binary: the npm packages
# pinned in src/web/vendor/package-lock.json (the ZXing barcode decoder that
# static/camera.js falls back on; CMakeLists.txt embeds its UMD build as
# /static/zxing.min.js).  `make deps` runs this after install-deps.sh.
# Idempotent and non-interactive: does nothing when they are in place.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/src/web/vendor"

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

# ---- node and npm (Debian) ------------------------------------------------
# Checked by command, not by package: a nodejs that bundles npm (and
# conflicts with Debian's npm package) will do.
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "web-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---- the decoder (npm) ----------------------------------------------------
# npm ci installs exactly the lock file; again only when a package is
# missing or the lock file changed since the last install (npm writes
# node_modules/.package-lock.json on every install).
marker="$dir/node_modules/.package-lock.json"
if [ ! -f "$dir/node_modules/@zxing/browser/package.json" ] ||
   [ ! -f "$dir/node_modules/@zxing/library/package.json" ] ||
   [ ! -f "$marker" ] || [ "$dir/package-lock.json" -nt "$marker" ]; then
  echo "web-deps: npm ci in src/web/vendor"
  # --ignore-scripts: no install script may fetch anything (none is needed).
  # @zxing/library asks for node >= 24 but only its files are used here,
  # never run by node: --engine-strict=false keeps that a warning.
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --engine-strict=false)
fi
