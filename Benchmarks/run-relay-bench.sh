#!/usr/bin/env bash
# The relay benchmark with its reference: installs redis-server (Debian package) when it is
# missing, builds `vigil` in release mode, and runs `vigil bench relay` (relay durable, relay with
# the queue off, and Redis pub/sub, all in the same run). Arguments go to the command; without
# any, it runs `--rounds 3` (every system three times in turn, medians reported), e.g.
#   Benchmarks/run-relay-bench.sh --pairs 32 --seconds 10 --json
# SCRATCH overrides the build directory (default .build-bench). NICE=-10 (as root) runs the
# benchmark, and the redis-server it starts, at that priority, to damp other load on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-bench}

if ! command -v redis-server >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""
        if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
        echo "installing redis-server with apt-get …" >&2
        log=$(mktemp)
        if $sudo apt-get update -qq >"$log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >>"$log" 2>&1; then
            echo "redis-server installed: $(redis-server --version)" >&2
        else
            echo "note: apt-get could not install redis-server (last lines of its log below);" \
                "the Redis reference run will be skipped" >&2
            tail -n 5 "$log" >&2 || true
        fi
        rm -f "$log"
    else
        echo "note: apt-get is not available; install redis-server yourself (or pass" \
            "--redis-server PATH), otherwise the Redis reference run is skipped" >&2
    fi
fi

echo "building vigil (release, $scratch) …" >&2
swift build -c release --scratch-path "$scratch" --product vigil >&2

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
if [ "$#" -eq 0 ]; then set -- --rounds 3; fi
if [ -n "${NICE:-}" ]; then
    exec nice -n "$NICE" "$scratch/release/vigil" bench relay "$@"
fi
exec "$scratch/release/vigil" bench relay "$@"
