#!/usr/bin/env bash
# tmpfs_full.sh — a full disk under the shipped binary (issue #7; SPEC §3.7,
# §6).  Usage: tmpfs_full.sh path/to/assettrack
#
# The database lives on a small tmpfs that a filler file has filled to
# within FREE_KB.  Stock-Outs of 5 assets each run until one fails; it
# must exit 3 with one line on stderr, and after the filler is removed:
# nothing partial (the failed batch's 5 assets still in their slots, every
# earlier batch still out, the log exactly 5 events per successful batch),
# verify OK, the same Stock-Out now succeeds, verify OK again.
#
# Mounting a tmpfs needs privileges: the script re-runs itself in a new
# user and mount namespace (unshare -rm, which works unprivileged where
# user namespaces are enabled), else a mount namespace as root (unshare
# -m, or sudo -n unshare -m).  If none can mount, it falls back to
# RLIMIT_FSIZE (ulimit -f, SIGXFSZ ignored): writes past the limit fail
# with EFBIG, a full disk as far as one file is concerned; it says so.
# AT_FULL_MODE=fsize forces the fallback.
set -u

BIN=$(readlink -f "${1:?usage: tmpfs_full.sh path/to/assettrack}")
SELF=$(readlink -f "$0")
MODE=${2:-outer}
FS_KB=1024          # the tmpfs
FREE_KB=160         # left free after filling
FSIZE_FREE_KB=64    # fallback: room for each file to grow past the database
BATCH=5
NBATCH=40           # 200 assets: far more than the free space can take

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# ---- choose how to get a full disk ---------------------------------------
if [ "$MODE" = outer ]; then
	if [ "${AT_FULL_MODE:-}" != fsize ]; then
		# The inner run touches MARK once it has mounted: from then on its
		# exit status is the test's, not the namespace's.
		MARK=$(mktemp "${TMPDIR:-/tmp}/at-full-mark-XXXXXX") || fail "mktemp"
		for way in "unshare -rm" "unshare -m" "sudo -n unshare -m"; do
			rm -f "$MARK"
			$way bash "$SELF" "$BIN" tmpfs "$MARK" 2>"$MARK.err"
			rc=$?
			cat "$MARK.err" >&2
			if [ -e "$MARK" ]; then
				rm -f "$MARK" "$MARK.err"
				exit $rc
			fi
			echo "tmpfs_full: '$way' cannot mount a tmpfs here (exit $rc)" >&2
		done
		rm -f "$MARK" "$MARK.err"
		echo "tmpfs_full: no tmpfs (no user/mount namespace, not root, no sudo):" \
		     "falling back to RLIMIT_FSIZE"
	fi
	exec bash "$SELF" "$BIN" fsize
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/at-full-XXXXXX") || fail "mktemp"
trap 'umount "$WORK/fs" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir "$WORK/fs"
if [ "$MODE" = tmpfs ]; then
	mount -t tmpfs -o size=${FS_KB}k tmpfs "$WORK/fs" || exit 77
	touch "$3" || fail "cannot touch the marker $3"
	echo "tmpfs_full: database on a ${FS_KB} KiB tmpfs (in a mount namespace)"
fi
DB="$WORK/fs/at.db"
LIMIT_KB=0

# Run the binary on the database; in fsize mode under the file-size limit.
at() {
	if [ "$LIMIT_KB" -gt 0 ]; then
		(ulimit -f "$LIMIT_KB"; trap '' XFSZ; exec "$BIN" --db "$DB" "$@")
	else
		"$BIN" --db "$DB" "$@"
	fi
}

# ---- fixtures: a case, a holder, 200 slotted assets -------------------------
"$BIN" --db "$DB" case add FULL-A --slots $((BATCH * NBATCH)) >/dev/null || fail "case add"
"$BIN" --db "$DB" holder add "Dana Ruiz" --badge B-FULL >/dev/null || fail "holder add"
{
	echo "asset_tag,serial_number,manufacturer,equipment_type,building,room,case,position"
	for ((i = 1; i <= BATCH * NBATCH; i++)); do
		printf 'FU-%04d,SN-FU-%04d,Acme,Radio,HQ,Store room,FULL-A,%d\n' $i $i $i
	done
} >"$WORK/assets.csv"
"$BIN" --db "$DB" import assets "$WORK/assets.csv" >/dev/null || fail "import"
base=$("$BIN" --db "$DB" head | cut -d: -f1)
[ "$base" -gt 0 ] || fail "no events after the fixtures"

