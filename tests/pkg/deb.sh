#!/usr/bin/env bash
# The Debian package (issue #10), one step per CTest test:
#
#   deb.sh build BUILD_DIR OUT_DIR   cpack -G DEB: OUT_DIR/assettrack_VERSION_amd64.deb
#   deb.sh info DEB VERSION          dpkg-deb --info and --contents: the name, the
#                                    Debian library dependencies (each satisfied on
#                                    this machine), every file where it belongs
#   deb.sh lintian DEB               lintian: no error
#   deb.sh units DEB                 systemd-analyze verify on the three units, and
#                                    the hardening the issue lists
#   deb.sh install DEB VERSION       dpkg --root into a scratch root: --version, init
#                                    and serve as an unprivileged service user with
#                                    the shipped configuration, the first-start
#                                    password file, a nightly backup, then purge
#
# Exit 77 (skipped) when a step's tool is missing; `make test` installs
# them (scripts/install-deps.sh --with-test).
set -uo pipefail

step=$1
shift
fail=0
bad() { echo "FAIL: $*"; fail=1; }
need() {
  for t in "$@"; do
    if ! command -v "$t" >/dev/null 2>&1; then
      echo "SKIP: $t is not installed (scripts/install-deps.sh --with-test)"
      exit 77
    fi
  done
}
tmp=$(mktemp -d)
# The service user must be able to reach the scratch root.
chmod 0755 "$tmp"
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

case $step in

build)
  need cpack dpkg-deb dpkg-shlibdeps
  build=$1 out=$2
  mkdir -p "$out"
  rm -f "$out"/assettrack_*.deb
  if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$tmp/cpack.log" 2>&1; then
    cat "$tmp/cpack.log"
    bad "cpack failed"
  fi
  rm -rf "$out/_CPack_Packages"
  ls "$out"/assettrack_*.deb || bad "no package in $out"
  ;;

info)
  need dpkg-deb dpkg-query
  deb=$1 version=$2
  [ "$(basename "$deb")" = "assettrack_${version}_amd64.deb" ] ||
    bad "the package is called $(basename "$deb"), not assettrack_${version}_amd64.deb"
  field() { dpkg-deb --field "$deb" "$1"; }
  [ "$(field Package)" = assettrack ] || bad "Package: $(field Package)"
  [ "$(field Version)" = "$version" ] || bad "Version: $(field Version)"
  [ "$(field Architecture)" = amd64 ] || bad "Architecture: $(field Architecture)"
  dpkg-deb --info "$deb" >/dev/null || bad "dpkg-deb --info failed"
  depends=$(field Depends)
  echo "Depends: $depends"
  # dpkg-shlibdeps's names and versions for the libraries the binary
  # links, not ones written by hand.
  for lib in libsqlite3-0 libmicrohttpd12 libjansson4 libsodium23 libcsv3 libc6; do
    grep -Eq "(^|, )$lib \(>= [^)]+\)" <<<"$depends" || bad "Depends lacks $lib (>= ...)"
  done
  grep -Eq '(^|, )libzint[0-9.]+ \(>=' <<<"$depends" || bad "Depends lacks libzint"
  # Each dependency is satisfied here, so `apt install ./the.deb` needs
  # nothing it cannot find.
  IFS=',' read -ra deps <<<"$depends"
  for d in "${deps[@]}"; do
    d=$(sed 's/^ *//; s/ *$//' <<<"$d")
    name=${d%% *}
    have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null) || { bad "$name is not installed"; continue; }
    if [[ $d =~ \(\>=\ ([^\)]+)\) ]]; then
      dpkg --compare-versions "$have" ge "${BASH_REMATCH[1]}" || bad "$name $have < ${BASH_REMATCH[1]}"
    fi
  done
  dpkg-deb --contents "$deb" | awk '{print $1, $6}' >"$tmp/contents"
  for f in ./usr/bin/assettrack ./usr/share/man/man1/assettrack.1.gz \
           ./usr/share/bash-completion/completions/assettrack \
           ./lib/systemd/system/assettrack.service ./lib/systemd/system/assettrack-backup.service \
           ./lib/systemd/system/assettrack-backup.timer ./usr/libexec/assettrack/nightly-backup \
           ./etc/assettrack/assettrack.conf ./usr/share/doc/assettrack/copyright \
           ./usr/share/doc/assettrack/changelog.gz; do
    grep -q " $f\$" "$tmp/contents" || bad "the package has no $f"
  done
  grep -Eq '^-rwxr-xr-x \./usr/bin/assettrack$' "$tmp/contents" || bad "/usr/bin/assettrack is not 0755"
  dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$tmp/conffiles" 2>/dev/null
  grep -qx /etc/assettrack/assettrack.conf "$tmp/conffiles" || bad "assettrack.conf is not a conffile"
  # No test-only code ships: the test clock's variable is not in the binary.
  dpkg-deb -x "$deb" "$tmp/root"
  if grep -q ASSETTRACK_FAKE_NOW "$tmp/root/usr/bin/assettrack"; then
    bad "the packaged binary contains the test clock"
  fi
  ;;

