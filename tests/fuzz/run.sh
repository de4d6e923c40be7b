#!/usr/bin/env bash
# run.sh TARGET SEEDS CORPUS — run one libFuzzer target for $FUZZ_SECONDS
# (default 5) on CORPUS (kept between runs, under the build tree) seeded
# from SEEDS (in git, never written).  A crash leaves its input in CORPUS
# (crash-*) and fails the test.
set -euo pipefail
target=$1 seeds=$2 corpus=$3
mkdir -p "$corpus"
cd "$corpus"
exec "$target" -max_total_time="${FUZZ_SECONDS:-5}" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus" "$seeds"
