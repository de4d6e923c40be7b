#!/usr/bin/env bash
# assettrack(1) (issue #10): `mandoc -T lint` says nothing about the page
# the build renders, `man -l` renders it without a warning, it has the
# sections a man page owes (exit status, environment, files), and every
# command and subcommand `assettrack --help` lists appears in it.
#
#   tests/pkg/man.sh BINARY MANPAGE
#
# Exit 77 (skipped) without mandoc: `make test` installs it
# (scripts/install-deps.sh --with-test).
set -uo pipefail

bin=$1 page=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }

if ! command -v mandoc >/dev/null 2>&1; then
  echo "SKIP: mandoc is not installed (Debian package mandoc: install-deps.sh --with-test)"
  exit 77
fi
[ -s "$page" ] || { echo "FAIL: no man page at $page"; exit 1; }

# ---- mandoc -T lint: nothing at all, not even a style note --------------
lint=$(mandoc -T lint "$page" 2>&1)
if [ -n "$lint" ]; then
  bad "mandoc -T lint $page:"
  echo "$lint"
fi
if command -v man >/dev/null 2>&1; then
  warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$warn" ] || bad "man --warnings -l: $warn"
fi

# Wide, so no command is split across lines.
text=$(mandoc -T ascii -O width=400 "$page" | col -b)

# ---- the sections, exit codes and environment ----------------------------
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
  grep -q "^$s\$" <<<"$text" || bad "no section $s"
done
exit_section=$(awk '/^EXIT STATUS$/ {on = 1; next} /^[A-Z]/ {on = 0} on' <<<"$text")
for code in 0 1 2 3; do
  grep -Eq "^ +$code\$" <<<"$exit_section" || bad "EXIT STATUS does not list $code"
done
for v in ASSETTRACK_DB ASSETTRACK_CONFIG ASSETTRACK_LISTEN ASSETTRACK_THREADS \
         ASSETTRACK_TLS_CERT ASSETTRACK_TLS_KEY ASSETTRACK_QUIET \
         ASSETTRACK_INITIAL_PASSWORD_FILE; do
  grep -q "$v" <<<"$text" || bad "the environment variable $v is not described"
done
for f in /etc/assettrack/assettrack.conf /var/lib/assettrack/assettrack.db \
         /var/lib/assettrack/initial-admin-password; do
  grep -qF "$f" <<<"$text" || bad "FILES does not name $f"
done

# ---- every command of --help -----------------------------------------------
# The usage lines, continuation lines joined: "user add NAME ...",
# "report custody ... | report unslotted | ...", "labels asset ... | case NAME".
usages() {
  "$bin" --help | awk '
    /^  assettrack / { if (line != "") print line; line = substr($0, 14); next }
    /^      / && line != "" { sub(/^ +/, " "); line = line $0; next }
    { if (line != "") print line; line = "" }
    END { if (line != "") print line }'
}
# "CMD" or "CMD SUB" for each usage line and each of its " | " parts.
commands() {
  awk '{
    cmd = $1
    n = split($0, part, / \| /)
    for (i = 1; i <= n; i++) {
      m = split(part[i], w, " ")
      word = (w[1] == cmd) ? w[2] : w[1]
      k = split(word, alt, "|")
      subs = 0
      for (j = 1; j <= k; j++)
        if (alt[j] ~ /^[a-z][a-z-]*$/) { print cmd " " alt[j]; subs++ }
      if (i == 1 && !subs) print cmd
    }
  }' | sort -u
}
# Is "CMD [SUB]" in the rendered page (a command heading or in a list)?
documented() {
  grep -Eq "(^|[ ,])$1([ ,]|\$)" <<<"$text"
}

mapfile -t cmds < <(usages | commands)
if [ "${#cmds[@]}" -lt 40 ]; then
  bad "only ${#cmds[@]} commands read from $bin --help (expected 40 or more)"
fi
missing=0
for c in "${cmds[@]}"; do
  if ! documented "$c"; then
    bad "'assettrack $c' is in --help but not in the man page"
    missing=$((missing + 1))
  fi
done
# The check itself must be able to fail: a command the page never names.
if documented "frobnicate widgets"; then
  bad "the check finds a command that is not in the page"
fi
mapfile -t fake < <(printf 'frobnicate widgets NAME\n' | commands)
[ "${fake[*]}" = "frobnicate widgets" ] || bad "the parser read '${fake[*]}' from a fake usage line"

echo "${#cmds[@]} commands of --help checked against the man page, $missing missing"
[ $fail -eq 0 ] && echo "man page OK"
exit $fail
