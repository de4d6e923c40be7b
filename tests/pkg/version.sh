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
[ "$(wc -l <<<"$out")" -eq 6 ] || bad "expected 6 lines"

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
check_lib libpq libpq5
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


# With a PostgreSQL URI (issue #11), the server's version too, asked of it;
# a server it cannot reach is said, with libpq's reason, never the URI's
# password, and --version still succeeds.
out3=$("$bin" --db 'postgresql://at:s3cret@/nowhere?host=/nonexistent-dir' --version) ||
  bad "--version with an unreachable server exited $?"
[ "$(head -6 <<<"$out3")" = "$out" ] || bad "the URI changed the first lines"
grep -q '^  PostgreSQL server unreachable (postgresql://at@/nowhere?host=/nonexistent-dir): ' \
  <<<"$out3" || bad "unreachable server: $(tail -1 <<<"$out3")"
grep -q s3cret <<<"$out3" && bad "the password was printed"
if [ -n "${AT_PG_URI:-}" ]; then
  out4=$("$bin" --db "$AT_PG_URI" --version) || bad "--version on the test cluster exited $?"
  have=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
  line=$(tail -1 <<<"$out4")
  if [[ $line =~ ^"  PostgreSQL server "([0-9]+\.[0-9]+)" (postgresql:" ]]; then
    [ -z "$have" ] || [[ $have == "${BASH_REMATCH[1]}"[-+~]* ]] ||
      bad "server ${BASH_REMATCH[1]}, but the installed postgresql-15 is $have"
  else
    bad "server line: '$line'"
  fi
fi

[ $fail -eq 0 ] && echo "version OK"
exit $fail
