#!/usr/bin/env bash
# Runs one fuzz target for a bounded time, as the test suite "fuzz" does:
#
#   run-fuzz-target.sh TARGET CORPUS ARTIFACTS
#
# The seed corpus is copied to a scratch directory first, so what the fuzzer adds never
# lands in the tree. An input that crashes, leaks, hangs or trips a sanitizer is kept in
# ARTIFACTS (crash-*, leak-*, timeout-*), to replay with `TARGET FILE`. NOD_FUZZ_SECONDS
# (15 by default) is how long the target runs.
set -euo pipefail

target=$1 corpus=$2 artifacts=$3
seconds=${NOD_FUZZ_SECONDS:-15}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/corpus"
cp -R "$corpus/." "$scratch/corpus/"
mkdir -p "$artifacts"

status=0
# libFuzzer's own exit code for a failure is 77, which meson reads as "skipped".
"$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$artifacts/" "$scratch/corpus" > "$scratch/log" 2>&1 || status=$?

# A report in a child or after the fact may not change the exit status: look for any.
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|ERROR: libFuzzer' \
     "$scratch/log"; then
  [ "$status" -ne 0 ] || status=1
fi

if [ "$status" -ne 0 ]; then
  # Indented: the log quotes the input, and a line of it must not read as TAP.
  sed 's/^/  /' "$scratch/log"
  echo "$(basename "$target") failed (exit $status); the input is in $artifacts/" >&2
  # Whatever the sanitizer or libFuzzer exits with, a failure (77 would read as "skipped").
  status=1
else
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch/log" || true
fi
exit "$status"
