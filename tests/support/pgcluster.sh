#!/usr/bin/env bash
# pgcluster.sh — a throwaway PostgreSQL cluster for the tests (issue #11).
#
#   pgcluster.sh start DIR       create a fresh cluster in DIR (removing any
#                                earlier one there, running or not), start it,
#                                print its libpq URI on stdout
#   pgcluster.sh stop DIR        stop it (if running) and remove DIR
#   pgcluster.sh uri DIR         print the URI a cluster in DIR has
#   pgcluster.sh run DIR CMD...  start, run CMD with AT_PG_URI set, stop (also
#                                when CMD fails or the script is interrupted);
#                                exits with CMD's status
#
# DIR is made by the script and removed on stop: give a fresh path, short
# enough for a Unix socket (under 90 bytes; /tmp/... is fine).  CTest starts
# and stops one per build directory as fixtures (tests/CMakeLists.txt).
#
# The cluster: Debian's server binaries (/usr/lib/postgresql/N/bin, the
# highest N; PG_BINDIR overrides), initdb with superuser "postgres", trust
# authentication, UTF-8 in the C.UTF-8 locale (not C, so the schema's
# COLLATE "C" is what makes sorting and case folding match SQLite), fsync
# off.  It listens on a Unix socket in DIR only (no TCP port, so clusters
# of parallel builds cannot collide), and the URI is
#   postgresql:///postgres?host=DIR&user=postgres
#
# As root: initdb refuses to run as root, so the server runs as the
# `postgres` user the Debian package creates (`nobody` if there is none),
# through runuser, and DIR belongs to that user; root's clients reach the
# socket anyway.  As any other user: it runs as that user.
set -euo pipefail

die() {
	echo "pgcluster: $*" >&2
	exit 1
}

usage() {
	die "usage: pgcluster.sh start|stop|uri DIR | run DIR CMD..."
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case "$dir" in
/*) ;;
*) dir="$PWD/$dir" ;;
esac
# Unix socket paths are limited to 107 bytes (sun_path).
[ ${#dir} -le 90 ] || die "$dir is too long for a Unix socket path; use a shorter one"

uri() {
	echo "postgresql:///postgres?host=$dir&user=postgres"
}

bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/initdb" ] ||
		die "no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb): install the Debian \
package postgresql (scripts/install-deps.sh --with-test)"
	echo "$d"
}

# Run the server's tools as the cluster's owner.
if [ "$(id -u)" -eq 0 ]; then
	if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
	as_owner() { runuser -u "$owner" -- "$@"; }
else
	owner=$(id -un)
	as_owner() { "$@"; }
fi

stop() {
	local bin
	if [ -f "$dir/data/postmaster.pid" ]; then
		bin=$(bindir)
		# Immediate: the cluster is thrown away, nothing to flush.
		(cd / && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1) ||
			true
	fi
	rm -rf "$dir"
}

start() {
	local bin
	bin=$(bindir)
	stop
	mkdir -p "$dir"
	chmod 700 "$dir"
	[ "$(id -u)" -ne 0 ] || chown "$owner:" "$dir"
	# cd /: the owner may not be allowed into the caller's directory.
	if ! (cd / && as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1); then
		cat "$dir/initdb.log" >&2
		die "initdb failed in $dir/data"
	fi
	# max_connections: a server holds a connection per thread it has used
	# (up to --threads, 8 in the race tests, plus its checkpointer and
	# offload workers), and `ctest -j2` may run two API files at once
	# (tests/api/CMakeLists.txt), each with up to three servers and the
	# CLI on the cluster.
	#
	# Tests need no durability; a benchmark (PGCLUSTER_DURABLE=1,
	# bench/pg.sh) needs what SQLite's synchronous=FULL gives: fsync at
	# each commit.
	local sync=off mem=32MB
	if [ "${PGCLUSTER_DURABLE:-0}" = 1 ]; then
		sync=on
		mem=256MB
	fi
	cat >>"$dir/data/postgresql.conf" <<EOF
# pgcluster.sh: a throwaway test cluster
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = $sync
synchronous_commit = $sync
full_page_writes = $sync
max_connections = 120
shared_buffers = $mem
logging_collector = off
EOF
	if ! (cd / && as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		start >/dev/null 2>&1); then
		cat "$dir/server.log" >&2 || true
		die "the server in $dir/data did not start"
	fi
	uri
}

case "$cmd" in
start)
	start
	;;
stop)
	stop
	;;
uri)
	uri
	;;
run)
	[ $# -ge 1 ] || usage
	trap stop EXIT
	trap 'exit 130' INT TERM
	start >/dev/null
	status=0
	AT_PG_URI=$(uri) "$@" || status=$?
	exit "$status"
	;;
*)
	usage
	;;
esac
