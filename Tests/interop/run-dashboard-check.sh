#!/usr/bin/env bash
# Dashboard check in a real browser: Debian's Chromium renders the dashboard page headless, takes a
# screenshot and dumps the DOM it built; the checks below read both. The page is generated from a
# short simulated week (`vigil simulate --scenario mixed` replayed by `vigil dashboard-sample`), or
# fetched live from a running `vigil serve` / `vigil demo` with --url.
#
# Usage: Tests/interop/run-dashboard-check.sh [--no-build] [--url URL | --live-demo] [--scale S] [--min-charts N]
#
#   --no-build      use the release vigil that is already built (CI builds it before calling this)
#   --url URL       check the page at URL (e.g. http://127.0.0.1:8080/) instead of generating one
#   --live-demo     run a short `vigil demo` and check the page its transport process serves while
#                   the traffic flows (fetched with the run's token, then rendered by Chromium)
#   --scale S       size of the simulated week (default 0.05: ~100k events, 30 businesses)
#   --min-charts N  fewest charts that must render (default 9: three businesses, three series each)
#
# VIGIL_BIN=/path/to/vigil overrides the binary (no build), VIGIL_SCRATCH_PATH=DIR builds into and
# runs from another scratch path, CHROMIUM=/path/to/chromium picks the browser. Installs `chromium`
# with apt-get when it is missing (through sudo unless root). Keeps dashboard.png (the screenshot),
# dashboard.html and dashboard.dom.html in ${ARTIFACTS:-.build/artifacts}. Ends with the line
# `N passed, M failed`; exits non-zero if anything failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

build=1
url=""
live_demo=0
scale="0.05"
min_charts=9
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --live-demo) live_demo=1 ;;
    --url | --scale | --min-charts)
      (($# >= 2)) || { echo "run-dashboard-check.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --url) url="$2" ;;
        --scale) scale="$2" ;;
        --min-charts) min_charts="$2" ;;
      esac
      shift
      ;;
    -h | --help)
      sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run-dashboard-check.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
[[ "$min_charts" =~ ^[0-9]+$ ]] || { echo "run-dashboard-check.sh: --min-charts takes an integer" >&2; exit 2; }

source "$root/Tests/interop/lib.sh"
chromium="${CHROMIUM:-chromium}"
if ! command -v "$chromium" >/dev/null 2>&1; then
  interop_apt_install chromium chromium
  chromium=chromium
fi

artifacts="${ARTIFACTS:-.build/artifacts}"
mkdir -p "$artifacts"
artifacts="$(cd "$artifacts" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  if ((failed > 0)); then exit 1; fi
  exit 0
}

page="$artifacts/dashboard.html"
suffix=""
if ((live_demo)); then
  page="$artifacts/dashboard-live.html"
  suffix="-live"
  interop_vigil "$build"
  "$vigil" demo --users 400 --duration 25 --data "$work/demo" >"$work/demo.out" 2>"$work/demo.err" &
  demo_pid=$!
  trap 'kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
  dashboard=""
  for _ in $(seq 1 600); do
    dashboard=$(sed -nE 's/.*dashboard: (http:[^ ]+) .*/\1/p' "$work/demo.err" | head -n 1)
    [[ -n "$dashboard" ]] && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$dashboard" ]]; then
    fail "the demo announced its dashboard"
    tail -n 5 "$work/demo.err" >&2 || true
    finish
  fi
  # Two samples at least (one every 5 s) while the traffic flows.
  sleep 14
  if python3 - "$dashboard" "$work/demo/relay/integrity/token" "$page" 2>"$work/fetch.log" <<'PY'
import base64, sys, urllib.request
url, token_path, out = sys.argv[1:]
token = open(token_path).read().split("\n")[0]
request = urllib.request.Request(url, headers={"Authorization": "Basic " + base64.b64encode(("operator:" + token).encode()).decode()})
body = urllib.request.urlopen(request, timeout=10).read()
open(out, "wb").write(body)
PY
  then
    pass "page fetched from the running demo's transport process at $dashboard ($(wc -c <"$page") bytes)"
  else
    fail "page fetched from the running demo at $dashboard: $(tail -n 1 "$work/fetch.log")"
    finish
  fi
  target="file://$page"
  wait "$demo_pid" && pass "the demo finished with a passing verdict" || fail "the demo's verdict: $(tail -n 1 "$work/demo.err")"
