#!/usr/bin/env bash
# labels_decode.sh ASSETTRACK — every label `assettrack labels` prints
# scans back with zbarimg (Debian's zbar-tools) to exactly its text, once
# as a Code 128 and once as a QR code: slot labels CASE/POS, asset tags
# given by their match keys, holder badges; PNG at 300 dpi in each layout,
# and the PDF rasterised by pdftoppm (poppler-utils).  Both tools come
# with scripts/install-deps.sh --with-test; without them this fails.
set -euo pipefail
AT=$1
for tool in zbarimg pdftoppm pdftotext; do
  command -v "$tool" >/dev/null ||
    { echo "labels_decode needs $tool: run scripts/install-deps.sh --with-test" >&2; exit 1; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/at.db
fail() { echo "FAIL: $*" >&2; exit 1; }
at() { "$AT" --db "$db" "$@"; }

# What zbarimg must read: "CODE-128:TEXT" and "QR-Code:TEXT" for each text,
# nothing else, nothing twice.
expect() { for t in "$@"; do printf 'CODE-128:%s\nQR-Code:%s\n' "$t" "$t"; done | LC_ALL=C sort; }
# zbarimg exits 4 when it finds nothing: that shows up as a difference.
decode() { { zbarimg -q "$@" 2>/dev/null || true; } | LC_ALL=C sort; }
# check NAME FILE... -- TEXT...: the files decode to exactly the texts.
check() {
  local name=$1 files=() want got
  shift
  while [ "$1" != "--" ]; do files+=("$1"); shift; done
  shift
  want=$(expect "$@")
  got=$(decode "${files[@]}")
  [ "$got" = "$want" ] ||
    fail "$name: decoded texts differ from the labels' texts:$(diff <(echo "$want") <(echo "$got") | sed 's/^/\n  /')"
  echo "ok: $name: $# labels, $(echo "$got" | wc -l) codes read back"
}

at case add PELI-07 --slots 31 --building HQ --room 101 >/dev/null   # 31: two sheets
tags=(AT-0001 at.2_x 42 Z-99.A)
for i in "${!tags[@]}"; do
  at asset add --tag "${tags[$i]}" --serial "S$i" --manufacturer Zebra --type Scanner \
    --model TC52 --building HQ --room 101 >/dev/null
done
at holder add "Dana Ruiz" --badge B-1001 >/dev/null
zoe=$(at --json holder add "Zoë Ångström" --badge "BADGE 7" | sed -n 's/^ *"id": \([0-9]*\).*/\1/p')
[ -n "$zoe" ] || fail "could not read the new holder's id"
slots=()
for p in $(seq 1 31); do slots+=("PELI-07/$p"); done

# Slot labels on Letter sheets: 31 labels, so the 31st is on page 2.
out=$(at labels case PELI-07 --out "$dir/case.png")
[ "$out" = "Wrote 31 labels on 2 pages to $dir/case.png (sheet: Letter, 30 a sheet, Avery 5160)" ] ||
  fail "labels case said: $out"
check "case PELI-07, sheet, PNG" "$dir/case.png" -- "${slots[@]}"

# Assets by match key print their canonical tags; thermal, one a page.
at labels asset at0001 AT.2_X 42 z-99.a --layout thermal --out "$dir/assets.png" >/dev/null
check "assets, thermal, PNG" "$dir/assets.png" -- "${tags[@]}"

# Badges by badge and by id, on A4 sheets; a badge with a space in it.
at labels holder B-1001 "$zoe" --layout sheet-a4 --out "$dir/badges.png" >/dev/null
check "badges, sheet-a4, PNG" "$dir/badges.png" -- B-1001 "BADGE 7"

# The PDF, drawn by poppler at 300 dpi (without vector anti-aliasing, as
# a printer draws it: zbar's QR reader trips on grey module edges).
at labels case PELI-07 --out "$dir/case.pdf" >/dev/null
pdftoppm -r 300 -aaVector no -png "$dir/case.pdf" "$dir/casepdf"
[ "$(ls "$dir"/casepdf-*.png | wc -l)" = 2 ] || fail "case.pdf does not have 2 pages"
check "case PELI-07, sheet, PDF" "$dir"/casepdf-*.png -- "${slots[@]}"
pdftotext "$dir/case.pdf" - | grep -qx "Slot 31 of case PELI-07" ||
  fail "case.pdf has no caption 'Slot 31 of case PELI-07'"
at labels asset AT-0001 at.2_x 42 Z-99.A --layout thermal --out "$dir/assets.pdf" >/dev/null
pdftoppm -r 300 -aaVector no -png "$dir/assets.pdf" "$dir/assetspdf"
check "assets, thermal, PDF" "$dir"/assetspdf-*.png -- "${tags[@]}"
at labels holder "$zoe" --out "$dir/zoe.pdf" >/dev/null
pdftotext "$dir/zoe.pdf" - | grep -qx "Zoë Ångström" || fail "zoe.pdf lost the holder's name"

# Refusals write nothing and say why; an existing file needs --force.
if at labels asset AT-0001 NOPE-1 --out "$dir/x.svg" 2>"$dir/err"; then fail "NOPE-1 printed"; fi
grep -q "NOPE-1: no asset has this tag" "$dir/err" || fail "no reason for NOPE-1: $(cat "$dir/err")"
[ ! -e "$dir/x.svg" ] || fail "a refused run left x.svg behind"
set +e
at labels case PELI-07 --out "$dir/case.png" 2>"$dir/err"; rc=$?
set -e
[ $rc = 1 ] || fail "overwriting without --force exited $rc, not 1"
at labels case PELI-07 --out "$dir/case.png" --force >/dev/null || fail "--force did not replace"
echo "ok: refusals"
