#!/usr/bin/env bash
# Export interop check: vigil's discrete Laplace calibration and samples against OpenDP 0.16.0.
#
# Usage: Tests/interop/run-export-interop.sh [--no-build]
#
#   --no-build   use the release vigil that is already built (CI builds it before calling this)
#   VIGIL_BIN=/path/to/vigil overrides the binary (no build), PYTHON=python3.11 picks the
#   interpreter for the venv, VIGIL_INTEROP_SEED=N reproduces a run.
#
# Creates (or reuses) the venv .venv-export-interop/ in the repository root with opendp pinned.
# Ends with the line `N passed, M failed`; exits non-zero if anything failed.
set -euo pipefail

OPENDP_PIN="opendp==0.16.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run-export-interop.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

source "$root/Tests/interop/lib.sh"
interop_venv "$root/.venv-export-interop" "$OPENDP_PIN"
interop_vigil "$build"

exec "$venv_python" "$root/Tests/interop/export_interop.py" --vigil "$vigil"
