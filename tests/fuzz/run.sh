#!/bin/sh
# Runs every fuzz_* binary of a bin directory for SECONDS each (default 60), one after the other.
#
#   tests/fuzz/run.sh [BIN_DIR] [SECONDS]     (either order; BIN_DIR defaults to build/fuzz/bin)
#   MEDIAJOBS_FUZZ_RUNS=10000000 tests/fuzz/run.sh build/fuzz/bin 0    # a number of executions instead
#   MEDIAJOBS_FUZZ_ONLY=url tests/fuzz/run.sh ...                        # only fuzz_url
#   MEDIAJOBS_FUZZ_ARGS="-max_len=1024" tests/fuzz/run.sh ...            # more libFuzzer flags
#
# Builds nothing. Each target starts from a scratch copy of its committed corpus
# (tests/fuzz/corpus/<name>/, regressions included), so the committed corpus never grows
# silently; new inputs are thrown away with the scratch directory. Prints the executions per
# target (libFuzzer's stat::number_of_executed_units). Exits non-zero if any target crashed,
# leaked, timed out or broke an invariant; its crash input and log are then kept and their path
# printed (copy the input to tests/fuzz/corpus/<name>/regressions/ with the fix).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin_dir=""
seconds=60
for arg in "$@"; do
  if [ -d "$arg" ]; then
    bin_dir=$arg
  else
    case $arg in
      ''|*[!0-9]*) echo "usage: $0 [BIN_DIR] [SECONDS]" >&2; exit 2 ;;
      *) seconds=$arg ;;
    esac
  fi
done
[ -n "$bin_dir" ] || bin_dir=$root/build/fuzz/bin
runs=${MEDIAJOBS_FUZZ_RUNS:-}
only=${MEDIAJOBS_FUZZ_ONLY:-}

found=0
failed=0
summary=""
for exe in "$bin_dir"/fuzz_*; do
  [ -x "$exe" ] || continue
  name=${exe##*/fuzz_}
  if [ -n "$only" ] && [ "$only" != "$name" ]; then continue; fi
  found=1
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/mediajobs-fuzz-$name.XXXXXX")
  mkdir -p "$scratch/corpus"
  if [ -d "$here/corpus/$name" ]; then
    cp -R "$here/corpus/$name/." "$scratch/corpus/"
  else
    echo "warning: no committed corpus for $name (tests/fuzz/corpus/$name)" >&2
  fi
  set -- -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$scratch/"
  [ "$seconds" -gt 0 ] && set -- "$@" "-max_total_time=$seconds"
  [ -n "$runs" ] && set -- "$@" "-runs=$runs"
  # shellcheck disable=SC2086 # split on purpose: several flags in one variable
  [ -n "${MEDIAJOBS_FUZZ_ARGS:-}" ] && set -- "$@" ${MEDIAJOBS_FUZZ_ARGS}
  echo "== fuzz_$name: ${seconds}s${runs:+, at most $runs runs}"
  start=$(date +%s)
  "$exe" "$@" "$scratch/corpus" >"$scratch/log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$scratch/log" | tail -n 1)
  if [ -z "$execs" ]; then
    execs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$scratch/log" | tail -n 1)
  fi
  [ -n "$execs" ] || execs="?"
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "FAILED fuzz_$name (exit $rc) after $execs executions in ${elapsed}s; input and log kept in $scratch" >&2
    grep -E 'invariant|ERROR|SUMMARY|Test unit written' "$scratch/log" | head -n 20 >&2
    summary="$summary
fuzz_$name: $execs executions in ${elapsed}s  CRASH ($scratch)"
  else
    echo "fuzz_$name: $execs executions in ${elapsed}s"
    summary="$summary
fuzz_$name: $execs executions in ${elapsed}s"
    rm -rf "$scratch"
  fi
done

if [ "$found" = 0 ]; then
  echo "no fuzz_* binary in $bin_dir (build the mediajobs_fuzzers target with clang first)" >&2
  exit 1
fi
echo "== summary$summary"
exit "$failed"
