"""SIGKILL trials against `vigil serve`: report intake, relay queueing and analyzer snapshots.

Load per trial (the phase rotates): `reports` — batches of spam reports with proof of contact on
POST /v1/reports; `envelopes` — four senders queueing envelopes for one offline recipient through
the relay; `snapshot` — both at once with the analyzer snapshotted every second. The process is
SIGKILLed after a random delay, restarted, and checked:

* reports: every report answered 202-accepted is refused as `duplicate` when sent again (it is
  there), each one in flight at the kill is either there or accepted now, the report log holds
  exactly as many rows as distinct reports were accepted (none twice), and the recovered analyzer
  (snapshot + log replay) counts each business's accepted reports exactly once;
* envelopes: sends in flight at the kill are repeated with the same client message id; the
  recipient then drains its queue — every acknowledged envelope arrives with its id and its exact
  bytes (SHA-256 inside the payload), every payload under one envelope id only (a redelivery of an
  id the recipient already had is allowed by the protocol; a second id for one payload is not);
* restart time: spawn until `/healthz` answers 200.
"""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import threading
import time

from harness import Process, progress, request, wait_until_answers
from relay_wire import CATEGORY_UTILITY, KIND_BUSINESS, RelayClient, RelayError

BUSINESSES = [f"+1415555{n:04d}" for n in range(101, 105)]
SENDERS = [f"+4477001{n:05d}" for n in range(1, 5)]
RECIPIENT = "+447700200001"
PHASES = ("reports", "envelopes", "snapshot")


def reporter(index):
    return f"+4477003{index:05d}"


def payload(marker, rng):
    """Bytes that carry `marker` and their own SHA-256, so damage or truncation is visible."""
    body = marker.encode() + b"|" + rng.randbytes(rng.randrange(64, 1024))
    return hashlib.sha256(body).digest() + body


def decode_payload(data):
    """The marker of an intact payload, or None if its hash does not match."""
    digest, body = data[:32], data[32:]
    if hashlib.sha256(body).digest() != digest:
        return None
    return body.split(b"|", 1)[0].decode()


