#!/usr/bin/env bash
# bench/run.sh — the AssetTrack benchmark in one command (see bench/README.md).
#
#   bash bench/run.sh [--profile] [--verify-floor] [--regen]
#
# Installs what is missing (wrk, nginx-light, build deps), builds Release
# into build-bench/, generates the database once into bench/out/ (reused
# while its parameters, bench/gen.c and the schema are unchanged), then
# measures over
# loopback, next to their floors:
#   - scanner lookups/s with wrk (mixed exact, dash-stripped, lower-case),
#     floor: nginx-light answering a fixed JSON body under the same load;
#   - Stock-Out and Stock-In latency for batches of 1, 50, 500, and of
#     500 assets from whole cases,
#     floor: the same writes through the SQLite C API (bench/floor_sqlite);
#   - the pages each batch writes, per b-tree (bench/walpages, untimed);
#   - custody report (now and as of a past day), asset history, single
#     lookup latency;
#   - the server's peak memory (VmHWM), after each phase.
# Results: stdout and bench/out/results.md.  Each measurement waits for the
# machine to be idle and flags any CPU taken by other processes.
#
# Sizes and knobs by environment: ASSETS CASES SLOTS HOLDERS EVENTS SEED,
# CUSTODY (the share of assets in custody, %, 30), PORT NGINX_PORT, WRK_THREADS WRK_CONNS WRK_SECS, THREADS ("2 4": server
# thread counts to try; the fewest within 5% of the best runs the rest).
#   --profile       also record `perf` profiles of the server under the lookup
#                   load and during 500-asset Stock-Outs (bench/out/profile-*.txt)
#   --verify-floor  run `assettrack verify` on the floor's copy afterwards, to
#                   show the floor wrote genuine, chained events
#   --regen         regenerate the database even if a matching one exists
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
ASSETS=${ASSETS:-100000}
CASES=${CASES:-2000}
SLOTS=${SLOTS:-50}
HOLDERS=${HOLDERS:-1000}
EVENTS=${EVENTS:-1000000}
SEED=${SEED:-42}
CUSTODY=${CUSTODY:-30}
PORT=${PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}
WRK_SECS=${WRK_SECS:-10}
THREADS=${THREADS:-"2 4"}
SIZES=1,50,500
REPS=30,20,12
PROFILE=0
VERIFY_FLOOR=0
REGEN=0
for arg in "$@"; do
  case "$arg" in
    --profile) PROFILE=1 ;;
    --verify-floor) VERIFY_FLOOR=1 ;;
    --regen) REGEN=1 ;;
    *) echo "usage: bash bench/run.sh [--profile] [--verify-floor] [--regen]" >&2; exit 2 ;;
  esac
done

