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

venv="$root/.venv-export-interop"
python="${PYTHON:-python3}"
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
pinned() {
  "$venv/bin/python" - "$OPENDP_PIN" >/dev/null 2>&1 <<'PY'
import importlib.metadata as metadata, sys
sys.exit(any(metadata.version(name) != version for name, version in (pin.split("==") for pin in sys.argv[1:])))
PY
}
if ! pinned; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$OPENDP_PIN"
fi

if [[ -n "${VIGIL_BIN:-}" ]]; then
  vigil="$VIGIL_BIN"
else
  if ((build)); then
    swift build -c release --product vigil
  fi
  vigil="$(swift build -c release --show-bin-path)/vigil"
fi

exec "$venv/bin/python" "$root/Tests/interop/export_interop.py" --vigil "$vigil"
