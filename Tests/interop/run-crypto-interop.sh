#!/usr/bin/env bash
# Crypto interop check: vigil's primitives and protocol against Python `cryptography` and the
# independent Python protocol peer (Tests/interop/signal_peer.py).
#
# Usage: Tests/interop/run-crypto-interop.sh [--no-build] [--python-only] [--seed N]
#
#   --no-build     use the release vigil that is already built (CI builds it before calling this)
#   --python-only  only Python<->Python and the harness self-check (no build, no vigil)
#   other options go to crypto_interop.py; VIGIL_BIN=/path/to/vigil overrides the binary,
#   VIGIL_INTEROP_SEED=N reproduces a run, PYTHON=python3.11 picks the interpreter for the venv.
#
# Creates (or reuses) the venv .venv-crypto/ in the repository root with cryptography==50.0.2.
# Ends with the line `N passed, M failed`; exits non-zero if anything failed.
set -euo pipefail

CRYPTOGRAPHY_PIN="cryptography==50.0.2"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
python_only=0
extra=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --python-only) python_only=1 ;;
    -h | --help)
      sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) extra+=("$1") ;;
  esac
  shift
done

source "$root/Tests/interop/lib.sh"
interop_venv "$root/.venv-crypto" "$CRYPTOGRAPHY_PIN"

harness=("$venv_python" "$root/Tests/interop/crypto_interop.py")
if ((python_only)); then
  exec "${harness[@]}" --python-only ${extra[@]+"${extra[@]}"}
fi

interop_vigil "$build"

exec "${harness[@]}" --vigil "$vigil" ${extra[@]+"${extra[@]}"}