T_START=$(date +%s)
say() { printf '\n== %s\n' "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# Processes this script started; stopped on any exit, by pid only.
SERVER_PID=
NGINX_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. dependencies and build ------------------------------------------
say "dependencies"
scripts/install-deps.sh --with-bench
for tool in wrk nginx cmake sqlite3 curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || die "$tool is missing"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
  die "--profile needs perf (Debian: apt-get install linux-perf)"
fi

say "build (Release) into $BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target bench_tools >/dev/null
AT=$BUILD/assettrack
GEN=$BUILD/bench/gen
FLOOR=$BUILD/bench/floor_sqlite
LAT=$BUILD/bench/latency
WALPAGES=$BUILD/bench/walpages
mkdir -p "$OUT"

# ---- 2. the database (generated once, then reused) -----------------------
BASE=$OUT/base.db
# The cache is valid while the parameters, the generator, the schema and
# the way the load inputs are derived (INPUTS: bump it when editing that
# part) all match.
INPUTS=1
KEY="assets=$ASSETS cases=$CASES slots=$SLOTS holders=$HOLDERS events=$EVENTS seed=$SEED \
gen=$(sha256sum bench/gen.c | cut -c1-16) schema=$(sha256sum src/store/schema.c | cut -c1-16) \
inputs=$INPUTS"
# The share of assets in custody (gen --custody-share): in the key only
# when not the default, so caches made before the knob stay valid.
[ "$CUSTODY" = 30 ] || KEY="$KEY custody=$CUSTODY"
if [ "$REGEN" = 1 ] || [ ! -f "$BASE" ] || [ "$(cat "$OUT/base.key" 2>/dev/null)" != "$KEY" ]; then
  say "generating the database ($ASSETS assets, $CASES cases x $SLOTS slots, $HOLDERS holders, >= $EVENTS events)"
  rm -f "$BASE" "$BASE-wal" "$BASE-shm" "$OUT/base.key" "$OUT"/*.txt "$OUT"/*.md
  t0=$(date +%s)
  "$GEN" --db "$OUT/gen.db" --force --assets "$ASSETS" --cases "$CASES" --slots "$SLOTS" \
    --holders "$HOLDERS" --events "$EVENTS" --seed "$SEED" --custody-share "$CUSTODY" |
    tee "$OUT/gen.txt"
  echo "generation took $(( $(date +%s) - t0 )) s" | tee -a "$OUT/gen.txt"
  say "assettrack verify on the generated database"
  t0=$(date +%s)
  "$AT" --db "$OUT/gen.db" verify | tee "$OUT/verify.txt"
  echo "verify took $(( $(date +%s) - t0 )) s" | tee -a "$OUT/verify.txt"
  mv "$OUT/gen.db" "$BASE"

  # Inputs for the load, chosen deterministically from the database.
  # Lookups: 20,000 assets in scrambled order; every 4th scan dash-stripped,
  # every 4th lower-case, the rest exact.
  sqlite3 "$BASE" \
    "SELECT tag FROM assets ORDER BY (id * 2654435761) % 4294967291 LIMIT 20000" |
    awk '{ if (NR % 4 == 1) { gsub(/-/, ""); print }
           else if (NR % 4 == 3) print tolower($0); else print }' >"$OUT/lookup_tags.txt"
  # Writes: assets in storage and in a slot, issued in this order.
  sqlite3 "$BASE" \
    "SELECT tag FROM assets WHERE state = 'STORAGE' AND case_id IS NOT NULL
       AND condition = 'GOOD' ORDER BY (id * 2654435761) % 4294967291 LIMIT 15000" \
    >"$OUT/custody_tags.txt"
  sqlite3 "$BASE" \
    "SELECT asset_tag, count(*) AS n FROM events WHERE asset_tag IS NOT NULL
       GROUP BY asset_tag ORDER BY n DESC, asset_tag LIMIT 1" | tr '|' ' ' >"$OUT/busiest.txt"
  sqlite3 "$BASE" \
    "SELECT id FROM holders WHERE active = 1 ORDER BY id LIMIT 1" >"$OUT/holder.txt"
  {
    echo "file_mb $(( $(stat -c %s "$BASE") / 1048576 ))"
    sqlite3 "$BASE" "SELECT 'events', count(*) FROM events;
      SELECT 'assets', count(*) FROM assets;
      SELECT 'state_' || state, count(*) FROM assets GROUP BY state;
      SELECT 'cases', count(*) FROM cases; SELECT 'slots', count(*) FROM slots;
      SELECT 'holders', count(*) FROM holders;
      SELECT 'overdue', count(*) FROM assets WHERE due IS NOT NULL AND due < date('now');" |
      tr '|' ' '
  } >"$OUT/dbstats.txt"
  echo "$KEY" >"$OUT/base.key"
else
  say "reusing $BASE ($(cat "$OUT/base.key"))"
fi
dbstat() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/dbstats.txt"; }
HOLDER=$(cat "$OUT/holder.txt")
read -r BUSIEST BUSIEST_N <"$OUT/busiest.txt"
TYPICAL=$(sed -n 2p "$OUT/custody_tags.txt")
# "As of" the day the middle event of the log was written.
[ -s "$OUT/as_of.txt" ] || sqlite3 "$BASE" \
  "SELECT substr(at, 1, 10) FROM events WHERE seq = (SELECT max(seq) / 2 FROM events)" \
  >"$OUT/as_of.txt"
AS_OF=$(cat "$OUT/as_of.txt")
# Writes as a kit is issued (issue #9): whole cases, the fullest first,
# each one's assets in storage in slot order; a 500-asset batch is the
# contents of 11 to 14 cases.
[ -s "$OUT/case_tags.txt" ] || sqlite3 "$BASE" \
  "SELECT a.tag FROM assets a JOIN (SELECT case_id, count(*) AS n FROM assets
     WHERE state = 'STORAGE' AND case_id IS NOT NULL AND condition = 'GOOD' GROUP BY case_id) k
     ON k.case_id = a.case_id WHERE a.state = 'STORAGE' AND a.condition = 'GOOD'
   ORDER BY k.n DESC, (a.case_id * 2654435761) % 4294967291, a.position LIMIT 7000" \
  >"$OUT/case_tags.txt"

# ---- helpers ---------------------------------------------------------------
copy_db() { # copy_db NAME: a fresh, independent copy of the base database
  rm -f "$OUT/$1" "$OUT/$1-wal" "$OUT/$1-shm"
  cp "$BASE" "$OUT/$1"
}

wait_port() { # wait_port PORT PID
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    kill -0 "$2" 2>/dev/null || die "the process on port $1 died (see $OUT/*.log)"
    sleep 0.05
  done
  die "nothing answers on port $1"
}

port_free() { # port_free PORT: refuse to measure whatever else listens there
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; then
    die "something already answers on 127.0.0.1:$1 (set PORT / NGINX_PORT)"
  fi
}

start_server() { # start_server THREADS
  port_free "$PORT"
  # No signed checkpoints (serve's default: every 10,000 events): the
  # first one verifies the whole generated log, 20 to 40 s of a core in
  # the server's background, inside the measurements, and the ~15,000
  # events the write measurements add would start another among them.
  "$AT" --db "$OUT/http.db" serve --listen "127.0.0.1:$PORT" --threads "$1" --quiet \
    --checkpoint-every 0 >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  wait_port "$PORT" "$SERVER_PID"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

mem_kb() { # mem_kb FIELD: VmHWM / VmRSS of the server in kB
  awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SERVER_PID/status"
}

FOREIGN=0
run_wrk() { # run_wrk PORT SECONDS OUTFILE SERVER-PIDS...: sets FOREIGN (% of CPUs)
  local port=$1 secs=$2 file=$3 b0 t0 b1 t1 s0 s1 w0 w1
  shift 3
  read -r b0 t0 < <(stat_ticks); s0=$(proc_ticks "$@")
  # `times` must run in this shell (not in $(...)) to see wrk as a child.
  times >"$OUT/.times"; w0=$(awk 'NR == 2 { print $1 " " $2 }' "$OUT/.times")
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$secs"s --latency -s bench/lookup.lua \
    "http://127.0.0.1:$port" -- "$OUT/lookup_tags.txt" "$TOKEN" >"$file"
  times >"$OUT/.times"; w1=$(awk 'NR == 2 { print $1 " " $2 }' "$OUT/.times")
  read -r b1 t1 < <(stat_ticks); s1=$(proc_ticks "$@")
  # wrk's CPU from the shell's children times ("0m1.234s 0m0.567s").
  local wrk_ticks
  wrk_ticks=$(awk -v a="$w0" -v b="$w1" 'function sec(x, m, r) { split(x, m, "m");
      r = m[1] * 60 + m[2]; return r } BEGIN { split(a, p, " "); split(b, q, " ");
      printf "%d", (sec(q[1]) + sec(q[2]) - sec(p[1]) - sec(p[2])) * 100 }')
  FOREIGN=$(( 100 * (b1 - b0 - (s1 - s0) - wrk_ticks) / (t1 - t0 > 0 ? t1 - t0 : 1) ))
  [ "$FOREIGN" -lt 0 ] && FOREIGN=0
  echo "cpu jiffies: server/nginx $(( s1 - s0 )) wrk $wrk_ticks other $(( b1 - b0 - (s1 - s0) - wrk_ticks )) of $(( t1 - t0 )) jiffies" >>"$file"
  if grep -q 'Non-2xx' "$file"; then
    cat "$file" >&2
    die "non-200 answers under load (above)"
  fi
}
measure_wrk() { # measure_wrk WHAT PORT OUTFILE PIDS...: up to 3 tries for an undisturbed run
  local what=$1 port=$2 file=$3 try
  shift 3
  for try in 1 2 3; do
    wait_quiet "$what"
    run_wrk "$port" "$WRK_SECS" "$file" "$@"
    [ "$FOREIGN" -le 8 ] && return 0
    echo "bench: other processes took ${FOREIGN}% of the CPUs during $what (try $try)" >&2
  done
  DISTURBED="$DISTURBED $what (${FOREIGN}% of the CPUs used by other processes);"
}
wrk_rps() { awk '/^Requests\/sec:/ { printf "%d", $2 }' "$1"; }
wrk_pct() { # wrk_pct FILE 50|99: latency percentile in ms
  awk -v p="$2%" '$1 == p { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' "$1"
}
result() { # result FILE NAME SIZE FIELD(4=median,5=p95)
  awk -v n="$2" -v s="$3" -v f="$4" '$1 == "RESULT" && $2 == n && $3 == s { print $f }' "$1"
}
perf_summary() { # perf_summary DATA: flat profile by library and by symbol
  local tmp=$OUT/perf-report.tmp
  echo "## time by library (self)"
  perf report -i "$1" --stdio --no-children --sort dso -g none >"$tmp" 2>/dev/null || true
  grep -E '^ +[0-9.]+%' "$tmp" | sed -n 1,12p
  echo
  echo "## hottest symbols (self, >= 0.5%)"
  perf report -i "$1" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.5 \
    >"$tmp" 2>/dev/null || true
  grep -E '^ +[0-9.]+%' "$tmp" | sed -n 1,60p
  rm -f "$tmp"
}

# ---- other load on the machine ------------------------------------------------
# The figures mean something only if nothing else competes for the two
# cores.  Before each measurement, wait (up to 2 minutes) for the machine
# to be idle; during each wrk run, account the CPU time used by processes
# other than the server (or nginx) and wrk.  Disturbed measurements are
# flagged in the table.
DISTURBED=
stat_ticks() { # busy and total jiffies of all CPUs
  awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat
}
proc_ticks() { # utime+stime of processes (all their threads) in jiffies
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    t=$(( t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }') ))
  done
  echo "$t"
}
busy_pct() { # share of all CPUs busy over one second
  local b0 t0 b1 t1
  read -r b0 t0 < <(stat_ticks); sleep 1; read -r b1 t1 < <(stat_ticks)
  echo $(( 100 * (b1 - b0) / (t1 - t0 > 0 ? t1 - t0 : 1) ))
}
wait_quiet() { # wait_quiet WHAT
  local b i
  for i in $(seq 1 120); do
    b=$(busy_pct)
    [ "$b" -lt 8 ] && return 0
    [ "$i" = 1 ] && echo "bench: other processes keep ${b}% of the CPUs busy; waiting before $1" >&2
  done
  echo "bench: WARNING: measuring $1 with ${b}% of the CPUs busy elsewhere" >&2
  DISTURBED="$DISTURBED $1 (${b}% busy before);"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# ---- 3. the server: user, token, thread count -----------------------------
say "preparing the server's copy"
copy_db http.db
printf 'bench-password-%s\n' "$SEED" | "$AT" --db "$OUT/http.db" user add bench --role admin >/dev/null
TOKEN=$("$AT" --db "$OUT/http.db" user token bench | tr -d '[:space:]')
[ ${#TOKEN} -eq 64 ] || die "could not get an API token"

# Sanity: every scan form resolves to the canonical tag.
start_server 2
for form in "$TYPICAL" "${TYPICAL//-/}" "${TYPICAL,,}"; do
  got=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/assets/$form" |
        sed -n 's/.*"asset_tag": *"\([^"]*\)".*/\1/p')
  [ "$got" = "$TYPICAL" ] || die "lookup of '$form' gave '$got', expected $TYPICAL"
done
# The nginx floor answers with a body of the same size and shape.
BODY=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/assets/$TYPICAL")
stop_server

declare -A RPS P50 P99 OTHER MEM
for t in $THREADS; do
  say "lookups, server with --threads $t (wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECS}s)"
  start_server "$t"
  run_wrk "$PORT" 3 "$OUT/wrk-warmup.txt" "$SERVER_PID"
  measure_wrk "lookups --threads $t" "$PORT" "$OUT/wrk-server-t$t.txt" "$SERVER_PID"
  OTHER[$t]=$FOREIGN
  MEM[$t]=$(mem_kb VmHWM)
  RPS[$t]=$(wrk_rps "$OUT/wrk-server-t$t.txt")
  P50[$t]=$(wrk_pct "$OUT/wrk-server-t$t.txt" 50)
  P99[$t]=$(wrk_pct "$OUT/wrk-server-t$t.txt" 99)
  echo "  --threads $t: ${RPS[$t]} lookups/s (p50 ${P50[$t]} ms, p99 ${P99[$t]} ms;" \
    "other processes ${OTHER[$t]}% CPU)" >&2
  stop_server
done
# The fewest threads within 5% of the best rate: each worker thread holds
# its own SQLite connection and page cache, so more threads cost memory.
MAXRPS=0
for t in $THREADS; do [ "${RPS[$t]}" -gt "$MAXRPS" ] && MAXRPS=${RPS[$t]}; done
BEST=
for t in $THREADS; do
  if [ $(( RPS[$t] * 100 )) -ge $(( MAXRPS * 95 )) ] && { [ -z "$BEST" ] || [ "$t" -lt "$BEST" ]; }; then
    BEST=$t
  fi
done

# ---- 4. nginx floor -----------------------------------------------------------
say "floor: nginx-light answering a fixed $(( ${#BODY} )) byte JSON body"
mkdir -p "$OUT/nginx/tmp"
if [[ "$BODY" == *"'"* || "$BODY" == *'$'* || "$BODY" == *'\'* ]]; then
  BODY='{"asset_tag":"AT-000000","state":"STORAGE","note":"fixed body for the nginx floor"}'
fi
cat >"$OUT/nginx/nginx.conf" <<EOF
# Written by bench/run.sh: the lookup floor.  Same cores, same loopback,
# same wrk load; a fixed JSON body, no logging.
daemon off;
worker_processes 2;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $OUT/nginx/tmp/body;
  proxy_temp_path $OUT/nginx/tmp/proxy;
  fastcgi_temp_path $OUT/nginx/tmp/fastcgi;
  uwsgi_temp_path $OUT/nginx/tmp/uwsgi;
  scgi_temp_path $OUT/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      default_type "application/json; charset=utf-8";
      return 200 '$BODY';
    }
  }
}
EOF
port_free "$NGINX_PORT"
"$NGINX" -e "$OUT/nginx/error.log" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" \
  >"$OUT/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_port "$NGINX_PORT" "$NGINX_PID"
