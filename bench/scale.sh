#!/usr/bin/env bash
# bench/scale.sh — the read and write figures of issue #9 at one database
# size (see bench/README.md, "Scale").
#
#   ASSETS=20000 bash bench/scale.sh            # 20k assets, 200k events
#   bash bench/scale.sh                         # 100k assets, 1M events
#   ASSETS=1000000 bash bench/scale.sh          # 1M / 10M: make bench-large
#   bash bench/scale.sh --gen-only              # only make (or find) the database
#
# Sizes by environment: ASSETS (100000); CASES (ASSETS/50), SLOTS (50),
# HOLDERS (ASSETS/100), EVENTS (10 x ASSETS), SEED (42) follow it, so
# 100,000 assets are bench/run.sh's database.  Knobs: BENCH_BUILD
# (build-scale/), BENCH_OUT (bench/out/scale-ASSETS/), PORT (18280),
# THREADS (server threads, 4), REPS (requests per page, 200), LOOKUP_REPS
# (2000), REPORT_REPS (whole custody reports: 10, 3 above 100k assets),
# WRK_SECS (10; 0 skips wrk), QUIET_WAIT (seconds to wait for an idle
# machine before each measurement, 30).
#
# Steps: a Release build of bench_tools; the database, generated once by
# bench/gen (timed: wall, peak RSS, size) and cached under a key of the
# sizes, the seed and the hashes of bench/gen.c and src/store/schema.c, or
# copied from bench/out/base.db when bench/run.sh made the same one;
# `assettrack verify` (wall, peak RSS); then a server on a copy and, over
# loopback: scanner lookups (one at a time; wrk), Stock-Out/In of 1, 50 and
# 500 assets (bench/latency), every list and page (REPS sequential requests
# on one keep-alive curl connection, p50/p99), an asset's history, the
# custody report as JSON and CSV, and the server's VmHWM after each phase.
# Every figure carries the 1-minute load average and the share of the CPUs
# busy elsewhere in the second before it (the machine is shared).
# Results: bench/out/scale-ASSETS.md (and stdout).
#   --gen-only   stop once the database and its inputs exist
#   --regen      generate even if a matching database exists
#   --keep-db    measure the existing database even if its key is stale
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ASSETS=${ASSETS:-100000}
CASES=${CASES:-$(( ASSETS / 50 ))}
SLOTS=${SLOTS:-50}
HOLDERS=${HOLDERS:-$(( ASSETS / 100 ))}
EVENTS=${EVENTS:-$(( ASSETS * 10 ))}
SEED=${SEED:-42}
OUT=${BENCH_OUT:-$ROOT/bench/out/scale-$ASSETS}
BUILD=${BENCH_BUILD:-$ROOT/build-scale}
PORT=${PORT:-18280}
THREADS=${THREADS:-4}
REPS=${REPS:-200}
LOOKUP_REPS=${LOOKUP_REPS:-2000}
if [ "$ASSETS" -gt 100000 ]; then REPORT_REPS=${REPORT_REPS:-3}; else REPORT_REPS=${REPORT_REPS:-10}; fi
WRK_SECS=${WRK_SECS:-10}
QUIET_WAIT=${QUIET_WAIT:-30}
RESULTS=$ROOT/bench/out/scale-$ASSETS.md
GEN_ONLY=0
REGEN=0
KEEP_DB=0
for arg in "$@"; do
  case "$arg" in
    --gen-only) GEN_ONLY=1 ;;
    --regen) REGEN=1 ;;
    --keep-db) KEEP_DB=1 ;;
    *) echo "usage: [ASSETS=N ...] bash bench/scale.sh [--gen-only] [--regen] [--keep-db]" >&2
       exit 2 ;;
  esac
done

T_START=$(date +%s)
say() { printf '\n== %s\n' "$*" >&2; }
die() { echo "scale: $*" >&2; exit 1; }

# The one process this script starts and must stop, by pid only.
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in cmake sqlite3 curl /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is missing (bash scripts/install-deps.sh --with-bench)"
done

