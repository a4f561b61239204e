#!/usr/bin/env python3
"""HTTP interop check: the Transport HTTP/1.1 server and client against independent peers.

Independent implementations used:
  * curl (the system's, libcurl's HTTP/1.1 client) against `vigil http-echo`;
  * h11 (pinned 0.16.0, a strict pure-Python HTTP/1.1 state machine that raises on any
    protocol violation) as a client parsing every response of `vigil http-echo`, including
    pipelined ones and the error responses to malformed requests sent as raw bytes;
  * h11 as a server (threads over sockets, in this file) that `vigil http-fetch` talks to,
    which checks every request the Transport client writes.

Usage: http_peer.py --vigil PATH [--groups curl,h11-client,h11-server] [-v]
Ends with `N passed, M failed`; exit status 0 if nothing failed, 1 otherwise, 2 on a bad
environment (missing curl, h11 or vigil).
"""

import argparse
import email.utils
import hashlib
import json
import os
import random
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

try:
    import h11
except ImportError:  # pragma: no cover - environment problem
    print("http_peer.py: h11 is not installed (run Tests/interop/run-http-interop.sh)", file=sys.stderr)
    sys.exit(2)

SEED = int(os.environ.get("VIGIL_INTEROP_SEED", "20261125"))
TIMEOUT = 10.0
IMF_FIXDATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")


class Results:
    """Counts checks per group and keeps the first failures."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.groups = {}
        self.order = []

    def group(self, name):
        if name not in self.groups:
            self.groups[name] = {"ok": 0, "failed": 0, "failures": []}
            self.order.append(name)
        return self.groups[name]

    def check(self, group, condition, what, detail=""):
        record = self.group(group)
        if condition:
            record["ok"] += 1
            if self.verbose:
                print(f"  ok   {group}: {what}")
        else:
            record["failed"] += 1
            record["failures"].append(f"{what}{': ' + str(detail) if detail != '' else ''}")
        return bool(condition)

    def report(self):
        passed = failed = 0
        for name in self.order:
            record = self.groups[name]
            passed += record["ok"]
            failed += record["failed"]
            status = "PASS" if record["failed"] == 0 else "FAIL"
            print(f"{status} {name:<12} {record['ok']} ok, {record['failed']} failed")
            for failure in record["failures"][:15]:
                print(f"    FAIL {failure}")
        print(f"{passed} passed, {failed} failed")
        return failed == 0


# MARK: - vigil processes

class EchoServer:
    """`vigil http-echo --listen 127.0.0.1:0 [options]`, stopped with SIGTERM."""

    def __init__(self, vigil, *options):
        self.process = subprocess.Popen([vigil, "http-echo", "--listen", "127.0.0.1:0", *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        match = re.fullmatch(r"listening on (127\.0\.0\.1):(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"http-echo did not start: {line!r} {self.process.stderr.read()}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.base = f"http://{self.host}:{self.port}"

    def stop(self):
        """SIGTERM; returns (exit status, stderr)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.process.returncode, self.process.stderr.read()


def fetch(vigil, *arguments, timeout=60):
    """Runs `vigil http-fetch`; returns (status, [json lines], stderr)."""
    completed = subprocess.run([vigil, "http-fetch", *arguments], capture_output=True, text=True, timeout=timeout)
    lines = []
    for line in completed.stdout.splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            lines.append({"unparsable": line})
    return completed.returncode, lines, completed.stderr


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def header(fields, name):
    """The first value of `name` in [[name, value], …] (case-insensitive)."""
    for field_name, value in fields:
        if field_name.lower() == name.lower():
            return value
    return None


# MARK: - curl against http-echo

def curl(*arguments, timeout=30):
    completed = subprocess.run(["curl", "-sS", *arguments], capture_output=True, timeout=timeout)
    return completed.returncode, completed.stdout, completed.stderr.decode("utf-8", "replace")