NGINX_PIDS=("$NGINX_PID" $(pgrep -P "$NGINX_PID"))
run_wrk "$NGINX_PORT" 3 "$OUT/wrk-warmup.txt" "${NGINX_PIDS[@]}"
measure_wrk "nginx lookups" "$NGINX_PORT" "$OUT/wrk-nginx.txt" "${NGINX_PIDS[@]}"
NGINX_OTHER=$FOREIGN
NGINX_RPS=$(wrk_rps "$OUT/wrk-nginx.txt")
NGINX_P50=$(wrk_pct "$OUT/wrk-nginx.txt" 50)
NGINX_P99=$(wrk_pct "$OUT/wrk-nginx.txt" 99)
echo "  nginx: $NGINX_RPS requests/s (p50 $NGINX_P50 ms, p99 $NGINX_P99 ms;" \
  "other processes $NGINX_OTHER% CPU)" >&2
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=

# ---- 5. the rest, on the faster server configuration ----------------------------
say "server with --threads $BEST: lookup load, reads, writes, memory"
start_server "$BEST"
run_wrk "$PORT" 5 "$OUT/wrk-final.txt" "$SERVER_PID"
HWM_LOOKUP=$(mem_kb VmHWM)
if [ "$PROFILE" = 1 ]; then
  say "profile: perf record on the server under the lookup load"
  run_wrk "$PORT" 10 "$OUT/wrk-profile.txt" "$SERVER_PID" &
  WRK_BG=$!
  sleep 2
  timeout -s INT 6 perf record -F 1999 -g -p "$SERVER_PID" -o "$OUT/perf-lookup.data" \
    >/dev/null 2>&1 || true
  wait "$WRK_BG"
  perf_summary "$OUT/perf-lookup.data" >"$OUT/profile-lookup.txt"
