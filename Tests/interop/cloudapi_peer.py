#!/usr/bin/env python3
"""Cloud API interop check: pywa (pinned 4.5.0, Meta's WhatsApp Cloud API client, unmodified)
pointed at `vigil cloudapi`, with a real relay and a real user's phone (`vigil send`/`listen`).

What runs (all on 127.0.0.1, ephemeral ports, a fresh temporary data directory):
  * `vigil relay --deny-business …` — the test-only admission policy refuses business envelopes
    of three extra businesses with Meta's codes 131048, 131056 and 368;
  * a webhook receiver (http.server, in this file) that answers the GET verification handshake
    with pywa's own `webhook_challenge_handler` and checks every POST with pywa's
    `webhook_update_validator` (answering 401 when it refuses, as a pywa server would);
  * `vigil business add` ×4, then `vigil cloudapi`;
  * the user's phone: `vigil send` / `vigil listen` with a state file.

The proof (issue 5): pywa sends a text and a template that the phone receives and decrypts; the
phone's messages reach the webhook, whose signature pywa's validator accepts and whose body
pywa's `webhook_update_handler` parses into a typed `Message`; `sent`/`read` statuses parse into
`MessageStatus`; pywa raises its typed errors for a bad token (190) and the relay's spam-rate-limit
denial (131048), and for the other codes exercised; malformed JSON, wrong types and unknown message
types get precise Graph error bodies over raw HTTP.

Usage: cloudapi_peer.py --vigil PATH [-v]
Ends with `N passed, M failed`; exit status 0 if nothing failed, 1 otherwise, 2 on a bad
environment (pywa missing, vigil not runnable).
"""

import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

try:
    import pywa
    from pywa import WhatsApp, errors as pywa_errors, types as pywa_types
    from pywa.types.message_status import ConversationCategory, PricingCategory, PricingModel, PricingType
    from pywa.types.templates import BodyText, TemplateLanguage
except ImportError:  # pragma: no cover - environment problem
    print("cloudapi_peer.py: pywa is not installed (run Tests/interop/run-cloudapi-interop.sh)", file=sys.stderr)
    sys.exit(2)

PYWA_VERSION = "4.5.0"
GRAPH_VERSION = "v22.0"
TIMEOUT = 20.0

BUSINESS = "+15550001001"  # the business pywa speaks for (webhook configured)
SPAM = "+15550001002"  # denied by the relay with 131048
PAIR = "+15550001003"  # denied by the relay with 131056
POLICY = "+15550001004"  # denied by the relay with 368
ALICE = "+15550002001"  # writes first, so the 24-hour window is open
BOB = "+15550002002"  # registered, never wrote to the business
CAROL = "+15550002999"  # never registered

APP_SECRET = "interop-app-secret-7f3a"
VERIFY_TOKEN = "interop-verify-token-19c2"


