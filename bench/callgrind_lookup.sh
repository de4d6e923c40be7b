#!/usr/bin/env bash
# bench/callgrind_lookup.sh — user-space instructions per scanner lookup
# (GET /api/v1/assets/{tag}), counted by callgrind: a figure that does not
# move with the load on the machine, unlike bench/run.sh's lookups/s.
#
#   bash bench/callgrind_lookup.sh [N]        # N lookups measured (default 2000)
#
# The server (`serve --threads 1 --quiet --checkpoint-every 0`: without
# signed checkpoints, whose first one verifies the whole 1,000,000-event
# log in the background) runs under valgrind's callgrind
# with instrumentation off; a warm-up of WARMUP other scans fills its caches
# (token cache, SQLite's statements and upper b-tree pages), then
# instrumentation is switched on (callgrind_control -i on), one curl process
# sends the first N scans of bench/out/lookup_tags.txt over one keep-alive
# connection (the same mix wrk sends: 50% exact, 25% dash-stripped, 25%
# lower-case; every answer must be 200), and it is switched off
# before the server stops.  Instructions per lookup = the total collected
# / N.  Only the server is counted; the kernel's share (recv, send, pread)
# is not in any callgrind figure.
#
# Needs bench/out/base.db and lookup_tags.txt (bash bench/run.sh makes
# them) and valgrind.  Knobs: BENCH_BUILD (default build-bench/, built
# Release here) or AT (a binary to measure as it is), DB, TAGS, PORT
# (18095), WARMUP (500).  Writes bench/out/callgrind-lookup.txt: the
# figure, the self cost by library and the hottest functions
# (inclusive and self), from callgrind_annotate; the raw profile stays in
# bench/out/callgrind.out.lookup for `callgrind_annotate --inclusive=yes`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out}
N=${1:-2000}
WARMUP=${WARMUP:-500}
PORT=${PORT:-18095}
DB=${DB:-$OUT/base.db}
TAGS=${TAGS:-$OUT/lookup_tags.txt}
die() { echo "callgrind_lookup: $*" >&2; exit 1; }

for tool in valgrind callgrind_control callgrind_annotate curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: valgrind, curl)"
done
[ -f "$DB" ] && [ -f "$TAGS" ] || die "no $DB or $TAGS: run bash bench/run.sh first"
[ "$(wc -l <"$TAGS")" -ge $(( N + WARMUP )) ] || die "$TAGS has fewer than N + WARMUP scans"
if [ -z "${AT:-}" ]; then
  BUILD=${BENCH_BUILD:-$ROOT/build-bench}
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target assettrack >/dev/null
  AT=$BUILD/assettrack
fi

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
  true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/"; then
  die "something already answers on 127.0.0.1:$PORT (set PORT)"
fi
cp "$DB" "$WORK/db"
printf 'callgrind-bench-pw\n' | "$AT" --db "$WORK/db" user add cgbench --role admin >/dev/null
TOKEN=$("$AT" --db "$WORK/db" user token cgbench | tr -d '[:space:]')
[ ${#TOKEN} -eq 64 ] || die "could not get an API token"

# One curl config per phase: every URL writes to /dev/null; curl keeps
# the connection open across them, as a scanner client (and wrk) does.
urls() { # urls FIRST COUNT
  awk -v p="$PORT" -v a="$1" -v n="$2" 'NR >= a && NR < a + n { printf "url = \"http://127.0.0.1:%s/api/v1/assets/%s\"\noutput = \"/dev/null\"\n", p, $0 }' "$TAGS"
}
urls $(( N + 1 )) "$WARMUP" >"$WORK/warmup.cfg"
urls 1 "$N" >"$WORK/measure.cfg"
fetch() { # fetch CFG: prints the status of each answer
  curl -s -K "$1" -H "Authorization: Bearer $TOKEN" -H "Accept: application/json" \
    -H "User-Agent:" -w '%{http_code}\n'
}

CG=$OUT/callgrind.out.lookup
rm -f "$CG"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$CG" \
  "$AT" --db "$WORK/db" serve --listen "127.0.0.1:$PORT" --threads 1 --quiet \
  --checkpoint-every 0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server died"; }
  sleep 0.1
done

ok=$(fetch "$WORK/warmup.cfg" | grep -c '^200$' || true)
[ "$ok" -eq "$WARMUP" ] || die "warm-up: $ok of $WARMUP answers were 200"
callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
ok=$(fetch "$WORK/measure.cfg" | grep -c '^200$' || true)
callgrind_control -i off "$SERVER_PID" >/dev/null 2>&1
[ "$ok" -eq "$N" ] || die "$ok of $N answers were 200"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

# "summary:" is written when the run starts (0 here); "totals:" at the end.
TOTAL=$(awk '/^totals:/ { t = $2 } END { print t }' "$CG")
[ -n "$TOTAL" ] || die "no totals in $CG"
PER=$(( TOTAL / N ))

# Self cost by shared object: cost lines follow fn= lines; the line after
# calls= is the call's inclusive cost and is skipped.  Names may be
# compressed as "(id) name" on first use (in ob= or cob=) and "(id)" after.
by_object() {
  awk '
    function named(s,  id, rest) {
      if (!match(s, /^\([0-9]+\)/)) return s
      id = substr(s, 1, RLENGTH); rest = substr(s, RLENGTH + 2)
      if (rest != "") name[id] = rest
      return name[id]
    }
    /^ob=/ { ob = named(substr($0, 4)); next }
    /^cob=/ { named(substr($0, 5)); next }
    /^calls=/ { skip = 1; next }
    /^[0-9+*-]/ { if (skip) { skip = 0; next } n = split($0, f, " "); if (n >= 2) cost[ob] += f[2]; next }
    END { for (o in cost) printf "%14d %5.1f%%  %s\n", cost[o], 100 * cost[o] / T, o }
  ' T="$TOTAL" "$CG" | sort -rn | head -12
}
{
  echo "# Instructions per scanner lookup (callgrind)"
  echo
  echo "$(date -u +'%Y-%m-%d %H:%M UTC'); binary $AT"
  echo "$N lookups (after $WARMUP warm-up scans) of $TAGS, serve --threads 1, one keep-alive connection"
  echo "total $TOTAL instructions; per lookup $PER"
  echo
  echo "## self cost by object"
  by_object
  echo
  echo "## inclusive, top functions"
  callgrind_annotate --inclusive=yes --threshold=99 "$CG" 2>/dev/null |
    grep -E '^ *[0-9,]+ ' | sed -n 1,45p
  echo
  echo "## self, top functions"
  callgrind_annotate --threshold=95 "$CG" 2>/dev/null | grep -E '^ *[0-9,]+ ' | sed -n 1,40p
} >"$OUT/callgrind-lookup.txt"
echo "instructions per lookup: $PER ($TOTAL over $N lookups; details in $OUT/callgrind-lookup.txt)"
