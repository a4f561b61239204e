# Shared by the scripts under Tests/: the pinned Python venv and the vigil binary. Source it after
# setting `root` (the repository root); it defines functions only.
#
#   interop_venv DIR PIN...   creates DIR (a venv, with $PYTHON or python3) if it is missing or
#                             broken, and pip-installs the PINs ("name==version") unless every one
#                             is already installed at exactly that version; sets `venv_python`.
#   interop_vigil BUILD       sets `vigil`: $VIGIL_BIN if set (never built); otherwise the release
#                             binary of the default scratch path or of $VIGIL_SCRATCH_PATH, built
#                             first when BUILD is 1.

interop_venv() {
  local dir=$1
  shift
  if ! "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$dir"
    "${PYTHON:-python3}" -m venv "$dir"
  fi
  venv_python="$dir/bin/python"
  if (($#)) && ! "$venv_python" - "$@" >/dev/null 2>&1 <<'PY'
import importlib.metadata as metadata, sys
for pin in sys.argv[1:]:
    name, version = pin.split("==")
    if metadata.version(name) != version:
        sys.exit(1)
PY
  then
    "$venv_python" -m pip install --quiet --disable-pip-version-check "$@"
  fi
}

interop_vigil() {
  local build=$1
  if [[ -n "${VIGIL_BIN:-}" ]]; then
    vigil="$VIGIL_BIN"
    return
  fi
  local scratch=()
  if [[ -n "${VIGIL_SCRATCH_PATH:-}" ]]; then scratch=(--scratch-path "$VIGIL_SCRATCH_PATH"); fi
  if ((build)); then swift build -c release --product vigil ${scratch[@]+"${scratch[@]}"}; fi
  vigil="$(swift build -c release --show-bin-path ${scratch[@]+"${scratch[@]}"})/vigil"
}

#   interop_apt_install NAME PACKAGE...   installs the Debian PACKAGEs with apt-get (through sudo
#                             unless root) when the command NAME is missing; exits 2 with a clear
#                             message when that is not possible.
interop_apt_install() {
  local command=$1
  shift
  command -v "$command" >/dev/null 2>&1 && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "$(basename "$0"): $command is missing; install $* as root (apt-get install -y $*)" >&2
      exit 2
    fi
    sudo=(sudo)
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$(basename "$0"): $command is missing and apt-get is not available (Debian packages: $*)" >&2
    exit 2
  fi
  echo "installing $* with apt-get…" >&2
  ${sudo[@]+"${sudo[@]}"} apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive ${sudo[@]+"${sudo[@]}"} apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
