#!/usr/bin/env bash
# Runs Vigil's libFuzzer harnesses (FUZZING.md).
#
# Usage: Fuzz/run.sh NAME[,NAME...]|all SECONDS [libFuzzer flags...]
#
#   NAME      a harness (FUZZING.md and `vigil-fuzz list` name them); several, comma-separated, or `all`
#   SECONDS   -max_total_time per harness
#
# Builds the sanitizer binary once (libFuzzer + ASan, -DFUZZING, scratch path .build-fuzz; release
# unless VIGIL_FUZZ_CONFIG=debug, which builds in less than half the time and runs fewer executions
# per second; VIGIL_FUZZ_NO_BUILD=1 skips the build) and checks that every Swift module in it
# carries coverage counters and ASan; then fuzzes each harness on a copy of Fuzz/corpus/NAME in a
# temporary directory with -timeout=5 -rss_limit_mb=2048 -max_len from the harness.
# VIGIL_FUZZ_JOBS=N runs N harnesses at a time (default 1); VIGIL_FUZZ_SAVE_CORPUS=DIR keeps each
# final corpus in DIR/NAME.
# Prints one totals line per harness (seconds, executions, counters, coverage, features, corpus,
# crashes) and "N passed, M failed". A harness fails if it crashed, timed out, ran out of memory or
# leaked — the reproducer and log are kept under Fuzz/findings/NAME/ (ignored by git); replay with
# `vigil-fuzz NAME FILE`, commit under Fuzz/regressions/NAME/ once fixed — and also if its log shows
# fewer than VIGIL_FUZZ_MIN_COUNTERS (default 1000) inline 8-bit counters or no readable coverage:
# a blind run is never reported as passing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if (($# < 2)) || [[ "$1" == -h || "$1" == --help ]]; then
  sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit $((($# < 2) ? 2 : 0))
fi
target=$1
seconds=$2
shift 2
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }
jobs=${VIGIL_FUZZ_JOBS:-1}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: VIGIL_FUZZ_JOBS must be a positive whole number, got '$jobs'" >&2; exit 2; }
config=${VIGIL_FUZZ_CONFIG:-release}
[[ "$config" == release || "$config" == debug ]] || { echo "run.sh: VIGIL_FUZZ_CONFIG must be release or debug, got '$config'" >&2; exit 2; }
min_counters=${VIGIL_FUZZ_MIN_COUNTERS:-1000}
[[ "$min_counters" =~ ^[0-9]+$ ]] || { echo "run.sh: VIGIL_FUZZ_MIN_COUNTERS must be a whole number, got '$min_counters'" >&2; exit 2; }
save_corpus=${VIGIL_FUZZ_SAVE_CORPUS:-}

scratch=.build-fuzz
binary="$scratch/$config/vigil-fuzz"
if [[ "${VIGIL_FUZZ_NO_BUILD:-0}" != 1 ]]; then
  echo "building the sanitizer binary ($scratch, $config)..." >&2
  log=$(mktemp)
  # `--sanitize fuzzer --sanitize address` alone is not enough: SwiftPM keeps the sanitizers in a Set
  # and passes one `-sanitize=` flag per member in the Set's per-process random order, and swiftc
  # keeps only the LAST `-sanitize=` flag. Half of all builds instrumented the Swift code for ASan only
  # (no coverage: libFuzzer saw the C shim's 8 counters), the other half for coverage only (no ASan).
  # The -Xswiftc flag comes after SwiftPM's own and names both. `--sanitize fuzzer` is still needed:
  # it makes SwiftPM link the executable without its `--defsym main=…` (libFuzzer supplies `main`).
  # ld.gold warns "Cannot export local symbol __asan_..." for every sanitizer build: harmless.
  if ! swift build -c "$config" --scratch-path "$scratch" --product vigil-fuzz \
      --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >"$log" 2>&1; then
    grep -v "Cannot export local symbol" "$log" | tail -n 40 >&2
    exit 1
  fi
  rm -f "$log"
fi
[[ -x "$binary" ]] || { echo "run.sh: $binary is missing; build without VIGIL_FUZZ_NO_BUILD (or set VIGIL_FUZZ_CONFIG to the build you made)" >&2; exit 1; }

# Every Swift module linked into the binary must have at least one object file with libFuzzer's
# coverage counters (a __sancov_cntrs section) and ASan's module constructor (a reference to
# __asan_init). Checked on the objects, so a half-instrumented build fails before it fuzzes.
if command -v nm >/dev/null && command -v readelf >/dev/null; then
  link_list="$scratch/$config/vigil-fuzz.product/Objects.LinkFileList"
  [[ -f "$link_list" ]] || { echo "run.sh: $link_list is missing; rebuild without VIGIL_FUZZ_NO_BUILD" >&2; exit 1; }
  uninstrumented=""
  for module in $(grep -oE '[^/]+\.build/[^/]+\.swift\.o' "$link_list" | cut -d/ -f1 | sort -u); do
    has_cov=0 has_asan=0
    # grep reads all its input (no -q): under pipefail an early exit could fail the pipe with SIGPIPE.
    for object in $(grep -E "/$module/[^/]+\.swift\.o\$" "$link_list" | tr -d "'\""); do
      if ((!has_cov)) && readelf -SW "$object" | grep '__sancov_cntrs' >/dev/null; then has_cov=1; fi
      if ((!has_asan)) && nm -u "$object" | grep ' __asan_init$' >/dev/null; then has_asan=1; fi
      if ((has_cov && has_asan)); then break; fi
    done
    if ((!has_cov)); then uninstrumented+=" ${module%.build} (no coverage counters)"; fi
    if ((!has_asan)); then uninstrumented+=" ${module%.build} (no ASan)"; fi
  done
  if [[ -n "$uninstrumented" ]]; then
    echo "run.sh: the sanitizer build is not fully instrumented:$uninstrumented" >&2
    echo "run.sh: fuzzing it would be blind or miss memory errors; see FUZZING.md, \"Instrumentation\"" >&2
    exit 1
  fi
else
  echo "run.sh: nm or readelf missing; skipping the object check (the counter check below still applies)" >&2
fi

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

results=$(mktemp -d "${TMPDIR:-/tmp}/vigil-fuzz-results.XXXXXX")
trap 'rm -rf "$results"' EXIT

# Fuzzes one harness; writes its totals line to $results/NAME.line, any complaint to
# $results/NAME.why, and "pass" or "fail" to $results/NAME.verdict.
fuzz_one() {
  local name=$1 max_len work status=0
  shift
  max_len=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$harnesses")
  work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-fuzz-$name.XXXXXX")
  mkdir -p "$work/corpus" "$work/artifacts"
  if [[ -d "Fuzz/corpus/$name" ]]; then cp "Fuzz/corpus/$name"/* "$work/corpus/" 2>/dev/null || true; fi
  # The Swift runtime's backtracer reads foreign memory after a crash, which ASan reports as a second error.
  SWIFT_BACKTRACE=enable=no VIGIL_FUZZ_TARGET="$name" "$binary" "$work/corpus" \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" >"$work/log" 2>&1 || status=$?
  local execs last cov ft corpus findings counters why=""
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$work/log" | tail -n 1)
  counters=$(sed -nE 's/^INFO: Loaded [0-9]+ modules? +\(([0-9]+) inline 8-bit counters\).*/\1/p' "$work/log" |
    awk '{ n += $1 } END { if (NR) print n }')
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corpus=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  findings=$(find "$work/artifacts" -type f | wc -l)
  printf '%s: %ss, %s executions, counters %s, cov %s, ft %s, corpus %s, crashes %s\n' \
    "$name" "$seconds" "${execs:-?}" "${counters:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$findings" >"$results/$name.line"
  if ((status != 0 || findings > 0)); then
    why+="  exit status $status; log and reproducers in Fuzz/findings/$name/:"$'\n'
    why+=$(grep -E "ERROR:|invariant broken|Fatal error|SUMMARY|Test unit written" "$work/log" | head -n 12 | sed 's/^/  /' || true)$'\n'
  fi
  if [[ -z "$counters" ]]; then
    why+="  blind run: the log names no inline 8-bit counters (not a libFuzzer binary with coverage?)"$'\n'
  elif ((counters < min_counters)); then
    why+="  blind run: only $counters inline 8-bit counters (< $min_counters): the Swift code is not instrumented for coverage"$'\n'
  fi
  if [[ -z "$cov" || -z "$execs" ]]; then
    why+="  unreadable run: no coverage or execution totals in the log"$'\n'
  fi
  if [[ -n "$why" ]]; then
    mkdir -p "Fuzz/findings/$name"
    cp "$work/log" "Fuzz/findings/$name/log"
    cp "$work/artifacts"/* "Fuzz/findings/$name/" 2>/dev/null || true
    printf '%s' "$why" >"$results/$name.why"
    echo fail >"$results/$name.verdict"
  else
    echo pass >"$results/$name.verdict"
  fi
  if [[ -n "$save_corpus" ]]; then
    mkdir -p "$save_corpus/$name"
    cp "$work/corpus"/* "$save_corpus/$name/" 2>/dev/null || true
  fi
  rm -rf "$work"
}

# Prints a finished harness's totals (and complaints) as soon as it is done.
report() {
  cat "$results/$1.line" 2>/dev/null || echo "$1: no totals (the run did not finish; see above)"
  if [[ -f "$results/$1.why" ]]; then cat "$results/$1.why" >&2; fi
}

running=()
for name in $names; do
  if ((${#running[@]} >= jobs)); then
    wait "${running[0]}" || true
    report "$(cat "$results/pid-${running[0]}")"
    running=("${running[@]:1}")
  fi
  fuzz_one "$name" "$@" &
  echo "$name" >"$results/pid-$!"
  running+=("$!")
done
for pid in "${running[@]}"; do
  wait "$pid" || true
  report "$(cat "$results/pid-$pid")"
done

# A harness whose run left no verdict (the script itself failed) counts as failed.
passed=0 failed=0
for name in $names; do
  if [[ "$(cat "$results/$name.verdict" 2>/dev/null)" == pass ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
((failed == 0))
