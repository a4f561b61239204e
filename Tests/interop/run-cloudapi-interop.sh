#!/usr/bin/env bash
# Cloud API interop check: pywa 4.5.0 (Meta's WhatsApp Cloud API client, unmodified) against
# `vigil cloudapi`, with a real `vigil relay` and a user's phone (`vigil send` / `vigil listen`):
# text and template sends decrypted by the phone, the phone's messages as signed webhooks that
# pywa's validator accepts and pywa's handler parses into typed messages, statuses, pywa's typed
# errors (190 bad token, 131048 spam rate limit via the relay's test-only --deny-business policy,
# 131056, 368, 131047, 131026), and precise Graph errors for bad input (Tests/interop/cloudapi_peer.py).
#
# Usage: Tests/interop/run-cloudapi-interop.sh [--no-build] [-v] [--keep] [--dump FILE]
#
#   --no-build   use the release vigil that is already built (CI builds it before calling this)
#   -v/--keep/--dump go to cloudapi_peer.py. The binary is .build/release/vigil;
#   VIGIL_BIN=/path/to/vigil overrides it (no build), VIGIL_SCRATCH_PATH=DIR builds into and runs
#   from another scratch path, PYTHON=python3.11 picks the interpreter for the venv.
#
# Creates (or reuses) the venv .venv-cloudapi/ in the repository root with pywa==4.5.0 (its
# dependencies resolved by pip). Ends with the line `N passed, M failed`; exits non-zero if
# anything failed. Takes about 5 seconds once vigil is built.
set -euo pipefail

PYWA_PIN="pywa==4.5.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
extra=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -v | --verbose | --keep) extra+=("$1") ;;
    --dump=*) extra+=("$1") ;;
    --dump)
      (($# >= 2)) || { echo "run-cloudapi-interop.sh: --dump needs a value" >&2; exit 2; }
      extra+=("$1" "$2")
      shift
      ;;
    *)
      echo "run-cloudapi-interop.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

source "$root/Tests/interop/lib.sh"
interop_venv "$root/.venv-cloudapi" "$PYWA_PIN"
interop_vigil "$build"

exec "$venv_python" "$root/Tests/interop/cloudapi_peer.py" --vigil "$vigil" ${extra[@]+"${extra[@]}"}