fi

say "Stock-Out / Stock-In latency over HTTP (batches $SIZES, reps $REPS)"
wait_quiet "Stock-Out/Stock-In over HTTP"
"$LAT" --port "$PORT" --token "$TOKEN" custody --tags "$OUT/custody_tags.txt" \
  --holder "$HOLDER" --sizes "$SIZES" --reps "$REPS" --warmup 1 >"$OUT/lat-custody.txt"
cat "$OUT/lat-custody.txt" >&2
say "Stock-Out / Stock-In of whole cases over HTTP (batches of 500, reps 12)"
wait_quiet "Stock-Out/Stock-In of whole cases"
"$LAT" --port "$PORT" --token "$TOKEN" custody --tags "$OUT/case_tags.txt" \
  --holder "$HOLDER" --sizes 500 --reps 12 --warmup 1 >"$OUT/lat-cases.txt"
cat "$OUT/lat-cases.txt" >&2
if [ "$PROFILE" = 1 ]; then
  say "profile: perf record on the server during 500-asset Stock-Outs"
  perf record -F 1999 -g -p "$SERVER_PID" -o "$OUT/perf-stockout.data" >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 0.5
  # Past the tags the timed run used: (1+30)*1 + (1+20)*50 + (1+12)*500.
  tail -n +7600 "$OUT/custody_tags.txt" >"$OUT/custody_tags_profile.txt"
  "$LAT" --port "$PORT" --token "$TOKEN" custody --tags "$OUT/custody_tags_profile.txt" \
    --holder "$HOLDER" --sizes 500 --reps 10 --warmup 0 >"$OUT/lat-profile.txt"
  kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
  perf_summary "$OUT/perf-stockout.data" >"$OUT/profile-stockout.txt"
