#!/usr/bin/env bash
# HTTP interop check: the Transport HTTP/1.1 server and client against independent peers —
# curl and h11 (a strict Python HTTP/1.1 implementation) as clients of `vigil http-echo`, and
# h11 as the server `vigil http-fetch` talks to (Tests/interop/http_peer.py).
#
# Usage: Tests/interop/run-http-interop.sh [--no-build] [--groups curl,h11-client,h11-server] [-v]
#
#   --no-build   use the release vigil that is already built (CI builds it before calling this)
#   --groups/-v go to http_peer.py; VIGIL_BIN=/path/to/vigil overrides the binary (no build),
#   VIGIL_SCRATCH_PATH=DIR builds into and runs from another scratch path, VIGIL_INTEROP_SEED=N
#   reproduces a run, PYTHON=python3.11 picks the interpreter for the venv.
#
# Creates (or reuses) the venv .venv-http/ in the repository root with h11==0.16.0; installs curl
# with apt-get when it is missing (as root). Ends with the line `N passed, M failed`; exits
# non-zero if anything failed.
set -euo pipefail

H11_PIN="h11==0.16.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
extra=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -v | --verbose) extra+=("$1") ;;
    --groups=*) extra+=("$1") ;;
    --groups)
      (($# >= 2)) || { echo "run-http-interop.sh: --groups needs a value" >&2; exit 2; }
      extra+=("$1" "$2")
      shift
      ;;
    *)
      echo "run-http-interop.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

source "$root/Tests/interop/lib.sh"
interop_apt_install curl curl
interop_venv "$root/.venv-http" "$H11_PIN"
interop_vigil "$build"

exec "$venv_python" "$root/Tests/interop/http_peer.py" --vigil "$vigil" ${extra[@]+"${extra[@]}"}
