#!/usr/bin/env bash
# bench/pg.sh — SQLite against PostgreSQL, with one server and with two
# (issue #11 item 3; bench/README.md, "PostgreSQL").
#
#   bash bench/pg.sh                  # 20,000 assets
#   ASSETS=100000 bash bench/pg.sh
#
# The same data on each engine, made by the program itself: one CSV of
# ASSETS assets in cases of 50 slots, imported with `assettrack import`
# (so each engine holds the same rows and about ASSETS + cases events),
# one holder, and a bench user with a token.  PostgreSQL is a throwaway
# cluster (tests/support/pgcluster.sh) made durable as SQLite's
# synchronous=FULL is (PGCLUSTER_DURABLE=1: fsync, synchronous_commit and
# full_page_writes on), reached over its Unix socket, the program running
# as the role `init --app-role` made.  For each of: SQLite (one server),
# PostgreSQL (one server), PostgreSQL (two servers on one database):
#   - Stock-Out and Stock-In of 1, 50 and 500 assets, sequential, over one
#     keep-alive connection (bench/latency custody; median and p95);
#   - write transactions/s with 8 clients: 8 latency processes, each
#     Stock-Out then Stock-In of one asset of its own, REPS times (with two
#     servers, four clients on each);
#   - scanner lookups/s (wrk, 2 threads, 64 connections; with two servers
#     one wrk on each, added);
#   - the custody report of everything in custody (GET, median of 5) and
#     `assettrack verify` (wall time).
# Results: stdout and bench/out/pg/results.md.  Knobs: ASSETS (20000),
# REPS (200), WRK_SECS (10), THREADS (4 per server), BENCH_BUILD
# (build-bench/), BENCH_OUT (bench/out/pg).  Needs wrk, Debian's
# postgresql; run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out/pg}
ASSETS=${ASSETS:-20000}
REPS=${REPS:-200}
WRK_SECS=${WRK_SECS:-10}
THREADS=${THREADS:-4}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
PGDIR=/tmp/atbench-pg-$$
PORT1=18301
PORT2=18302
die() { echo "pg.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

for tool in wrk psql curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: wrk, postgresql-client, curl)"
done
mkdir -p "$OUT"
say "build (Release) into $BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target assettrack at_bench_latency >/dev/null 2>&1 ||
  cmake --build "$BUILD" -j "$(nproc)" --target bench_tools >/dev/null
AT=$BUILD/assettrack
LAT=$BUILD/bench/latency
[ -x "$LAT" ] || die "no $LAT"

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash tests/support/pgcluster.sh stop "$PGDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- the data ------------------------------------------------------------
CASES=$(( (ASSETS + 49) / 50 ))
CSV=$OUT/assets.csv
say "the CSV: $ASSETS assets in $CASES cases"
awk -v n="$ASSETS" 'BEGIN {
  print "asset_tag,serial_number,manufacturer,equipment_type,building,room,case,position,case_slots"
  for (i = 0; i < n; i++)
    printf "PB-%06d,PBS-%06d,Dell,Laptop,HQ,%d,PBC-%04d,%d,50\n", i + 1, i + 1, 100 + i % 20,
      int(i / 50) + 1, i % 50 + 1 }' >"$CSV"
# Tags for the batches: whole slices in file order, as latency consumes
# them; REPS more for each of the 8 write clients, which no batch uses.
RESERVED=$(( 8 * REPS ))
[ "$ASSETS" -gt $(( RESERVED + 8000 )) ] || die "ASSETS must be over $(( RESERVED + 8000 ))"
awk -F, -v m=$(( ASSETS - RESERVED )) 'NR > 1 && NR - 1 <= m { print $1 }' "$CSV" >"$OUT/tags.txt"
for k in 0 1 2 3 4 5 6 7; do
  awk -F, 'NR > 1 { print $1 }' "$CSV" | tail -n "$RESERVED" |
    sed -n "$(( k * REPS + 1 )),$(( (k + 1) * REPS ))p" >"$OUT/client-$k.txt"
done
awk 'NR % 3 == 0 { print tolower($0); next } NR % 3 == 1 { gsub(/-/, ""); print; next } { print }' \
  "$OUT/tags.txt" >"$OUT/lookup_tags.txt"

prepare() { # prepare DB: schema, data, holder, bench user; prints the token
  local db=$1
  "$AT" --db "$db" init >/dev/null
  "$AT" --db "$db" import assets "$CSV" >/dev/null
  "$AT" --db "$db" holder add "Bench Holder" --badge B-BENCH >/dev/null
  printf 'bench-password-1234\n' | "$AT" --db "$db" user add bench --role admin >/dev/null
  "$AT" --db "$db" user token bench | tail -n 1 | tr -d '[:space:]'
}

start_server() { # start_server DB PORT
  "$AT" --db "$1" serve --listen "127.0.0.1:$2" --threads "$THREADS" --quiet \
    --checkpoint-every 0 >"$OUT/server-$2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$2/api/v1/me" && return 0
    sleep 0.1
  done
  die "the server on $2 did not start: $(cat "$OUT/server-$2.log")"
}

stop_servers() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

RESULTS=$OUT/results.md
: >"$RESULTS"
row() { echo "| $* |" | tee -a "$RESULTS"; }