elif [[ -z "$url" ]]; then
  interop_vigil "$build"
  if timeout -s KILL 300 "$vigil" simulate --scenario mixed --seed 1 --scale "$scale" --out "$work/events.jsonl" 2>"$work/simulate.log" \
    && timeout -s KILL 300 "$vigil" dashboard-sample --events "$work/events.jsonl" --out "$page" 2>"$work/sample.log"; then
    pass "page generated: $(tail -n 1 "$work/sample.log")"
  else
    fail "page generated"
    tail -n 5 "$work/simulate.log" "$work/sample.log" >&2 || true
    finish
  fi
  target="file://$page"
else
  # Read whole before writing: URL may be file:// of the artifact itself.
  if python3 -c 'import sys, urllib.request; body = urllib.request.urlopen(sys.argv[1], timeout=10).read(); open(sys.argv[2], "wb").write(body)' \
    "$url" "$page" 2>"$work/fetch.log"; then
    pass "page fetched from $url ($(wc -c <"$page") bytes)"
  else
    fail "page fetched from $url: $(tail -n 1 "$work/fetch.log")"
    finish
  fi
  target="$url"
fi

browser=(timeout -s KILL 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
  --no-default-browser-check --disable-dev-shm-usage --user-data-dir="$work/profile")
screenshot="$artifacts/dashboard$suffix.png"
rm -f "$screenshot"
if "${browser[@]}" --screenshot="$screenshot" --window-size=1400,2000 "$target" >"$work/screenshot.log" 2>&1 && [[ -s "$screenshot" ]]; then
  pass "chromium screenshot ($("$chromium" --version 2>/dev/null | head -n 1)) → $screenshot"
else
  fail "chromium screenshot"
  tail -n 5 "$work/screenshot.log" >&2 || true
fi
dom="$artifacts/dashboard$suffix.dom.html"
if "${browser[@]}" --dump-dom "$target" >"$dom" 2>"$work/dom.log" && [[ -s "$dom" ]]; then
  pass "chromium --dump-dom ($(wc -c <"$dom") bytes)"
else
  fail "chromium --dump-dom"
  tail -n 5 "$work/dom.log" >&2 || true
  finish
fi

# The checks on the page, the DOM Chromium built from it and the screenshot (stdlib only).
checks="$(python3 - "$page" "$dom" "$screenshot" "$min_charts" <<'PY'
import re, struct, sys, zlib
from html.parser import HTMLParser

page_path, dom_path, png_path, min_charts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
SERIES = {"send_rate", "business_initiated", "feedback"}
VISIBILITY = ["Message content", "Consumer phone number", "Non-identifiable statistics",
              "Integrity signals per business", "Business information", "Billing per business"]

def report(ok, name):
    print(("PASS " if ok else "FAIL ") + name)

class Dom(HTMLParser):
    """The elements the checks look at, with the section and chart each sits in."""
    def __init__(self):
        super().__init__()
        self.sections, self.section = {}, None
        self.charts, self.chart = [], None
        self.timelines, self.timeline = [], None
        self.visibility_rows, self.business_rows, self.alerts, self.empty_notes = [], 0, 0, set()
        self.scripts, self.external = 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "section" and a.get("id"):
            self.section = a["id"]
            self.sections[self.section] = 0
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            if a.get(name) and re.match(r"^(https?:)?//", a[name]):
                self.external.append(f"{tag} {name}={a[name]}")
        if tag == "link":
            self.external.append("link")
        if tag == "svg" and "chart" in classes:
            self.chart = {"business": a.get("data-business"), "series": a.get("data-series"), "lines": []}
            self.charts.append(self.chart)
        if tag == "svg" and "timeline" in classes:
            self.timeline = {"business": a.get("data-business"), "bands": set()}
            self.timelines.append(self.timeline)
        if tag == "polyline" and self.chart is not None:
            self.chart["lines"].append(len((a.get("points") or "").split()))
        if tag == "rect" and "band" in classes and self.timeline is not None:
            self.timeline["bands"].add(a.get("data-row"))
        if tag == "tr" and "visibility-row" in classes:
            self.visibility_rows.append(a.get("data-row"))
        if tag == "tr" and "business-row" in classes:
            self.business_rows += 1
        if tag == "li" and "alert" in classes:
            self.alerts += 1
        if tag == "p" and "empty" in classes and self.section:
            self.empty_notes.add(self.section)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)
    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = self.timeline = None
        if tag == "section":
            self.section = None

