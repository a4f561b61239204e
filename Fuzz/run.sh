#!/usr/bin/env bash
# Runs Vigil's libFuzzer harnesses (FUZZING.md).
#
# Usage: Fuzz/run.sh NAME[,NAME...]|all SECONDS [libFuzzer flags...]
#
#   NAME      a harness (FUZZING.md and `vigil-fuzz list` name them); several, comma-separated, or `all`, run in turn
#   SECONDS   -max_total_time per harness
#
# Builds the sanitizer binary once (release, `--sanitize fuzzer --sanitize address -DFUZZING`, scratch
# path .build-fuzz; VIGIL_FUZZ_NO_BUILD=1 skips the build), then fuzzes each harness on a copy of
# Fuzz/corpus/NAME in a temporary directory with -timeout=5 -rss_limit_mb=2048 -max_len from the harness.
# Prints one totals line per harness (seconds, executions, coverage, features, corpus, crashes) and
# exits non-zero if any harness crashed, timed out, ran out of memory or leaked; the reproducer and the
# log are kept under Fuzz/findings/NAME/ (ignored by git) — replay with `vigil-fuzz NAME FILE`, and
# commit it under Fuzz/regressions/NAME/ once fixed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if (($# < 2)) || [[ "$1" == -h || "$1" == --help ]]; then
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit $((($# < 2) ? 2 : 0))
fi
target=$1
seconds=$2
shift 2
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

scratch=.build-fuzz
binary="$scratch/release/vigil-fuzz"
if [[ "${VIGIL_FUZZ_NO_BUILD:-0}" != 1 ]]; then
  echo "building the sanitizer binary ($scratch)..." >&2
  log=$(mktemp)
  # ld.gold warns "Cannot export local symbol __asan_..." for every sanitizer build: harmless.
  if ! swift build -c release --scratch-path "$scratch" --product vigil-fuzz \
      --sanitize fuzzer --sanitize address -Xswiftc -DFUZZING >"$log" 2>&1; then
    grep -v "Cannot export local symbol" "$log" | tail -n 40 >&2
    exit 1
  fi
  rm -f "$log"
fi
[[ -x "$binary" ]] || { echo "run.sh: $binary is missing; build without VIGIL_FUZZ_NO_BUILD" >&2; exit 1; }

# "NAME MAX_LEN" per harness, from the binary itself.
harnesses=$(VIGIL_FUZZ_TARGET=list "$binary")
if [[ "$target" == all ]]; then
  names=$(cut -d' ' -f1 <<<"$harnesses")
else
  names=$(tr ',' ' ' <<<"$target")
  for name in $names; do
    grep -q "^$name " <<<"$harnesses" || { echo "run.sh: no harness '$name'; one of: $(cut -d' ' -f1 <<<"$harnesses" | tr '\n' ' ')" >&2; exit 2; }
  done
fi

failed=0
for name in $names; do
  max_len=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$harnesses")
  work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-fuzz-$name.XXXXXX")
  mkdir -p "$work/corpus" "$work/artifacts"
  if [[ -d "Fuzz/corpus/$name" ]]; then cp "Fuzz/corpus/$name"/* "$work/corpus/" 2>/dev/null || true; fi
  status=0
  # The Swift runtime's backtracer reads foreign memory after a crash, which ASan reports as a second error.
  SWIFT_BACKTRACE=enable=no VIGIL_FUZZ_TARGET="$name" "$binary" "$work/corpus" \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" >"$work/log" 2>&1 || status=$?
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$work/log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corpus=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  findings=$(find "$work/artifacts" -type f | wc -l)
  printf '%s: %ss, %s executions, cov %s, ft %s, corpus %s, crashes %s\n' \
    "$name" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$findings"
  if ((status != 0 || findings > 0)); then
    failed=1
    mkdir -p "Fuzz/findings/$name"
    cp "$work/log" "Fuzz/findings/$name/log"
    cp "$work/artifacts"/* "Fuzz/findings/$name/" 2>/dev/null || true
    echo "  exit status $status; log and reproducers in Fuzz/findings/$name/:" >&2
    grep -E "ERROR:|invariant broken|Fatal error|SUMMARY|Test unit written" "$work/log" | head -n 12 | sed 's/^/  /' >&2
  fi
  rm -rf "$work"
done
exit "$failed"