class Results:
    """Counts checks and keeps the failures."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = 0
        self.failures = []

    def check(self, what, condition, detail=""):
        if condition:
            self.passed += 1
            if self.verbose:
                print(f"  ok   {what}")
        else:
            self.failures.append(f"{what}{': ' + str(detail) if detail != '' else ''}")
            print(f"  FAIL {what}{': ' + str(detail) if detail != '' else ''}", flush=True)
        return bool(condition)

    def report(self):
        print(f"{self.passed} passed, {len(self.failures)} failed")
        return not self.failures


def digits(number):
    return number.lstrip("+")


def eventually(condition, timeout=TIMEOUT, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


# MARK: processes


class Service:
    """A long-running vigil process whose first stdout line is `listening on HOST:PORT`."""

    def __init__(self, name, argv, log_dir):
        self.name = name
        self.log_path = os.path.join(log_dir, f"{name}.stderr")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=TIMEOUT).decode().strip()
        except queue.Empty:
            line = ""
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"{name} did not start: {line!r}; stderr: {self.stderr()[-2000:]}")
        self.address = line[len("listening on "):]
        self.port = int(self.address.rsplit(":", 1)[1])

    def stderr(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "r", errors="replace") as file:
            return file.read()

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        """SIGTERM, then the exit status (None if it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        self.log.close()
        return self.process.returncode


def run(argv, timeout=TIMEOUT):
    return subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


# MARK: the business's webhook receiver


class WebhookReceiver:
    """The business's server: verification through pywa's challenge handler, POSTs checked with
    pywa's validator and kept (raw body, signature header, validator verdict)."""

    def __init__(self, wa):
        self.wa = wa
        self.lock = threading.Lock()
        self.gets = []  # (query dict, status, body)
        self.posts = []  # (raw bytes, X-Hub-Signature-256, validator result)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                if query.get("hub.mode") == "subscribe":
                    body, status = receiver.wa.webhook_challenge_handler(query.get("hub.verify_token"), query.get("hub.challenge"))
                else:
                    body, status = "Bad Request", 400
                with receiver.lock:
                    receiver.gets.append((query, status, body))
                self.answer(status, str(body))

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                signature = self.headers.get("X-Hub-Signature-256")
                verdict = receiver.wa.webhook_update_validator(raw, signature)
                with receiver.lock:
                    receiver.posts.append((raw, signature, verdict))
                if verdict is None:
                    self.answer(200, "ok")
                else:
                    self.answer(verdict[1], str(verdict[0]))

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # the endpoint closing a keep-alive connection is not news

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self):
        with self.lock:
            return list(self.gets), list(self.posts)

    def bodies(self):
        """(parsed JSON, raw, signature, verdict) of every POST so far."""
        _, posts = self.snapshot()
        out = []
        for raw, signature, verdict in posts:
            try:
                out.append((json.loads(raw), raw, signature, verdict))
            except ValueError:
                out.append((None, raw, signature, verdict))
        return out

    def stop(self):
        self.server.shutdown()


def value_of(update):
    try:
        return update["entry"][0]["changes"][0]["value"]
    except (KeyError, IndexError, TypeError):
        return {}


# MARK: the checks