# ---- build ------------------------------------------------------------------
say "build (Release) into $BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target bench_tools >/dev/null
AT=$BUILD/assettrack
GEN=$BUILD/bench/gen
LAT=$BUILD/bench/latency
mkdir -p "$OUT"

# ---- the database --------------------------------------------------------------
BASE=$OUT/base.db
# bench/run.sh's key without its "inputs=" part: the same database.
GENKEY="assets=$ASSETS cases=$CASES slots=$SLOTS holders=$HOLDERS events=$EVENTS seed=$SEED \
gen=$(sha256sum bench/gen.c | cut -c1-16) schema=$(sha256sum src/store/schema.c | cut -c1-16)"
RUN_INPUTS=$(sed -n 's/^INPUTS=\([0-9]*\)$/\1/p' bench/run.sh | head -n 1)
RUN_BASE=$ROOT/bench/out/base.db
have_key() { [ -f "$BASE" ] && [ "$(cat "$OUT/base.key" 2>/dev/null)" = "$GENKEY" ]; }

if [ "$KEEP_DB" = 1 ] && [ -f "$BASE" ]; then
  have_key || echo "scale: --keep-db: measuring $BASE made as: $(cat "$OUT/base.key" 2>/dev/null)" >&2
elif [ "$REGEN" = 0 ] && have_key; then
  say "reusing $BASE ($GENKEY)"
elif [ "$REGEN" = 0 ] && [ -f "$RUN_BASE" ] && [ ! -e "$RUN_BASE-wal" ] &&
     [ "$(cat "$ROOT/bench/out/base.key" 2>/dev/null)" = "$GENKEY inputs=$RUN_INPUTS" ]; then
  say "copying bench/run.sh's database (same key)"
  rm -f "$BASE" "$BASE-wal" "$BASE-shm" "$OUT/inputs.key"
  cp "$RUN_BASE" "$BASE.tmp" && mv "$BASE.tmp" "$BASE"
  cp "$ROOT/bench/out/gen.txt" "$OUT/gen.txt" 2>/dev/null || true
  echo "$GENKEY" >"$OUT/base.key"
else
  say "generating ($ASSETS assets, $CASES cases x $SLOTS slots, $HOLDERS holders, >= $EVENTS events)"
  rm -f "$BASE" "$BASE-wal" "$BASE-shm" "$OUT/base.key" "$OUT/inputs.key"
  df -h "$OUT" | tail -n 1 >&2
  echo "load average before $(cut -d' ' -f1-3 /proc/loadavg)," >"$OUT/gen-load.txt"
  /usr/bin/time -f 'wall %e s, peak RSS %M kB' -o "$OUT/gen-time.txt" \
    "$GEN" --db "$OUT/gen.db" --force --assets "$ASSETS" --cases "$CASES" --slots "$SLOTS" \
    --holders "$HOLDERS" --events "$EVENTS" --seed "$SEED" >"$OUT/gen.txt"
  echo "after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/gen-load.txt"
  cat "$OUT/gen.txt" "$OUT/gen-time.txt" >&2
  mv "$OUT/gen.db" "$BASE"
  echo "$GENKEY" >"$OUT/base.key"
fi