lintian)
  need lintian
  deb=$1
  # Root is how CI runs; lintian only says it would rather not.
  lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1 | grep -v 'root privileges'
  [ "${PIPESTATUS[0]}" -eq 0 ] || bad "lintian found errors"
  ;;

units)
  need systemd-analyze dpkg-deb
  deb=$1
  root=$tmp/root
  dpkg-deb -x "$deb" "$root"
  # The targets the units name (multi-user.target, ...) from this machine.
  cp -rn /lib/systemd/system/. "$root/lib/systemd/system/" 2>/dev/null
  out=$(systemd-analyze verify --man=no --root="$root" assettrack.service \
        assettrack-backup.service assettrack-backup.timer 2>&1)
  rc=$?
  [ $rc -eq 0 ] && [ -z "$out" ] || bad "systemd-analyze verify (exit $rc): $out"
  unit=$root/lib/systemd/system/assettrack.service
  for line in "DynamicUser=yes" "User=assettrack" "StateDirectory=assettrack" \
              "ProtectSystem=strict" "ProtectHome=yes" "NoNewPrivileges=yes" "PrivateTmp=yes" \
              "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
              "SystemCallFilter=@system-service" "MemoryDenyWriteExecute=yes" \
              "ExecStart=/usr/bin/assettrack serve" \
              "Environment=ASSETTRACK_CONFIG=/etc/assettrack/assettrack.conf" \
              "Environment=ASSETTRACK_INITIAL_PASSWORD_FILE=/var/lib/assettrack/initial-admin-password"; do
    grep -qxF "$line" "$unit" || bad "assettrack.service lacks $line"
  done
  grep -q '^ExecStart=/usr/libexec/assettrack/nightly-backup$' \
    "$root/lib/systemd/system/assettrack-backup.service" || bad "the backup unit runs something else"
  grep -q '^OnCalendar=' "$root/lib/systemd/system/assettrack-backup.timer" || bad "the timer has no OnCalendar"
  # How exposed the service is, for the record (systemd's own scale).
  systemd-analyze security --offline=yes --root="$root" assettrack.service 2>/dev/null | tail -n 1
  ;;