fi
HWM_WRITES=$(mem_kb VmHWM)

# Reads, smallest first, so the memory each kind adds can be told apart.
say "read latencies: single lookups, asset history, custody report"
wait_quiet "read latencies"
"$LAT" --port "$PORT" --token "$TOKEN" get "/api/v1/assets/${TYPICAL//-/}" --reps 2000 \
  --warmup 20 --name lookup_one >"$OUT/lat-reads.txt"
"$LAT" --port "$PORT" --token "$TOKEN" get "/api/v1/assets/$BUSIEST/events" --reps 200 \
  --warmup 5 --name history >>"$OUT/lat-reads.txt"
"$LAT" --port "$PORT" --token "$TOKEN" get "/api/v1/assets/$TYPICAL/events?limit=1000" \
  --reps 200 --warmup 5 --name history_typical >>"$OUT/lat-reads.txt"
HWM_SMALL=$(mem_kb VmHWM)
"$LAT" --port "$PORT" --token "$TOKEN" get "/api/v1/reports/custody" --reps 10 --warmup 1 \
  --name custody_report >>"$OUT/lat-reads.txt"
HWM_REPORT=$(mem_kb VmHWM)
# As of a past instant the report reads the whole log up to then: one request is enough.
"$LAT" --port "$PORT" --token "$TOKEN" get "/api/v1/reports/custody?as_of=$AS_OF" --reps 1 \
  --warmup 0 --name custody_report_as_of >>"$OUT/lat-reads.txt"