# move_2000 PORT TOKEN stock-out|stock-in LABEL: the first 2,000 tags out
# to the bench holder, or back, in two batches of 1,000.
move_2000() {
  local port=$1 token=$2 op=$3 label=$4 part head item
  if [ "$op" = stock-out ]; then
    head='{"holder":"B-BENCH","asset_tags":['
    item='"%s"'
  else
    head='{"items":['
    item='{"asset_tag":"%s"}'
  fi
  for part in 0 1; do
    head -n 2000 "$OUT/tags.txt" | sed -n "$(( part * 1000 + 1 )),$(( (part + 1) * 1000 ))p" |
      awk -v h="$head" -v f="$item" 'BEGIN { printf "%s", h }
        { printf "%s", (NR > 1 ? "," : ""); printf f, $1 } END { print "]}" }' >"$OUT/$op-$part.json"
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data @"$OUT/$op-$part.json" \
      "http://127.0.0.1:$port/api/v1/custody/$op" | grep -q 200 || die "$label: $op of 1,000"
  done
}

measure() { # measure LABEL DB TOKEN PORT [PORT2]
  local label=$1 db=$2 token=$3 p1=$4 p2=${5:-$4} holder t0 t1 n
  holder=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$p1/api/v1/holders?q=B-BENCH" |
    sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -n 1)
  [ -n "$holder" ] || die "$label: no holder"
  # Batches of 1, 50, 500 (through the first server).
  "$LAT" --port "$p1" --token "$token" custody --tags "$OUT/tags.txt" --holder "$holder" \
    --sizes 1,50,500 --reps 30,20,10 --warmup 2 >"$OUT/custody-$label.txt"
  while read -r _ name size med p95 reps _; do
    row "$label | $name $size | $med | $p95 | $reps"
  done < <(grep '^RESULT' "$OUT/custody-$label.txt")
  # 8 write clients, half on each server when there are two.
  local clients=() port
  t0=$(date +%s.%N)
  for k in 0 1 2 3 4 5 6 7; do
    port=$p1
    [ $(( k % 2 )) = 1 ] && port=$p2
    "$LAT" --port "$port" --token "$token" custody --tags "$OUT/client-$k.txt" --holder "$holder" \
      --sizes 1 --reps "$REPS" --warmup 0 >"$OUT/writers-$label-$k.txt" &
    clients+=($!)
  done
  for c in "${clients[@]}"; do wait "$c" || die "$label: a write client failed"; done
  t1=$(date +%s.%N)
  n=$(( 8 * REPS * 2 ))
  row "$label | write transactions/s, 8 clients | $(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }') | | $n"
  # Lookups/s: one wrk per server, added.
  local total=0 r wrks=()
  for port in $(printf '%s\n' "$p1" "$p2" | sort -u); do
    wrk -t2 -c64 -d"${WRK_SECS}s" -s bench/lookup.lua "http://127.0.0.1:$port" -- \
      "$OUT/lookup_tags.txt" "$token" >"$OUT/wrk-$label-$port.txt" &
    wrks+=($!)
  done
  for w in "${wrks[@]}"; do wait "$w"; done
  for port in $(printf '%s\n' "$p1" "$p2" | sort -u); do
    grep -q 'Non-2xx' "$OUT/wrk-$label-$port.txt" && die "$label: non-200 lookups ($OUT/wrk-$label-$port.txt)"
    r=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/wrk-$label-$port.txt")
    total=$(( total + r ))
  done
  row "$label | lookups/s | $total | |"
  # The custody report (nothing is in custody between batches: put 2,000
  # out, two batches of 1,000, the most one may hold).
  move_2000 "$p1" "$token" stock-out "$label"
  "$LAT" --port "$p1" --token "$token" get /api/v1/reports/custody --reps 5 --warmup 1 \
    >"$OUT/report-$label.txt"
  awk -v l="$label" '/^RESULT/ { printf "| %s | custody report, 2,000 rows | %s | %s | %s |\n", l, $4, $5, $6 }' \
    "$OUT/report-$label.txt" | tee -a "$RESULTS"
  move_2000 "$p1" "$token" stock-in "$label"
  t0=$(date +%s.%N)
  "$AT" --db "$db" verify >"$OUT/verify-$label.txt"
  t1=$(date +%s.%N)
  row "$label | verify ($(awk '{ print $2; exit }' "$OUT/verify-$label.txt") events) | $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms | |"
}

echo "| engine | measure | median (ms) or rate | p95 (ms) | n |" | tee -a "$RESULTS"
echo "|---|---|---:|---:|---:|" | tee -a "$RESULTS"

say "SQLite"
rm -f "$OUT/bench.db" "$OUT/bench.db-wal" "$OUT/bench.db-shm"
TOKEN=$(prepare "$OUT/bench.db")
start_server "$OUT/bench.db" $PORT1
measure sqlite "$OUT/bench.db" "$TOKEN" $PORT1
stop_servers

say "PostgreSQL: a durable throwaway cluster in $PGDIR"
SU=$(PGCLUSTER_DURABLE=1 bash tests/support/pgcluster.sh start "$PGDIR")
psql -qAtX "$SU" -c "CREATE DATABASE bench" >/dev/null
OWNER=${SU/\/postgres\?//bench?}
"$AT" --db "$OWNER" init --app-role assettrack_bench >/dev/null
PGDB="$OWNER&user=assettrack_bench"
export ASSETTRACK_STATE_DIR=$OUT
TOKEN=$(prepare "$PGDB")
start_server "$PGDB" $PORT1
measure pg1 "$PGDB" "$TOKEN" $PORT1
start_server "$PGDB" $PORT2
measure pg2 "$PGDB" "$TOKEN" $PORT1 $PORT2
stop_servers
say "results in $RESULTS"
