#!/usr/bin/env bash
# Install what the API tests (tests/api) need beyond node itself: the npm
# packages pinned in tests/api/package-lock.json (the OpenAPI validator
# @apidevtools/swagger-parser, and ajv, which checks every response the
# tests receive against docs/openapi.json).
# Idempotent and non-interactive: does nothing when they are in place.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/tests/api"

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "api-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci installs exactly the lock file; only when a package is missing or
# the lock file changed since the last install (npm writes
# node_modules/.package-lock.json on every install).
marker="$dir/node_modules/.package-lock.json"
if [ ! -f "$dir/node_modules/ajv/package.json" ] ||
   [ ! -f "$dir/node_modules/@apidevtools/swagger-parser/package.json" ] ||
   [ ! -f "$marker" ] || [ "$dir/package-lock.json" -nt "$marker" ]; then
  echo "api-deps: npm ci in tests/api"
  # --ignore-scripts: no install script may fetch anything (none is needed).
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
fi