HWM=$(mem_kb VmHWM)
cat "$OUT/lat-reads.txt" >&2
stop_server

# ---- 6. the direct-SQLite floor -------------------------------------------------
say "floor: the same Stock-Out writes through the SQLite C API"
copy_db floor.db
wait_quiet "the SQLite floor"
# The floor uses the product's pragmas; the page cache size is read from
# store_open() so the two cannot drift apart (the last cache_size there is
# the one for database files).
FLOOR_PRAGMA=$(grep -oE '"PRAGMA cache_size = -?[0-9]+"' src/store/store.c | tail -n 1 | tr -d '"')
FLOOR_PRAGMA=${FLOOR_PRAGMA:-PRAGMA cache_size = -2000}
# No checkpoint inside the floor's commits either: the server checkpoints
# in the background (web/walckpt.h), the floor between repetitions, untimed.
"$FLOOR" --db "$OUT/floor.db" --tags "$OUT/custody_tags.txt" --holder "$HOLDER" \
  --sizes "$SIZES" --reps "$REPS" --warmup 1 --pragma "$FLOOR_PRAGMA" \
  --checkpoint-between 1 >"$OUT/floor.txt"
cat "$OUT/floor.txt" >&2
"$FLOOR" --db "$OUT/floor.db" --tags "$OUT/case_tags.txt" --holder "$HOLDER" \
  --sizes 500 --reps 12 --warmup 1 --pragma "$FLOOR_PRAGMA" \
  --checkpoint-between 1 >"$OUT/floor-cases.txt"
cat "$OUT/floor-cases.txt" >&2

# ---- 6b. what a batch writes, page by page (untimed) -----------------------------
# bench/walpages drives the engine (no HTTP) and the floor the same SQL, each
# through a counting VFS: WAL frames per batch and pages per asset per b-tree.
say "pages each Stock-Out / Stock-In writes (bench/walpages, floor_sqlite --pages)"
copy_db pages.db
{
  "$WALPAGES" --db "$OUT/pages.db" --tags "$OUT/custody_tags.txt" --holder "$HOLDER" \
    --size 50 --reps 10 --warmup 1 --autocheckpoint 0
  "$WALPAGES" --db "$OUT/pages.db" --tags "$OUT/custody_tags.txt" --holder "$HOLDER" \
    --size 500 --reps 5 --warmup 1 --skip 550 --autocheckpoint 0
  "$WALPAGES" --db "$OUT/pages.db" --tags "$OUT/case_tags.txt" --holder "$HOLDER" \
    --size 500 --reps 5 --warmup 1 --autocheckpoint 0 | sed 's/^\(RESULT [a-z]* \)stock_/\1cases_stock_/; s/^stock_/cases_stock_/'
} >"$OUT/pages.txt"
"$FLOOR" --db "$OUT/floor.db" --tags "$OUT/custody_tags.txt" --holder "$HOLDER" \
  --sizes 50,500 --reps 10,5 --warmup 1 --pragma "$FLOOR_PRAGMA" --checkpoint-between 1 \
  --pages 1 >"$OUT/floor-pages.txt"
grep -v '^RESULT' "$OUT/pages.txt" "$OUT/floor-pages.txt" >&2 || true
rm -f "$OUT/pages.db" "$OUT/pages.db-wal" "$OUT/pages.db-shm"
if [ "$VERIFY_FLOOR" = 1 ]; then
  say "assettrack verify on the floor's copy"
  "$AT" --db "$OUT/floor.db" verify | tee "$OUT/verify-floor.txt"
fi