# Inputs for the load, chosen deterministically from the database once.
INKEY="$(cat "$OUT/base.key") scale-inputs=1"
if [ "$(cat "$OUT/inputs.key" 2>/dev/null)" != "$INKEY" ]; then
  say "choosing the load's inputs from the database"
  q() { sqlite3 -readonly "$BASE" "$1"; }
  # As bench/run.sh: 20,000 scans in scrambled order (a quarter
  # dash-stripped, a quarter lower-case); assets in storage for Stock-Out.
  q "SELECT tag FROM assets ORDER BY (id * 2654435761) % 4294967291 LIMIT 20000" |
    awk '{ if (NR % 4 == 1) { gsub(/-/, ""); print }
           else if (NR % 4 == 3) print tolower($0); else print }' >"$OUT/lookup_tags.txt"
  q "SELECT tag FROM assets WHERE state = 'STORAGE' AND case_id IS NOT NULL
       AND condition = 'GOOD' ORDER BY (id * 2654435761) % 4294967291 LIMIT 15000" \
    >"$OUT/custody_tags.txt"
  {
    # The asset with the most events (its history), through events_asset.
    echo "busiest $(q "SELECT asset_tag || ' ' || n FROM (SELECT asset_tag, count(*) AS n
      FROM events WHERE asset_tag IS NOT NULL GROUP BY asset_tag) ORDER BY n DESC, asset_tag LIMIT 1")"
    echo "holder $(q "SELECT id FROM holders WHERE active = 1 ORDER BY id LIMIT 1")"
    # The holder page's two ends: the one holding most, and the one whose
    # last event is the oldest (its "recent events" are deepest in the log).
    echo "most_held $(q "SELECT holder_id FROM assets WHERE holder_id IS NOT NULL
      GROUP BY holder_id ORDER BY count(*) DESC, holder_id LIMIT 1")"
    echo "quiet_holder $(q "SELECT holder_id FROM events WHERE holder_id IS NOT NULL
      GROUP BY holder_id ORDER BY max(seq), holder_id LIMIT 1")"
    echo "mid_case $(q "SELECT name FROM cases ORDER BY name
      LIMIT 1 OFFSET (SELECT count(*) / 2 FROM cases)")"
    # Keyset pages deep in the lists: 90% through the assets by tag, the
    # middle of the log by seq.
    echo "deep_tag $(q "SELECT tag FROM assets ORDER BY tag
      LIMIT 1 OFFSET (SELECT count(*) * 9 / 10 FROM assets)")"
    echo "mid_seq $(q "SELECT max(seq) / 2 FROM events")"
  } >"$OUT/inputs.txt"
  {
    echo "file_mb $(( $(stat -c %s "$BASE") / 1048576 ))"
    q "SELECT 'events', count(*) FROM events; SELECT 'assets', count(*) FROM assets;
      SELECT 'state_' || state, count(*) FROM assets GROUP BY state;
      SELECT 'cases', count(*) FROM cases; SELECT 'slots', count(*) FROM slots;
      SELECT 'holders', count(*) FROM holders;" | tr '|' ' '
  } >"$OUT/dbstats.txt"
  echo "$INKEY" >"$OUT/inputs.key"
fi
inp() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/inputs.txt"; }
dbstat() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/dbstats.txt"; }
BUSIEST=$(inp busiest)
BUSIEST_N=$(awk '$1 == "busiest" { print $3 }' "$OUT/inputs.txt")
HOLDER=$(inp holder)
MOST_HELD=$(inp most_held)
QUIET_HOLDER=$(inp quiet_holder)
MID_CASE=$(inp mid_case)
DEEP_TAG=$(inp deep_tag)
MID_SEQ=$(inp mid_seq)
TYPICAL=$(sed -n 2p "$OUT/custody_tags.txt")
[ "$GEN_ONLY" = 1 ] && { say "database ready: $BASE"; exit 0; }

# ---- helpers ---------------------------------------------------------------
busy_pct() { # share of all CPUs busy over one second
  local b0 t0 b1 t1
  read -r b0 t0 < <(awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat)
  sleep 1
  read -r b1 t1 < <(awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat)
  echo $(( 100 * (b1 - b0) / (t1 - t0 > 0 ? t1 - t0 : 1) ))
}
# Wait up to QUIET_WAIT s for the CPUs to be idle (this script's server
# idles between measurements), then set LOAD to "1-min load / busy%".
LOAD=
settle() {
  local b i
  for ((i = 0; i <= QUIET_WAIT; i++)); do
    b=$(busy_pct)
    [ "$b" -lt 10 ] && break
  done
  LOAD="$(cut -d' ' -f1 /proc/loadavg) / ${b}%"
}

