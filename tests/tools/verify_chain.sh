#!/usr/bin/env bash
# verify_chain.sh ASSETTRACK — tools/verify_chain.py (Python's standard
# library only) agrees with `assettrack verify` on an untouched log, on a
# tampered one (same problem code), and on anchors.
set -euo pipefail
AT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
PY="python3 $HERE/../../tools/verify_chain.py"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/at.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$AT" --db "$db" case add PELI-07 --slots 5 >/dev/null
"$AT" --db "$db" holder add "Dana Ruiz" --badge B-1 --email "dana@example.org" >/dev/null
"$AT" --db "$db" holder add "Zoë Ångström" --badge B-2 >/dev/null      # non-ASCII text
for i in 1 2 3; do
  "$AT" --db "$db" asset add --tag "AT-000$i" --serial "S$i" --manufacturer HP --type Laptop \
    --building HQ --room 101 --case PELI-07 --slot "$i" --notes "line one
line two" >/dev/null
done
"$AT" --db "$db" stock-out --holder B-1 --due 2099-01-01 AT-0001 AT-0002 >/dev/null
"$AT" --db "$db" stock-in AT-0001 >/dev/null
"$AT" --db "$db" slot vacate PELI-07 3 --reason "foam torn" >/dev/null
"$AT" --db "$db" replace AT-0002 AT-0003 --reason "cracked" >/dev/null

head=$("$AT" --db "$db" head)
out=$($PY "$db") || fail "verify_chain.py refused a good log: $out"
[ "$out" = "OK: ${head%%:*} events, head $head" ] || fail "python says '$out', assettrack head says $head"
"$AT" --db "$db" verify >/dev/null || fail "assettrack verify refused a good log"
$PY "$db" --anchor "$head" >/dev/null || fail "verify_chain.py refused the true head as anchor"

# A signed checkpoint: Python agrees on its head, its links and its state
# digest (recomputed from the saved state with the standard library).
"$AT" --db "$db" checkpoint >/dev/null || fail "assettrack checkpoint failed"
out=$($PY "$db" --checkpoints "$db.checkpoints") || fail "verify_chain.py refused the checkpoint: $out"
[ "$out" = "OK: ${head%%:*} events, head $head, newest checkpoint's state matches" ] ||
  fail "python says '$out' with the checkpoint"
cp "$db.checkpoints.state" "$dir/state.bak"
sqlite3 "$db.checkpoints.state" "UPDATE assets SET notes = 'forged' WHERE tag = 'AT-0001'"
if out=$($PY "$db" --checkpoints "$db.checkpoints"); then fail "verify_chain.py passed a forged state"; fi
grep -q '^CHECKPOINT_STATE_MISMATCH: ' <<<"$out" || fail "verify_chain.py said: $out"
mv "$dir/state.bak" "$db.checkpoints.state"

# Edit one event's reason behind the engine's back: both must say HASH_MISMATCH.
sqlite3 "$db" "DROP TRIGGER events_no_update;
  UPDATE events SET reason = 'edited' WHERE type = 'FORCE_VACATE';
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;"
if out=$($PY "$db"); then fail "verify_chain.py passed an edited event"; fi
grep -q '^HASH_MISMATCH: ' <<<"$out" || fail "verify_chain.py said: $out"
if vout=$("$AT" --db "$db" verify 2>/dev/null); then fail "assettrack verify passed an edited event"; fi
grep -q '^HASH_MISMATCH: ' <<<"$vout" || fail "assettrack verify said: $vout"
# ...and the checkpoint signed before the edit still holds its head: the
# edited event is before it, so both see the same chain break, not more.
out=$($PY "$db" --checkpoints "$db.checkpoints") && fail "verify_chain.py passed the edit"
grep -q '^HASH_MISMATCH: ' <<<"$out" || fail "verify_chain.py with checkpoints said: $out"

# An anchor beyond the log: both name it.
beyond="$(( ${head%%:*} + 5 )):${head#*:}"
if out=$($PY "$db" --anchor "$beyond"); then fail "verify_chain.py passed an anchor beyond the log"; fi
grep -q '^ANCHOR_BEYOND_CHAIN: ' <<<"$out" || fail "verify_chain.py said: $out"
if vout=$("$AT" --db "$db" verify --anchor "$beyond" 2>/dev/null); then fail "verify passed it"; fi
grep -q '^ANCHOR_BEYOND_CHAIN: ' <<<"$vout" || fail "assettrack verify said: $vout"
echo "verify_chain.py agrees with assettrack verify"
