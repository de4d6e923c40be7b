#!/usr/bin/env bash
# One step of `make`: print one line for it, keep its whole output in a log.
#
#   scripts/step.sh [--show REGEX] LABEL LOG COMMAND [ARGS...]
#
# Prints "  LABEL ... ok (12 s)" (or "FAILED"), then any warning lines the
# step wrote, then the lines matching REGEX (a test run's summary).  On
# failure the log is printed (its last 3,000 lines when longer) and the
# step's exit status is passed on.  The log is overwritten on every run.
# With V=1 in the environment (`make V=1`) the output is shown as it comes
# as well.
set -uo pipefail

show=""
if [ "${1:-}" = "--show" ]; then
  show="$2"
  shift 2
fi
if [ $# -lt 3 ]; then
  echo "usage: scripts/step.sh [--show REGEX] LABEL LOG COMMAND [ARGS...]" >&2
  exit 2
fi
label="$1" log="$2"
shift 2
mkdir -p "$(dirname "$log")"

t0=$(date +%s)
if [ "${V:-}" = 1 ]; then
  echo "  $label: $*"
  "$@" 2>&1 </dev/null | tee "$log"
  rc=${PIPESTATUS[0]}
  printf '  %-28s' "$label"
else
  printf '  %-28s' "$label"
  "$@" >"$log" 2>&1 </dev/null
  rc=$?
fi
secs=$(( $(date +%s) - t0 ))

# Warnings from the compiler, the linker, CMake or a script ("warning:",
# "CMake Warning" blocks up to their blank line), never hidden by a pass.
warnings() {
  awk '
    /^CMake (Deprecation )?Warning/ { block = 1 }
    block { print "    " $0; if ($0 ~ /^$/ && seen) block = 0; seen = 1; next }
    { seen = 0 }
    /[Ww]arning:/ { print "    " $0 }
  ' "$log" | head -n 60
}

if [ $rc -eq 0 ]; then
  printf 'ok (%d s)\n' "$secs"
  warnings
  if [ -n "$show" ]; then
    grep -E -- "$show" "$log" | sed 's/^/    /'
  fi
  exit 0
fi

printf 'FAILED (%d s, exit %d)\n' "$secs" "$rc"
lines=$(wc -l <"$log")
echo "---- $log ----"
if [ "$lines" -gt 3000 ]; then
  echo "[... the first $((lines - 3000)) of $lines lines are only in $log ...]"
  tail -n 3000 "$log"
else
  cat "$log"
fi
echo "---- end of $log: $label failed (exit $rc) ----"
exit $rc
