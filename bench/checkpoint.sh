#!/usr/bin/env bash
# checkpoint.sh [DB] — what signed checkpoints cost and save (docs/checkpoints.md).
#
# On a copy of DB (default bench/out/base.db, the 100,000-asset,
# 1,000,000-event database bench/run.sh generates): a full `verify`, the
# first `checkpoint` (a full verify plus saving the state), `verify
# --since-checkpoint` right after it and after a 200-event Stock-Out and
# Stock-In, a second `checkpoint`, and a full verify that also checks both
# checkpoints.  Wall time and peak memory from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-bench/out/base.db}
AT=${AT:-build/assettrack}
[ -f "$SRC" ] || { echo "no $SRC: run bash bench/run.sh first, or give a database" >&2; exit 2; }
[ -x "$AT" ] || make build >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/b.db
cp "$SRC" "$db"
timed() {
  local what=$1; shift
  /usr/bin/time -f "$what|%e|%M" -o "$dir/t" "$@" >"$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }
  IFS='|' read -r w s kb <"$dir/t"
  printf '| %s | %s s | %d MB | %s |\n' "$w" "$s" $((kb / 1024)) "$(head -c 90 "$dir/out" | head -1)"
}
echo "| step | wall | peak RSS | output |"
echo "|---|---|---|---|"
timed "verify (whole log)" "$AT" --db "$db" verify
timed "first checkpoint" "$AT" --db "$db" checkpoint
timed "verify --since-checkpoint, 0 new events" "$AT" --db "$db" verify --since-checkpoint
tags=$(sqlite3 "$db" "SELECT tag FROM assets WHERE state = 'STORAGE' LIMIT 100" | tr '\n' ' ')
holder=$(sqlite3 "$db" "SELECT id FROM holders WHERE active = 1 LIMIT 1")
# shellcheck disable=SC2086
"$AT" --db "$db" stock-out --holder "$holder" $tags >/dev/null
# shellcheck disable=SC2086
"$AT" --db "$db" stock-in $tags >/dev/null
timed "verify --since-checkpoint, 200 new events" "$AT" --db "$db" verify --since-checkpoint
timed "second checkpoint" "$AT" --db "$db" checkpoint
timed "verify (whole log, 2 checkpoints)" "$AT" --db "$db" verify
printf 'state file: %d MB; checkpoint file: %d bytes\n' \
  $(( $(stat -c %s "$db.checkpoints.state") / 1048576 )) "$(stat -c %s "$db.checkpoints")"
