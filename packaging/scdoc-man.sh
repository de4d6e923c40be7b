#!/bin/sh
# Render an scdoc(5) page to man(7): scdoc-man.sh IN.scd OUT
#
# scdoc 1.11 (Debian 12) writes a .P before and after every heading, list
# item and indented block; mandoc -T lint warns about each ("skipping
# paragraph macro").  This drops exactly those: a .P right after .TH, .SH,
# .SS, .RE or another .P, or right before .SH, .SS, .RE or the end.  It
# also upper-cases the title, as man(7) pages are titled.  Nothing else
# changes: the text and its formatting are scdoc's.
set -eu
in=$1 out=$2
scdoc <"$in" | awk '
  function flush() { if (held) { held = 0; if (!(next_line ~ /^\.(SH|SS|RE)( |$)/)) print ".P" } }
  /^\.TH / { $2 = toupper($2) }
  /^\.P$/ {
    if (prev ~ /^\.(TH|SH|SS|RE|P)( |$)/ || held) { next }
    held = 1; prev = ".P"; next
  }
  { next_line = $0; flush(); print; prev = $0 }
  END { }
' >"$out.tmp"
mv "$out.tmp" "$out"
