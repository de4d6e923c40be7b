#!/usr/bin/env bash
# `assettrack --version` (issue #10): the project's version, the git commit
# baked in at build time (12 hex digits; "unknown" only outside a git
# checkout), and the run-time versions of SQLite, libmicrohttpd, jansson
# and libsodium, which must be the versions of the Debian packages
# installed here (so they are asked of the libraries, not the headers).
#
#   tests/pkg/version.sh BINARY VERSION SOURCE_DIR
set -uo pipefail

bin=$1 version=$2 src=$3
fail=0
bad() { echo "FAIL: $*"; fail=1; }

out=$("$bin" --version) || bad "--version exited $?"
echo "$out"
head=$(head -n 1 <<<"$out")
[[ $head =~ ^assettrack\ ([^ ]+)\ \(commit\ ([^\)]+)\)$ ]] || bad "first line: $head"
[ "${BASH_REMATCH[1]}" = "$version" ] || bad "version ${BASH_REMATCH[1]}, CMake says $version"
commit=${BASH_REMATCH[2]}
if [ -e "$src/.git" ]; then
  [[ $commit =~ ^[0-9a-f]{12}$ ]] || bad "built in a git checkout, but the commit is '$commit'"
else
  [[ $commit =~ ^([0-9a-f]{12}|unknown)$ ]] || bad "commit '$commit'"
fi
[ "$(wc -l <<<"$out")" -eq 5 ] || bad "expected 5 lines"

# Each library's version, and the installed Debian package it must match.
check_lib() {
  local name=$1 pkg=$2 v have
  v=$(awk -v n="$name" '$1 == n {print $2}' <<<"$out")
  [[ $v =~ ^[0-9]+(\.[0-9]+)+$ ]] || { bad "$name: '$v'"; return; }
  if command -v dpkg-query >/dev/null 2>&1 &&
     have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null); then
    # 3.40.1-2+deb12u1 is SQLite 3.40.1.
    [[ ${have#*:} == "$v"[-+~]* || ${have#*:} == "$v" ]] ||
      bad "$name $v, but the installed $pkg is $have"
  fi
}
check_lib SQLite libsqlite3-0
check_lib libmicrohttpd libmicrohttpd12
check_lib jansson libjansson4
check_lib libsodium libsodium23

# A global option: anywhere on the line, and it touches no database.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out2=$(cd "$tmp" && "$bin" --db "$tmp/x.db" init --version) || bad "init --version exited $?"
[ "$out2" = "$out" ] || bad "init --version printed something else"
[ ! -e "$tmp/x.db" ] || bad "--version created a database"
help=$("$bin" --help)
grep -q -- "--version" <<<"$help" || bad "--help does not mention --version"

[ $fail -eq 0 ] && echo "version OK"
exit $fail
