#!/usr/bin/env bash
# Alertmanager interop check: Vigil's alerts posted to a real Prometheus Alertmanager (Debian's
# prometheus-alertmanager 0.25) with `vigil alert-post`, which must accept, group and notify them;
# Vigil's own webhook payloads (version 4) compared with the ones that Alertmanager sends for the
# same alerts; resolutions; and `promtool check metrics` on Vigil's /metrics exposition.
#
# Usage: Tests/interop/run-alertmanager-interop.sh [--no-build]
#
#   --no-build   use the release vigil that is already built (CI builds it before calling this)
#   VIGIL_BIN=/path/to/vigil overrides the binary (no build); VIGIL_SCRATCH_PATH=DIR builds into
#   and runs from another scratch path.
#
# Installs prometheus-alertmanager and prometheus (for promtool) with apt-get when they are
# missing. Starts Alertmanager and a Python webhook receiver (Tests/interop/alert_receiver.py) on
# 127.0.0.1 and stops them on exit. Prints PASS/FAIL per check and ends with the line
# `N passed, M failed`; exits non-zero if anything failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run-alertmanager-interop.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

source "$root/Tests/interop/lib.sh"
interop_apt_install prometheus-alertmanager prometheus-alertmanager prometheus
interop_apt_install promtool prometheus
interop_vigil "$build"

python="${PYTHON:-python3}"
helper="$root/Tests/interop/alert_receiver.py"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
am_port="$(free_port)"
receiver_port="$(free_port)"
am="http://127.0.0.1:$am_port"
receiver="http://127.0.0.1:$receiver_port"

passed=0
failed=0
# check NAME COMMAND…: runs COMMAND (each is bounded in time), prints PASS or FAIL with its output.
check() {
  local name="$1"
  shift
  local output
  if output="$("$@" 2>&1)"; then
    echo "PASS  $name"
    passed=$((passed + 1))
  else
    echo "FAIL  $name"
    [[ -n "$output" ]] && printf '%s\n' "$output" | sed 's/^/      /'
    failed=$((failed + 1))
  fi
}
helper_check() { "$python" "$helper" check "$@" --alertmanager "$am" --received "$work/received.jsonl"; }

# vigil_post EXPECTED ARGS…: runs `vigil alert-post ARGS…` and checks its summary says EXPECTED delivered.
vigil_post() {
  local expected="$1"
  shift
  local summary
  summary="$("$vigil" alert-post "$@" --deadline 20)" || { echo "vigil alert-post failed: $summary"; return 1; }
  "$python" -c 'import json, sys; s = json.loads(sys.argv[1]); sys.exit(0 if s["delivered"] == int(sys.argv[2]) == s["alerts"] and s["rejected"] == 0 else f"summary {s}")' \
    "$summary" "$expected"
}

cat >"$work/alertmanager.yml" <<EOF
route:
  receiver: vigil
  group_by: [alertname, business]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: vigil
    webhook_configs:
      - url: $receiver/am
        send_resolved: true
EOF

"$python" "$helper" serve --port "$receiver_port" --out "$work/received.jsonl" &
pids+=($!)
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/data" \
  --web.listen-address="127.0.0.1:$am_port" --web.external-url="$am" --cluster.listen-address= \
  --log.level=warn >"$work/alertmanager.log" 2>&1 &
pids+=($!)

wait_ready() {
  for _ in $(seq 1 100); do
    if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$am/-/ready" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  cat "$work/alertmanager.log"
  return 1
}
check "alertmanager $(prometheus-alertmanager --version 2>&1 | sed -n '1s/.*version \([^ ]*\).*/\1/p') ready on 127.0.0.1:$am_port" wait_ready

"$python" "$helper" make-alerts --firing "$work/firing.jsonl" --resolved "$work/resolved.jsonl"
check "vigil alert-post --alertmanager: 4 alerts delivered to /api/v2/alerts" \
  vigil_post 4 --alertmanager "$am" --alerts "$work/firing.jsonl"
check "GET /api/v2/alerts: the 4 alerts with their labels, annotations and Alertmanager's fingerprints" helper_check am-alerts
check "GET /api/v2/alerts/groups: grouped by alertname and business (3 groups, 2+1+1)" helper_check am-groups
check "Alertmanager notified the receiver: webhook version 4, one payload per group" helper_check am-webhooks
check "vigil alert-post --webhook: Vigil's own version-4 payloads to the receiver" \
  vigil_post 4 --webhook "$receiver/vigil" --alerts "$work/firing.jsonl" --receiver vigil --external-url "$am"
check "Vigil's payloads have Alertmanager's keys, in its order (top level and per alert)" helper_check same-payloads --keys-only
check "Vigil's payloads equal Alertmanager's field by field (groupKey, labels, fingerprints, times)" helper_check same-payloads

check "vigil alert-post --alertmanager: 2 resolutions delivered" \
  vigil_post 2 --alertmanager "$am" --alerts "$work/resolved.jsonl"
check "resolved alerts leave /api/v2/alerts and are notified as resolved" helper_check resolved
cat "$work/firing.jsonl" "$work/resolved.jsonl" >"$work/all.jsonl"
check "vigil alert-post --webhook: firing and resolved transitions (6 lines, the latest per alert in each payload)" \
  vigil_post 6 --webhook "$receiver/vigil-resolved" --alerts "$work/all.jsonl" --receiver vigil --external-url "$am"
check "after the resolutions Vigil's payloads equal Alertmanager's field by field" \
  helper_check same-payloads --vigil-path /vigil-resolved

malformed() {
  printf '{"t":1}\n' >"$work/bad.jsonl"
  local status=0 message
  message="$("$vigil" alert-post --alertmanager "$am" --alerts "$work/bad.jsonl" 2>&1)" || status=$?
  [[ $status -eq 2 && "$message" == *"bad.jsonl:1: column"* ]] || { echo "status $status: $message"; return 1; }
}
check "vigil alert-post refuses a malformed alert line with its line and column (exit 2)" malformed

"$vigil" simulate --scenario mixed --scale 0.02 --seed 3 --out "$work/events.jsonl" 2>/dev/null
"$vigil" metrics-sample --events "$work/events.jsonl" --alerts "$work/all.jsonl" >"$work/metrics.txt" 2>/dev/null
check "promtool check metrics: vigil metrics-sample after a simulated week (mixed, scale 0.02) is clean" \
  bash -c 'promtool check metrics <"$1"' _ "$work/metrics.txt"
check "/metrics is bounded: ≤ 200 series, no business number, firing alerts by name and severity" \
  "$python" "$helper" check metrics-bounded --metrics "$work/metrics.txt" --events "$work/events.jsonl"

echo "$passed passed, $failed failed"
((failed == 0))