def run_curl(vigil, results, workdir):
    group = "curl"
    rng = random.Random(SEED)
    echo = EchoServer(vigil)
    base = echo.base
    try:
        # GET, the echo's view of it, and the response fields curl reports.
        code, out, err = curl("-D", "-", f"{base}/hello/world?x=1&y=%20")
        text = out.decode("utf-8", "replace")
        head, _, body = text.partition("\r\n\r\n")
        results.check(group, code == 0 and head.startswith("HTTP/1.1 200 OK"), "GET status line", head[:80] + err)
        try:
            echoed = json.loads(body)
        except json.JSONDecodeError:
            echoed = {}
        results.check(group, echoed.get("method") == "GET" and echoed.get("target") == "/hello/world?x=1&y=%20", "GET echoed", body[:200])
        results.check(group, header(echoed.get("header_fields", []), "Host") == f"127.0.0.1:{echo.port}", "Host seen by the server")
        date = re.search(r"\r\nDate: ([^\r]*)\r\n", head + "\r\n")
        results.check(group, bool(date and IMF_FIXDATE.match(date.group(1))), "Date is an IMF-fixdate", head)
        if date:
            parsed = email.utils.parsedate_to_datetime(date.group(1)).timestamp()
            results.check(group, abs(parsed - time.time()) < 30, "Date is now", date.group(1))

        # POST with content.
        payload = bytes(rng.getrandbits(8) for _ in range(100_000))
        path = os.path.join(workdir, "payload.bin")
        with open(path, "wb") as handle:
            handle.write(payload)
        code, out, err = curl("--data-binary", f"@{path}", "-H", "Content-Type: application/octet-stream", f"{base}/upload")
        echoed = json.loads(out or b"{}")
        results.check(group, echoed.get("body_length") == len(payload) and echoed.get("body_sha256") == sha256(payload),
                      "POST 100 kB content arrives intact", (code, err, out[:200]))

        # Chunked upload.
        code, out, err = curl("-H", "Transfer-Encoding: chunked", "--data-binary", f"@{path}", f"{base}/chunked")
        echoed = json.loads(out or b"{}")
        results.check(group, header(echoed.get("header_fields", []), "Transfer-Encoding") == "chunked", "curl sent chunked", out[:300])
        results.check(group, echoed.get("body_length") == len(payload) and echoed.get("body_sha256") == sha256(payload),
                      "chunked upload de-chunked intact", (code, err))

        # Keep-alive reuse across two URLs in one curl.
        code, out, err = curl("-v", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n",
                              f"{base}/one", f"{base}/items/2")
        lines = out.decode().split()
        results.check(group, code == 0 and lines == ["200", "1", "200", "0"], "two URLs: 200 twice, one connect", (lines, err[-300:]))
        results.check(group, "Re-using existing connection" in err, "curl reuses the connection", err[-400:])

        # HEAD.
        code, out, err = curl("-I", f"{base}/bytes/1234")
        text = out.decode()
        results.check(group, text.startswith("HTTP/1.1 200") and "Content-Length: 1234" in text, "HEAD gives the length", text)

        # Query decoding through the router.
        code, out, err = curl(f"{base}/items/abc?q=a%20b+c&r=%E2%82%AC")
        results.check(group, json.loads(out or b"{}") == {"id": "abc", "query": {"q": "a b c", "r": "\u20ac"}}, "router and query decoding", out)

        # 405 with Allow, 404-free fallback is the echo.
        code, out, err = curl("-X", "POST", "-D", "-", "-o", "/dev/null", f"{base}/items/7")
        text = out.decode()
        results.check(group, text.startswith("HTTP/1.1 405") and "Allow: GET, HEAD" in text, "405 with Allow", text)

        # HTTP/1.0: the server closes after answering.
        code, out, err = curl("--http1.0", "-D", "-", "-o", "/dev/null", f"{base}/old")
        text = out.decode()
        results.check(group, text.startswith("HTTP/1.1 200") and "Connection: close" in text, "HTTP/1.0 gets Connection: close", text)

        # Oversized head: 431.
        code, out, err = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: " + "b" * (17 * 1024), f"{base}/big")
        results.check(group, out == b"431", "oversized header gives 431", (out, err))

        # Oversized content, with and without Expect: 413 either way.
        big = os.path.join(workdir, "big.bin")
        with open(big, "wb") as handle:
            handle.write(b"z" * (2 * 1024 * 1024))
        code, out, err = curl("-o", "/dev/null", "-w", "%{http_code}", "--data-binary", f"@{big}", "-H", "Expect: 100-continue", f"{base}/big")
        results.check(group, out == b"413", "2 MiB with Expect gives 413", (out, err))
        code, out, err = curl("-o", "/dev/null", "-w", "%{http_code}", "--data-binary", f"@{big}", "-H", "Expect:", f"{base}/big")
        results.check(group, out == b"413", "2 MiB without Expect gives 413 (lingering close)", (out, err))
        code, out, err = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{big}", f"{base}/big")
        results.check(group, out == b"413", "2 MiB chunked gives 413", (out, err))

        # Expect: 100-continue on an acceptable body.
        code, out, err = curl("-v", "--data-binary", f"@{path}", "-H", "Expect: 100-continue", f"{base}/expect")
        echoed = json.loads(out or b"{}")
        results.check(group, "HTTP/1.1 100 Continue" in err and echoed.get("body_sha256") == sha256(payload), "100-continue then content", err[-300:])

        # Many keep-alive requests in one curl (its connection cache) with bodies.
        urls = [f"{base}/many/{index}" for index in range(20)]
        code, out, err = curl("-v", "--data-binary", "x", *sum((["-o", "/dev/null"] for _ in urls), []), "-w", "%{http_code}\\n", *urls)
        results.check(group, out.decode().split() == ["200"] * 20 and err.count("Connected to") == 1, "20 POSTs on one connection", err.count("Connected to"))
    finally:
        status, stderr = echo.stop()
    results.check(group, status == 0 and "stopped after" in stderr, "SIGTERM stops http-echo cleanly", (status, stderr))


