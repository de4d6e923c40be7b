#!/usr/bin/env bash
# bench/import.sh — the import benchmark (issue 8; see bench/README.md).
#
#   bash bench/import.sh [ROWS] [REPS]        (defaults 100000 and 3)
#
# Builds Release into build-bench/ (bench_tools), writes a Snipe-IT-like
# export of ROWS rows with bench/gen_snipeit (14.285% checked out to about
# 2,000 users, 1% to a location, Snipe-IT's statuses, 13 columns kept as
# attributes, notes with commas, quotes and line breaks), then REPS times
# each, on a fresh database every time:
#   - the preview:  assettrack import assets FILE --dry-run
#   - the commit:   assettrack import assets FILE   (WAL, synchronous=FULL)
# and prints the median wall time, the CPU time (user + system), rows/s
# and the peak memory (maximum resident set), beside Snipe-IT's reported
# ~65 rows/s.  Then `assettrack verify` on the last committed database.
# Results: stdout and bench/out/import.md.  Nothing here is part of
# `make test`.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
ROWS=${1:-100000}
REPS=${2:-3}
mkdir -p "$OUT"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target bench_tools >/dev/null
BIN=$BUILD/assettrack
CSV=$OUT/snipeit-$ROWS.csv
"$BUILD/bench/gen_snipeit" "$ROWS" 42 >"$CSV"
DB=$OUT/import.db
TIMEFMT="%e %U %S %M"

# One run: "elapsed user system maxrss_kib" of `import assets` with $@.
run_once() {
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" --db "$DB" init >/dev/null
  /usr/bin/time -f "$TIMEFMT" -o "$OUT/time.txt" "$BIN" --db "$DB" import assets "$CSV" "$@" \
    >"$OUT/import-report.txt" 2>"$OUT/import-err.txt"
  cat "$OUT/time.txt"
}

# The median of numbers on stdin.
median() {
  sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}

# REPS runs; prints "median_elapsed median_cpu max_rss".
measure() {
  local runs=()
  for _ in $(seq "$REPS"); do
    runs+=("$(run_once "$@")")
  done
  printf '%s %s %s\n' \
    "$(printf '%s\n' "${runs[@]}" | awk '{ print $1 }' | median)" \
    "$(printf '%s\n' "${runs[@]}" | awk '{ print $2 + $3 }' | median)" \
    "$(printf '%s\n' "${runs[@]}" | awk '{ print $4 }' | sort -n | tail -1)"
}

read -r pe pc pm < <(measure --dry-run)
read -r ce cc cm < <(measure)
verify=$("$BIN" --db "$DB" verify | tail -1)
size=$(stat -c %s "$DB")
rate() { awk -v r="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", r / s }'; }

{
  echo "# Import benchmark: $ROWS Snipe-IT rows ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "| run | median wall s | median CPU s | rows/s | peak memory | Snipe-IT (reported) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  echo "| preview (--dry-run) | $pe | $pc | $(rate "$pe") | $((pm / 1024)) MiB | ~65 rows/s |"
  echo "| commit | $ce | $cc | $(rate "$ce") | $((cm / 1024)) MiB | ~65 rows/s |"
  echo
  echo "Database after the commit: $((size / 1048576)) MiB; verify: $verify"
  echo
  sed -n '/^Outcome/,/^$/p' "$OUT/import-report.txt"
} | tee "$OUT/import.md"