dom = Dom()
dom.feed(open(dom_path, encoding="utf-8", errors="replace").read())
raw = Dom()
raw.feed(open(page_path, encoding="utf-8", errors="replace").read())

drawn = [c for c in dom.charts if any(points >= 2 for points in c["lines"])]
report(len(drawn) >= min_charts,
       f"charts rendered: {len(drawn)} of {len(dom.charts)} svg.chart have a polyline of ≥ 2 points (need ≥ {min_charts})")
by_business = {}
for chart in dom.charts:
    by_business.setdefault(chart["business"], set()).add(chart["series"])
complete = [b for b, series in by_business.items() if series == SERIES]
report(by_business and len(complete) == len(by_business),
       f"every charted business has {'/'.join(sorted(SERIES))}: {len(complete)} of {len(by_business)}")
banded = [t for t in dom.timelines if t["bands"] >= {"quality", "status", "tier"}]
report(len(dom.timelines) == len(by_business) and len(banded) == len(dom.timelines),
       f"quality/status/tier timelines: {len(banded)} with all three rows, {len(dom.timelines)} for {len(by_business)} businesses")
report("overview" in dom.sections and dom.business_rows >= 1, f"overview table: {dom.business_rows} business rows")
report("alerts" in dom.sections and (dom.alerts > 0 or "alerts" in dom.empty_notes),
       f"alerts section: {dom.alerts} alerts" + (" (the empty state)" if dom.alerts == 0 else ""))
report(dom.visibility_rows == VISIBILITY, f"visibility table: {len(dom.visibility_rows)} rows {dom.visibility_rows}")
report("export-preview" in dom.sections, "export preview section")
report(raw.scripts == 0 and not raw.external and dom.scripts == 0 and not dom.external,
       f"self-contained: {raw.scripts} scripts, external references {raw.external + dom.external}")

def decode_png(path):
    """Width, height and RGB(A) rows of a non-interlaced 8-bit PNG (what Chromium writes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace != 0 or colour not in (2, 6):
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, cur = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                cur[i] = (cur[i] + cur[i - bpp]) & 255
        elif kind == 2:
            cur = bytearray((x + p) & 255 for x, p in zip(cur, prev))
        elif kind == 3:
            for i in range(stride):
                cur[i] = (cur[i] + (((cur[i - bpp] if i >= bpp else 0) + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(cur))
        prev = cur
    return width, height, bpp, rows

try:
    size = len(open(png_path, "rb").read())
    width, height, bpp, rows = decode_png(png_path)
    # GREEN is the rating chips' and the timeline bands' colour; the purple of the 1-hour send rate
    # is drawn by the charts only.
    colours, band_green, line_purple = set(), 0, 0
    for row in rows:
        for x in range(0, len(row), bpp):
            r, g, b = row[x], row[x + 1], row[x + 2]
            colours.add((r, g, b))
            if (r, g, b) == (0x2E, 0x7D, 0x32):
                band_green += 1
            if abs(r - 0x8E) + abs(g - 0x24) + abs(b - 0xAA) < 60:
                line_purple += 1
    report(size > 50_000 and (width, height) == (1400, 2000),
           f"screenshot: {size} bytes, {width}×{height}, {len(colours)} distinct colours")
    report(len(colours) >= 64 and band_green >= 1000 and line_purple >= 100,
           f"screenshot painted: {band_green} px of the GREEN chip/band colour, {line_purple} px near the send-rate line's purple")
except (OSError, ValueError, struct.error, zlib.error, TypeError) as error:
    report(False, f"screenshot decoded: {error}")
PY
)" || true
echo "$checks"
passed=$((passed + $(grep -c '^PASS' <<<"$checks" || true)))
failed=$((failed + $(grep -c '^FAIL' <<<"$checks" || true)))
if ! grep -q '^PASS\|^FAIL' <<<"$checks"; then fail "the DOM and screenshot checks ran"; fi
finish