class Interop:
    def __init__(self, vigil, results, workdir):
        self.vigil = vigil
        self.r = results
        self.dir = workdir
        self.services = []

    # -- setup ---------------------------------------------------------------------------------

    def start(self):
        r = self.r
        denials = f"{SPAM}:131048,{PAIR}:131056,{POLICY}:368"
        self.relay = Service("relay", [self.vigil, "relay", "--listen", "127.0.0.1:0", "--data", f"{self.dir}/relay",
                                       "--status-interval", "0", "--deny-business", denials], self.dir)
        self.services.append(self.relay)
        r.check("relay announces the test-only --deny-business policy", "TEST ONLY --deny-business" in eventually(
            lambda: self.relay.stderr() if "TEST ONLY" in self.relay.stderr() else "", 5), self.relay.stderr()[-300:])

        # The business's webhook server; pywa only validates and parses here (no token).
        self.hook_wa = WhatsApp(verify_token=VERIFY_TOKEN, app_secret=APP_SECRET, validate_updates=True)
        self.receiver = WebhookReceiver(self.hook_wa)
        webhook = f"http://127.0.0.1:{self.receiver.port}/webhook"

        self.accounts = {}
        for number in (BUSINESS, SPAM, PAIR, POLICY):
            argv = [self.vigil, "business", "add", "--data", f"{self.dir}/cloudapi", "--phone", number,
                    "--name", f"Interop {number[-4:]}", "--app-secret", APP_SECRET]
            if number == BUSINESS:
                argv += ["--webhook", webhook, "--verify-token", VERIFY_TOKEN]
            done = run(argv)
            try:
                account = json.loads(done.stdout)
            except ValueError:
                account = {}
            ok = r.check(f"business add {number} prints phone_number_id, waba_id, access_token",
                         done.returncode == 0 and all(account.get(k) for k in ("phone_number_id", "waba_id", "access_token")),
                         done.stderr.decode()[-300:])
            if not ok:
                raise RuntimeError("business add failed")
            self.accounts[number] = account
        r.check("phone-number ids are distinct", len({a["phone_number_id"] for a in self.accounts.values()}) == 4)

        self.cloudapi = Service("cloudapi", [self.vigil, "cloudapi", "--relay", self.relay.address, "--listen", "127.0.0.1:0",
                                             "--data", f"{self.dir}/cloudapi", "--status-interval", "0"], self.dir)
        self.services.append(self.cloudapi)
        self.base_url = f"http://127.0.0.1:{self.cloudapi.port}/{GRAPH_VERSION}"

    def client(self, number, token=None):
        """A pywa client for `number`, pointed at Vigil after construction (pywa has no base_url
        option: `GraphAPI.__init__` sets `session.base_url` to graph.facebook.com)."""
        account = self.accounts[number]
        wa = WhatsApp(phone_id=account["phone_number_id"], token=token or account["access_token"], waba_id=account["waba_id"],
                      verify_token=VERIFY_TOKEN, app_secret=APP_SECRET, api_version=GRAPH_VERSION[1:])
        wa.api._session.base_url = self.base_url
        return wa

    def phone(self, *args, timeout=TIMEOUT):
        return run([self.vigil, *args, "--relay", self.relay.address], timeout=timeout + 10)

    def user_send(self, number, to, text, retry_for=0.0):
        """`vigil send` from the user's phone (retried while the business has not published its
        prekeys yet); returns the CompletedProcess."""
        state = f"{self.dir}/{digits(number)}.state"
        deadline = time.monotonic() + retry_for
        while True:
            done = self.phone("send", "--state", state, "--from", number, "--to", to, text)
            if done.returncode == 0 or time.monotonic() >= deadline:
                return done
            time.sleep(0.2)

    def user_listen(self, number, *extra, timeout=10):
        state = f"{self.dir}/{digits(number)}.state"
        done = self.phone("listen", "--state", state, "--as", number, "--timeout", str(timeout), *extra, timeout=timeout)
        lines = []
        for line in done.stdout.decode().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append({"unparsed": line})
        return done, lines

    # -- webhook verification and inbound messages ---------------------------------------------

    def verification(self):
        r = self.r
        gets = eventually(lambda: self.receiver.snapshot()[0], 10)
        r.check("the endpoint performs the GET verification handshake", bool(gets))
        if not gets:
            return
        query, status, body = gets[0]
        r.check("verification GET carries hub.mode=subscribe", query.get("hub.mode") == "subscribe", query)
        r.check("verification GET carries the business's verify token", query.get("hub.verify_token") == VERIFY_TOKEN, query)
        r.check("verification GET carries a numeric hub.challenge", query.get("hub.challenge", "").isdigit(), query)
        r.check("pywa's webhook_challenge_handler accepts it (200, challenge echoed)",
                status == 200 and body == query.get("hub.challenge"), (status, body))
        wrong = self.hook_wa.webhook_challenge_handler("not-the-token", "123")
        r.check("pywa's challenge handler refuses a wrong token (so the check above can fail)", wrong[1] == 403, wrong)

    def message_updates(self, text):
        """Webhook POSTs that carry an incoming message with `text`."""
        out = []
        for body, raw, signature, verdict in self.receiver.bodies():
            for message in value_of(body).get("messages", []) if body else []:
                if message.get("text", {}).get("body") == text:
                    out.append((body, raw, signature, verdict))
        return out

    def parse(self, raw, kind):
        """Runs pywa's `webhook_update_handler` on `raw` with a handler for `kind`
        ('message' or 'status'); returns (handler answer, typed objects, pywa's log records)."""
        account = self.accounts[BUSINESS]
        wa = WhatsApp(phone_id=account["phone_number_id"], waba_id=account["waba_id"], verify_token=VERIFY_TOKEN,
                      app_secret=APP_SECRET, skip_duplicate_updates=False)
        got = []
        if kind == "message":
            wa.on_message()(lambda _, message: got.append(message))
        else:
            wa.on_message_status()(lambda _, status: got.append(status))
        records = []

        class Capture(logging.Handler):
            def emit(self, record):
                records.append(record)

        capture = Capture(level=logging.WARNING)
        logger = logging.getLogger("pywa")
        logger.addHandler(capture)
        try:
            answer = wa.webhook_update_handler(raw)
        finally:
            logger.removeHandler(capture)
        problems = [f"{rec.getMessage()} {rec.exc_info[1]!r}" if rec.exc_info else rec.getMessage() for rec in records]
        return answer, got, problems

    def inbound(self, text, what):
        """The user's message `text` reached the webhook: validated and parsed by pywa."""
        r = self.r
        updates = eventually(lambda: self.message_updates(text), TIMEOUT)
        if not r.check(f"{what}: the message reaches the business's webhook", len(updates) >= 1):
            return None
        body, raw, signature, verdict = updates[0]
        expected = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        r.check(f"{what}: X-Hub-Signature-256 is sha256=<HMAC-SHA256(app secret, raw body)>", signature == expected, signature)
        r.check(f"{what}: pywa's webhook_update_validator accepts the signature", verdict is None, verdict)
        tampered = raw.replace(text.encode(), text.upper().encode()) if text != text.upper() else raw + b" "
        r.check(f"{what}: pywa's validator refuses the same signature on a tampered body",
                self.hook_wa.webhook_update_validator(tampered, signature) is not None)
        other = WhatsApp(verify_token=VERIFY_TOKEN, app_secret="some-other-secret", validate_updates=True)
        r.check(f"{what}: pywa's validator refuses it under another app secret",
                other.webhook_update_validator(raw, signature) is not None)

        answer, messages, problems = self.parse(raw, "message")
        r.check(f"{what}: pywa's webhook_update_handler answers ('ok', 200)", tuple(answer) == ("ok", 200), answer)
        r.check(f"{what}: pywa builds exactly one typed Message without errors",
                len(messages) == 1 and isinstance(messages[0], pywa_types.Message) and not problems, (messages, problems))
        if len(messages) != 1:
            return None
        message = messages[0]
        account = self.accounts[BUSINESS]
        r.check(f"{what}: Message.type is text", message.type == pywa_types.MessageType.TEXT, message.type)
        r.check(f"{what}: Message.text is the user's text", message.text == text, message.text)
        r.check(f"{what}: from_user.wa_id is the user's number", message.from_user.wa_id == digits(ALICE), message.from_user.wa_id)
        bsuid = message.from_user.bsuid or ""
        r.check(f"{what}: from_user.user_id (BSUID) is present and not the number",
                len(bsuid) > 3 and "." in bsuid and digits(ALICE) not in bsuid, bsuid)
        r.check(f"{what}: Message.id is a wamid", message.id.startswith("wamid."), message.id)
        r.check(f"{what}: metadata.phone_number_id is the business's", message.metadata.phone_number_id == account["phone_number_id"],
                message.metadata)
        r.check(f"{what}: metadata.display_phone_number is the business's number",
                digits(message.metadata.display_phone_number or "") == digits(BUSINESS), message.metadata)
        r.check(f"{what}: waba_id is the business account", message.waba_id == account["waba_id"], message.waba_id)
        age = abs(time.time() - message.timestamp.timestamp())
        r.check(f"{what}: timestamp is now (seconds since the epoch)", age < 120, message.timestamp)
        r.check(f"{what}: body is object whatsapp_business_account, field messages",
                body.get("object") == "whatsapp_business_account" and body["entry"][0]["changes"][0]["field"] == "messages", body)
        filtered = WhatsApp(phone_id="999999999", verify_token=VERIFY_TOKEN, app_secret=APP_SECRET, skip_duplicate_updates=False)
        seen = []
        filtered.on_message()(lambda _, m: seen.append(m))
        filtered.webhook_update_handler(raw)
        r.check(f"{what}: a pywa client for another phone id filters it out (ids are really checked)", not seen, seen)
        return message

    # -- outbound through pywa -----------------------------------------------------------------

    def outbound(self, first):
        r = self.r
        wa = self.client(BUSINESS)
        r.check("pywa's session base_url points at Vigil", str(wa.api._session.base_url).startswith(self.base_url),
                wa.api._session.base_url)
        text = "Hello from pywa through Vigil ✓"
        sent = template = None
        try:
            sent = wa.send_message(to=digits(ALICE), text=text, reply_to_message_id=first.id if first else None)
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            r.check("pywa send_message succeeds", False, repr(error))
        if sent is not None:
            r.check("pywa send_message returns a SentMessage with a wamid", isinstance(sent, pywa_types.SentMessage)
                    and sent.id.startswith("wamid."), sent)
            r.check("SentMessage.input echoes `to`", sent.input == digits(ALICE), sent.input)
            r.check("SentMessage.chat.id is the user's wa_id", sent.chat.id == digits(ALICE), sent.chat)
        try:
            template = wa.send_template(to="+" + digits(ALICE), name="order_update", language=TemplateLanguage.ENGLISH_US,
                                        params=[BodyText.params("4711", "Friday")])
        except Exception as error:  # noqa: BLE001
            r.check("pywa send_template succeeds", False, repr(error))
        if template is not None:
            r.check("pywa send_template returns a SentTemplate with a wamid", isinstance(template, pywa_types.SentTemplate)
                    and template.id.startswith("wamid."), template)
            r.check("SentTemplate.status is accepted", template.status == pywa_types.sent_update.SentTemplateStatus.ACCEPTED,
                    template.status)
            r.check("SentTemplate.input echoes `to` as given", template.input == "+" + digits(ALICE), template.input)
        if sent is not None and template is not None:
            r.check("the two messages have distinct ids", sent.id != template.id)

        # The user's phone receives and decrypts both, then sends read receipts.
        done, lines = self.user_listen(ALICE, "--count", "2", "--receipts", "read", timeout=15)
        messages = [line for line in lines if "text" in line]
        r.check("vigil listen receives both messages (exit 0)", done.returncode == 0 and len(messages) == 2,
                (done.returncode, lines, done.stderr.decode()[-300:]))
        texts = [m.get("text") for m in messages]
        r.check("the text message decrypts to exactly what pywa sent", text in texts, texts)
        r.check("the template decrypts to its name, language and parameters",
                "[order_update · en_US] 4711 · Friday" in texts, texts)
        r.check("both come from the business's number", all(m.get("from") == BUSINESS for m in messages), messages)
        self.sent_ids = [m.id for m in (sent, template) if m is not None]

    def statuses(self):
        """Status webhooks for the two sent messages: `sent` and `read`, parsed by pywa."""
        r = self.r

        def status_updates():
            out = {}
            for body, raw, signature, verdict in self.receiver.bodies():
                for status in value_of(body).get("statuses", []) if body else []:
                    out[(status.get("id"), status.get("status"))] = (raw, verdict)
            return out

        wanted = [(i, s) for i in self.sent_ids for s in ("sent", "read")]
        eventually(lambda: all(k in status_updates() for k in wanted), TIMEOUT)
        found = status_updates()
        for message_id, state in wanted:
            what = f"{state} status of {'text' if message_id == self.sent_ids[0] else 'template'}"
            if not r.check(f"{what}: reaches the webhook", (message_id, state) in found, sorted(found)):
                continue
            raw, verdict = found[(message_id, state)]
            r.check(f"{what}: pywa's validator accepts its signature", verdict is None, verdict)
            answer, statuses, problems = self.parse(raw, "status")
            ok = r.check(f"{what}: pywa builds one typed MessageStatus without errors",
                         len(statuses) == 1 and isinstance(statuses[0], pywa_types.MessageStatus) and not problems,
                         (statuses, problems))
            if not ok:
                continue
            status = statuses[0]
            r.check(f"{what}: MessageStatus.status", status.status.value == state, status.status)
            r.check(f"{what}: MessageStatus.id is the sent message's id", status.id == message_id, status.id)
            r.check(f"{what}: from_user is the recipient (wa_id and user_id)",
                    status.from_user.wa_id == digits(ALICE) and bool(status.from_user.bsuid), status.from_user)
            conversation = status.conversation
            r.check(f"{what}: conversation category parses to a known value",
                    conversation is not None and conversation.category != ConversationCategory.UNKNOWN, conversation)
            pricing = status.pricing
            r.check(f"{what}: pricing parses (PMP, known category, billable bool)",
                    pricing is not None and pricing.model == PricingModel.PMP and pricing.category != PricingCategory.UNKNOWN
                    and isinstance(pricing.billable, bool), pricing)
            service = message_id == self.sent_ids[0]
            expected = ConversationCategory.SERVICE if service else ConversationCategory.MARKETING
            r.check(f"{what}: the category is {expected.value}", conversation is not None and conversation.category == expected,
                    conversation)
            if pricing is not None:
                # PMP: a free-form message inside the service window is free; a marketing template is billed.
                kind = PricingType.FREE_CUSTOMER_SERVICE if service else PricingType.REGULAR
                r.check(f"{what}: pricing type {kind.value}, billable {not service}",
                        pricing.type == kind and pricing.billable is (not service), pricing)
            r.check(f"{what}: no error", status.error is None, status.error)

    # -- typed errors --------------------------------------------------------------------------

    def expect_error(self, what, call, kind, code, http_status):
        r = self.r
        try:
            call()
        except pywa_errors.WhatsAppError as error:
            r.check(f"{what}: pywa raises {kind.__name__}", type(error) is kind, f"{type(error).__name__}: {error!r}")
            r.check(f"{what}: error code {code}", error.code == code, error.code)
            r.check(f"{what}: HTTP {http_status}", error.status_code == http_status, error.status_code)
            r.check(f"{what}: message, details and fbtrace_id are filled",
                    bool(error.message) and bool(error.details) and bool(error.fbtrace_id), (error.message, error.details, error.fbtrace_id))
            return error
        except Exception as error:  # noqa: BLE001
            r.check(f"{what}: pywa raises {kind.__name__}", False, repr(error))
            return None
        r.check(f"{what}: pywa raises {kind.__name__}", False, "no exception")
        return None

    def typed_errors(self):
        r = self.r
        bad = self.client(BUSINESS, token="EAAVbogus0000000000000000000000")
        error = self.expect_error("bad token", lambda: bad.send_message(to=digits(ALICE), text="nope"),
                                  pywa_errors.ExpiredAccessToken, 190, 401)
        r.check("bad token: ExpiredAccessToken is pywa's AuthorizationError family",
                isinstance(error, pywa_errors.AuthorizationError), type(error))
        other = self.accounts[SPAM]["access_token"]
        self.expect_error("another business's token", lambda: self.client(BUSINESS, token=other).send_message(
            to=digits(ALICE), text="nope"), pywa_errors.ExpiredAccessToken, 190, 401)

        template = dict(name="spring_sale", language=TemplateLanguage.ENGLISH_US, params=[BodyText.params("20%")])
        error = self.expect_error("relay spam-rate-limit denial",
                                  lambda: self.client(SPAM).send_template(to=digits(ALICE), **template),
                                  pywa_errors.SpamRateLimitHit, 131048, 429)
        if error is not None:
            r.check("spam denial: Meta's title '(#131048) Spam rate limit hit'", error.message == "(#131048) Spam rate limit hit",
                    error.message)
            r.check("spam denial: SpamRateLimitHit is pywa's ThrottlingError", isinstance(error, pywa_errors.ThrottlingError))
            r.check("spam denial: details carry the relay's reason", "deny-business" in (error.details or ""), error.details)
        self.expect_error("relay pair-rate-limit denial", lambda: self.client(PAIR).send_template(to=digits(ALICE), **template),
                          pywa_errors.TooManyMessages, 131056, 429)
        self.expect_error("relay policy block", lambda: self.client(POLICY).send_template(to=digits(ALICE), **template),
                          pywa_errors.TemporarilyBlocked, 368, 403)
        wa = self.client(BUSINESS)
        self.expect_error("text outside the 24-hour window", lambda: wa.send_message(to=digits(BOB), text="hi Bob"),
                          pywa_errors.ReEngagementMessage, 131047, 400)
        self.expect_error("unregistered recipient", lambda: wa.send_template(to=digits(CAROL), **template),
                          pywa_errors.MessageUndeliverable, 131026, 400)
        info = None
        try:
            info = wa.get_business_phone_number()
        except Exception as error:  # noqa: BLE001
            r.check("pywa get_business_phone_number succeeds", False, repr(error))
        if info is not None:
            r.check("phone number: id, quality GREEN, status CONNECTED, TIER_250",
                    info.id == self.accounts[BUSINESS]["phone_number_id"] and info.quality_rating == "GREEN"
                    and info.status == "CONNECTED" and info.whatsapp_business_manager_messaging_limit == "TIER_250", info)
            r.check("phone number: platform CLOUD_API, verified name", info.platform_type == "CLOUD_API"
                    and info.verified_name == f"Interop {BUSINESS[-4:]}", info)
            r.check("phone number: display_phone_number in international format", info.display_phone_number == BUSINESS,
                    info.display_phone_number)

        # Denied messages never reach the user.
        done, lines = self.user_listen(ALICE, "--receipts", "none", timeout=2)
        r.check("no denied message reaches the user", done.returncode == 0 and not [l for l in lines if "text" in l], lines)

    # -- raw HTTP ------------------------------------------------------------------------------

    def raw(self, method, path, body=None, token=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.cloudapi.port, timeout=TIMEOUT)
        all_headers = {"Content-Type": "application/json"}
        if token is not False:
            all_headers["Authorization"] = f"Bearer {token or self.accounts[BUSINESS]['access_token']}"
        all_headers.update(headers or {})
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return response.status, response.getheader("Content-Type"), parsed

    def expect_graph(self, what, answer, status, code, details=None, kind=None):
        r = self.r
        got_status, content_type, body = answer
        error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
        ok = r.check(f"{what}: HTTP {status}, code {code}", got_status == status and error.get("code") == code, (got_status, body))
        if not ok:
            return
        r.check(f"{what}: a Graph error body (message, type, fbtrace_id; JSON)",
                bool(error.get("message")) and error.get("type") in ("OAuthException", "GraphMethodException")
                and bool(error.get("fbtrace_id")) and content_type == "application/json", (content_type, body))
        if details is not None:
            got = (error.get("error_data") or {}).get("details", "")
            r.check(f"{what}: details say '{details}'", details in got, got)
        if kind is not None:
            typed = pywa_errors.WhatsAppError.from_dict(error)
            r.check(f"{what}: pywa maps it to {kind.__name__}", type(typed) is kind, type(typed).__name__)

    def bad_input(self):
        path = f"/{GRAPH_VERSION}/{self.accounts[BUSINESS]['phone_number_id']}/messages"
        good = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": digits(ALICE), "type": "text",
                "text": {"preview_url": False, "body": "x"}}
        self.expect_graph("malformed JSON", self.raw("POST", path, b'{"messaging_product": "whatsapp", "to": '), 400, 100,
                          "not valid JSON")
        self.expect_graph("empty body", self.raw("POST", path, b""), 400, 100, "empty")
        self.expect_graph("a JSON array", self.raw("POST", path, b"[1,2]"), 400, 100, "must be a JSON object")
        self.expect_graph("`to` is a number", self.raw("POST", path, {**good, "to": int(digits(ALICE))}), 400, 100,
                          "parameter to must be a string")
        self.expect_graph("text.body is a number", self.raw("POST", path, {**good, "text": {"body": 42}}), 400, 100,
                          "parameter text.body must be a string")
        self.expect_graph("preview_url is a string", self.raw("POST", path, {**good, "text": {"body": "x", "preview_url": "yes"}}),
                          400, 100, "preview_url must be a boolean")
        self.expect_graph("text is a string", self.raw("POST", path, {**good, "text": "x"}), 400, 100,
                          "parameter text must be an object")
        self.expect_graph("missing `to`", self.raw("POST", path, {k: v for k, v in good.items() if k != "to"}), 400, 100,
                          "missing required parameter to")
        self.expect_graph("messaging_product sms", self.raw("POST", path, {**good, "messaging_product": "sms"}), 400, 100,
                          "messaging_product")
        self.expect_graph("template.components is an object", self.raw("POST", path, {
            **good, "type": "template", "template": {"name": "t", "language": {"code": "en_US"}, "components": {}}}), 400, 100,
            "template.components must be an array")
        self.expect_graph("unknown message type", self.raw("POST", path, {**good, "type": "hologram", "hologram": {}}), 400, 131051,
                          "hologram", pywa_errors.UnsupportedMessageType)
        self.expect_graph("`to` is not a phone number", self.raw("POST", path, {**good, "to": "alice"}), 400, 131009,
                          "alice", pywa_errors.InvalidParameter)
        self.expect_graph("no Authorization header", self.raw("POST", path, good, token=False), 401, 190, None,
                          pywa_errors.ExpiredAccessToken)
        self.expect_graph("unknown phone-number id", self.raw("POST", f"/{GRAPH_VERSION}/123456789/messages", good), 400, 100)
        self.expect_graph("unknown path", self.raw("GET", "/nothing/here"), 400, 100)
        status, _, body = self.raw("POST", path, b'{"a":"' + b"x" * (2 << 20) + b'"}')
        self.r.check("a 2 MiB body is refused with 413", status == 413, (status, body))
        status, _, body = self.raw("GET", f"/{GRAPH_VERSION}/{self.accounts[BUSINESS]['phone_number_id']}")
        self.r.check("GET phone number: 200 with quality_rating, status, messaging limit",
                     status == 200 and body.get("quality_rating") == "GREEN" and body.get("status") == "CONNECTED"
                     and body.get("whatsapp_business_manager_messaging_limit") == "TIER_250", (status, body))

    # -- the whole run -------------------------------------------------------------------------

    def run(self):
        r = self.r
        r.check(f"pywa is {PYWA_VERSION}", pywa.__version__ == PYWA_VERSION, pywa.__version__)
        self.start()
        self.verification()

        # Alice registers and writes first (opens the 24-hour window); Bob only registers.
        done = self.user_send(ALICE, BUSINESS, "Hi Vigil, I'd like to order", retry_for=10)
        r.check("the user's phone registers and sends to the business", done.returncode == 0, done.stderr.decode()[-300:])
        done, _ = self.user_listen(BOB, "--receipts", "none", timeout=1)
        r.check("a second user registers", done.returncode == 0, done.stderr.decode()[-300:])
        first = self.inbound("Hi Vigil, I'd like to order", "first message")

        self.outbound(first)

        reply = "Thanks, got both 👍"
        done = self.user_send(ALICE, BUSINESS, reply)
        r.check("the user's reply is sent", done.returncode == 0, done.stderr.decode()[-300:])
        self.inbound(reply, "reply")

        self.statuses()
        self.typed_errors()
        self.bad_input()

        r.check("every signed webhook POST was accepted by pywa's validator",
                all(verdict is None for _, _, _, verdict in self.receiver.bodies()),
                [verdict for _, _, _, verdict in self.receiver.bodies() if verdict is not None])
        r.check("the relay and the endpoint are still running after the bad input",
                self.relay.alive() and self.cloudapi.alive())

    def stop(self):
        for service in reversed(self.services):
            status = service.stop()
            self.r.check(f"{service.name} stops cleanly on SIGTERM (exit 0)", status == 0, f"{status}: {service.stderr()[-400:]}")
        if hasattr(self, "receiver"):
            self.receiver.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", required=True)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--dump", metavar="FILE", help="write every webhook body received, one per line")
    arguments = parser.parse_args()
    if not os.access(arguments.vigil, os.X_OK):
        print(f"cloudapi_peer.py: {arguments.vigil} is not executable (build vigil first)", file=sys.stderr)
        return 2
    pywa_logger = logging.getLogger("pywa")  # quiet; parse() captures its warnings and errors
    pywa_logger.setLevel(logging.WARNING)
    pywa_logger.propagate = False
    pywa_logger.addHandler(logging.NullHandler())
    results = Results(arguments.verbose)
    workdir = tempfile.mkdtemp(prefix="vigil-cloudapi-interop-")
    interop = Interop(os.path.abspath(arguments.vigil), results, workdir)
    started = time.monotonic()
    try:
        interop.run()
    except Exception as error:  # noqa: BLE001 - any crash is a failure, with its reason
        import traceback
        traceback.print_exc()
        results.check("the interop run completes", False, repr(error))
    finally:
        interop.stop()
        if arguments.dump and hasattr(interop, "receiver"):
            with open(arguments.dump, "wb") as file:
                for _, raw, _, _ in interop.receiver.bodies():
                    file.write(raw + b"\n")
        if arguments.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"cloudapi interop: pywa {pywa.__version__} against vigil cloudapi in {time.monotonic() - started:.1f} s")
    return 0 if results.report() else 1


if __name__ == "__main__":
    sys.exit(main())
