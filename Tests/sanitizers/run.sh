#!/usr/bin/env bash
# The test suite under a sanitizer: `swift test --sanitize=address` (AddressSanitizer with
# LeakSanitizer) or `--sanitize=thread` (ThreadSanitizer), in its own scratch path.
#
# Usage: Tests/sanitizers/run.sh address|thread [--filter REGEX] [--skip REGEX] [--no-build]
#
#   --filter / --skip  go to `swift test` (run a subset; say which in whatever quotes the result)
#   --no-build         reuse the sanitized build already in the scratch path
#   VIGIL_SANITIZER_SCRATCH=DIR overrides the scratch path (.build-asan / .build-tsan).
#
# Every process the tests start — the test runner and the `vigil` children the tool tests spawn
# (the sanitized binary next to the test bundle) — writes its sanitizer reports to a log
# directory instead of its stderr, so a report in a child whose output a test swallows is still
# counted. Suppressions (toolchain and Foundation only, each explained in README.md) are in
# lsan.supp and tsan.supp here. Before running, checks that our Swift modules really are
# instrumented (a sanitizer run over uninstrumented code would pass and test nothing).
#
# Ends with the line `N passed, M failed`: N tests passed, M = failed tests + sanitizer reports;
# exits non-zero if M > 0 or the test run did not finish.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/Tests/sanitizers"
cd "$root"

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

(($# >= 1)) || { usage >&2; exit 2; }
sanitizer=$1
shift
case "$sanitizer" in
  address) short=asan ;;
  thread) short=tsan ;;
  -h | --help) usage; exit 0 ;;
  *) echo "run.sh: the sanitizer is address or thread, not '$sanitizer' (see --help)" >&2; exit 2 ;;
esac

build=1
selection=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --filter | --skip)
      (($# >= 2)) || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      selection+=("$1" "$2")
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

scratch="${VIGIL_SANITIZER_SCRATCH:-.build-$short}"
swift_flags=(--sanitize="$sanitizer" --scratch-path "$scratch")
logs=$(mktemp -d "${TMPDIR:-/tmp}/vigil-$short.XXXXXX")
trap 'rm -rf "$logs"' EXIT
start=$(date +%s)

if ((build)); then
  echo "building the tests with --sanitize=$sanitizer into $scratch …" >&2
  if ! swift build --build-tests "${swift_flags[@]}" >"$logs/build.log" 2>&1; then
    tail -n 40 "$logs/build.log"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "built in $(($(date +%s) - start)) s" >&2
fi

# The instrumentation check: an object file of our own Swift code must call the sanitizer's
# runtime (`__asan_report_*` / `__tsan_read*`), not merely link it.
bin="$(swift build "${swift_flags[@]}" --show-bin-path)"
probe="$bin/Transport.build/EventLoop.swift.o"
case "$sanitizer" in
  address) hook='__asan_(report|load|store)' ;;
  thread) hook='__tsan_(read|write|func_entry)' ;;
esac
hooks=$(nm -u "$probe" 2>/dev/null | grep -cE "$hook" || true)
if ((hooks == 0)); then
  echo "run.sh: $probe carries no $sanitizer instrumentation ($hook); refusing to report a run over uninstrumented code"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "instrumented: $probe calls $hooks $sanitizer hooks" >&2

export SWIFT_BACKTRACE=enable=no
# Reports go to $logs/<asan|tsan>.<pid>; halt_on_error keeps ASan's default (stop at the first
# memory error); ThreadSanitizer goes on after a race so one run lists them all, and still exits
# 66 at the end of any process that had one.
case "$sanitizer" in
  address)
    export ASAN_OPTIONS="log_path=$logs/$short:detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
    export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
    ;;
  thread)
    export TSAN_OPTIONS="log_path=$logs/$short:halt_on_error=0:second_deadlock_stack=1:suppressions=$here/tsan.supp:print_suppressions=0"
    ;;
esac

echo "swift test --sanitize=$sanitizer ${selection[*]:-} …" >&2
status=0
swift test "${swift_flags[@]}" --skip-build ${selection[@]+"${selection[@]}"} >"$logs/test.log" 2>&1 || status=$?

# Swift Testing's summary line: "Test run with N tests in S suites passed|failed after …".
run_line=$(grep -E "Test run with [0-9]+ tests?" "$logs/test.log" | tail -n 1 || true)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$run_line")
failed_tests=$(grep -E "^✘ Test .* failed after" "$logs/test.log" | grep -cv "Test run with" || true)
grep -E "^✘ " "$logs/test.log" | grep -v "Test run with" | head -n 60 || true

# Reports are kept in $scratch/sanitizer-reports (replaced on each run); the first lines of each
# are printed here.
kept="$scratch/sanitizer-reports"
rm -rf "$kept"
mkdir -p "$kept"
reports=0
for file in "$logs/$short".*; do
  [[ -e "$file" ]] || continue
  count=$(grep -cE "^(==[0-9]+==ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer)" "$file" || true)
  ((count > 0)) || continue
  reports=$((reports + count))
  cp "$file" "$kept/"
  echo "--- $kept/${file##*/}: $count report(s), the first 60 lines:"
  sed -n '1,60p' "$file"
done

echo "${run_line:-no Swift Testing summary (the test process did not finish): swift test exited $status}"
echo "sanitizer reports: $reports; swift test exit status: $status; wall time: $(($(date +%s) - start)) s"
if [[ -z "$total" ]]; then
  tail -n 20 "$logs/test.log"
  echo "0 passed, $((reports + 1)) failed"
  exit 1
fi
failed=$((failed_tests + reports))
if ((failed == 0 && status != 0)); then
  # Every test passed and no report was logged, yet swift test failed (e.g. the XCTest pass).
  tail -n 20 "$logs/test.log"
  failed=1
fi
echo "$((total - failed_tests)) passed, $failed failed"
((failed == 0))
