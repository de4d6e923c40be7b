#!/usr/bin/env bash
# npm-lock.sh NAME DIR PACKAGE... [-- NPM-CI-OPTION...]
#
# Install exactly what DIR/package-lock.json pins, the way web-deps.sh,
# api-deps.sh and browser-deps.sh each need it: Debian's node and npm first
# when missing (checked by command, not by package: a nodejs that bundles
# npm, and conflicts with Debian's npm package, will do), then `npm ci` in
# DIR, only when one of the PACKAGEs is missing or the lock file changed
# since the last install (npm writes node_modules/.package-lock.json on
# every install).  --ignore-scripts: no install script may fetch anything
# (none is needed).  NAME prefixes what it says.  Idempotent and
# non-interactive.
set -euo pipefail

name=$1 dir=$2
shift 2
pkgs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  pkgs+=("$1")
  shift
done
[ $# -gt 0 ] && shift

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "$name: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

marker="$dir/node_modules/.package-lock.json"
stale=0
for p in "${pkgs[@]}"; do
  [ -f "$dir/node_modules/$p/package.json" ] || stale=1
done
if [ "$stale" = 1 ] || [ ! -f "$marker" ] || [ "$dir/package-lock.json" -nt "$marker" ]; then
  echo "$name: npm ci in ${dir#"$(cd "$(dirname "$0")/.." && pwd)/"}"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts "$@")
fi
