#!/usr/bin/env bash
# bench/mixed.sh — latency held under mixed load (issue 9, item 3).
#
#   bash bench/mixed.sh            (after `make bench` made bench/out/base.db)
#   PHASES="alone preview" bash bench/mixed.sh      (some of the phases)
#
# An operator scans while other work runs.  On a copy of the benchmark
# database (100,000 assets, 1,000,000 events) the server runs with
# --threads 4, and `latency probe` does, every 20 ms on one keep-alive
# connection, a single-asset Stock-Out (timed), a lookup of another asset
# (timed) and the Stock-In that puts the first back.  The probe runs alone
# (the baseline) and then while each of these runs, one at a time:
#   - preview: the same POST with ?dry_run=1 (checked aside: no write lock)
#   - import:  POST /api/v1/import/assets, 100,000 Snipe-IT rows, committed
#   - verify:  GET /api/v1/verify (the whole log replayed in the server)
#   - report:  GET /api/v1/reports/custody (about 30,000 rows), back to back
#   - lookups: 2,000 lookups/s from another connection (latency pace)
#   - batches: 500-asset Stock-Outs and Stock-Ins back to back from another
#              connection (latency custody; only when PHASES names it)
# Each phase prints p50, p99 and max of the probe's Stock-Outs and lookups,
# its refusals, and the answers that said the database was busy (503 or a
# "locked" message), which must be none.  Results: stdout and
# bench/out/mixed.md.  Not part of `make test`.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
PORT=${PORT:-18090}
ROWS=${ROWS:-100000}
GAP_MS=${GAP_MS:-20}
BASE_SECS=${BASE_SECS:-10}
# The phases, in order (a subset may be given).
PHASES=${PHASES:-alone preview import verify report lookups}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'mixed.sh: %s\n' "$*" >&2; exit 1; }

[ -f "$OUT/base.db" ] || die "no $OUT/base.db: run 'make bench' (bench/run.sh) first"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target bench_tools >/dev/null
AT=${AT_BIN:-$BUILD/assettrack}   # AT_BIN: another build's binary, to compare
LAT=$BUILD/bench/latency
DB=$OUT/mixed.db

say "copying the database"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB".checkpoint*
cp "$OUT/base.db" "$DB"
"$AT" --db "$DB" init >/dev/null
printf 'bench-pass-1234\n' | "$AT" --db "$DB" user add mixed --role admin >/dev/null
TOKEN=$("$AT" --db "$DB" user token mixed | tr -d '[:space:]')
HOLDER=$(cat "$OUT/holder.txt")
# Assets in storage with a slot, so Stock-In has a slot to return them to.
sqlite3 "$DB" "SELECT tag FROM assets WHERE state = 'STORAGE' AND case_id IS NOT NULL
               ORDER BY id DESC LIMIT 4000" >"$OUT/mixed_tags.txt"
# Others for the batches phase's 500-asset Stock-Outs (never the probe's).
sqlite3 "$DB" "SELECT tag FROM assets WHERE state = 'STORAGE' AND case_id IS NOT NULL
               ORDER BY id DESC LIMIT 10000 OFFSET 4000" >"$OUT/mixed_batch_1.txt"
# Each batch is returned before the next, so the list may go round again.
for _ in 1 2 3 4; do cat "$OUT/mixed_batch_1.txt"; done >"$OUT/mixed_batch_tags.txt"
# The import's rows must not collide with the database's AT- tags.
"$BUILD/bench/gen_snipeit" "$ROWS" 7 | sed 's/,AT-/,IM-/' >"$OUT/mixed-import.csv"

SERVER_PID=
start_server() {
  "$AT" --db "$DB" serve --listen "127.0.0.1:$PORT" --threads 4 --quiet \
    --checkpoint-every 0 >"$OUT/mixed-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/openapi.json" && return 0
    sleep 0.1
  done
  die "the server did not start: $(cat "$OUT/mixed-server.log")"
}
stop_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" && wait "$SERVER_PID" || true; }
trap stop_server EXIT

api() { # api METHOD PATH [curl args...]: status code on stdout
  local m=$1 p=$2
  shift 2
  curl -s -o "$OUT/mixed-answer.txt" -w '%{http_code}' -X "$m" \
    -H "Authorization: Bearer $TOKEN" "$@" "http://127.0.0.1:$PORT$p"
}

