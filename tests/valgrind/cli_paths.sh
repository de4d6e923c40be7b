#!/usr/bin/env bash
# Runs every CLI command family once under valgrind (memcheck) against a
# scratch database and fails on any leak or memory error.  The commands
# mirror a working day: set-up, Stock-Out, Stock-In, corrections, reports,
# refusals, export, verify, signed checkpoints, backup.
set -euo pipefail
bin=${1:?usage: cli_paths.sh path/to/assettrack}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/v.db"
vg=(valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99)
fails=0
run() { # expected-exit command...
  local want=$1; shift
  set +e
  "${vg[@]}" "$bin" --db "$db" "$@" >"$dir/out" 2>"$dir/err" </dev/null
  local got=$?
  set -e
  if [ "$got" -ne "$want" ]; then
    echo "FAIL (exit $got, expected $want): assettrack $*"; cat "$dir/err"; fails=$((fails+1))
  else
    echo "ok: assettrack $*"
  fi
}
run 0 init
run 0 case add PELI-01 --slots 10 --building HQ --room 101
run 0 holder add "Dana Ruiz" --badge B-1 --email dana@example.org
for i in 1 2 3 4; do
  run 0 asset add --tag AT-000$i --serial SN$i --manufacturer Dell --type Laptop \
      --building HQ --room 101 --case PELI-01 --slot $i
done
run 0 asset add --tag AT-0005 --serial SN5 --manufacturer HP --type Laptop --building HQ --room 101
run 1 asset add --tag at0001 --serial sn1 --manufacturer Dell --type Laptop --building HQ --room 101
run 0 --json asset show at0001
run 0 asset list
run 0 stock-out --holder B-1 --due 2099-12-31 AT0001 at-0002
run 1 stock-out --holder B-1 AT-0001 NOPE AT-0005
run 0 stock-in AT-0001 AT-0002@PELI-01:6
run 0 slot assign AT-0005 PELI-01 7
run 0 slot move AT-0005 PELI-01 8
run 0 slot vacate PELI-01/8 --reason "foam damaged"
run 0 stock-out --holder 1 AT-0003
run 0 replace AT-0003 AT-0004 --reason "cracked screen"
run 0 asset retire AT-0005 --reason "end of life"
run 0 case show PELI-01
run 0 --json events --asset AT-0003
run 0 asset history AT-0004
run 0 report custody
run 0 report custody --as-of 2020-01-01
run 0 report unslotted
run 0 report occupancy
run 0 report holder B-1
run 0 report retired --csv
run 1 report holder NOPE
run 0 export assets
run 0 export events
# Import (a Snipe-IT layout with custody, a kept checkout and attributes),
# its dry run and its refusal; attributes edited and shown.
cat >"$dir/imp.csv" <<'CSV'
Asset Tag,Serial,Manufacturer,Category,Location,Checked Out To,Type,Employee No.,Status,Checkout Date,Company
IMP-1,ISN1,Dell,Laptop,"HQ Building 2, Room 114",,,,Ready to Deploy,,Acme
IMP-2,ISN2,Dell,Laptop,Depot / Cage 2,Ann Lee,user,E7,Deployed,2025-03-02,Acme
IMP-3,ISN3,Dell,Laptop,Depot,Lobby,location,,Deployed,2025-03-02,Acme
IMP-4,ISN4,Dell,Laptop,Depot,,,,Archived,,Acme
CSV
run 0 import assets "$dir/imp.csv" --dry-run --map Company=attr:Org --status Archived=RETIRED
run 0 --json import assets "$dir/imp.csv"
run 1 import assets "$dir/imp.csv"
run 0 asset update IMP-1 --attr Company=Globex --attr Cost=
run 0 asset show IMP-1
run 0 verify
run 0 head
run 0 checkpoint
run 0 stock-in AT-0004
run 0 verify --since-checkpoint
run 0 checkpoint
run 0 verify
run 1 verify --checkpoints "$dir/none"
run 0 backup "$dir/backup.db"
run 0 restore "$dir/backup.db"
run 1 restore "$dir/nope.db"
printf 'correct horse battery\n' > "$dir/pw"
set +e
"${vg[@]}" "$bin" --db "$db" user add alice --role operator <"$dir/pw" >"$dir/out" 2>"$dir/err"
rc=$?
set -e
if [ $rc -ne 0 ]; then echo "FAIL (exit $rc): user add"; cat "$dir/err"; fails=$((fails+1)); else echo "ok: user add"; fi
run 0 user token alice
run 2 no-such-command
echo "$((fails)) failed"
[ "$fails" -eq 0 ]