install)
  need dpkg dpkg-deb setpriv curl
  deb=$1 version=$2
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: installing into a scratch root needs root"
    exit 77
  fi
  root=$tmp/root
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
  touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
  # The maintainer scripts run here with DPKG_ROOT set: deb-systemd-helper
  # enables units inside the scratch root and nothing is started.  The
  # libraries are this machine's (the info step checked they satisfy
  # Depends), so the scratch root's empty status is forced past.
  dpkgr() { dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
  dpkgr -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; bad "dpkg -i failed"; }
  bin=$root/usr/bin/assettrack
  [ -x "$bin" ] || { bad "no $bin after dpkg -i"; exit 1; }
  [ -L "$root/etc/systemd/system/multi-user.target.wants/assettrack.service" ] ||
    bad "assettrack.service is not enabled after install"
  [ ! -e "$root/etc/systemd/system/timers.target.wants/assettrack-backup.timer" ] ||
    bad "the backup timer is enabled: it must ship disabled"

  v=$("$bin" --version) || bad "assettrack --version failed"
  echo "$v"
  grep -q "^assettrack $version (commit [0-9a-z]*)" <<<"$v" || bad "--version: $v"
  for lib in SQLite libmicrohttpd jansson libsodium; do
    grep -Eq "^  $lib [0-9]+\.[0-9]+" <<<"$v" || bad "--version does not give $lib's version"
  done

  # As the service user: an unprivileged uid of its own (what DynamicUser=
  # gives), the state directory 0700 and umask 077 (the unit's).
  uid=61873
  state=$root/var/lib/assettrack
  mkdir -m 0700 "$state"
  chown "$uid:$uid" "$state"
  service=(setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs --
    env -i PATH=/usr/bin:/bin HOME=/nonexistent ASSETTRACK_DB="$state/assettrack.db"
    ASSETTRACK_CONFIG="$root/etc/assettrack/assettrack.conf"
    ASSETTRACK_INITIAL_PASSWORD_FILE="$state/initial-admin-password")
  as_service() { "${service[@]}" "$@"; }
  as_service sh -c "umask 077 && exec '$bin' init" || bad "assettrack init as the service user failed"
  db=$state/assettrack.db
  [ -f "$db" ] || bad "init made no database"
  [ "$(stat -c '%u %a' "$db")" = "$uid 600" ] || bad "the database is $(stat -c '%u %a' "$db")"

  # serve with the shipped configuration (its listen moved to a free port
  # by the environment, as an admin's drop-in would).
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18431)
  # Each program execs the next, so $! is the server's pid.
  "${service[@]}" sh -c "umask 077 && ASSETTRACK_LISTEN=127.0.0.1:$port exec '$bin' serve" \
    >"$tmp/journal" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.json" && break
    sleep 0.1
  done
  code=$(curl -s -o "$tmp/openapi.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/openapi.json")
  [ "$code" = 200 ] || bad "GET /api/v1/openapi.json: $code"
  cmp -s "$tmp/openapi.json" "$root/usr/share/doc/assettrack/openapi.json" ||
    bad "the served OpenAPI document differs from the packaged one"
  pwfile=$state/initial-admin-password
  [ "$(stat -c '%u %a' "$pwfile" 2>/dev/null)" = "$uid 600" ] ||
    bad "initial-admin-password is $(stat -c '%u %a' "$pwfile" 2>&1)"
  pw=$(cat "$pwfile")
  [ "$(grep -c "password: $pw" "$tmp/journal")" = 1 ] || bad "the password is not in the journal once"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$pw\"}" "http://127.0.0.1:$port/api/v1/login")
  [ "$code" = 200 ] || bad "admin login with the file's password: $code"
  [ ! -e "$pwfile" ] || bad "initial-admin-password is still there after admin logged in"
  kill -TERM "$server_pid"
  wait "$server_pid"
  rc=$?
  [ $rc -eq 0 ] || { cat "$tmp/journal"; bad "serve exited $rc on SIGTERM, not 0"; }
  server_pid=
  grep -q "GET /api/v1/openapi.json 200" "$tmp/journal" || bad "no access log line on stderr"

  # The nightly backup as the timer runs it: a verified copy, the oldest
  # beyond ASSETTRACK_BACKUP_KEEP removed.
  mkdir -m 0700 "$state/backups"
  for d in 20200101 20200102 20200103; do
    touch "$state/backups/assettrack-${d}T000000Z.db"
  done
  chown -R "$uid:$uid" "$state/backups"
  as_service env ASSETTRACK_BIN="$bin" ASSETTRACK_BACKUP_DIR="$state/backups" ASSETTRACK_BACKUP_KEEP=2 \
    "$root/usr/libexec/assettrack/nightly-backup" >"$tmp/backup.log" 2>&1 ||
    { cat "$tmp/backup.log"; bad "nightly-backup failed"; }
  kept=$(cd "$state/backups" && ls assettrack-*.db | tr '\n' ' ')
  [[ $kept =~ ^assettrack-20200103T000000Z\.db\ assettrack-2[0-9]{7}T[0-9]{6}Z\.db\ $ ]] ||
    bad "after a backup with KEEP=2 the copies are: $kept"
  grep -q "verified" "$tmp/backup.log" || bad "nightly-backup did not verify the copy"

  # Purge: the package's files and its enablement go, the data stays.
  dpkgr --purge assettrack >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; bad "dpkg --purge failed"; }
  for f in usr/bin/assettrack etc/assettrack/assettrack.conf lib/systemd/system/assettrack.service \
           etc/systemd/system/multi-user.target.wants/assettrack.service; do
    [ ! -e "$root/$f" ] && [ ! -L "$root/$f" ] || bad "$f is still there after purge"
  done
  [ -f "$db" ] || bad "purge deleted the database"
  ;;

*)
  echo "usage: deb.sh build|info|lintian|units|install ..." >&2
  exit 2
  ;;
esac

[ $fail -eq 0 ] && echo "$step: OK"
exit $fail