start_server() {
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/"; then
    die "something already answers on 127.0.0.1:$PORT (set PORT)"
  fi
  # No signed checkpoints: the first one would verify the whole log in the
  # server's background, inside the measurements (as bench/run.sh).
  "$AT" --db "$OUT/http.db" serve --listen "127.0.0.1:$PORT" --threads "$THREADS" --quiet \
    --checkpoint-every 0 >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 400); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died (see $OUT/server.log)"
    sleep 0.05
  done
  die "the server does not answer on port $PORT"
}
mem_mib() { # mem_mib VmHWM|VmRSS
  awk -v f="$1:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

# Rows of the table: "kind|measure|p50|p99|max|n|bytes|load|note".
ROWS=$OUT/rows.txt
MEM=$OUT/mem.txt
: >"$ROWS"
: >"$MEM"
row() { local IFS='|'; echo "$*" >>"$ROWS"; }
phase_mem() { echo "$1|$(mem_mib VmHWM)|$(mem_mib VmRSS)" >>"$MEM"; }

# measure KIND NAME PATH [N]: N (REPS) sequential GETs after warm-up ones,
# one curl process, one keep-alive connection; time_total per request
# (request sent to the last byte, loopback).  Anything but 200 stops the
# run.  A request slower than 50 ms is measured 20 times, not N, so a slow
# page (reported as such) does not hold the run for minutes.
measure() {
  local kind=$1 name=$2 path=$3 n=${4:-$REPS} warm=5 i times stats first
  first=$(curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -w '%{time_total}' \
    "http://127.0.0.1:$PORT$path")
  if awk -v t="$first" 'BEGIN { exit !(t > 0.05) }'; then
    [ "$n" -gt 20 ] && n=20
    warm=1
  fi
  settle
  {
    echo "header = \"Authorization: Bearer $TOKEN\""
    for ((i = 0; i < n + warm; i++)); do
      echo "url = \"http://127.0.0.1:$PORT$path\""
      echo 'output = "/dev/null"'
    done
  } >"$OUT/curl.cfg"
  times=$(curl -s -K "$OUT/curl.cfg" -w '%{http_code} %{time_total} %{size_download}\n')
  if echo "$times" | awk '$1 != 200 { bad = 1 } END { exit !bad }'; then
    die "$path answered $(echo "$times" | awk '$1 != 200 { print $1; exit }')"
  fi
  stats=$(echo "$times" | tail -n "$n" | awk '{ print $2 * 1000 }' | sort -g |
    awk '{ v[NR] = $1 } END { k50 = int(NR * 0.50 + 0.999999); k99 = int(NR * 0.99 + 0.999999);
      printf "%.2f|%.2f|%.2f|%d", v[k50], v[k99], v[NR], NR }')
  row "$kind" "$name" "$stats" "$(echo "$times" | tail -n 1 | awk '{ print $3 }')" "$LOAD" ""
  echo "  $name: p50|p99|max|n = $stats ms (load $LOAD)" >&2
}

# ---- verify -------------------------------------------------------------------
say "assettrack verify ($(dbstat events) events)"
settle
VERIFY_LOAD=$LOAD
/usr/bin/time -f 'wall %e s, peak RSS %M kB' -o "$OUT/verify-time.txt" \
  "$AT" --db "$BASE" verify >"$OUT/verify.txt" 2>&1 || { cat "$OUT/verify.txt" >&2; die "verify failed"; }
VERIFY_WALL=$(awk '{ print $2 }' "$OUT/verify-time.txt")
VERIFY_RSS=$(awk '{ printf "%.1f", $6 / 1024 }' "$OUT/verify-time.txt")
echo "  $(cat "$OUT/verify.txt"); $(cat "$OUT/verify-time.txt") (load $VERIFY_LOAD)" >&2
rm -f "$BASE-wal" "$BASE-shm"

# ---- the server ---------------------------------------------------------------
say "the server's copy"
rm -f "$OUT/http.db" "$OUT/http.db-wal" "$OUT/http.db-shm"
cp "$BASE" "$OUT/http.db"
printf 'bench-password-%s\n' "$SEED" | "$AT" --db "$OUT/http.db" user add bench --role admin >/dev/null
TOKEN=$("$AT" --db "$OUT/http.db" user token bench | tr -d '[:space:]')
[ ${#TOKEN} -eq 64 ] || die "could not get an API token"
start_server
phase_mem "started"

say "lookups"
got=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/assets/${TYPICAL//-/}" |
      sed -n 's/.*"asset_tag": *"\([^"]*\)".*/\1/p')
[ "$got" = "$TYPICAL" ] || die "lookup of ${TYPICAL//-/} gave '$got', expected $TYPICAL"
measure lookup "one lookup at a time (dash-stripped scan)" "/api/v1/assets/${TYPICAL//-/}" "$LOOKUP_REPS"
if [ "$WRK_SECS" -gt 0 ] && command -v wrk >/dev/null; then
  wrk -t2 -c64 -d3s -s bench/lookup.lua "http://127.0.0.1:$PORT" -- "$OUT/lookup_tags.txt" \
    "$TOKEN" >/dev/null
  settle
  wrk -t2 -c64 -d"$WRK_SECS"s --latency -s bench/lookup.lua "http://127.0.0.1:$PORT" -- \
    "$OUT/lookup_tags.txt" "$TOKEN" >"$OUT/wrk.txt"
  grep -q 'Non-2xx' "$OUT/wrk.txt" && { cat "$OUT/wrk.txt" >&2; die "non-200 answers under wrk"; }
  wrk_ms() { awk -v p="$1%" '$1 == p { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' "$OUT/wrk.txt"; }
  WRK_RPS=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$OUT/wrk.txt")
  row lookup "scanner lookups/s under wrk -t2 -c64 -d${WRK_SECS}s: $WRK_RPS/s" "$(wrk_ms 50)" \
    "$(wrk_ms 99)" "" "" "" "$LOAD" "rate"
  echo "  wrk: $WRK_RPS lookups/s (load $LOAD)" >&2
fi
phase_mem "lookups"

say "Stock-Out / Stock-In (bench/latency custody: 1, 50, 500 assets)"
settle
"$LAT" --port "$PORT" --token "$TOKEN" custody --tags "$OUT/custody_tags.txt" --holder "$HOLDER" \
  --sizes 1,50,500 --reps 30,20,12 --warmup 1 >"$OUT/lat-custody.txt"
for n in 1 50 500; do
  for op in stock_out stock_in; do
    # RESULT name size median p95 reps bytes
    awk -v o="$op" -v n="$n" -v l="$LOAD" '$1 == "RESULT" && $2 == o && $3 == n {
      printf "custody|%s, %d asset(s) (median / p95)|%s|%s||%s|%s|%s|p95\n",
        (o == "stock_out" ? "Stock-Out" : "Stock-In"), n, $4, $5, $6, $7, l }' \
      "$OUT/lat-custody.txt" >>"$ROWS"
  done
done
cat "$OUT/lat-custody.txt" >&2
phase_mem "Stock-Out/In"

say "lists and pages ($REPS requests each)"
measure list "API assets, first page (limit=50)" "/api/v1/assets?limit=50"
measure list "API assets, keyset page 90% deep (after=$DEEP_TAG)" "/api/v1/assets?limit=50&after=$DEEP_TAG"
measure list "API assets in custody (state=IN_CUSTODY)" "/api/v1/assets?state=IN_CUSTODY&limit=50"
measure list "API assets search q=hp (matches none)" "/api/v1/assets?q=hp&limit=50" 20
measure list "API events, first page" "/api/v1/events?limit=50"
measure list "API events, mid-log page (after=$MID_SEQ)" "/api/v1/events?limit=50&after=$MID_SEQ"
measure list "API holders" "/api/v1/holders"
measure list "API cases" "/api/v1/cases"
measure list "API holder $MOST_HELD (most held)" "/api/v1/holders/$MOST_HELD"
measure list "API case $MID_CASE" "/api/v1/cases/$MID_CASE"
measure page "page / (dashboard)" "/"
measure page "page /assets" "/assets"
measure page "page /assets?q=hp (matches none)" "/assets?q=hp" 20
measure page "page /events" "/events"
measure page "page /events?before=$MID_SEQ" "/events?before=$MID_SEQ"
measure page "page /holders" "/holders"
measure page "page /holders/$MOST_HELD (most held)" "/holders/$MOST_HELD"
measure page "page /holders/$QUIET_HOLDER (oldest last event)" "/holders/$QUIET_HOLDER"
measure page "page /cases" "/cases"
measure page "page /cases/$MID_CASE" "/cases/$MID_CASE"
measure page "page /reports/custody (first page)" "/reports/custody"
phase_mem "lists and pages"

say "history"
measure history "history of $BUSIEST ($BUSIEST_N events), first page" "/api/v1/assets/$BUSIEST/events"
measure history "history of $BUSIEST, limit=1000" "/api/v1/assets/$BUSIEST/events?limit=1000"
measure history "page /assets/$BUSIEST (timeline)" "/assets/$BUSIEST"
phase_mem "history"

say "custody report ($(dbstat state_IN_CUSTODY) rows; $REPORT_REPS each)"
measure report "custody report, JSON, whole" "/api/v1/reports/custody" "$REPORT_REPS"
phase_mem "custody report JSON"
measure report "custody report, CSV" "/api/v1/reports/custody?format=csv" "$REPORT_REPS"
phase_mem "custody report CSV"
measure report "custody report, JSON page (limit=250)" "/api/v1/reports/custody?limit=250"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

# ---- the table ------------------------------------------------------------------
say "results"
mib_of() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1024 }'; }
{
  echo "# Scale: $ASSETS assets"
  echo
  echo "$(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),"
  echo "Linux $(uname -r), SQLite $(sqlite3 --version | cut -d' ' -f1); \`assettrack serve --threads $THREADS\` (Release)."
  echo
  echo "Database: $(dbstat assets) assets ($(dbstat state_STORAGE) in storage, $(dbstat state_IN_CUSTODY) in custody,"
  echo "$(dbstat state_RETIRED) retired), $(dbstat cases) cases / $(dbstat slots) slots, $(dbstat holders) holders,"
  echo "$(dbstat events) events, $(dbstat file_mb) MiB."
  if [ -f "$OUT/gen-time.txt" ]; then
    echo "Generation (bench/gen): $(cat "$OUT/gen-time.txt"); $(tr '\n' ' ' <"$OUT/gen-load.txt")."
  else
    echo "Generation: copied from bench/run.sh's cache ($(grep -h '^took' "$OUT/gen.txt" 2>/dev/null | tr -s ' ' || echo 'time not recorded'))."
  fi
  echo "verify (CLI): $VERIFY_WALL s wall, peak RSS $VERIFY_RSS MiB (load $VERIFY_LOAD): $(head -n 1 "$OUT/verify.txt")"
  echo
  echo "Times in ms. \"load\" is the 1-minute load average / the share of the two CPUs busy in the"
  echo "second before the measurement (other sessions' builds and tests; the server idles then)."
  echo "Lists and pages: $REPS sequential requests (search, and any slower than 50 ms: 20; reports:"
  echo "$REPORT_REPS) on one keep-alive connection after warm-up ones; Stock-Out/In: bench/latency,"
  echo "median and p95 of 30/20/12 (it prints no p99)."
  echo
  echo "| measure | p50 | p99 | max | n | bytes | load | target |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  while IFS='|' read -r kind name p50 p99 max n bytes load note; do
    target=""
    if [ "$kind" = list ] || [ "$kind" = page ]; then
      if awk -v v="$p99" 'BEGIN { exit !(v >= 50) }'; then target="**p99 >= 50 ms**"; else target="< 50 ms: met"; fi
    fi
    [ "$note" = p95 ] && target="(second figure is p95)"
    [ "$note" = rate ] && target="(wrk latency)"
    echo "| $name | $p50 | $p99 | $max | $n | $bytes | $load | $target |"
  done <"$ROWS"
  echo
  echo "Server memory (VmHWM / VmRSS, MiB) after each phase, target < 64 MiB:"
  echo
  echo "| after | VmHWM | VmRSS | target |"
  echo "| --- | ---: | ---: | --- |"
  while IFS='|' read -r phase hwm rss; do
    if awk -v v="$hwm" 'BEGIN { exit !(v >= 64) }'; then t="**>= 64 MiB**"; else t="met"; fi
    echo "| $phase | $hwm | $rss | $t |"
  done <"$MEM"
  echo
  echo "Reproduce: \`ASSETS=$ASSETS bash bench/scale.sh\` (this run: $(( $(date +%s) - T_START )) s)."
} >"$RESULTS"
cp "$RESULTS" "$OUT/results.md"
cat "$RESULTS"
