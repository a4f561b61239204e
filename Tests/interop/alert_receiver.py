#!/usr/bin/env python3
"""Webhook receiver, alert fixtures and checks for run-alertmanager-interop.sh (stdlib only).

  serve --port P --out FILE         record every POST as {"path":…,"body":…} on a line of FILE
  make-alerts --firing F --resolved F2
                                    write Vigil alert lines (Alert.jsonLine's format) stamped with
                                    the wall clock: four firing alerts in three groups, then the
                                    resolution of two of them
  check NAME [options]              one check; exit 0 if it holds, else 1 with the reason on stderr
"""

import argparse
import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

A = "+14155550101"
B = "+14155550102"

# (alertname, business, severity, extra labels, summary, value) — A1 and A2 share a group.
FIXTURE = [
    ("MassMessaging", A, "critical", {"signal": "reach"}, "2 000 users reached in 24 h, 8× the tier's limit", 2000),
    ("MassMessaging", A, "critical", {"signal": "cold"}, "94 % of recipients never wrote to the business", 0.94),
    ("MassMessaging", B, "warning", {"signal": "reach"}, "reach doubled in an hour", 512.5),
    ("ReportSpike", A, "critical", {}, 'reports "spiked": 12× baseline\nsee runbook \\ integrity', 12),
]
RESOLVED = [0, 2]  # A1 and the only alert of B's group resolve


def fnv1a(labels, name_separator):
    h = 0xCBF29CE484222325
    for name in sorted(labels):
        for byte in name.encode() + bytes([name_separator]) + labels[name].encode() + b"\xff":
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def labels_of(entry):
    name, business, severity, extra, _, _ = entry
    return {**extra, "alertname": name, "business": business, "severity": severity}


def am_fingerprint(labels):
    """Prometheus' LabelSet.Fingerprint: FNV-1a 64, 0xFF after each name and value."""
    return fnv1a(labels, 0xFF)


def vigil_line(entry, status, t, starts_at, ends_at):
    name, business, severity, extra, summary, value = entry
    return json.dumps({
        "t": t, "status": status, "alertname": name, "business": business, "severity": severity,
        "summary": summary, "value": value, "fingerprint": am_fingerprint(labels_of(entry)),
        "starts_at": starts_at, "ends_at": ends_at, "labels": dict(sorted(extra.items())),
    }, ensure_ascii=False, separators=(",", ":"))


def make_alerts(args):
    now = int(time.time() * 1000)
    start = now - 90_000 + 123  # a millisecond part, so both time formats show
    with open(args.firing, "w", encoding="utf-8") as out:
        for entry in FIXTURE:
            out.write(vigil_line(entry, "firing", start, start, None) + "\n")
    with open(args.resolved, "w", encoding="utf-8") as out:
        for index in RESOLVED:
            out.write(vigil_line(FIXTURE[index], "resolved", now - 1000, start, now - 1000) + "\n")


