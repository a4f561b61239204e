"""A minimal client of Vigil's relay wire protocol, version 1 (docs/wire.md), standard library only.

The relay routes envelopes as opaque bytes, so the fault harness needs no cryptography to load it:
it registers numbers, says hello with the stored token, sends envelopes with client message ids
(the idempotency key) and reads `deliver` frames, acknowledging them.
"""

import socket
import struct

VERSION = 1
REGISTER, HELLO, SEND, ACK = 0x01, 0x02, 0x05, 0x06
RECEIPT, ERROR, PING, PONG = 0x40, 0x41, 0x42, 0x43
RECEIPT_DELIVERED = 1
REGISTERED, WELCOME, ACCEPTED, DELIVER, OK, NOTICE = 0x81, 0x82, 0x84, 0x85, 0x86, 0x87

KIND_USER, KIND_BUSINESS = 1, 2
CATEGORY_NONE, CATEGORY_UTILITY = 0, 2


class RelayError(Exception):
    """An `error` frame from the relay (code and text), or a broken stream."""

    def __init__(self, code, text):
        super().__init__(f"relay error {code}: {text}")
        self.code = code
        self.text = text


def phone(number):
    data = number.encode("ascii")
    return struct.pack(">B", len(data)) + data


def read_phone(body, offset):
    length = body[offset]
    return body[offset + 1:offset + 1 + length].decode("ascii"), offset + 1 + length


class RelayClient:
    """One authenticated connection as one (phone, device)."""

    def __init__(self, address, timeout=10.0):
        host, port = address
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.next_request = 1

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _send_frame(self, frame_type, body, request=None):
        if request is None:
            request = self.next_request
            self.next_request += 1
        header = struct.pack(">IBBI", 6 + len(body), VERSION, frame_type, request)
        self.sock.sendall(header + body)
        return request

    def read_frame(self):
        """The next frame as (type, request id, body); answers pings itself."""
        while True:
            while len(self.buffer) < 4 or len(self.buffer) < 4 + struct.unpack(">I", self.buffer[:4])[0]:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise RelayError(0, "connection closed by the relay")
                self.buffer += chunk
            length = struct.unpack(">I", self.buffer[:4])[0]
            frame, self.buffer = self.buffer[4:4 + length], self.buffer[4 + length:]
            _, frame_type, request = struct.unpack(">BBI", frame[:6])
            body = frame[6:]
            if frame_type == PING:
                self._send_frame(PONG, body, request)
                continue
            return frame_type, request, body

    def _expect(self, wanted):
        while True:
            frame_type, request, body = self.read_frame()
            if frame_type == ERROR:
                code, length = struct.unpack(">HH", body[:4])
                raise RelayError(code, body[4:4 + length].decode("utf-8", "replace"))
            if frame_type in wanted:
                return frame_type, request, body
            # notices, forwarded receipts and deliveries are not what a request waits for

    def register(self, number, device=1):
        """Registers `number`; returns the 32-byte token."""
        self._send_frame(REGISTER, phone(number) + struct.pack(">I", device))
        _, _, body = self._expect({REGISTERED})
        return body

    def hello(self, number, token, device=1):
        self._send_frame(HELLO, phone(number) + struct.pack(">I", device) + token)
        self._expect({WELCOME})

    def send(self, recipient, message_id, payload, kind=KIND_USER, category=CATEGORY_NONE):
        """Sends one envelope and waits for `accepted`: returns (envelope id hex, relay time)."""
        body = phone(recipient) + struct.pack(">QBBI", message_id, kind, category, len(payload)) + payload
        self._send_frame(SEND, body)
        _, _, reply = self._expect({ACCEPTED})
        echoed, envelope, time = struct.unpack(">Q16sQ", reply)
        if echoed != message_id:
            raise RelayError(0, f"accepted echoes message id {echoed}, sent {message_id}")
        return envelope.hex(), time

    def next_delivery(self):
        """Blocks for the next `deliver`: (envelope id hex, sender, ciphertext)."""
        while True:
            frame_type, _, body = self.read_frame()
            if frame_type == DELIVER:
                envelope = body[:16]
                sender, offset = read_phone(body, 16)
                offset += 8 + 2  # time, kind and category
                (length,) = struct.unpack(">I", body[offset:offset + 4])
                return envelope.hex(), sender, body[offset + 4:offset + 4 + length]
            if frame_type == ERROR:
                code, length = struct.unpack(">HH", body[:4])
                raise RelayError(code, body[4:4 + length].decode("utf-8", "replace"))

    def receipt(self, counterpart, envelope_ids, kind=RECEIPT_DELIVERED):
        """A `delivered` (or `read`) receipt for `envelope_ids` to their sender `counterpart`."""
        body = struct.pack(">B", kind) + phone(counterpart) + struct.pack(">H", len(envelope_ids))
        self._send_frame(RECEIPT, body + b"".join(bytes.fromhex(e) for e in envelope_ids), 0)

    def sync(self, nonce=0x5EED):
        """A ping answered: everything sent before it has been read by the relay."""
        request = self._send_frame(PING, struct.pack(">Q", nonce))
        while True:
            frame_type, echoed, _ = self.read_frame()
            if frame_type == PONG and echoed == request:
                return

    def ack(self, envelope_ids):
        for start in range(0, len(envelope_ids), 256):
            chunk = envelope_ids[start:start + 256]
            body = struct.pack(">H", len(chunk)) + b"".join(bytes.fromhex(e) for e in chunk)
            self._send_frame(ACK, body, 0)
