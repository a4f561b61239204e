#!/usr/bin/env bash
# Crash-safety harness (issue 9): SIGKILLs `vigil serve` and `vigil cloudapi` at random moments
# under load (report intake, relay queueing, analyzer snapshots; Cloud API store writes and
# webhook delivery), restarts them and checks that every acknowledged report, envelope and message
# is there exactly once and nothing damaged is served; cuts the tail off a real WAL; damages
# database files and checks that start-up refuses them with a clear error (Tests/faults/README.md).
#
# Usage: Tests/faults/run-faults.sh [--trials N] [--no-build] [--seed S] [--only serve|cloudapi] [--keep] [-v]
#
#   --trials N   SIGKILL trials per command (default 100; CI runs 10)
#   --no-build   use the release vigil that is already built (CI builds it before calling this)
#   The binary is .build/release/vigil; VIGIL_BIN=/path/to/vigil overrides it (no build).
#
# Needs only python3 (standard library). Ends with the line `N passed, M failed`; exits non-zero
# if anything failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
trials=100
extra=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --trials)
      (($# >= 2)) || { echo "run-faults.sh: --trials needs a value" >&2; exit 2; }
      trials=$2
      shift
      ;;
    --seed | --only)
      (($# >= 2)) || { echo "run-faults.sh: $1 needs a value" >&2; exit 2; }
      extra+=("$1" "$2")
      shift
      ;;
    --keep | -v | --verbose) extra+=("$1") ;;
    -h | --help)
      sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run-faults.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
[[ "$trials" =~ ^[1-9][0-9]*$ ]] || { echo "run-faults.sh: --trials must be a positive integer" >&2; exit 2; }

source "$root/Tests/interop/lib.sh"
interop_vigil "$build"

exec "${PYTHON:-python3}" "$root/Tests/faults/faults.py" --vigil "$vigil" --trials "$trials" ${extra[@]+"${extra[@]}"}
