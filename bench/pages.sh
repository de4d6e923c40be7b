#!/usr/bin/env bash
# pages.sh — server time of every web UI page at the benchmark's size
# (ISSUE: every page < 50 ms p99; a Stock-Out scan preview < 10 ms).
#
#   bash bench/pages.sh [DB]
#
# DB defaults to bench/out/base.db (made by bench/run.sh: 100,000 assets,
# 2,000 cases, 1,000 holders, 1,000,000 events).  The database is copied,
# never changed.  Each page is fetched REPS times over one keep-alive
# connection by one curl process; curl's time_total per request (request
# sent to last byte read, loopback) gives the median, p95 and p99.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC_DB=${1:-bench/out/base.db}
BUILD=${BENCH_BUILD:-$PWD/build-bench}
PORT=${PORT:-18090}
REPS=${REPS:-200}
[ -f "$SRC_DB" ] || { echo "pages: no database at $SRC_DB (run bash bench/run.sh first)" >&2; exit 2; }
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target assettrack >/dev/null
AT=$BUILD/assettrack
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
cp "$SRC_DB" "$WORK/db"
DB=$WORK/db
printf 'bench-pass-1234\n' | "$AT" --db "$DB" user add pagebench --role admin >/dev/null 2>&1 || true
TOKEN=$("$AT" --db "$DB" user token pagebench)
"$AT" --db "$DB" serve --listen 127.0.0.1:$PORT --threads 4 --quiet >/dev/null 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.1; done

q() { sqlite3 -readonly "$DB" "$1"; }
TAG=$(q "SELECT tag FROM assets WHERE state='IN_CUSTODY' ORDER BY id LIMIT 1 OFFSET 500")
BUSY_TAG=$(q "SELECT asset_tag FROM events WHERE asset_tag IS NOT NULL GROUP BY asset_tag ORDER BY count(*) DESC LIMIT 1")
CASE=$(q "SELECT name FROM cases ORDER BY id LIMIT 1 OFFSET 700")
HOLDER=$(q "SELECT holder_id FROM assets WHERE state='IN_CUSTODY' GROUP BY holder_id ORDER BY count(*) DESC LIMIT 1")
STORED=$(q "SELECT tag FROM assets WHERE state='STORAGE' AND case_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 900")

# p50 p95 p99 max of a column of seconds, in ms.
stats() { sort -g | awk '{v[NR]=$1} END {n=NR; printf "%8.2f %8.2f %8.2f %8.2f", v[int(n*0.50+0.5)]*1000, v[int(n*0.95+0.5)]*1000, v[int(n*0.99+0.5)]*1000, v[n]*1000}'; }

measure() { # NAME PATH
  local urls=() i
  for ((i = 0; i < REPS + 5; i++)); do urls+=(-o /dev/null "http://127.0.0.1:$PORT$2"); done
  local times
  times=$(curl -s -H "Authorization: Bearer $TOKEN" -w '%{http_code} %{time_total} %{size_download}\n' "${urls[@]}")
  if echo "$times" | awk '$1 != 200 {bad=1} END {exit !bad}'; then
    echo "pages: $2 did not answer 200: $(echo "$times" | awk '$1 != 200' | head -1)" >&2; exit 1
  fi
  local bytes; bytes=$(echo "$times" | tail -1 | awk '{print $3}')
  printf '%-28s %s %9s\n' "$1" "$(echo "$times" | tail -n "$REPS" | awk '{print $2}' | stats)" "$bytes"
}

echo "server time per page, ms, $REPS requests each (keep-alive, loopback); $(nproc) cores"
printf '%-28s %8s %8s %8s %8s %9s\n' page p50 p95 p99 max bytes
measure dashboard /
measure "assets (first page)" /assets
measure "assets search q=hp" "/assets?q=hp"
measure "assets in custody" "/assets?state=IN_CUSTODY"
measure "asset page (busiest)" "/assets/$BUSY_TAG"
measure "asset page (scanned form)" "/assets/$(echo "$TAG" | tr -d '-' | tr 'A-Z' 'a-z')"
measure "new asset form" /admin/assets/new
measure cases /cases
measure "case page" "/cases/$CASE"
measure holders /holders
measure "holder page (most held)" "/holders/$HOLDER"
measure "stock-out (empty)" /stock-out
measure "stock-in (empty)" /stock-in
measure corrections /corrections
measure replace /replace
measure "custody report" /reports/custody
measure "custody report overdue" "/reports/custody?overdue=1"
# As of a past instant the report is answered from the event log (each
# asset's latest custody event, from the events index), a page at a time.
measure "custody report as of" "/reports/custody?as_of=2025-06-01"
AS_OF_NEXT=$(q "SELECT asset_tag FROM events WHERE asset_tag IS NOT NULL GROUP BY asset_tag ORDER BY asset_tag LIMIT 1 OFFSET 50000")
measure "custody as of, mid-list" "/reports/custody?as_of=2025-06-01&from=a%3A$AS_OF_NEXT"
measure "events" /events
measure "events for one asset" "/events?asset_tag=$BUSY_TAG"
measure users /admin/users

# Scans added to a Stock-Out preview, as an operator's browser does it:
# a cookie session, POST Add with the form's CSRF token, then the page the
# 303 leads to, which re-checks every line of the batch.  SCANS distinct
# assets in storage, so the batch grows from 1 to SCANS lines; each add
# and its page are timed together, as the operator waits for both.
SCANS=${SCANS:-200}
JAR=$WORK/jar
curl -s -o /dev/null -c "$JAR" --data-urlencode "username=pagebench" \
  --data-urlencode "password=bench-pass-1234" "http://127.0.0.1:$PORT/login"
CSRF=$(curl -s -b "$JAR" "http://127.0.0.1:$PORT/stock-out" |
  grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
[ -n "$CSRF" ] || { echo "pages: could not log in for the scan benchmark" >&2; exit 1; }
HOLDER_BADGE=$(q "SELECT badge FROM holders WHERE active = 1 AND badge IS NOT NULL LIMIT 1")
curl -s -o /dev/null -b "$JAR" --data-urlencode "csrf_token=$CSRF" \
  --data-urlencode "holder=$HOLDER_BADGE" --data-urlencode "action=add" \
  "http://127.0.0.1:$PORT/stock-out"
scan_times=$WORK/scan.txt
: > "$scan_times"
for tag in $(q "SELECT tag FROM assets WHERE state='STORAGE' AND case_id IS NOT NULL ORDER BY id LIMIT $SCANS"); do
  curl -s -o "$WORK/page.html" -b "$JAR" -L -w '%{time_total}\n' --data-urlencode "csrf_token=$CSRF" \
    --data-urlencode "scan=$tag" --data-urlencode "action=add" \
    "http://127.0.0.1:$PORT/stock-out" >> "$scan_times"
done
grep -q "$tag" "$WORK/page.html" || { echo "pages: the last scan is not on the page" >&2; exit 1; }
printf '%-28s %s  (batch of 1..%d lines)\n' "stock-out scan (add+page)" "$(stats < "$scan_times")" "$SCANS"