# ---- 7. the table ---------------------------------------------------------------
say "results"
verdict() { # verdict OK?  -> "met" / "MISSED"
  if [ "$1" = 1 ]; then echo "met"; else echo "**MISSED**"; fi
}
LOOKUP=${RPS[$BEST]}
lookup_ok=$(awk -v a="$LOOKUP" -v b="$NGINX_RPS" 'BEGIN { print (a >= 50000 && a >= b / 2) ? 1 : 0 }')
so500=$(result "$OUT/lat-custody.txt" stock_out 500 4)
fl500=$(result "$OUT/floor.txt" floor_stock_out 500 4)
so_ok=$(awk -v a="$so500" -v b="$fl500" 'BEGIN { print (a <= 1.5 * b) ? 1 : 0 }')
sc500=$(result "$OUT/lat-cases.txt" stock_out 500 4)
fc500=$(result "$OUT/floor-cases.txt" floor_stock_out 500 4)
sc_ok=$(awk -v a="$sc500" -v b="$fc500" 'BEGIN { print (a <= 1.5 * b) ? 1 : 0 }')
pages() { # pages FILE OP SIZE FIELD: from a "RESULT pages OP SIZE frames F wal_bytes B per_asset P" line
  awk -v o="$2" -v n="$3" -v f="$4" '$1 == "RESULT" && $2 == "pages" && $3 == o && $4 == n {
    for (i = 5; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$1"
}
trees() { # trees FILE OP SIZE: "name pages/asset, ..." of the b-trees it wrote most
  awk -v o="$2" -v n="$3" '$1 == "RESULT" && $2 == "tree" && $3 == o && $4 == n && $6 >= 0.01 {
    printf "%s%s %.2f", sep, $5, $6; sep = ", " }' "$1"
}
mem_ok=$(awk -v a="$HWM" 'BEGIN { print (a < 64 * 1024) ? 1 : 0 }')
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