class ServeFaults:
    def __init__(self, vigil, workdir, results, trials, rng, keep_wal):
        self.vigil = vigil
        self.dir = workdir
        self.data = os.path.join(workdir, "serve")
        self.r = results
        self.trials = trials
        self.rng = rng
        self.keep_wal = keep_wal  # callback(relay.sqlite path) after each kill, for the torn-write check
        self.tokens = {}
        self.process = None
        # reports
        self.pairs = []  # (reporter, business) with proof of contact, not yet used
        self.accepted_reports = set()
        self.report_inflight = set()
        self.report_acked_trial = set()
        # envelopes
        self.sends = {}  # marker -> (sender, message id, payload)
        self.acked_envelopes = {}  # marker -> envelope id
        self.inflight_sends = set()
        self.delivered = {}  # envelope id -> marker
        self.delivered_markers = {}  # marker -> envelope id
        self.redeliveries = 0
        self.next_message_id = {s: 1 for s in SENDERS}
        # figures
        self.restarts = []
        self.kills = {phase: 0 for phase in PHASES}
        self.verified_reports = 0
        self.verified_envelopes = 0

    # -- process -------------------------------------------------------------------------------

    def start(self, timed):
        argv = [self.vigil, "serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", self.data,
                "--rules", os.path.join(self.dir, "serve-rules.json"), "--business", ",".join(BUSINESSES),
                "--status-interval", "0", "--snapshot-seconds", "1",
                # The server keeps only the token's digest; the harness needs the token itself.
                "--token-file", os.path.join(self.data, "integrity", "token")]
        self.process = Process("serve", argv, self.dir, lines=2)
        self.relay = self.process.address("listening on ")
        self.http = self.process.address("http on ")
        wait_until_answers(self.http, "/healthz")
        if timed:
            self.restarts.append(time.monotonic() - self.process.started)
        with open(os.path.join(self.data, "integrity", "token")) as file:
            self.auth = {"Authorization": "Bearer " + file.readline().strip()}

    def write_rules(self):
        """Default rules, with room for the harness's contact set-up (tier and throughput)."""
        rules = json.loads(subprocess.run([self.vigil, "analyze", "--print-rules"], capture_output=True, check=True).stdout)
        rules["signals"]["contact_proof_slots"] = 65536
        rules["limits"]["initial_tier"] = "TIER_100K"
        rules["admission"]["throughput_per_second"] = 100000
        rules["admission"]["upgraded_throughput_per_second"] = 100000
        with open(os.path.join(self.dir, "serve-rules.json"), "w") as file:
            json.dump(rules, file)

    # -- set-up --------------------------------------------------------------------------------

    def register(self, number):
        client = RelayClient(self.relay)
        try:
            self.tokens[number] = client.register(number)
        finally:
            client.close()

    def connect(self, number):
        client = RelayClient(self.relay)
        client.hello(number, self.tokens[number])
        return client

    def set_up(self, reporters):
        os.makedirs(self.data, mode=0o700)
        self.write_rules()
        self.start(timed=False)
        for number in BUSINESSES + SENDERS + [RECIPIENT] + [reporter(i) for i in range(reporters)]:
            self.register(number)
        # Proof of contact: every business sends one utility message to every reporter, who
        # receives it and answers a `delivered` receipt (the analyzer's proof is the receipt).
        for business in BUSINESSES:
            client = self.connect(business)
            for index in range(reporters):
                client.send(reporter(index), index + 1, b"contact", KIND_BUSINESS, CATEGORY_UTILITY)
            client.close()
        for index in range(reporters):
            client = self.connect(reporter(index))
            received = {}
            while len(received) < len(BUSINESSES):
                envelope, sender, _ = client.next_delivery()
                received[sender] = envelope
            client.ack(list(received.values()))
            for business, envelope in received.items():
                client.receipt(business, [envelope])
            client.sync()
            client.close()
        self.pairs = [(reporter(i), b) for i in range(reporters) for b in BUSINESSES]
        self.rng.shuffle(self.pairs)
        status = self.process.stop()
        self.r.check("serve: set-up run stops cleanly on SIGTERM", status == 0, f"exit {status}")

    # -- load ----------------------------------------------------------------------------------

    def report_load(self, stop):
        while not stop.is_set() and self.pairs:
            time.sleep(0.02)  # a steady stream, so the pool of contacted pairs lasts every trial
            batch = [self.pairs.pop() for _ in range(min(len(self.pairs), self.rng.randrange(1, 8)))]
            self.report_inflight.update(batch)
            body = {"reports": [{"reporter": r, "business": b, "reason": "spam"} for r, b in batch]}
            try:
                status, reply = request(self.http, "POST", "/v1/reports", body, self.auth)
            except OSError:
                return
            if status != 202:
                self.r.check("serve: report batch answered 202", False, f"{status} {reply}")
                return
            refused = {item["index"]: item["reason"] for item in reply.get("rejected", [])}
            for index, pair in enumerate(batch):
                self.report_inflight.discard(pair)
                if index in refused:
                    self.r.check("serve: a fresh report with proof of contact is accepted", False, f"{pair}: {refused[index]}")
                else:
                    self.accepted_reports.add(pair)
                    self.report_acked_trial.add(pair)

    def envelope_load(self, sender, trial, stop):
        try:
            client = self.connect(sender)
        except (OSError, RelayError):
            return
        try:
            while not stop.is_set():
                message_id = self.next_message_id[sender]
                self.next_message_id[sender] += 1
                marker = f"{trial}/{sender}/{message_id}"
                data = payload(marker, self.rng)
                self.sends[marker] = (sender, message_id, data)
                self.inflight_sends.add(marker)
                envelope, _ = client.send(RECIPIENT, message_id, data)
                self.inflight_sends.discard(marker)
                self.acked_envelopes[marker] = envelope
        except (OSError, RelayError):
            pass
        finally:
            client.close()

    # -- one trial -----------------------------------------------------------------------------

    def trial(self, number):
        phase = PHASES[number % len(PHASES)]
        self.report_acked_trial = set()
        stop = threading.Event()
        threads = []
        if phase in ("reports", "snapshot"):
            threads.append(threading.Thread(target=self.report_load, args=(stop,)))
        if phase in ("envelopes", "snapshot"):
            threads += [threading.Thread(target=self.envelope_load, args=(s, number, stop)) for s in SENDERS]
        for thread in threads:
            thread.start()
        delay = self.rng.uniform(0.05, 1.5) if phase != "snapshot" else self.rng.uniform(0.8, 2.5)
        time.sleep(delay)
        self.process.kill()
        stop.set()
        for thread in threads:
            thread.join()
        self.kills[phase] += 1
        self.keep_wal(os.path.join(self.data, "relay.sqlite"))
        self.start(timed=True)
        self.verify_reports(number)
        self.verify_envelopes(number)

    # -- checks after restart ------------------------------------------------------------------

    def verify_reports(self, trial):
        again = sorted(self.report_acked_trial | self.report_inflight)
        acked = self.report_acked_trial
        for start in range(0, len(again), 500):
            batch = again[start:start + 500]
            body = {"reports": [{"reporter": r, "business": b, "reason": "spam"} for r, b in batch]}
            status, reply = request(self.http, "POST", "/v1/reports", body, self.auth)
            if not self.r.check(f"serve trial {trial}: reports re-sent after restart answered 202", status == 202, f"{status} {reply}"):
                return
            refused = {item["index"]: item["reason"] for item in reply.get("rejected", [])}
            for index, pair in enumerate(batch):
                reason = refused.get(index)
                if pair in acked:
                    self.r.check(f"serve trial {trial}: acknowledged report still there", reason == "duplicate",
                                 f"{pair} answered {reason or 'accepted'} when sent again")
                else:  # in flight at the kill: committed (duplicate) or not (accepted now)
                    ok = reason in (None, "duplicate")
                    self.r.check(f"serve trial {trial}: in-flight report is there or accepted now", ok, f"{pair}: {reason}")
                    if ok:
                        self.accepted_reports.add(pair)
        self.report_inflight = set()
        self.verified_reports += len(acked)
        for business in BUSINESSES:
            status, signals = request(self.http, "GET", f"/v1/signals/{business}", headers=self.auth)
            want = sum(1 for _, b in self.accepted_reports if b == business)
            got = signals.get("reports") if status == 200 and isinstance(signals, dict) else None
            self.r.check(f"serve trial {trial}: the recovered analyzer counts each accepted report of {business} once",
                         got == want, f"signals say {got}, accepted {want}")
        rows = self.count_rows(os.path.join(self.data, "integrity", "reports.sqlite"), "report_log")
        self.r.check(f"serve trial {trial}: report log rows = distinct accepted reports (none lost, none twice)",
                     rows == len(self.accepted_reports), f"{rows} rows, {len(self.accepted_reports)} accepted")

    @staticmethod
    def count_rows(path, table):
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            connection.close()

    def verify_envelopes(self, trial):
        retried = sorted(self.inflight_sends)
        for marker in retried:
            sender, message_id, data = self.sends[marker]
            client = self.connect(sender)
            try:
                envelope, _ = client.send(RECIPIENT, message_id, data)
            finally:
                client.close()
            self.acked_envelopes[marker] = envelope
        self.inflight_sends = set()
        expected = {m for m in self.acked_envelopes if m not in self.delivered_markers}
        if not expected:
            return
        client = self.connect(RECIPIENT)
        client.sock.settimeout(0.5)
        deadline = time.monotonic() + 15
        corrupt = []
        twice = []
        try:
            while time.monotonic() < deadline:
                try:
                    envelope, sender, data = client.next_delivery()
                except TimeoutError:
                    if expected <= set(self.delivered_markers):
                        break
                    continue
                client.ack([envelope])
                marker = decode_payload(data)
                if marker is None:
                    corrupt.append(envelope)
                    continue
                if envelope in self.delivered:
                    self.redeliveries += 1
                    continue
                if marker in self.delivered_markers:
                    twice.append(marker)
                self.delivered[envelope] = marker
                self.delivered_markers[marker] = envelope
        finally:
            client.close()
        missing = [m for m in expected if m not in self.delivered_markers]
        wrong_id = [m for m in expected if m in self.delivered_markers and self.delivered_markers[m] != self.acked_envelopes[m]]
        self.r.check(f"serve trial {trial}: every acknowledged envelope delivered after restart", not missing,
                     f"{len(missing)} of {len(expected)} missing, e.g. {missing[:3]}")
        self.r.check(f"serve trial {trial}: delivered under the envelope id it was acknowledged with", not wrong_id,
                     f"{wrong_id[:3]}")
        self.r.check(f"serve trial {trial}: no envelope queued twice (one id per payload)", not twice, f"{twice[:3]}")
        self.r.check(f"serve trial {trial}: no damaged envelope delivered", not corrupt, f"{len(corrupt)} damaged")
        self.verified_envelopes += len(expected) - len(missing)

    def recovery_figures(self):
        """What the restarts' recovery lines say: snapshots restored (latest / previous), rebuilds,
        images skipped (a snapshot torn by the kill), logged reports replayed."""
        lines = [line for line in self.process.stderr().splitlines() if line.startswith("serve: restored") or
                 line.startswith("serve: no usable snapshot")]
        latest = sum("restored snapshot latest" in line for line in lines)
        previous = sum("restored snapshot previous" in line for line in lines)
        rebuilt = sum("no usable snapshot" in line for line in lines)
        skipped = sum("; skipped " in line for line in lines)
        replayed = sum(int(m.group(1)) for line in lines for m in [re.search(r"replayed (\d+) logged", line)] if m)
        return (f"serve recovery: {len(lines)} starts — snapshot 'latest' {latest}, 'previous' {previous}, rebuilt from the "
                f"log {rebuilt}, a snapshot image skipped {skipped}; {replayed} logged reports replayed after snapshots")

    # -- the run -------------------------------------------------------------------------------

    def run(self):
        reporters = max(40, 9 * self.trials)
        started = time.monotonic()
        self.set_up(reporters)
        progress(f"serve: set up {reporters} reporters × {len(BUSINESSES)} businesses with proof of contact "
                 f"in {time.monotonic() - started:.1f} s")
        self.start(timed=False)
        for number in range(self.trials):
            self.trial(number)
            if (number + 1) % 10 == 0:
                progress(f"serve: {number + 1}/{self.trials} trials")
        status = self.process.stop()
        self.r.check("serve: last run stops cleanly on SIGTERM", status == 0, f"exit {status}")
