"""SIGKILL trials against `vigil cloudapi`: message-store writes and webhook delivery.

A `vigil relay` (never killed), one business with a webhook receiver (in this file: answers the
verification handshake, checks every POST's X-Hub-Signature-256, answers after a short random
delay so kills land mid-delivery), and three phones (`vigil send` / `vigil listen`). Load per trial
(the phase rotates): `store` — the business sends text messages to the phones through
POST /v22.0/{id}/messages (each 200 carries the wamid); `webhooks` — the phones send messages to
the business (acknowledged by the relay), which the endpoint decrypts, stores and POSTs to the
webhook; `mixed` — both. After a random delay the endpoint is SIGKILLed and restarted:

* restart time: spawn until GET /v22.0/{id} answers 200;
* every wamid answered 200 is in the store exactly once (the day files' `records.id`);
* every inbound message the relay acknowledged reaches the webhook, with its exact text, under
  one wamid (a webhook POSTed again after a kill repeats the same wamid — Meta's webhooks are
  at-least-once and receivers de-duplicate by id — but a message must never become two);
* at the end each phone receives every acknowledged outbound text exactly once, intact.
"""

import glob
import hashlib
import hmac
import http.server
import json
import os
import random
import sqlite3
import subprocess
import threading
import time
import urllib.parse

from harness import Process, eventually, progress, request, wait_until_answers

BUSINESS = "+15550001001"
PHONES = ["+15550002001", "+15550002002", "+15550002003"]
APP_SECRET = "faults-app-secret-51c0"
VERIFY_TOKEN = "faults-verify-token-77aa"
GRAPH = "/v22.0"
PHASES = ("store", "webhooks", "mixed")


class WebhookReceiver:
    """The business's webhook: verification handshake, signature check, a short random delay."""

    def __init__(self, rng):
        self.lock = threading.Lock()
        self.inbound = {}  # text -> set of wamids
        self.posts = {}  # wamid -> number of POSTs that carried it
        self.statuses = 0
        self.bad_signatures = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                if query.get("hub.verify_token") == [VERIFY_TOKEN] and query.get("hub.mode") == ["subscribe"]:
                    self.answer(200, query.get("hub.challenge", [""])[0])
                else:
                    self.answer(403, "bad verify token")

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                expected = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", "")):
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.answer(401, "bad signature")
                    return
                time.sleep(rng.uniform(0.0, 0.03))
                receiver.record(json.loads(raw))
                self.answer(200, "ok")

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a killed endpoint's connection is not news

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, update):
        with self.lock:
            for entry in update.get("entry", []):
                for change in entry.get("changes", []):
                    value = change.get("value", {})
                    for message in value.get("messages", []):
                        text = message.get("text", {}).get("body", "")
                        self.inbound.setdefault(text, set()).add(message.get("id"))
                        self.posts[message.get("id")] = self.posts.get(message.get("id"), 0) + 1
                    self.statuses += len(value.get("statuses", []))

    def wamids(self, text):
        with self.lock:
            return set(self.inbound.get(text, ()))

    def redeliveries(self):
        with self.lock:
            return sum(count - 1 for count in self.posts.values())

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def digits(number):
    return number.lstrip("+")