{
  echo "# AssetTrack benchmark results"
  echo
  echo "$(date -u +'%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),"
  echo "Linux $(uname -r), SQLite $(sqlite3 --version | cut -d' ' -f1), libmicrohttpd $(dpkg-query -W -f='${Version}' libmicrohttpd12 2>/dev/null || echo '?'),"
  echo "$("$NGINX" -v 2>&1 | sed 's/nginx version: //'), wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null)."
  echo
  echo "Database: $(dbstat assets) assets ($(dbstat state_STORAGE) in storage, $(dbstat state_IN_CUSTODY) in custody, $(dbstat state_RETIRED) retired),"
  echo "$(dbstat cases) cases / $(dbstat slots) slots, $(dbstat holders) holders, $(dbstat events) events, $(dbstat file_mb) MB;"
  echo "generated through the core operations, \`assettrack verify\` OK."
  echo "Server: \`assettrack serve --threads $BEST --quiet\` (Release build): of --threads ${THREADS// /, }, the fewest within 5% of the best lookup rate."
  echo "Write floor: bench/floor_sqlite on its own copy, WAL, synchronous=FULL, foreign_keys=ON, ${FLOOR_PRAGMA#PRAGMA } (as the product), no checkpoint inside a commit (the server's are in the background; the floor's between repetitions, untimed)."
  echo "Load: wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECS}s over loopback, client and server sharing the $(nproc) cores."
  echo
  echo "| measure | AssetTrack | floor | ratio | target | verdict |"
  echo "| --- | ---: | ---: | ---: | --- | --- |"
  echo "| scanner lookups/s (GET /api/v1/assets/{tag}, 50% exact, 25% dash-stripped, 25% lower-case) | $LOOKUP | nginx $NGINX_RPS | $(ratio "$LOOKUP" "$NGINX_RPS") | >= 50,000/s and >= 0.5 x nginx | $(verdict "$lookup_ok") |"
  for t in $THREADS; do
    echo "| — --threads $t: lookups/s (p50 / p99 ms; VmHWM; CPU taken by other processes) | ${RPS[$t]} (${P50[$t]} / ${P99[$t]}; $(mb "${MEM[$t]}") MiB; ${OTHER[$t]}%) | nginx (${NGINX_P50} / ${NGINX_P99}; ${NGINX_OTHER}%) | | | |"
  done
  for n in 1 50 500; do
    a=$(result "$OUT/lat-custody.txt" stock_out "$n" 4); a95=$(result "$OUT/lat-custody.txt" stock_out "$n" 5)
    f=$(result "$OUT/floor.txt" floor_stock_out "$n" 4); f95=$(result "$OUT/floor.txt" floor_stock_out "$n" 5)
    tgt="-"; v=""
    if [ "$n" = 500 ]; then tgt="<= 1.5 x floor"; v=$(verdict "$so_ok"); fi
    echo "| Stock-Out, $n asset(s): median (p95) ms | $a ($a95) | $f ($f95) | $(ratio "$a" "$f") | $tgt | $v |"
  done
  for n in 1 50 500; do
    a=$(result "$OUT/lat-custody.txt" stock_in "$n" 4); a95=$(result "$OUT/lat-custody.txt" stock_in "$n" 5)
    f=$(result "$OUT/floor.txt" floor_stock_in "$n" 4); f95=$(result "$OUT/floor.txt" floor_stock_in "$n" 5)
    echo "| Stock-In, $n asset(s): median (p95) ms | $a ($a95) | $f ($f95) | $(ratio "$a" "$f") | - | |"
  done
  for n in 50 500; do
    i=$(result "$OUT/lat-custody.txt" stock_in "$n" 4); o=$(result "$OUT/lat-custody.txt" stock_out "$n" 4)
    v=$(verdict "$(awk -v a="$i" -v b="$o" 'BEGIN { print (a <= 1.2 * b) ? 1 : 0 }')")
    echo "| Stock-In / Stock-Out, $n assets (medians above) | $(ratio "$i" "$o") | | | <= 1.2 | $v |"
  done
  a=$(result "$OUT/lat-cases.txt" stock_out 500 4); a95=$(result "$OUT/lat-cases.txt" stock_out 500 5)
  f=$(result "$OUT/floor-cases.txt" floor_stock_out 500 4); f95=$(result "$OUT/floor-cases.txt" floor_stock_out 500 5)
  echo "| Stock-Out of whole cases, 500 assets: median (p95) ms | $a ($a95) | $f ($f95) | $(ratio "$a" "$f") | <= 1.5 x floor | $(verdict "$sc_ok") |"
  a=$(result "$OUT/lat-cases.txt" stock_in 500 4); a95=$(result "$OUT/lat-cases.txt" stock_in 500 5)
  f=$(result "$OUT/floor-cases.txt" floor_stock_in 500 4); f95=$(result "$OUT/floor-cases.txt" floor_stock_in 500 5)
  echo "| Stock-In of whole cases, 500 assets: median (p95) ms | $a ($a95) | $f ($f95) | $(ratio "$a" "$f") | - | |"
  for w in "stock_out 50" "stock_out 500" "stock_in 500" "cases_stock_out 500"; do
    set -- $w
    fw=""
    [ "${1#cases_}" = "$1" ] && fw="$(pages "$OUT/floor-pages.txt" "floor_$1" "$2" per_asset) pages/asset"
    echo "| WAL written by a ${1//_/ } of $2: pages/asset (KiB a batch); by b-tree | $(pages "$OUT/pages.txt" "$1" "$2" per_asset) ($(awk -v b="$(pages "$OUT/pages.txt" "$1" "$2" wal_bytes)" 'BEGIN { printf "%.0f", b / 1024 }')); $(trees "$OUT/pages.txt" "$1" "$2") | ${fw% pages/asset} | | - | |"
  done
  r() { result "$OUT/lat-reads.txt" "$1" 0 "$2"; }
  bytes() { awk -v n="$1" '$2 == n { printf "%.0f", $7 / 1024 }' "$OUT/lat-reads.txt"; }
  echo "| custody report ($(dbstat state_IN_CUSTODY) rows, $(bytes custody_report) KiB): median (p95) ms | $(r custody_report 4) ($(r custody_report 5)) | - | | - | |"
  echo "| asset history, busiest asset $BUSIEST ($BUSIEST_N events, first page of 50): median (p95) ms | $(r history 4) ($(r history 5)) | - | | - | |"
  echo "| asset history, typical asset, all events: median (p95) ms | $(r history_typical 4) ($(r history_typical 5)) | - | | - | |"
  echo "| one lookup at a time (dash-stripped scan): median (p95) ms | $(r lookup_one 4) ($(r lookup_one 5)) | - | | - | |"
  echo "| custody report as of $AS_OF (from the event log): one request, ms | $(r custody_report_as_of 4) | - | | - | |"
  echo "| server peak memory VmHWM over the whole run | $(mb "$HWM") MiB | - | | < 64 MiB | $(verdict "$mem_ok") |"
  echo "| — VmHWM after: lookup load / + Stock-Out+In / + lookups & history / + 11 custody reports / + 1 as-of report | $(mb "$HWM_LOOKUP") / $(mb "$HWM_WRITES") / $(mb "$HWM_SMALL") / $(mb "$HWM_REPORT") / $(mb "$HWM") MiB | | | | |"
  echo
  if [ -n "$DISTURBED" ]; then
    echo "**Other processes competed for the CPUs during:**$DISTURBED treat those figures as low."
  else
    echo "No other load detected on the machine during the measurements."
  fi
  echo
  echo "Reproduce: \`bash bench/run.sh\` (whole run $(( $(date +%s) - T_START )) s)."
} >"$OUT/results.md"
cat "$OUT/results.md"
