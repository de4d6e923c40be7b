#!/usr/bin/env bash
# Install the Debian packages AssetTrack needs to build, test and run.
# Idempotent and non-interactive: installs only what is missing, as root or
# through sudo.  Usage: scripts/install-deps.sh [--with-test] [--with-browser] [--with-bench]
set -euo pipefail

# scdoc renders the man page (man/assettrack.1.scd) in every build.
pkgs=(build-essential cmake pkg-config sqlite3 libsqlite3-dev libjansson-dev
      libsodium-dev libcmocka-dev libcsv-dev libmicrohttpd-dev libqrencode-dev
      libzint-dev libjs-bootstrap5 valgrind curl scdoc libpq-dev)
for arg in "$@"; do
  case "$arg" in
    --with-browser) pkgs+=(chromium nodejs npm) ;;
    # make test: libFuzzer (clang), the chain checker's Python, and
    # pdftotext (poppler-utils) to read back a receipt printed to PDF,
    # zbarimg (zbar-tools) to decode printed labels back to their text.
    # The package tests (tests/pkg): mandoc -T lint on the man page,
    # lintian on the .deb, systemd-analyze verify on its units.
    # postgresql: the server of the throwaway test cluster (tests/support/pgcluster.sh).
    --with-test) pkgs+=(clang libclang-rt-14-dev python3 poppler-utils zbar-tools
                        mandoc lintian systemd postgresql) ;;
    --with-bench) pkgs+=(wrk nginx-light) ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

# The build embeds an npm package (scripts/web-deps.sh) and the API tests
# run on Node's built-in test runner; any Node >= 18 will do.  Checked by
# command: a nodejs that bundles npm conflicts with Debian's npm package.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
