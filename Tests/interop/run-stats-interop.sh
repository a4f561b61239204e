#!/usr/bin/env bash
# Stats interop check: the `vigil sketch` CLI against the real Apache DataSketches 5.2.0 (Python).
#
# Usage: Tests/interop/run-stats-interop.sh [--no-build] [--groups hll,hll-merge,cms,fi,kll,cli] [--keep]
#
#   --no-build   use the release vigil that is already built (CI builds it before calling this)
#   --groups/--keep go to stats_interop.py; VIGIL_BIN=/path/to/vigil overrides the binary (no build),
#   VIGIL_INTEROP_SEED=N reproduces a run, PYTHON=python3.11 picks the interpreter for the venv.
#
# Creates (or reuses) the venv .venv-interop/ in the repository root with pinned packages.
# Ends with the line `N passed, M failed`; exits non-zero if anything failed.
set -euo pipefail

DATASKETCHES_PIN="datasketches==5.2.0"
NUMPY_PIN="numpy==2.4.6" # needs Python >= 3.11; works with datasketches 5.2.0's float32 array update

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
extra=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    --keep) extra+=("$1") ;;
    --groups=*) extra+=("$1") ;;
    --groups)
      (($# >= 2)) || { echo "run-stats-interop.sh: --groups needs a value" >&2; exit 2; }
      extra+=("$1" "$2")
      shift
      ;;
    *)
      echo "run-stats-interop.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

source "$root/Tests/interop/lib.sh"
interop_venv "$root/.venv-interop" "$DATASKETCHES_PIN" "$NUMPY_PIN"
interop_vigil "$build"

exec "$venv_python" "$root/Tests/interop/stats_interop.py" --vigil "$vigil" ${extra[@]+"${extra[@]}"}
