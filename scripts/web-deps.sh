#!/usr/bin/env bash
# Install the browser code the build embeds in the binary: the npm packages
# pinned in src/web/vendor/package-lock.json (the ZXing barcode decoder that
# static/camera.js falls back on; CMakeLists.txt embeds its UMD build as
# /static/zxing.min.js).  `make deps` runs this after install-deps.sh.
# Idempotent and non-interactive: does nothing when they are in place.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# @zxing/library asks for node >= 24 but only its files are used here,
# never run by node: --engine-strict=false keeps that a warning.
exec "$root/scripts/npm-lock.sh" web-deps "$root/src/web/vendor" @zxing/browser @zxing/library \
  -- --engine-strict=false