# phase NAME COMMAND...: the probe alone for BASE_SECS when COMMAND is
# empty; else the probe from 1 s before COMMAND starts to 1 s after it ends.
phase() {
  local name=$1 t0 t1 pid
  shift
  "$LAT" --port "$PORT" --token "$TOKEN" probe --tags "$OUT/mixed_tags.txt" \
    --holder "$HOLDER" --secs 3600 --gap-ms "$GAP_MS" >"$OUT/mixed-$name.txt" \
    2>"$OUT/mixed-$name.err" &
  pid=$!
  if [ $# -eq 0 ]; then
    sleep "$BASE_SECS"
    t0=0; t1=$BASE_SECS
  else
    sleep 1
    t0=$(date +%s.%N)
    "$@"
    t1=$(date +%s.%N)
    sleep 1
  fi
  kill -TERM "$pid"
  wait "$pid" || true
  awk -v name="$name" -v secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
    '$1 == "PROBE" && ($2 == "stock_out_1" || $2 == "lookup") {
       printf "| %s | %s s | %s | %s | %s | %s | %s | %s | %s |\n", name, secs, $2, $3, $4, $5, $6, $7, $8 }' \
    "$OUT/mixed-$name.txt" | tee -a "$OUT/mixed.rows"
}

bg_import() {
  local s
  s=$(api POST /api/v1/import/assets -H 'Content-Type: text/csv' \
    --data-binary "@$OUT/mixed-import.csv")
  [ "$s" = 201 ] || die "import answered $s: $(head -c 600 "$OUT/mixed-answer.txt")"
}
bg_preview() {
  local s
  s=$(api POST '/api/v1/import/assets?dry_run=1' -H 'Content-Type: text/csv' \
    --data-binary "@$OUT/mixed-import.csv")
  [ "$s" = 200 ] || die "the preview answered $s: $(head -c 600 "$OUT/mixed-answer.txt")"
}
bg_verify() {
  local s
  s=$(api GET /api/v1/verify)
  [ "$s" = 200 ] || die "verify answered $s: $(head -c 600 "$OUT/mixed-answer.txt")"
}
# The report's 13 MB go to /dev/null: written to a file here, eight of
# them (100 MB) were flushed to this disk while the probe's commits
# synced the WAL, and those syncs took 16-29 ms (a client of the server
# writes to its own disk, not the server's).
bg_report() {
  local s i
  for i in 1 2 3 4 5 6 7 8; do
    s=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$PORT/api/v1/reports/custody")
    [ "$s" = 200 ] || die "report answered $s"
  done
}
bg_batches() {
  "$LAT" --port "$PORT" --token "$TOKEN" custody --tags "$OUT/mixed_batch_tags.txt" \
    --holder "$HOLDER" --sizes 500 --reps 70 --warmup 0 >"$OUT/mixed-batch-load.txt"
  cat "$OUT/mixed-batch-load.txt" >&2
}
bg_lookups() {
  "$LAT" --port "$PORT" --token "$TOKEN" pace --tags "$OUT/mixed_tags.txt" --rate 2000 \
    --secs 10 >"$OUT/mixed-pace.txt"
  cat "$OUT/mixed-pace.txt" >&2
}

start_server
: >"$OUT/mixed.rows"
for p in $PHASES; do
  case $p in
    alone) say "baseline: the probe alone for ${BASE_SECS} s"; phase alone ;;
    preview) say "while previewing an import of $ROWS rows (dry run)"; phase preview bg_preview ;;
    import) say "while importing $ROWS rows"; phase import bg_import ;;
    verify) say "while verifying the whole log"; phase verify bg_verify ;;
    report) say "while reading the full custody report, 8 times"; phase report bg_report ;;
    lookups) say "while 2,000 lookups/s run"; phase lookups bg_lookups ;;
    batches) say "while another client issues and returns 500 assets, back to back"
      phase batches bg_batches ;;
    *) die "no phase $p" ;;
  esac
done
stop_server
SERVER_PID=

{
  echo "# Latency under mixed load ($(date -u +%Y-%m-%d), $(nproc) cores, probe every ${GAP_MS} ms)"
  echo
  echo "| load | its time | probe | n | p50 ms | p99 ms | max ms | refused | busy |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  cat "$OUT/mixed.rows"
  echo
  echo "Target (issue 9): single-asset Stock-Out p99 < 20 ms in every phase, no busy answer."
} | tee "$OUT/mixed.md"