# ---- fill the disk ---------------------------------------------------------------
if [ "$MODE" = tmpfs ]; then
	dd if=/dev/zero of="$WORK/fs/filler" bs=4k 2>/dev/null
	[ "$(df -k --output=avail "$WORK/fs" | tail -1)" -eq 0 ] || fail "the tmpfs is not full"
	size=$(stat -c %s "$WORK/fs/filler")
	truncate -s $((size - FREE_KB * 1024)) "$WORK/fs/filler" || fail "truncate filler"
	echo "tmpfs_full: filled; $(df -k --output=avail "$WORK/fs" | tail -1) KiB free"
else
	# No file may grow more than FSIZE_FREE_KB past the database's size
	# now (the WAL, which starts empty, has room for several batches).
	LIMIT_KB=$(( $(stat -c %s "$DB") / 1024 + FSIZE_FREE_KB ))
	echo "tmpfs_full: RLIMIT_FSIZE fallback: files limited to ${LIMIT_KB} KiB" \
	     "(database $(( $(stat -c %s "$DB") / 1024 )) KiB); writes past it fail with EFBIG"
fi

# ---- Stock-Outs until one fails ------------------------------------------------
tags() { # batch b (0-based): its 5 tags
	for ((j = 1; j <= BATCH; j++)); do printf 'FU-%04d ' $(($1 * BATCH + j)); done
}
ok=0
failed=-1
for ((b = 0; b < NBATCH; b++)); do
	# shellcheck disable=SC2046
	at stock-out --holder B-FULL $(tags $b) >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -eq 0 ]; then
		ok=$((ok + 1))
		continue
	fi
	[ $rc -eq 3 ] || fail "batch $b exited $rc, expected 3 (storage): $(cat "$WORK/err")"
	[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "batch $b: not one line on stderr: $(cat "$WORK/err")"
	grep -Eq '^assettrack: .*(database or disk is full|disk I/O error)' "$WORK/err" ||
		fail "batch $b: unexpected message: $(cat "$WORK/err")"
	[ -s "$WORK/out" ] && fail "batch $b failed but printed: $(cat "$WORK/out")"
	echo "tmpfs_full: batch $((b + 1)) failed after $ok good ones, exit 3: $(cat "$WORK/err")"
	failed=$b
	break
done
[ $failed -ge 0 ] || fail "$NBATCH Stock-Outs all succeeded: the disk never filled"
[ $ok -gt 0 ] || fail "the first Stock-Out already failed: FREE_KB leaves no room to work"

# ---- free the space: nothing partial, verify, the next operation works ------------
rm -f "$WORK/fs/filler"
LIMIT_KB=0
seq_now=$(at head | cut -d: -f1) || fail "head after freeing space"
[ "$seq_now" -eq $((base + ok * BATCH)) ] ||
	fail "the log has $seq_now events, expected $base + $ok batches of $BATCH"
state_of() {
	at --json asset show "$1" | tr -d ' \n' | grep -o '"state":"[A-Z_]*"' | cut -d'"' -f4
}
for t in $(tags $failed); do
	[ "$(state_of "$t")" = STORAGE ] || fail "$t of the failed batch is $(state_of "$t")"
done
for t in $(tags 0) $(tags $((failed - 1))); do
	[ "$(state_of "$t")" = IN_CUSTODY ] || fail "$t of a good batch is $(state_of "$t"): lost"
done
at verify >"$WORK/v" 2>&1 || fail "verify after freeing space: $(cat "$WORK/v")"
echo "tmpfs_full: after freeing space: $(cat "$WORK/v")"
# shellcheck disable=SC2046
at stock-out --holder B-FULL $(tags $failed) >/dev/null 2>"$WORK/err" ||
	fail "the failed Stock-Out does not succeed after freeing space: $(cat "$WORK/err")"
at verify >"$WORK/v" 2>&1 || fail "verify after the retry: $(cat "$WORK/v")"
[ "$(at head | cut -d: -f1)" -eq $((base + (ok + 1) * BATCH)) ] || fail "the retry logged wrongly"
echo "tmpfs_full: OK ($MODE): $ok Stock-Outs of $BATCH fit, the next failed with exit 3 and" \
     "changed nothing; after freeing space verify is OK and the retry succeeded"