def serve(args):
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                payload = json.loads(body)
            except ValueError:
                payload = {"unparsed": body.decode("utf-8", "replace")}
            with lock, open(args.out, "a", encoding="utf-8") as out:
                out.write(json.dumps({"path": self.path, "body": payload}) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


# ---- checks -------------------------------------------------------------------------------


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def received(path_file, path):
    try:
        with open(path_file, encoding="utf-8") as lines:
            return [entry["body"] for entry in map(json.loads, lines) if entry["path"] == path]
    except FileNotFoundError:
        return []


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise Failure(f"timed out after {seconds} s waiting for {what}")


def firing_alerts(url):
    return [a for a in get_json(url + "/api/v2/alerts") if a["status"]["state"] == "active"]


def check_am_alerts(args):
    """GET /api/v2/alerts lists exactly the expected alerts, labels and annotations intact."""
    expected = {am_fingerprint(labels_of(FIXTURE[i])): FIXTURE[i] for i in args.indices}
    alerts = firing_alerts(args.alertmanager)
    got = {a["fingerprint"]: a for a in alerts}
    expect(set(got) == set(expected), f"fingerprints {sorted(got)} != expected {sorted(expected)}")
    for fingerprint, entry in expected.items():
        alert = got[fingerprint]
        expect(alert["labels"] == labels_of(entry), f"labels {alert['labels']} != {labels_of(entry)}")
        expect(alert["annotations"]["summary"] == entry[4], f"summary {alert['annotations']['summary']!r}")
        expect(float(alert["annotations"]["value"]) == float(entry[5]), f"value {alert['annotations']['value']!r}")
        expect(alert["startsAt"].endswith("Z") and len(alert["startsAt"]) == 24, f"startsAt {alert['startsAt']}")


def check_am_groups(args):
    """GET /api/v2/alerts/groups: one group per (alertname, business) with the right members."""
    groups = get_json(args.alertmanager + "/api/v2/alerts/groups")
    got = {}
    for group in groups:
        members = sorted(a["fingerprint"] for a in group["alerts"] if a["status"]["state"] == "active")
        if members:
            got[(group["labels"]["alertname"], group["labels"]["business"])] = (members, group["labels"], group["receiver"]["name"])
    want = {}
    for i in args.indices:
        entry = FIXTURE[i]
        want.setdefault((entry[0], entry[1]), []).append(am_fingerprint(labels_of(entry)))
    expect(set(got) == set(want), f"groups {sorted(got)} != {sorted(want)}")
    for key, fingerprints in want.items():
        members, labels, receiver = got[key]
        expect(members == sorted(fingerprints), f"group {key} holds {members}, expected {sorted(fingerprints)}")
        expect(labels == {"alertname": key[0], "business": key[1]}, f"group labels {labels}")
        expect(receiver == "vigil", f"receiver {receiver}")


def group_key(alertname, business):
    return '{}:{alertname="%s", business="%s"}' % (alertname, business)


def latest_by_group(payloads):
    latest = {}
    for payload in payloads:
        latest[payload.get("groupKey")] = payload
    return latest


def check_am_webhooks(args):
    """Alertmanager's notifications reached the receiver: payload version 4, one per group."""
    groups = {group_key(e[0], e[1]) for e in FIXTURE}
    latest = wait_for(lambda: (lambda l: l if groups <= set(l) else None)(latest_by_group(received(args.received, "/am"))),
                      args.wait, "a notification for every group")
    for key in groups:
        payload = latest[key]
        expect(payload["version"] == "4", f"version {payload['version']}")
        expect(payload["status"] == "firing", f"status {payload['status']} for {key}")
        expect(payload["truncatedAlerts"] == 0, "truncatedAlerts")
        expect(payload["receiver"] == "vigil", f"receiver {payload['receiver']}")
        members = [e for e in FIXTURE if group_key(e[0], e[1]) == key]
        expect(len(payload["alerts"]) == len(members), f"{key}: {len(payload['alerts'])} alerts, expected {len(members)}")
        expect(payload["groupLabels"] == {"alertname": members[0][0], "business": members[0][1]}, f"groupLabels {payload['groupLabels']}")


def check_same_payloads(args):
    """Vigil's webhook payloads equal Alertmanager's for the same alerts: keys, labels, order, values."""
    am = latest_by_group(received(args.received, "/am"))
    vigil = wait_for(lambda: (lambda l: l if set(am) <= set(l) else None)(latest_by_group(received(args.received, args.vigil_path))),
                     args.wait, "Vigil's webhook payloads")
    expect(set(vigil) == set(am), f"group keys {sorted(vigil)} != Alertmanager's {sorted(am)}")
    for key, theirs in am.items():
        ours = vigil[key]
        expect(list(ours) == list(theirs), f"{key}: top-level keys {list(ours)} != {list(theirs)}")
        for mine, other in zip(ours["alerts"], theirs["alerts"]):
            expect(list(mine) == list(other), f"{key}: alert keys {list(mine)} != {list(other)}")
        if args.keys_only:
            continue
        for field in theirs:
            expect(ours[field] == theirs[field], f"{key}: {field} differs:\n  vigil        {json.dumps(ours[field])}\n  alertmanager {json.dumps(theirs[field])}")


def check_resolved(args):
    """After the resolutions: Alertmanager lists only the alerts still firing and notifies the
    resolution (a resolved group says "resolved", a mixed one lists the resolved alert)."""
    wait_for(lambda: len(firing_alerts(args.alertmanager)) == len(FIXTURE) - len(RESOLVED), args.wait, "resolved alerts to leave /api/v2/alerts")
    resolved_fingerprints = {am_fingerprint(labels_of(FIXTURE[i])) for i in RESOLVED}

    def notified():
        latest = latest_by_group(received(args.received, "/am"))
        statuses = {a["fingerprint"]: a["status"] for p in latest.values() for a in p["alerts"]}
        return latest if all(statuses.get(f) == "resolved" for f in resolved_fingerprints) else None

    latest = wait_for(notified, args.wait, "resolved notifications")
    only_b = latest[group_key("MassMessaging", B)]
    expect(only_b["status"] == "resolved", f"B's group status {only_b['status']}")
    expect(only_b["alerts"][0]["endsAt"] != "0001-01-01T00:00:00Z", "resolved alert without endsAt")
    mixed = latest[group_key("MassMessaging", A)]
    expect(mixed["status"] == "firing", f"A's MassMessaging group status {mixed['status']} (A2 still fires)")
    expect(sorted(a["status"] for a in mixed["alerts"]) == ["firing", "resolved"], f"A's alerts {[a['status'] for a in mixed['alerts']]}")


def check_metrics_bounded(args):
    """The exposition has a bounded number of series and no phone number anywhere."""
    text = open(args.metrics, encoding="utf-8").read()
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    expect(0 < len(samples) <= args.max_series, f"{len(samples)} series")
    with open(args.events, encoding="utf-8") as events:
        numbers = {json.loads(line)["business"] for line in events}
    leaked = [n for n in numbers if n in text or n.lstrip("+") in text]
    expect(not leaked, f"business numbers in the exposition: {leaked[:3]}")
    expect("vigil_integrity_alerts_firing{" in text, "no firing alert series")


CHECKS = {
    "am-alerts": check_am_alerts, "am-groups": check_am_groups, "am-webhooks": check_am_webhooks,
    "same-payloads": check_same_payloads, "resolved": check_resolved, "metrics-bounded": check_metrics_bounded,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve")
    serve_parser.add_argument("--port", type=int, required=True)
    serve_parser.add_argument("--out", required=True)
    make = commands.add_parser("make-alerts")
    make.add_argument("--firing", required=True)
    make.add_argument("--resolved", required=True)
    check = commands.add_parser("check")
    check.add_argument("name", choices=sorted(CHECKS))
    check.add_argument("--alertmanager")
    check.add_argument("--received")
    check.add_argument("--vigil-path", default="/vigil")
    check.add_argument("--indices", type=lambda s: [int(i) for i in s.split(",")], default=list(range(len(FIXTURE))))
    check.add_argument("--keys-only", action="store_true")
    check.add_argument("--wait", type=float, default=15)
    check.add_argument("--metrics")
    check.add_argument("--events")
    check.add_argument("--max-series", type=int, default=200)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
    elif args.command == "make-alerts":
        make_alerts(args)
    else:
        try:
            CHECKS[args.name](args)
        except Failure as failure:
            print(f"  {failure}", file=sys.stderr)
            sys.exit(1)
        except (OSError, ValueError, KeyError) as error:
            print(f"  {type(error).__name__}: {error}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