# MARK: - h11 as a client of http-echo

class H11Client:
    """A socket and an h11 client connection; raises h11.RemoteProtocolError on any violation."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.conn = h11.Connection(our_role=h11.CLIENT)
        self.port = port

    def request_bytes(self, method, target, headers=(), body=None, chunks=None, trailers=()):
        """The bytes h11 writes for a request (and it records that the request was sent)."""
        fields = [("Host", f"127.0.0.1:{self.port}"), *headers]
        if body is not None:
            fields.append(("Content-Length", str(len(body))))
        if chunks is not None:
            fields.append(("Transfer-Encoding", "chunked"))
        data = self.conn.send(h11.Request(method=method, target=target, headers=fields))
        if body:
            data += self.conn.send(h11.Data(data=body))
        for chunk in chunks or []:
            data += self.conn.send(h11.Data(data=chunk))
        data += self.conn.send(h11.EndOfMessage(headers=list(trailers)))
        return data

    def read_response(self):
        """(response, body, trailers, informational responses) of the next response."""
        response, body, informational = None, b"", []
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
                continue
            if isinstance(event, h11.InformationalResponse):
                informational.append(event)
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                return response, body, [(k.decode(), v.decode()) for k, v in event.headers], informational
            elif isinstance(event, h11.ConnectionClosed):
                raise EOFError("connection closed before the response was complete")

    def next_cycle(self):
        self.conn.start_next_cycle()

    def server_closed(self):
        """Whether the server closes next (EOF with nothing more)."""
        try:
            self.sock.settimeout(TIMEOUT)
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
                if data:
                    return False
        except (ConnectionResetError, socket.timeout):
            return False

    def close(self):
        self.sock.close()


def response_field(response, name):
    for field_name, value in response.headers:
        if field_name.decode().lower() == name.lower():
            return value.decode()
    return None


MALFORMED = [
    # (name, raw bytes, status, text in the body)
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400, "obsolete line folding"),
    ("bare LF", b"GET / HTTP/1.1\nHost: a\n\n", 400, "LF without CR"),
    ("bare CR in value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400, "CR not followed by LF"),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "whitespace between header field name and colon"),
    ("TE and CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "both Transfer-Encoding and Content-Length"),
    ("differing CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, "conflicting Content-Length"),
    ("negative CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length"),
    ("bad chunk size", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", 400, "invalid chunk size"),
    ("chunk without CRLF", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400, "chunk data not followed by CRLF"),
    ("bad request line", b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line"),
    ("bad method", b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "method is not a token"),
    ("control in value", b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", 400, "control character"),
    ("missing Host", b"GET / HTTP/1.1\r\n\r\n", 400, "missing Host"),
    ("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"),
    ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "not supported"),
    ("gzip coding", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "unsupported transfer coding"),
    ("chunked not last", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "chunked must be final"),
    ("TE in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HTTP/1.0"),
    ("unknown expectation", b"POST / HTTP/1.1\r\nHost: a\r\nExpect: tea\r\nContent-Length: 1\r\n\r\nx", 417, "unsupported expectation"),
    ("oversized head", b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"h" * 17000 + b"\r\n\r\n", 431, "exceeds 16384 bytes"),
    ("oversized CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413, "content exceeds 1048576 bytes"),
    ("oversized chunks", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413, "content exceeds"),
    ("TLS hello", bytes.fromhex("160301020001000001fc0303") + b"\r\n", 400, "malformed request line"),
]


def run_h11_client(vigil, results):
    group = "h11-client"
    rng = random.Random(SEED + 1)
    echo = EchoServer(vigil)
    try:
        # Keep-alive: many requests of every framing on one connection, each response parsed strictly.
        client = H11Client(echo.port)
        try:
            for index in range(40):
                kind = index % 4
                payload = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20000)))
                if kind == 0:
                    data = client.request_bytes("GET", f"/get/{index}")
                    expected_length, expected_hash = 0, sha256(b"")
                elif kind == 1:
                    data = client.request_bytes("POST", f"/post/{index}", body=payload)
                    expected_length, expected_hash = len(payload), sha256(payload)
                elif kind == 2:
                    pieces = [payload[i:i + 777] for i in range(0, len(payload), 777)]
                    data = client.request_bytes("PUT", f"/chunked/{index}", chunks=pieces, trailers=[("X-Trailer", str(index))])
                    expected_length, expected_hash = len(payload), sha256(payload)
                else:
                    data = client.request_bytes("DELETE", f"/delete/{index}?a=1")
                    expected_length, expected_hash = 0, sha256(b"")
                client.sock.sendall(data)
                response, body, trailers, _ = client.read_response()
                echoed = json.loads(body)
                ok = (response.status_code == 200 and echoed["body_length"] == expected_length and echoed["body_sha256"] == expected_hash)
                if kind == 2:
                    ok = ok and echoed["trailers"] == [["X-Trailer", str(index)]]
                results.check(group, ok, f"keep-alive request {index} (kind {kind})", (response.status_code, body[:200]))
                client.next_cycle()
        except h11.RemoteProtocolError as error:
            results.check(group, False, "h11 parses every keep-alive response", error)
        finally:
            client.close()

        # Pipelining: all requests in one write, slow ones first; answers must come in order.
        client = H11Client(echo.port)
        try:
            delays = [120, 0, 60, 0, 30, 10, 0, 90, 0, 5]
            targets = [f"/delay/{delay}" if index % 2 == 0 else f"/pipelined/{index}" for index, delay in enumerate(delays)]
            # h11 writes one request per cycle, so each request's bytes come from a scratch connection.
            stream = b""
            for target in targets:
                scratch = H11Client.__new__(H11Client)
                scratch.conn = h11.Connection(our_role=h11.CLIENT)
                scratch.port = echo.port
                stream += scratch.request_bytes("GET", target)
            client.sock.sendall(stream)
            order = []
            for target in targets:
                client.request_bytes("GET", target)  # records the request in h11's state; its bytes were sent above
                response, body, _, _ = client.read_response()
                echoed = json.loads(body)
                order.append(echoed.get("delayed_ms", echoed.get("target")))
                client.next_cycle()
            expected = [delay if index % 2 == 0 else f"/pipelined/{index}" for index, delay in enumerate(delays)]
            results.check(group, order == expected, "10 pipelined requests answered in order", order)
        except h11.RemoteProtocolError as error:
            results.check(group, False, "h11 parses pipelined responses", error)
        finally:
            client.close()

        # HEAD and a large body.
        client = H11Client(echo.port)
        try:
            client.sock.sendall(client.request_bytes("HEAD", "/bytes/5000"))
            response, body, _, _ = client.read_response()
            results.check(group, response.status_code == 200 and body == b"" and response_field(response, "Content-Length") == "5000",
                          "HEAD: length without content")
            client.next_cycle()
            client.sock.sendall(client.request_bytes("GET", "/bytes/3000000"))
            response, body, _, _ = client.read_response()
            results.check(group, body == b"x" * 3000000, "3 MB response", len(body))
            client.next_cycle()
            # 100-continue: h11 waits for the interim response before sending the content.
            payload = b"continue-me" * 100
            client.sock.sendall(client.conn.send(h11.Request(method="POST", target="/expect", headers=[
                ("Host", "x"), ("Expect", "100-continue"), ("Content-Length", str(len(payload)))])))
            event = h11.NEED_DATA
            while event is h11.NEED_DATA:
                event = client.conn.next_event()
                if event is h11.NEED_DATA:
                    client.conn.receive_data(client.sock.recv(65536))
            results.check(group, isinstance(event, h11.InformationalResponse) and event.status_code == 100, "100 Continue first", event)
            client.sock.sendall(client.conn.send(h11.Data(data=payload)) + client.conn.send(h11.EndOfMessage()))
            response, body, _, _ = client.read_response()
            results.check(group, json.loads(body).get("body_sha256") == sha256(payload), "content after 100 Continue")
            client.next_cycle()
            # Connection: close from the client: answered, then the server closes.
            client.sock.sendall(client.request_bytes("GET", "/last", headers=[("Connection", "close")]))
            response, body, _, _ = client.read_response()
            results.check(group, response_field(response, "Connection") == "close", "Connection: close echoed")
            results.check(group, client.server_closed(), "server closes after Connection: close")
        except (h11.RemoteProtocolError, EOFError) as error:
            results.check(group, False, "h11 parses HEAD/large/100-continue responses", error)
        finally:
            client.close()

        # Malformed requests as raw bytes; h11 parses the error responses.
        for name, raw, status, text in MALFORMED:
            client = H11Client(echo.port)
            try:
                client.request_bytes("GET", "/")  # puts h11 in the state of having sent a GET
                client.sock.sendall(raw)
                response, body, _, _ = client.read_response()
                ok = (response.status_code == status and text.encode() in body and response_field(response, "Connection") == "close")
                results.check(group, ok, f"{name}: {status}", (response.status_code, body[:160]))
                results.check(group, client.server_closed(), f"{name}: server closes")
            except (h11.RemoteProtocolError, EOFError, OSError) as error:
                results.check(group, False, f"{name}: h11 parses the error response", error)
            finally:
                client.close()
    finally:
        status, stderr = echo.stop()
    results.check(group, status == 0, "http-echo stopped cleanly", stderr)

    # Timeouts need short settings: a slow head gets 408, an idle connection is closed silently.
    echo = EchoServer(vigil, "--head-timeout", "300", "--body-timeout", "300", "--idle-timeout", "400")
    try:
        for name, raw in (("slow head", b"GET / HTTP/1.1\r\nHost: a\r\n"), ("slow body", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc")):
            client = H11Client(echo.port)
            try:
                client.request_bytes("GET", "/")
                started = time.monotonic()
                client.sock.sendall(raw)
                response, body, _, _ = client.read_response()
                waited = time.monotonic() - started
                results.check(group, response.status_code == 408 and 0.25 <= waited < 5, f"{name}: 408 after the timeout", (response.status_code, waited))
                results.check(group, client.server_closed(), f"{name}: server closes")
            except (h11.RemoteProtocolError, EOFError, OSError) as error:
                results.check(group, False, f"{name}: h11 parses the 408", error)
            finally:
                client.close()
        client = H11Client(echo.port)
        try:
            client.sock.sendall(client.request_bytes("GET", "/idle"))
            client.read_response()
            started = time.monotonic()
            closed = client.server_closed()
            results.check(group, closed and 0.3 <= time.monotonic() - started < 5, "idle keep-alive connection closed silently",
                          time.monotonic() - started)
        finally:
            client.close()
    finally:
        echo.stop()


# MARK: - h11 as a server for http-fetch

class H11Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), H11Handler)
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = []
        self.errors = []
        self.stale_done = False

    @property
    def port(self):
        return self.server_address[1]


class H11Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
            connection_number = server.connections
        conn = h11.Connection(our_role=h11.SERVER)
        sock = self.request
        sock.settimeout(TIMEOUT)
        served = 0
        try:
            while True:
                request, body, trailers = None, b"", []
                while True:
                    event = conn.next_event()
                    if event is h11.NEED_DATA:
                        try:
                            data = sock.recv(65536)
                        except (ConnectionResetError, socket.timeout):
                            data = b""
                        conn.receive_data(data)
                        continue
                    if isinstance(event, h11.Request):
                        request = event
                    elif isinstance(event, h11.Data):
                        body += event.data
                    elif isinstance(event, h11.EndOfMessage):
                        trailers = event.headers
                        break
                    elif isinstance(event, h11.ConnectionClosed):
                        return
                target = request.target.decode()
                with server.lock:
                    server.requests.append({"connection": connection_number, "method": request.method.decode(), "target": target,
                                            "headers": [(k.decode(), v.decode()) for k, v in request.headers],
                                            "length": len(body), "sha256": sha256(body)})
                if target.startswith("/stale") and served == 1 and not server.stale_done:
                    # The idle connection "times out" just as the client reuses it.
                    server.stale_done = True
                    sock.close()
                    return
                served += 1
                self.respond(conn, sock, request, target, body)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    sock.close()
                    return
                conn.start_next_cycle()
        except h11.RemoteProtocolError as error:
            with server.lock:
                server.errors.append(f"connection {connection_number}: {error}")
            try:
                sock.sendall(conn.send(h11.Response(status_code=400, headers=[("Content-Length", "0"), ("Connection", "close")])))
            except Exception:
                pass
            sock.close()

    @staticmethod
    def respond(conn, sock, request, target, body):
        method = request.method.decode()
        def send(status, headers=(), content=None, chunks=None, trailers=()):
            fields = list(headers)
            if content is not None:
                fields.append(("Content-Length", str(len(content))))
            data = conn.send(h11.Response(status_code=status, headers=fields))
            if content and method != "HEAD":
                data += conn.send(h11.Data(data=content))
            for chunk in chunks or []:
                data += conn.send(h11.Data(data=chunk))
            data += conn.send(h11.EndOfMessage(headers=list(trailers)))
            sock.sendall(data)

        if target.startswith("/hook"):
            answer = json.dumps({"method": method, "length": len(body), "sha256": sha256(body)}).encode()
            send(200, [("Content-Type", "application/json")], answer)
        elif target.startswith("/chunked"):
            size = int(target.split("=")[1]) if "=" in target else 100000
            rng = random.Random(size)
            content = bytes(rng.getrandbits(8) for _ in range(size))
            pieces = [content[i:i + 4093] for i in range(0, len(content), 4093)]
            send(200, [("Transfer-Encoding", "chunked")], chunks=pieces, trailers=[("X-Checksum", sha256(content))])
        elif target.startswith("/interim"):
            sock.sendall(conn.send(h11.InformationalResponse(status_code=100, headers=[])) +
                         conn.send(h11.InformationalResponse(status_code=103, headers=[("Link", "</style.css>; rel=preload")])))
            send(200, [], b"after interim")
        elif target.startswith("/close"):
            send(200, [("Connection", "close")], b"closing")
        elif target.startswith("/head"):
            sock.sendall(conn.send(h11.Response(status_code=200, headers=[("Content-Length", "50")])) + conn.send(h11.EndOfMessage()))
        elif target.startswith("/nocontent"):
            send(204, [])
        elif target.startswith("/slow"):
            time.sleep(1.0)
            send(200, [], b"late")
        elif target.startswith("/stale"):
            send(200, [], b"fresh")
        else:
            send(404, [], b"not found")


def run_h11_server(vigil, results):
    group = "h11-server"
    server = H11Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        # POST with content, keep-alive reuse across repeats.
        payload = bytes(range(256)) * 400
        status, lines, err = fetch(vigil, f"{base}/hook", "--data-size", str(len(payload)), "--repeat", "5",
                                   "--header", "Content-Type: application/json", "--header", "X-Hub-Signature-256: sha256=abc")
        responses = [line for line in lines if "status" in line]
        results.check(group, status == 0 and len(responses) == 5, "5 POSTs answered", (status, lines[-1:], err))
        for index, response in enumerate(responses):
            answer = json.loads(response.get("body", "{}"))
            results.check(group, answer.get("length") == len(payload) and answer.get("sha256") == sha256(payload),
                          f"h11 server received POST {index} intact", answer)
        results.check(group, [r.get("reused") for r in responses] == [False, True, True, True, True], "vigil reused its connection",
                      [r.get("reused") for r in responses])
        results.check(group, lines[-1].get("connections_opened") == 1, "one connection opened", lines[-1])
        seen = [r for r in server.requests if r["target"] == "/hook"]
        results.check(group, len({r["connection"] for r in seen}) == 1, "h11 saw one connection")
        results.check(group, all(dict((k.lower(), v) for k, v in r["headers"]).get("x-hub-signature-256") == "sha256=abc" for r in seen),
                      "custom header delivered")
        results.check(group, all(dict((k.lower(), v) for k, v in r["headers"]).get("host") == f"127.0.0.1:{server.port}" for r in seen),
                      "Host header from the URL")

        # Chunked response with trailers; interim responses; HEAD; 204; close-after-response.
        status, lines, err = fetch(vigil, f"{base}/chunked?size=300000")
        response = lines[0] if lines else {}
        checksum = header(response.get("trailer_fields", []), "X-Checksum")
        results.check(group, response.get("body_length") == 300000 and checksum == response.get("body_sha256"),
                      "chunked response with trailer joined intact", (response.get("body_length"), checksum))
        status, lines, err = fetch(vigil, f"{base}/interim")
        results.check(group, lines and lines[0].get("status") == 200 and lines[0].get("body") == "after interim", "1xx responses skipped", lines)
        status, lines, err = fetch(vigil, "--method", "HEAD", f"{base}/head", f"{base}/hook")
        results.check(group, len(lines) == 3 and lines[0].get("status") == 200 and lines[0].get("body_length") == 0
                      and lines[1].get("status") == 200 and lines[1].get("reused") is True, "HEAD response has no content; connection reused", lines)
        status, lines, err = fetch(vigil, "--method", "DELETE", f"{base}/nocontent", "--repeat", "2")
        results.check(group, [line.get("status") for line in lines[:2]] == [204, 204] and lines[1].get("reused") is True, "204 twice on one connection", lines)
        status, lines, err = fetch(vigil, f"{base}/close", "--repeat", "3")
        results.check(group, [line.get("body") for line in lines[:3]] == ["closing"] * 3 and lines[-1].get("connections_opened") == 3,
                      "Connection: close from the server means a new connection each time", lines[-1:])

        # A stale pooled connection: the server closes it as the second request arrives.
        status, lines, err = fetch(vigil, f"{base}/stale", "--repeat", "2")
        results.check(group, status == 0 and [line.get("body") for line in lines[:2]] == ["fresh", "fresh"] and lines[-1].get("retries") == 1,
                      "stale connection retried once", lines)

        # Timeout.
        status, lines, err = fetch(vigil, f"{base}/slow", "--timeout", "300")
        results.check(group, status == 1 and "no response within" in lines[0].get("error", ""), "timeout is reported", lines)

        # Connection refused.
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
        probe.close()
        status, lines, err = fetch(vigil, f"http://127.0.0.1:{free_port}/hook")
        results.check(group, status == 1 and "cannot connect" in lines[0].get("error", ""), "refused connection is reported", lines)

        # https is refused up front.
        completed = subprocess.run([vigil, "http-fetch", "https://127.0.0.1/"], capture_output=True, text=True)
        results.check(group, completed.returncode == 2 and "plain http only" in completed.stderr, "https refused", completed.stderr)

        results.check(group, not server.errors, "h11 accepted every request vigil wrote", server.errors)
    finally:
        server.shutdown()
        server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--groups", default="curl,h11-client,h11-server")
    parser.add_argument("-v", "--verbose", action="store_true")
    arguments = parser.parse_args()
    if shutil.which("curl") is None:
        print("http_peer.py: curl is not installed", file=sys.stderr)
        return 2
    if not os.access(arguments.vigil, os.X_OK):
        print(f"http_peer.py: {arguments.vigil} is not an executable", file=sys.stderr)
        return 2
    print(f"seed {SEED}, h11 {h11.__version__}, {subprocess.run(['curl', '--version'], capture_output=True, text=True).stdout.split(chr(10))[0]}")
    results = Results(arguments.verbose)
    groups = {"curl": run_curl, "h11-client": run_h11_client, "h11-server": run_h11_server}
    with tempfile.TemporaryDirectory() as workdir:
        for name in arguments.groups.split(","):
            runner = groups.get(name)
            if runner is None:
                print(f"http_peer.py: unknown group {name}", file=sys.stderr)
                return 2
            try:
                if name == "curl":
                    runner(arguments.vigil, results, workdir)
                else:
                    runner(arguments.vigil, results)
            except Exception as error:  # a crash in a group is a failure, not a harness crash
                results.check(name, False, "group ran to completion", repr(error))
    return 0 if results.report() else 1


if __name__ == "__main__":
    sys.exit(main())