class CloudAPIFaults:
    def __init__(self, vigil, workdir, results, trials, rng):
        self.vigil = vigil
        self.dir = workdir
        self.data = os.path.join(workdir, "cloud")
        self.r = results
        self.trials = trials
        self.rng = rng
        self.relay = None
        self.process = None
        self.outbound = {}  # text -> wamid (answered 200)
        self.outbound_inflight = set()
        self.inbound = set()  # texts the relay accepted from a phone
        self.inbound_inflight = set()
        self.stored_checked = set()
        self.webhooks_checked = set()
        self.restarts = []
        self.kills = {phase: 0 for phase in PHASES}
        self.verified_inbound = 0
        self.verified_outbound = 0
        self.verified_phone = 0
        self.counter = 0

    # -- processes -----------------------------------------------------------------------------

    def phone(self, *args, timeout=30):
        return subprocess.run([self.vigil, *args, "--relay", self.relay_address], capture_output=True,
                              timeout=timeout + 15, stdin=subprocess.DEVNULL)

    def start(self, timed):
        # The trials load the store as hard as three closed loops can: the number's throughput
        # limit (Meta's 80/s, enforced by the endpoint) is lifted so that they are not refused.
        argv = [self.vigil, "cloudapi", "--relay", self.relay_address, "--listen", "127.0.0.1:0",
                "--data", self.data, "--status-interval", "1", "--sends-per-second", "100000"]
        self.process = Process("cloudapi", argv, self.dir)
        self.api = self.process.address("listening on ")
        wait_until_answers(self.api, f"{GRAPH}/{self.account['phone_number_id']}", headers=self.auth)
        if timed:
            self.restarts.append(time.monotonic() - self.process.started)

    def set_up(self):
        self.relay = Process("relay", [self.vigil, "relay", "--listen", "127.0.0.1:0", "--data",
                                       os.path.join(self.dir, "relay"), "--status-interval", "0"], self.dir)
        host, port = self.relay.address("listening on ")
        self.relay_address = f"{host}:{port}"
        self.receiver = WebhookReceiver(random.Random(self.rng.random()))
        done = subprocess.run([self.vigil, "business", "add", "--data", self.data, "--phone", BUSINESS,
                               "--app-secret", APP_SECRET, "--webhook", f"http://127.0.0.1:{self.receiver.port}/hook",
                               "--verify-token", VERIFY_TOKEN], capture_output=True, check=True)
        self.account = json.loads(done.stdout)
        self.auth = {"Authorization": "Bearer " + self.account["access_token"]}
        self.start(timed=False)
        # Each phone writes first: it registers, and the 24-hour window for free-form text opens.
        for phone in PHONES:
            text = f"hello from {phone}"
            done = eventually(lambda: self.send_inbound(phone, text), 20, 0.2)
            self.r.check(f"cloudapi: {phone} reaches the business", done)
            eventually(lambda: self.receiver.wamids(text), 20)

    def send_inbound(self, phone, text):
        done = self.phone("send", "--state", os.path.join(self.dir, digits(phone) + ".state"), "--from", phone,
                          "--to", BUSINESS, text)
        return done.returncode == 0

    # -- load ----------------------------------------------------------------------------------

    def next_text(self, kind, trial):
        self.counter += 1
        return f"{kind}-{trial}-{self.counter}-" + self.rng.randbytes(6).hex()

    def outbound_load(self, trial, stop):
        path = f"{GRAPH}/{self.account['phone_number_id']}/messages"
        while not stop.is_set():
            phone = self.rng.choice(PHONES)
            text = self.next_text("out", trial)
            self.outbound_inflight.add((phone, text))
            body = {"messaging_product": "whatsapp", "to": digits(phone), "type": "text", "text": {"body": text}}
            try:
                status, reply = request(self.api, "POST", path, body, self.auth)
            except OSError:
                return
            if status != 200:
                self.r.check(f"cloudapi trial {trial}: send answered 200", False, f"{status} {reply}")
                return
            self.outbound_inflight.discard((phone, text))
            self.outbound[text] = (phone, reply["messages"][0]["id"])

    def inbound_load(self, phone, trial, stop):
        while not stop.is_set():
            text = self.next_text("in", trial)
            self.inbound_inflight.add(text)
            if self.send_inbound(phone, text):
                self.inbound.add(text)
            self.inbound_inflight.discard(text)

    # -- one trial -----------------------------------------------------------------------------

    def trial(self, number):
        phase = PHASES[number % len(PHASES)]
        stop = threading.Event()
        threads = []
        if phase in ("store", "mixed"):
            threads += [threading.Thread(target=self.outbound_load, args=(number, stop)) for _ in range(3)]
        if phase in ("webhooks", "mixed"):
            threads += [threading.Thread(target=self.inbound_load, args=(p, number, stop)) for p in PHONES]
        for thread in threads:
            thread.start()
        time.sleep(self.rng.uniform(0.1, 1.5))
        self.process.kill()
        self.kills[phase] += 1
        stop.set()
        for thread in threads:
            thread.join()
        self.start(timed=True)
        self.verify_store(number)
        self.verify_webhooks(number)

    # -- checks after restart ------------------------------------------------------------------

    def stored_ids(self):
        """Every record id in the store's day files, with its count (read-only connections)."""
        counts = {}
        for path in glob.glob(os.path.join(self.data, "regions", "*", "days", "*.sqlite")):
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            try:
                for (record_id,) in connection.execute("SELECT id FROM records"):
                    counts[record_id] = counts.get(record_id, 0) + 1
            finally:
                connection.close()
        return counts

    def verify_store(self, trial):
        counts = self.stored_ids()
        fresh = {text: wamid for text, (_, wamid) in self.outbound.items() if text not in self.stored_checked}
        missing = [w for w in fresh.values() if counts.get(w, 0) == 0]
        twice = [w for w, n in counts.items() if n > 1]
        self.r.check(f"cloudapi trial {trial}: every wamid answered 200 is in the store", not missing,
                     f"{len(missing)} of {len(fresh)} missing")
        self.r.check(f"cloudapi trial {trial}: no record stored twice", not twice, f"{twice[:3]}")
        self.stored_checked.update(fresh)
        self.verified_outbound += len(fresh) - len(missing)

    def verify_webhooks(self, trial):
        expected = set(self.inbound) - self.webhooks_checked
        arrived = eventually(lambda: all(self.receiver.wamids(t) for t in expected), 20)
        missing = [t for t in expected if not self.receiver.wamids(t)]
        self.r.check(f"cloudapi trial {trial}: every acknowledged inbound message reaches the webhook", arrived,
                     f"{len(missing)} of {len(expected)} missing, e.g. {missing[:2]}{self.diagnosis()}")
        split = [t for t in expected if len(self.receiver.wamids(t)) > 1]
        self.r.check(f"cloudapi trial {trial}: each inbound message has one wamid (stored once)", not split, f"{split[:2]}")
        self.webhooks_checked |= expected
        self.verified_inbound += len(expected) - len(missing)

    def diagnosis(self):
        """The endpoint's own account of a loss: its last status line that counts undecryptable
        envelopes (a re-delivered envelope whose session state was already advanced)."""
        lines = [line for line in self.process.stderr().splitlines() if "undecryptable" in line]
        return f"; the endpoint says: {lines[-1][-300:]}" if lines else ""

    def listen(self, phone, count):
        """One `vigil listen` of up to `count` messages (8 s at most): the texts it printed."""
        done = self.phone("listen", "--state", os.path.join(self.dir, digits(phone) + ".state"), "--as", phone,
                          "--timeout", "8", "--count", str(max(1, count)), timeout=8)
        texts = []
        for line in done.stdout.decode().splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if "text" in item:
                texts.append(item["text"])
        return texts

    def verify_phones(self):
        """Each phone receives every acknowledged outbound text exactly once, and nothing else.
        A phone records every message (fsync) before acknowledging it, so thousands take several
        `listen` runs; each run continues where the last stopped, until one brings nothing new."""
        for phone in PHONES:
            wanted = {text for text, (to, _) in self.outbound.items() if to == phone}
            # Sends in flight at a kill may have gone out too: wait for them as well (or the timeout).
            possible = wanted | {text for to, text in self.outbound_inflight if to == phone}
            texts = []
            while True:
                batch = self.listen(phone, len(possible) - len(texts))
                texts += batch
                if not batch or possible <= set(texts):
                    break
            received = set(texts)
            missing = wanted - received
            strays = received - possible
            repeated = sorted({t for t in texts if texts.count(t) > 1})
            self.r.check(f"cloudapi: {phone} received every acknowledged message", not missing,
                         f"{len(missing)} of {len(wanted)} missing")
            self.r.check(f"cloudapi: {phone} received no message twice", not repeated, f"{repeated[:3]}")
            self.r.check(f"cloudapi: {phone} received only messages the business sent it", not strays, f"{sorted(strays)[:3]}")
            self.verified_phone += len(wanted - missing)

    # -- the run -------------------------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        self.set_up()
        progress(f"cloudapi: business, webhook and {len(PHONES)} phones set up in {time.monotonic() - started:.1f} s")
        try:
            for number in range(self.trials):
                self.trial(number)
                if (number + 1) % 10 == 0:
                    progress(f"cloudapi: {number + 1}/{self.trials} trials")
            self.verify_phones()
            self.r.check("cloudapi: every webhook POST carried a valid signature", self.receiver.bad_signatures == 0,
                         f"{self.receiver.bad_signatures} bad")
            status = self.process.stop()
            self.r.check("cloudapi: last run stops cleanly on SIGTERM", status == 0, f"exit {status}")
        finally:
            if self.process:
                self.process.kill()
            self.relay.stop()
            self.receiver.stop()
