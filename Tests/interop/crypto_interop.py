#!/usr/bin/env python3
"""Crypto interop harness: Vigil (Swift) against Python `cryptography` and signal_peer.py.

  python Tests/interop/crypto_interop.py [--vigil PATH] [--python-only] [--seed N]

1. reference: Python `cryptography` against Wycheproof (when ../shared/vectors is present), so the
   reference itself is known good.
2. primitives: >= 2 000 random inputs per operation (plus edge and error inputs) through an oracle
   process speaking JSON lines, compared with `cryptography` computed here: byte-equal outputs and
   the same accept / reject decisions. Oracles: `signal_peer.py oracle` (a self-check of this
   harness and of signal_peer's primitive layer) and `vigil crypto-oracle` with --vigil.
3. sessions: two party processes (`signal_peer.py party`, `vigil crypto-party`) for each pairing,
   initiator x responder: bundles, random conversations checked against a model of RatchetDecrypt,
   tampering, replays, storage, limits.
Prints one line per group, then `N passed, M failed`; exits 1 if anything failed. The seed is printed
and `VIGIL_INTEROP_SEED` (or --seed) replays a run.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import queue
import random
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as c_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HERE = pathlib.Path(__file__).resolve().parent
PEER = HERE / "signal_peer.py"
WYCHEPROOF = HERE.parents[2] / "shared" / "vectors" / "wycheproof"  # the checkout's sibling shared/
RANDOM_PER_OP = 2000
MAX_SKIP = 25_000
MAX_SKIPPED_PER_CHAIN = 2_000
ED25519_L = 2**252 + 27742317777372353535851937790883648493
P25519 = 2**255 - 19


# ---------------------------------------------------------------------------------------------
# Reporting

class Group:
    def __init__(self, report: "Report", name: str):
        self.report, self.name = report, name
        self.passed = self.failed = 0
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.started = time.monotonic()

    def check(self, ok: bool, what: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.fail(what)
        return ok

    def fail(self, what: str) -> None:
        self.failed += 1
        if len(self.failures) < 6:
            self.failures.append(what if len(what) < 600 else what[:600] + "…")

    def note(self, what: str) -> None:
        self.notes.append(what)

    def __enter__(self) -> "Group":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is not None:
            self.fail(f"aborted: {type(exc).__name__}: {exc}")
        self.report.close(self)
        return not isinstance(exc, KeyboardInterrupt)


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def group(self, name: str) -> Group:
        return Group(self, name)

    def close(self, g: Group) -> None:
        self.passed += g.passed
        self.failed += g.failed
        status = "FAIL" if g.failed else "PASS"
        print(f"{status}  {g.name:<50} {g.passed:>6} ok, {g.failed} failed  ({time.monotonic() - g.started:.1f}s)", flush=True)
        for f in g.failures:
            print(f"        ! {f}", flush=True)
        if g.failed > len(g.failures):
            print(f"        ! … and {g.failed - len(g.failures)} more", flush=True)
        for n in g.notes:
            print(f"        note: {n}", flush=True)


# ---------------------------------------------------------------------------------------------
# A child process speaking JSON lines

class PeerDied(Exception):
    def __init__(self, message: str, replies: list | None = None):
        super().__init__(message)
        self.replies = replies or []  # in a batch: the replies read before the death


class LineProcess:
    """One long-lived child: a writer thread feeds requests, a reader thread queues reply lines."""

    def __init__(self, argv: list[str], label: str, timeout: float = 120.0):
        self.label, self.timeout = label, timeout
        self._stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as e:
            raise PeerDied(f"{label}: cannot start {argv[0]}: {e}") from e
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def stderr_tail(self) -> str:
        self._stderr.seek(0)
        lines = [l.strip() for l in self._stderr.read().decode("utf-8", "replace").splitlines() if l.strip()]
        key = [l for l in lines if re.search(r"fatal error|^error|unknown command|\*\*\* signal|panic", l, re.I)]
        return " | ".join((key or lines)[:3] if key else lines[-3:])[-400:]

    def _died(self, why: str, replies: list | None = None) -> PeerDied:
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        code = self.proc.poll()
        return PeerDied(f"{self.label}: {why} (exit {code}; stderr: {self.stderr_tail() or '-'})", replies)

    def _write(self, lines: list[bytes]) -> None:
        try:
            for chunk in range(0, len(lines), 256):
                self.proc.stdin.write(b"".join(lines[chunk:chunk + 256]))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the reader reports the death

    def raw_batch(self, lines: list[str]) -> list:
        """Sends lines (no newline inside), returns one parsed reply per line (the raw text if not JSON)."""
        encoded = [line.encode() + b"\n" for line in lines]
        writer = threading.Thread(target=self._write, args=(encoded,), daemon=True)
        writer.start()
        replies = []
        for _ in lines:
            try:
                line = self._lines.get(timeout=self.timeout)
            except queue.Empty:
                raise self._died(f"no reply within {self.timeout:.0f}s", replies) from None
            if line is None:
                self._lines.put(None)
                raise self._died("exited", replies)
            try:
                replies.append(json.loads(line))
            except ValueError:
                replies.append(line.decode("utf-8", "replace").rstrip("\n"))
        writer.join()
        return replies

    def batch(self, requests: list[dict]) -> list:
        return self.raw_batch([json.dumps(r, separators=(",", ":")) for r in requests])

    def request(self, req: dict):
        return self.batch([req])[0]

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


def probe(argv: list[str], label: str, request: dict) -> tuple[LineProcess | None, str]:
    """Starts the process and checks that it answers one request with a JSON object."""
    try:
        p = LineProcess(argv, label, timeout=30)
        reply = p.request(request)
    except PeerDied as e:
        return None, str(e)
    if not isinstance(reply, dict):
        p.close()
        return None, f"{label}: not a JSON object reply: {str(reply)[:200]}"
    return p, ""


# ---------------------------------------------------------------------------------------------
# Reference primitives, straight from `cryptography` (independent of signal_peer.py)

class RefError(Exception):
    pass


_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


def _h(req: dict, field: str, size: int | None = None) -> bytes:
    value = req.get(field)
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise RefError(f"bad hex in {field}")
    data = bytes.fromhex(value)
    if size is not None and len(data) != size:
        raise RefError(f"{field} must be {size} bytes")
    return data


def _digest(algorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def reference(req) -> dict:
    """The expected reply; raises RefError where the oracle must answer {"error": ...}."""
    if not isinstance(req, dict):
        raise RefError("not an object")
    op = req.get("op")
    if op in ("sha256", "sha512"):
        return {"digest": _digest(hashes.SHA256() if op == "sha256" else hashes.SHA512(), _h(req, "msg"))}
    if op == "hmac_sha256":
        key, msg = _h(req, "key"), _h(req, "msg")
        mac = c_hmac.HMAC(key, hashes.SHA256())
        mac.update(msg)
        return {"tag": mac.finalize()}
    if op == "hkdf_sha256":
        ikm, salt, info = _h(req, "ikm"), _h(req, "salt"), _h(req, "info")
        size = req.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= 255 * 32:
            raise RefError("bad size")
        return {"okm": HKDF(hashes.SHA256(), size, salt, info).derive(ikm) if size else b""}
    if op == "x25519":
        private, public = _h(req, "private", 32), _h(req, "public", 32)
        try:
            return {"shared": X25519PrivateKey.from_private_bytes(private).exchange(X25519PublicKey.from_public_bytes(public))}
        except ValueError as e:
            raise RefError("zero shared secret") from e
    if op == "x25519_base":
        return {"public": X25519PrivateKey.from_private_bytes(_h(req, "private", 32)).public_key().public_bytes_raw()}
    if op == "ed25519_sign":
        key = Ed25519PrivateKey.from_private_bytes(_h(req, "seed", 32))
        return {"public": key.public_key().public_bytes_raw(), "sig": key.sign(_h(req, "msg"))}
    if op == "ed25519_verify":
        public, msg, sig = _h(req, "public", 32), _h(req, "msg"), _h(req, "sig", 64)
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(sig, msg)
            return {"valid": True}
        except (InvalidSignature, ValueError):
            return {"valid": False}
    if op == "chacha20poly1305_seal":
        key, nonce, aad, msg = _h(req, "key", 32), _h(req, "nonce", 12), _h(req, "aad"), _h(req, "msg")
        sealed = ChaCha20Poly1305(key).encrypt(nonce, msg, aad)
        return {"ct": sealed[:-16], "tag": sealed[-16:]}
    if op == "chacha20poly1305_open":
        key, nonce, aad = _h(req, "key", 32), _h(req, "nonce", 12), _h(req, "aad")
        ct, tag = _h(req, "ct"), _h(req, "tag", 16)
        try:
            return {"msg": ChaCha20Poly1305(key).decrypt(nonce, ct + tag, aad)}
        except InvalidTag as e:
            raise RefError("tag") from e
    if op == "kdf_ck":
        ck = _h(req, "ck", 32)
        out = []
        for label in (b"\x01", b"\x02"):
            mac = c_hmac.HMAC(ck, hashes.SHA256())
            mac.update(label)
            out.append(mac.finalize())
        return {"message_key_seed": out[0], "next_ck": out[1]}
    if op == "kdf_rk":
        rk, dh = _h(req, "rk", 32), _h(req, "dh", 32)
        okm = HKDF(hashes.SHA256(), 64, rk, b"WhisperRatchet").derive(dh)
        return {"rk": okm[:32], "ck": okm[32:]}
    raise RefError("unknown op")


OPS = ["sha256", "sha512", "hmac_sha256", "hkdf_sha256", "x25519", "x25519_base", "ed25519_sign",
       "ed25519_verify", "chacha20poly1305_seal", "chacha20poly1305_open", "kdf_ck", "kdf_rk"]


def expected_of(req) -> dict | None:
    try:
        return reference(req)
    except RefError:
        return None


def compare(reply, expected: dict | None) -> str:
    """'' when the reply matches, else why not."""
    if not isinstance(reply, dict):
        return f"reply is not a JSON object: {str(reply)[:120]!r}"
    if expected is None:
        return "" if isinstance(reply.get("error"), str) else f"expected an error, got {_short(reply)}"
    if "error" in reply:
        return f"unexpected error {reply['error']!r}"
    for key, want in expected.items():
        got = reply.get(key)
        if isinstance(want, bool):
            if got is not want:
                return f"{key}: expected {want}, got {got!r}"
        elif not isinstance(got, str) or not _HEX.fullmatch(got) or bytes.fromhex(got) != want:
            return f"{key}: expected {want.hex()[:80]}…, got {str(got)[:80]!r}"
    return ""


def _short(obj) -> str:
    text = json.dumps(obj) if not isinstance(obj, str) else obj
    return text if len(text) < 200 else text[:200] + "…"


# ---------------------------------------------------------------------------------------------
# Primitive inputs

LOW_ORDER = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]
LOW_ORDER += [p[:62] + format(int(p[62:], 16) | 0x80, "02x") for p in LOW_ORDER]  # top bit set: same u


def rand_len(rnd: random.Random) -> int:
    r = rnd.random()
    if r < 0.05:
        return 0
    if r < 0.75:
        return rnd.randrange(1, 257)
    if r < 0.97:
        return rnd.randrange(257, 4097)
    return rnd.randrange(4097, 65537)


def _flip_bit(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    i = rnd.randrange(len(b))
    b[i] ^= 1 << rnd.randrange(8)
    return bytes(b)


def _sign(seed: bytes, msg: bytes) -> tuple[bytes, bytes]:
    k = Ed25519PrivateKey.from_private_bytes(seed)
    return k.public_key().public_bytes_raw(), k.sign(msg)


def random_case(op: str, rnd: random.Random) -> dict:
    rb = rnd.randbytes
    if op in ("sha256", "sha512"):
        return {"op": op, "msg": rb(rand_len(rnd)).hex()}
    if op == "hmac_sha256":
        return {"op": op, "key": rb(rnd.choice([rnd.randrange(0, 65), rnd.randrange(65, 300), 32])).hex(), "msg": rb(rand_len(rnd)).hex()}
    if op == "hkdf_sha256":
        size = rnd.choice([rnd.randrange(0, 129), rnd.randrange(0, 129), rnd.randrange(0, 255 * 32 + 1)])
        return {"op": op, "ikm": rb(rnd.randrange(0, 100)).hex(), "salt": rb(rnd.randrange(0, 100)).hex(),
                "info": rb(rnd.randrange(0, 100)).hex(), "size": size}
    if op == "x25519":
        public = rb(32) if rnd.random() < 0.5 else X25519PrivateKey.from_private_bytes(rb(32)).public_key().public_bytes_raw()
        return {"op": op, "private": rb(32).hex(), "public": public.hex()}
    if op == "x25519_base":
        return {"op": op, "private": rb(32).hex()}
    if op == "ed25519_sign":
        return {"op": op, "seed": rb(32).hex(), "msg": rb(rand_len(rnd)).hex()}
    if op == "ed25519_verify":
        msg = rb(rand_len(rnd) % 2048)
        public, sig = _sign(rb(32), msg)
        r = rnd.random()
        if r < 0.40:
            pass
        elif r < 0.55:
            msg = _flip_bit(msg, rnd) if msg else b"\x00"
        elif r < 0.70:
            sig = _flip_bit(sig, rnd)
        elif r < 0.80:
            public = _flip_bit(public, rnd)
        elif r < 0.90:  # non-canonical S >= L with the same residue
            sig = sig[:32] + (int.from_bytes(sig[32:], "little") + ED25519_L).to_bytes(32, "little")
        else:
            sig = rb(64)
        return {"op": op, "public": public.hex(), "msg": msg.hex(), "sig": sig.hex()}
    if op == "chacha20poly1305_seal":
        return {"op": op, "key": rb(32).hex(), "nonce": rb(12).hex(), "aad": rb(rnd.randrange(0, 80)).hex(), "msg": rb(rand_len(rnd)).hex()}
    if op == "chacha20poly1305_open":
        key, nonce, aad, msg = rb(32), rb(12), rb(rnd.randrange(0, 80)), rb(rand_len(rnd) % 8192)
        sealed = ChaCha20Poly1305(key).encrypt(nonce, msg, aad)
        ct, tag = sealed[:-16], sealed[-16:]
        r = rnd.random()
        if r < 0.50:
            pass
        elif r < 0.65:
            tag = _flip_bit(tag, rnd)
        elif r < 0.80 and ct:
            ct = _flip_bit(ct, rnd)
        elif r < 0.90:
            aad = aad + b"\x00" if rnd.random() < 0.5 or not aad else aad[:-1]
        else:
            nonce = _flip_bit(nonce, rnd)
        return {"op": op, "key": key.hex(), "nonce": nonce.hex(), "aad": aad.hex(), "ct": ct.hex(), "tag": tag.hex()}
    if op == "kdf_ck":
        return {"op": op, "ck": rb(32).hex()}
    if op == "kdf_rk":
        return {"op": op, "rk": rb(32).hex(), "dh": rb(32).hex()}
    raise AssertionError(op)


def edge_cases(op: str, rnd: random.Random) -> list[dict]:
    rb = rnd.randbytes
    out: list[dict] = []
    big = rb(65536)
    if op in ("sha256", "sha512"):
        out += [{"op": op, "msg": rb(n).hex()} for n in (0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 127, 128, 129, 1000, 65535)]
        out.append({"op": op, "msg": big.hex()})
    elif op == "hmac_sha256":
        for klen in (0, 1, 31, 32, 63, 64, 65, 128, 1000):
            out += [{"op": op, "key": rb(klen).hex(), "msg": m.hex()} for m in (b"", rb(64), big)]
    elif op == "hkdf_sha256":
        for size in (0, 1, 31, 32, 33, 64, 80, 255, 256, 8159, 8160):
            out.append({"op": op, "ikm": rb(32).hex(), "salt": rb(32).hex(), "info": rb(10).hex(), "size": size})
        for ikm, salt, info in ((b"", b"", b""), (rb(100), b"", b""), (b"", rb(65), rb(200)), (rb(22), rb(64), b"")):
            out.append({"op": op, "ikm": ikm.hex(), "salt": salt.hex(), "info": info.hex(), "size": 42})
    elif op == "x25519":
        for point in LOW_ORDER:
            out += [{"op": op, "private": rb(32).hex(), "public": point} for _ in range(3)]
        for k in range(2, 19):  # non-canonical u >= p (not low order): reduced mod p
            out.append({"op": op, "private": rb(32).hex(), "public": (P25519 + k).to_bytes(32, "little").hex()})
        for private in (bytes(32), b"\xff" * 32, b"\x01" + bytes(31)):
            out.append({"op": op, "private": private.hex(), "public": "09" + "00" * 31})
    elif op == "x25519_base":
        out += [{"op": op, "private": p.hex()} for p in (bytes(32), b"\xff" * 32, b"\x01" + bytes(31), bytes(31) + b"\x80")]
    elif op == "ed25519_sign":
        out += [{"op": op, "seed": rb(32).hex(), "msg": m.hex()} for m in (b"", b"\x00", big)]
        out += [{"op": op, "seed": s.hex(), "msg": "616263"} for s in (bytes(32), b"\xff" * 32)]
    elif op == "ed25519_verify":
        for msg in (b"", rb(100), big):
            public, sig = _sign(rb(32), msg)
            s = int.from_bytes(sig[32:], "little")
            out.append({"op": op, "public": public.hex(), "msg": msg.hex(), "sig": sig.hex()})
            for bad_s in (s + ED25519_L, s + 2 * ED25519_L, ED25519_L, 2**256 - 1):
                out.append({"op": op, "public": public.hex(), "msg": msg.hex(), "sig": (sig[:32] + bad_s.to_bytes(32, "little")).hex()})
            out.append({"op": op, "public": public.hex(), "msg": msg.hex(), "sig": (sig[:32] + bytes(32)).hex()})
        identity = (1).to_bytes(32, "little").hex()  # small-order key with R = identity, S = 0
        out.append({"op": op, "public": identity, "msg": "", "sig": identity + "00" * 32})
        out.append({"op": op, "public": identity, "msg": "616263", "sig": identity + "00" * 32})
        for y in (P25519, P25519 + 1, 2**255 - 1):  # non-canonical public keys
            out.append({"op": op, "public": y.to_bytes(32, "little").hex(), "msg": "", "sig": rb(64).hex()})
        out.append({"op": op, "public": "00" * 32, "msg": "", "sig": "00" * 64})
    elif op == "chacha20poly1305_seal":
        for msg, aad in ((b"", b""), (b"", rb(20)), (rb(1), b""), (rb(64), rb(64)), (big, b""), (big, rb(1000))):
            out.append({"op": op, "key": rb(32).hex(), "nonce": rb(12).hex(), "aad": aad.hex(), "msg": msg.hex()})
    elif op == "chacha20poly1305_open":
        for msg in (b"", rb(1), rb(100), big):
            key, nonce, aad = rb(32), rb(12), rb(13)
            sealed = ChaCha20Poly1305(key).encrypt(nonce, msg, aad)
            ct, tag = sealed[:-16], sealed[-16:]
            base = {"op": op, "key": key.hex(), "nonce": nonce.hex(), "aad": aad.hex(), "ct": ct.hex()}
            out.append({**base, "tag": tag.hex()})
            for bit in (0, 7, 64, 127):  # flipped tag bits
                t = bytearray(tag)
                t[bit // 8] ^= 1 << (bit % 8)
                out.append({**base, "tag": bytes(t).hex()})
            if ct:
                out.append({**base, "ct": ct[:-1].hex(), "tag": tag.hex()})
                out.append({**base, "ct": (ct + b"\x00").hex(), "tag": tag.hex()})
    elif op == "kdf_ck":
        out += [{"op": op, "ck": c.hex()} for c in (bytes(32), b"\xff" * 32)]
    elif op == "kdf_rk":
        out += [{"op": op, "rk": r.hex(), "dh": d.hex()} for r, d in ((bytes(32), bytes(32)), (b"\xff" * 32, bytes(32)), (bytes(32), b"\xff" * 32))]
    return out


FIELDS = {  # hex fields and their fixed sizes (None: any length)
    "sha256": {"msg": None}, "sha512": {"msg": None}, "hmac_sha256": {"key": None, "msg": None},
    "hkdf_sha256": {"ikm": None, "salt": None, "info": None}, "x25519": {"private": 32, "public": 32},
    "x25519_base": {"private": 32}, "ed25519_sign": {"seed": 32, "msg": None},
    "ed25519_verify": {"public": 32, "msg": None, "sig": 64},
    "chacha20poly1305_seal": {"key": 32, "nonce": 12, "aad": None, "msg": None},
    "chacha20poly1305_open": {"key": 32, "nonce": 12, "aad": None, "ct": None, "tag": 16},
    "kdf_ck": {"ck": 32}, "kdf_rk": {"rk": 32, "dh": 32},
}


def error_cases(op: str, rnd: random.Random) -> list[dict]:
    """Malformed requests for `op`: every one must be answered with {"error": ...}."""
    valid = random_case(op, rnd)
    if op == "ed25519_verify":
        public, sig = _sign(rnd.randbytes(32), b"m")
        valid.update(public=public.hex(), msg="6d", sig=sig.hex())
    if op == "chacha20poly1305_open":
        key, nonce = rnd.randbytes(32), rnd.randbytes(12)
        sealed = ChaCha20Poly1305(key).encrypt(nonce, b"hello", b"")
        valid.update(key=key.hex(), nonce=nonce.hex(), aad="", ct=sealed[:-16].hex(), tag=sealed[-16:].hex())
    out = []
    for field, size in FIELDS[op].items():
        for bad in ("abc", "zz", "0x00", "00 11", "g0", 123, None, ["00"]):
            out.append({**valid, field: bad})
        out.append({k: v for k, v in valid.items() if k != field})
        if size is not None:
            for n in (0, size - 1, size + 1):
                out.append({**valid, field: rnd.randbytes(n).hex()})
    if op == "hkdf_sha256":
        for bad in (-1, 255 * 32 + 1, 2**40, "32", 1.5, None):
            out.append({**valid, "size": bad})
        out.append({k: v for k, v in valid.items() if k != "size"})
    return out


MALFORMED_LINES = ["not json", "{", "[1,2]", '"sha256"', "42", "{}", '{"op":"nope"}', '{"op":null}',
                   '{"op":"sha256","msg":"00"', '{"msg":"00"}']


def wycheproof_cases() -> tuple[list[dict], list[tuple[dict, str]]]:
    """Oracle inputs from Wycheproof plus (request, Wycheproof result) pairs for the reference check."""
    cases, verdicts = [], []
    if not WYCHEPROOF.is_dir():
        return cases, verdicts

    def load(name):
        return json.loads((WYCHEPROOF / name).read_text())["testGroups"]
    for g in load("x25519_test.json"):
        for t in g["tests"]:
            req = {"op": "x25519", "private": t["private"], "public": t["public"]}
            cases.append(req)
            verdicts.append((req, t["result"], t.get("shared")))
    for g in load("ed25519_test.json"):
        for t in g["tests"]:
            req = {"op": "ed25519_verify", "public": g["publicKey"]["pk"], "msg": t["msg"], "sig": t["sig"]}
            cases.append(req)
            verdicts.append((req, t["result"], None))
    for g in load("chacha20_poly1305_test.json"):
        for t in g["tests"]:
            req = {"op": "chacha20poly1305_open", "key": t["key"], "nonce": t["iv"], "aad": t["aad"], "ct": t["ct"], "tag": t["tag"]}
            cases.append(req)
            verdicts.append((req, t["result"], t["msg"]))
    for g in load("hkdf_sha256_test.json"):
        for t in g["tests"]:
            req = {"op": "hkdf_sha256", "ikm": t["ikm"], "salt": t["salt"], "info": t["info"], "size": t["size"]}
            cases.append(req)
            verdicts.append((req, t["result"], t["okm"]))
    for g in load("hmac_sha256_test.json"):
        if g["tagSize"] == 256:
            for t in g["tests"]:
                req = {"op": "hmac_sha256", "key": t["key"], "msg": t["msg"]}
                cases.append(req)
                verdicts.append((req, t["result"], t["tag"]))
    return cases, verdicts


def run_reference_check(report: Report) -> None:
    with report.group("reference: cryptography vs Wycheproof") as g:
        _, verdicts = wycheproof_cases()
        if not verdicts:
            g.note(f"{WYCHEPROOF} not found: skipped")
        for req, result, value in verdicts:
            exp = expected_of(req)
            if result == "acceptable":
                if req["op"] == "x25519" and value == "00" * 32:
                    g.check(exp is None, f"zero shared secret accepted: {req}")
                continue
            op = req["op"]
            if op == "ed25519_verify":
                ok = exp is not None and exp["valid"] == (result == "valid") if len(req["sig"]) == 128 else exp is None
            elif op == "hmac_sha256":
                ok = exp is not None and (exp["tag"].hex() == value) == (result == "valid")
            elif result == "valid":
                field = {"x25519": "shared", "chacha20poly1305_open": "msg", "hkdf_sha256": "okm"}[op]
                ok = exp is not None and exp[field].hex() == value
            else:
                ok = exp is None
            g.check(ok, f"{op} Wycheproof {result}: {_short(req)}")
        for p in LOW_ORDER:
            g.check(expected_of({"op": "x25519", "private": "11" * 32, "public": p}) is None, f"low-order {p} accepted")


def run_primitives(report: Report, label: str, argv: list[str], seed: int) -> None:
    rnd = random.Random(f"{seed}:primitives")
    prefix = f"primitives[{label}]"
    proc, why = probe(argv, label, {"op": "sha256", "msg": ""})
    if proc is None:
        with report.group(f"{prefix}") as g:
            g.fail(f"oracle unavailable: {why}")
        return
    wyche, _ = wycheproof_cases()
    state = {"proc": proc, "restarts": 0}

    def send(g: Group, batch: list, raw: bool = False) -> list:
        """Replies for `batch`; a crash is recorded against the request that caused it, then the
        oracle is restarted (at most 5 times per run) and the rest of the batch goes on."""
        replies: list = []
        while len(replies) < len(batch):
            rest = batch[len(replies):]
            try:
                replies += state["proc"].raw_batch(rest) if raw else state["proc"].batch(rest)
            except PeerDied as e:
                state["proc"].close()
                replies += e.replies
                g.fail(f"oracle died on request {_short(rest[len(e.replies)])}: {e}")
                replies.append({"_crashed": True})
                if state["restarts"] >= 5:
                    raise
                state["restarts"] += 1
                state["proc"], why = probe(argv, label, {"op": "sha256", "msg": ""})
                if state["proc"] is None:
                    raise PeerDied(f"cannot restart the oracle: {why}") from None
        return replies

    try:
        for op in OPS:
            with report.group(f"{prefix} {op}") as g:
                cases = [random_case(op, rnd) for _ in range(RANDOM_PER_OP)] + edge_cases(op, rnd) \
                    + [c for c in wyche if c["op"] == op] + error_cases(op, rnd)
                expected = [expected_of(c) for c in cases]
                for start in range(0, len(cases), 400):
                    replies = send(g, cases[start:start + 400])
                    for req, exp, reply in zip(cases[start:start + 400], expected[start:start + 400], replies):
                        if isinstance(reply, dict) and reply.get("_crashed"):
                            continue  # already counted
                        why = compare(reply, exp)
                        g.check(not why, f"{why}; request {_short(req)}")
                kinds = sum(e is None for e in expected)
                g.note(f"{len(cases)} inputs ({RANDOM_PER_OP} random), {kinds} must be rejected")
        with report.group(f"{prefix} malformed requests") as g:
            replies = send(g, MALFORMED_LINES, raw=True)
            for line, reply in zip(MALFORMED_LINES, replies):
                if not (isinstance(reply, dict) and reply.get("_crashed")):
                    g.check(isinstance(reply, dict) and isinstance(reply.get("error"), str), f"{line!r} -> {_short(reply)}")
            reply = send(g, [{"op": "sha256", "msg": "61"}])[0]
            g.check(compare(reply, expected_of({"op": "sha256", "msg": "61"})) == "", "oracle does not answer after malformed requests")
    except PeerDied as e:
        with report.group(f"{prefix} (process)") as g:
            g.fail(str(e))
    finally:
        state["proc"].close()


# ---------------------------------------------------------------------------------------------
# Protocol parties

PREFIX1 = 2 + 129 + 32 + 8


def ratchet_part(envelope: bytes) -> bytes:
    return envelope[PREFIX1:] if envelope[:1] == b"\x01" else envelope[1:]


def header_of(envelope: bytes) -> tuple[bytes, int, int]:
    version, dh, pn, n = struct.unpack(">B32sII", ratchet_part(envelope)[:41])
    return dh, pn, n


class Party:
    """A `party` process under a harness name."""

    def __init__(self, impl: str, argv: list[str], name: str):
        self.impl, self.name = impl, name
        self.proc = LineProcess(argv, f"{impl} party {name}")

    def call(self, op: str, **fields):
        reply = self.proc.request({"op": op, **fields})
        return reply if isinstance(reply, dict) else {"error": f"(not JSON: {str(reply)[:100]})", "_invalid": True}

    def close(self) -> None:
        self.proc.close()


class Field:
    """Pulls a hex field out of a reply, recording a failure when it is missing."""

    @staticmethod
    def get(g: Group, reply: dict, field: str, what: str) -> bytes | None:
        value = reply.get(field)
        if isinstance(value, str) and _HEX.fullmatch(value) and "error" not in reply:
            return bytes.fromhex(value)
        g.fail(f"{what}: expected {field!r}, got {_short(reply)}")
        return None


class Impls:
    def __init__(self, argvs: dict[str, list[str]]):
        self.argvs = argvs
        self.opened: list[Party] = []

    def spawn(self, impl: str, name: str) -> Party:
        p = Party(impl, self.argvs[impl], name)
        self.opened.append(p)
        return p

    def close_all(self) -> None:
        for p in self.opened:
            p.close()
        self.opened.clear()


def seed_hex(rnd: random.Random) -> str:
    return rnd.randbytes(16).hex()


class Duo:
    """Alice (initiator, impl a) and Bob (responder, impl b), with helpers that record checks."""

    def __init__(self, g: Group, impls: Impls, a: str, b: str, rnd: random.Random, opk: bool = True):
        self.g, self.rnd = g, rnd
        self.alice, self.bob = impls.spawn(a, "alice"), impls.spawn(b, "bob")
        self.alice_seed, self.bob_seed = seed_hex(rnd), seed_hex(rnd)
        self.alice_id = Field.get(g, self.alice.call("init", seed=self.alice_seed), "identity", "alice init")
        self.bob_id = Field.get(g, self.bob.call("init", seed=self.bob_seed), "identity", "bob init")
        self.bundle = Field.get(g, self.bob.call("bundle", spk_id=7, opk_id=11 if opk else None), "bundle", "bob bundle")
        reply = self.alice.call("initiate", peer="bob", bundle=self.bundle.hex() if self.bundle else "")
        if not g.check(reply == {}, f"alice initiate: {_short(reply)}"):
            raise RuntimeError("session setup failed")
        self.names = {"alice": "bob", "bob": "alice"}  # name each side uses for the other

    def sides(self, sender: str):
        return (self.alice, self.bob) if sender == "alice" else (self.bob, self.alice)

    def send(self, sender: str, plaintext: bytes) -> bytes | None:
        s, _ = self.sides(sender)
        return Field.get(self.g, s.call("encrypt", peer=self.names[sender], plaintext=plaintext.hex()), "envelope", f"{sender} encrypt")

    def receive(self, receiver: str, envelope: bytes) -> dict:
        r = self.alice if receiver == "alice" else self.bob
        return r.call("decrypt", peer=self.names[receiver], envelope=envelope.hex())

    def expect_plain(self, receiver: str, envelope: bytes, plaintext: bytes, what: str) -> bool:
        reply = self.receive(receiver, envelope)
        return self.g.check(reply.get("plaintext") == plaintext.hex() and "error" not in reply, f"{what}: {_short(reply)}")

    def save(self, who: str):
        p = self.alice if who == "alice" else self.bob
        reply = p.call("save", peer=self.names[who])
        return reply.get("session") if "error" not in reply else None

    def expect_reject(self, receiver: str, envelope: bytes, what: str, unchanged: bool = True) -> None:
        before = self.save(receiver) if unchanged else None
        reply = self.receive(receiver, envelope)
        self.g.check("error" in reply and not reply.get("_invalid"), f"{what}: accepted ({_short(reply)})")
        if unchanged:
            self.g.check(self.save(receiver) == before, f"{what}: session changed by a rejected message")

    def ping(self, what: str) -> None:
        """One message each way must get through."""
        for sender, receiver in (("alice", "bob"), ("bob", "alice")):
            pt = self.rnd.randbytes(self.rnd.randrange(0, 64))
            env = self.send(sender, pt)
            if env is not None:
                self.expect_plain(receiver, env, pt, f"{what}: {sender}→{receiver}")


# ---------------------------------------------------------------------------------------------
# A model of RatchetDecrypt for untampered messages

class ReceiverModel:
    """Predicts accept / reject for honest messages from their headers.

    The spec's "at most 5 chains" is read four ways; the harness only delivers messages on which all
    readings agree: A = libsignal (5 receiving chains, current included, each opened by a DH step),
    C = 5 previous chains + the current one, B = 5 chains that hold skipped keys (emptied ones dropped),
    B2 = like B but emptied chains still count.
    """
    READINGS = ("A", "C", "B", "B2")

    def __init__(self, has_session: bool):
        self.has_session = has_session
        self.received_any = False
        self.dhr: bytes | None = None
        self.nr = 0
        self.seen: set[bytes] = set()
        self.stores = {r: [] for r in self.READINGS}  # [dh, OrderedDict(n -> True)], oldest first

    @staticmethod
    def _find(store, dh):
        for entry in store:
            if entry[0] == dh:
                return entry
        return None

    def predict(self, dh: bytes, pn: int, n: int) -> dict[str, bool]:
        return {r: self._predict(self.stores[r], dh, pn, n) for r in self.READINGS}

    def _predict(self, store, dh, pn, n) -> bool:
        if not self.has_session:
            return n <= MAX_SKIP
        entry = self._find(store, dh)
        if entry is not None and n in entry[1]:
            return True
        if self.dhr is not None and dh == self.dhr:
            return self.nr <= n <= self.nr + MAX_SKIP
        if dh in self.seen:
            return False
        if self.dhr is not None and pn > self.nr + MAX_SKIP:
            return False
        return n <= MAX_SKIP

    def _add(self, reading: str, dh: bytes, k: int) -> None:
        store = self.stores[reading]
        entry = self._find(store, dh)
        if entry is None:  # B, B2: a chain enters the store with its first skipped key
            entry = [dh, OrderedDict()]
            store.append(entry)
            if len(store) > 5:
                store.pop(0)
        entry[1][k] = True
        if len(entry[1]) > MAX_SKIPPED_PER_CHAIN:
            entry[1].popitem(last=False)

    def _skip(self, until: int) -> None:
        for k in range(self.nr, until):
            for r in self.READINGS:
                self._add(r, self.dhr, k)
        self.nr = max(self.nr, until)

    def apply(self, dh: bytes, pn: int, n: int) -> str:
        """Records an accepted message; returns 'skipped', 'current' or 'ratchet'."""
        self.received_any = True
        entry = self._find(self.stores["A"], dh)
        if self.has_session and entry is not None and n in entry[1]:
            for r in self.READINGS:
                e = self._find(self.stores[r], dh)
                del e[1][n]
                if r == "B" and not e[1]:
                    self.stores[r].remove(e)
            return "skipped"
        if self.has_session and self.dhr is not None and dh == self.dhr:
            self._skip(n)
            self.nr = n + 1
            return "current"
        if self.dhr is not None:
            self._skip(pn)
        self.has_session = True
        self.seen.add(dh)
        self.dhr, self.nr = dh, 0
        for r, cap in (("A", 5), ("C", 6)):
            self.stores[r].append([dh, OrderedDict()])
            if len(self.stores[r]) > cap:
                self.stores[r].pop(0)
        self._skip(n)
        self.nr = n + 1
        return "ratchet"


class SenderModel:
    """What the next header from one side must look like."""

    def __init__(self, can_send: bool):
        self.can_send = can_send
        self.new_chain = True
        self.expect_pn = 0
        self.sent = 0
        self.dh: bytes | None = None
        self.pn = 0

    def ratcheted(self) -> None:  # this side performed a DH ratchet step on receipt
        self.can_send = True
        self.expect_pn, self.sent, self.new_chain = self.sent, 0, True

    def check(self, g: Group, who: str, dh: bytes, pn: int, n: int) -> None:
        if self.new_chain:
            g.check(dh != self.dh and n == 0 and pn == self.expect_pn,
                    f"{who} header on a new chain: n={n} pn={pn}, expected a new key, n=0, pn={self.expect_pn}")
            self.dh, self.pn, self.new_chain = dh, pn, False
        else:
            g.check(dh == self.dh and n == self.sent and pn == self.pn,
                    f"{who} header: n={n} pn={pn}, expected the same key, n={self.sent}, pn={self.pn}")
        self.sent += 1


class Msg:
    __slots__ = ("sender", "envelope", "plaintext", "dh", "pn", "n")

    def __init__(self, sender, envelope, plaintext):
        self.sender, self.envelope, self.plaintext = sender, envelope, plaintext
        self.dh, self.pn, self.n = header_of(envelope)


def tamper(envelope: bytes, rnd: random.Random, receiver_has_session: bool) -> list[tuple[str, bytes]]:
    """Damaged copies that every reading of the spec rejects."""
    n = len(envelope)
    if envelope[0] == 1:
        regions = {"kind": range(0, 1), "version": range(1, 2), "base key": range(131, 163),
                   "header": range(PREFIX1, PREFIX1 + 41), "ciphertext": range(PREFIX1 + 41, n - 16), "tag": range(n - 16, n)}
        if not receiver_has_session:  # on an existing session these are not authenticated (spec gap)
            regions.update({"identity": range(2, 131), "prekey ids": range(163, 171)})
    else:
        regions = {"kind": range(0, 1), "header": range(1, 42), "ciphertext": range(42, n - 16), "tag": range(n - 16, n)}
    out = []
    for label in rnd.sample(sorted(regions), k=min(3, len(regions))):
        region = regions[label]
        if not region:
            continue
        b = bytearray(envelope)
        b[rnd.choice(region)] ^= rnd.randrange(1, 256)
        out.append((f"flipped {label} byte", bytes(b)))
    r = rnd.random()
    if r < 0.4:
        out.append(("truncated", envelope[:rnd.randrange(0, n)]))
    elif r < 0.6:
        out.append(("one byte short", envelope[:-1]))
    elif r < 0.8:
        out.append(("one byte longer", envelope + bytes([rnd.randrange(256)])))
    return out


class Conversation:
    """A random conversation: sends, in-order and out-of-order deliveries, drops, replays, tampering,
    storage round trips; each delivery's outcome is predicted by ReceiverModel."""

    def __init__(self, duo: Duo, rnd: random.Random):
        self.d, self.g, self.rnd = duo, duo.g, rnd
        self.inflight = {"alice": [], "bob": []}  # by receiver
        self.delivered = {"alice": [], "bob": []}
        self.recv = {"alice": ReceiverModel(True), "bob": ReceiverModel(False)}
        self.send_model = {"alice": SenderModel(True), "bob": SenderModel(False)}
        self.ambiguous = 0
        self.reloads = 0
        self.counts = dict(sent=0, delivered=0, rejected=0, dropped=0, replayed=0, tampered=0)

    @staticmethod
    def other(who: str) -> str:
        return "bob" if who == "alice" else "alice"

    def has_session(self, who: str) -> bool:
        return self.recv[who].has_session

    def send(self, sender: str) -> None:
        r = self.rnd.random()
        size = 0 if r < 0.05 else self.rnd.randrange(1, 200) if r < 0.95 else self.rnd.randrange(200, 5000)
        pt = self.rnd.randbytes(size)
        env = self.d.send(sender, pt)
        if env is None:
            return
        receiver = self.other(sender)
        want_kind = 1 if sender == "alice" and not self.recv["alice"].received_any else 2
        if not self.g.check(len(env) > 0 and env[0] == want_kind, f"{sender} sent kind {env[:1].hex()}, expected {want_kind}"):
            return
        msg = Msg(sender, env, pt)
        self.send_model[sender].check(self.g, sender, msg.dh, msg.pn, msg.n)
        self.inflight[receiver].append(msg)
        self.counts["sent"] += 1

    def deliver(self, receiver: str, index: int) -> None:
        msg = self.inflight[receiver].pop(index)
        model = self.recv[receiver]
        preds = model.predict(msg.dh, msg.pn, msg.n)
        if len(set(preds.values())) > 1:
            self.ambiguous += 1  # the readings of the 5-chain limit disagree: never deliver it
            return
        if next(iter(preds.values())):
            if self.d.expect_plain(receiver, msg.envelope, msg.plaintext, f"{msg.sender}→{receiver} n={msg.n} pn={msg.pn}"):
                if model.apply(msg.dh, msg.pn, msg.n) == "ratchet":
                    self.send_model[receiver].ratcheted()
                self.delivered[receiver].append(msg)
                self.counts["delivered"] += 1
        else:
            self.d.expect_reject(receiver, msg.envelope, f"{msg.sender}→{receiver} n={msg.n} (key gone)", unchanged=model.has_session)
            self.counts["rejected"] += 1

    def replay(self, receiver: str) -> None:
        msg = self.rnd.choice(self.delivered[receiver])
        self.d.expect_reject(receiver, msg.envelope, f"replayed {msg.sender}→{receiver} n={msg.n}")
        self.counts["replayed"] += 1

    def tamper(self, receiver: str) -> None:
        model = self.recv[receiver]
        candidates = [i for i, m in enumerate(self.inflight[receiver])
                      if all(model.predict(m.dh, m.pn, m.n).values())]
        if not candidates:
            return
        index = self.rnd.choice(candidates)
        msg = self.inflight[receiver][index]
        for label, bad in tamper(msg.envelope, self.rnd, model.has_session):
            if model.has_session:
                self.d.expect_reject(receiver, bad, f"{label} {msg.sender}→{receiver} n={msg.n}")
            else:
                reply = self.d.receive(receiver, bad)
                self.g.check("error" in reply, f"{label} first prekey message accepted")
                self.g.check(self.d.save(receiver) is None, f"{label} first prekey message created a session")
            self.counts["tampered"] += 1
        self.deliver(receiver, index)  # the untampered original still decrypts

    def reload(self, who: str) -> None:
        """save -> load under a new name -> save: identical bytes; the conversation continues on the copy."""
        if not self.has_session(who):
            return
        p = self.d.alice if who == "alice" else self.d.bob
        saved = self.d.save(who)
        if not self.g.check(saved is not None, f"{who} save failed"):
            return
        self.reloads += 1
        new_name = f"{self.other(who)}#{self.reloads}"
        reply = p.call("load", peer=new_name, session=saved)
        if self.g.check(reply == {}, f"{who} load: {_short(reply)}"):
            self.d.names[who] = new_name
            self.g.check(self.d.save(who) == saved, f"{who}: save(load(s)) != s")

    def run(self, events: int, backlog: bool = False) -> None:
        """backlog: more sends than deliveries, newest first, so many chains hold delayed messages
        and old chains get evicted (deliveries then predicted to fail)."""
        rnd = self.rnd
        send_a, send_b, deliver = (0.30, 0.55, 0.86) if backlog else (0.22, 0.42, 0.84)
        for _ in range(events):
            r = rnd.random()
            if r < send_a:
                self.send("alice")
            elif r < send_b:
                if self.send_model["bob"].can_send:
                    self.send("bob")
            elif r < deliver:
                choices = [w for w in ("alice", "bob") if self.inflight[w]]
                if choices:
                    w = rnd.choice(choices)
                    size = len(self.inflight[w])
                    if backlog:
                        self.deliver(w, size - 1 if rnd.random() < 0.8 else rnd.randrange(size))
                    else:
                        self.deliver(w, 0 if rnd.random() < 0.6 else rnd.randrange(size))
            elif r < 0.87:
                choices = [w for w in ("alice", "bob") if self.inflight[w]]
                if choices:
                    w = rnd.choice(choices)
                    self.inflight[w].pop(rnd.randrange(len(self.inflight[w])))
                    self.counts["dropped"] += 1
            elif r < 0.92:
                choices = [w for w in ("alice", "bob") if self.delivered[w]]
                if choices:
                    self.replay(rnd.choice(choices))
            elif r < 0.97:
                self.tamper(rnd.choice(("alice", "bob")))
            else:
                self.reload(rnd.choice(("alice", "bob")))
        for w in ("alice", "bob"):  # drain in random order
            while self.inflight[w]:
                self.deliver(w, rnd.randrange(len(self.inflight[w])))
        self.send("alice")
        self.deliver("bob", len(self.inflight["bob"]) - 1)
        self.send("bob")
        self.deliver("alice", len(self.inflight["alice"]) - 1)


# ---------------------------------------------------------------------------------------------
# Session scenarios

def scenario_basic(g: Group, impls: Impls, a: str, b: str, rnd: random.Random) -> None:
    d = Duo(g, impls, a, b, rnd)
    g.check(d.alice_id is not None and len(d.alice_id) == 129 and d.alice_id[0] == 1, "identity is 129 bytes, version 1")
    g.check(d.bundle is not None and len(d.bundle) == 267, f"bundle with OPK is 267 bytes, got {len(d.bundle or b'')}")
    # seeded generation is reproducible
    twin = impls.spawn(b, "bob-twin")
    g.check(twin.call("init", seed=d.bob_seed).get("identity") == d.bob_id.hex(), "same seed, different identity")
    g.check(twin.call("bundle", spk_id=7, opk_id=11).get("bundle") == d.bundle.hex(), "same seed, different bundle")
    kinds = []
    for i in range(6):  # alice keeps sending prekey messages until she hears back
        pt = f"hello {i}".encode()
        env = d.send("alice", pt)
        kinds.append(env[0])
        d.expect_plain("bob", env, pt, f"alice→bob #{i}")
    g.check(kinds == [1] * 6, f"alice's kinds before a reply {kinds}")
    for round_ in range(20):
        for sender, receiver in (("bob", "alice"), ("alice", "bob")):
            for k in range(rnd.randrange(1, 4)):
                pt = rnd.randbytes(rnd.randrange(0, 300))
                env = d.send(sender, pt)
                g.check(env[0] == 2, f"{sender} round {round_}: kind {env[0]} after the first reply")
                d.expect_plain(receiver, env, pt, f"{sender}→{receiver} round {round_}.{k}")


def forged_bundle(rnd: random.Random, ik: str | None = None, spk: str | None = None, opk: str | None = None) -> bytes:
    """A bundle built and signed here, from the spec's layout alone."""
    def public():
        return X25519PrivateKey.from_private_bytes(rnd.randbytes(32)).public_key().public_bytes_raw()
    signing = Ed25519PrivateKey.from_private_bytes(rnd.randbytes(32))
    ik_b = bytes.fromhex(ik) if ik else public()
    spk_b = bytes.fromhex(spk) if spk else public()
    identity = b"\x01" + signing.public_key().public_bytes_raw() + ik_b + signing.sign(b"VigilIdentityV1" + ik_b)
    out = b"\x01" + identity + struct.pack(">I", 5) + spk_b + signing.sign(b"\x05" + spk_b)
    return out + (b"\x01" + struct.pack(">I", 6) + bytes.fromhex(opk) if opk else b"\x00")


def scenario_bundles(g: Group, impls: Impls, a: str, b: str, rnd: random.Random) -> None:
    bob = impls.spawn(b, "bob")
    Field.get(g, bob.call("init", seed=seed_hex(rnd)), "identity", "bob init")
    with_opk = Field.get(g, bob.call("bundle", spk_id=1, opk_id=100), "bundle", "bundle with OPK")
    no_opk = Field.get(g, bob.call("bundle", spk_id=2, opk_id=None), "bundle", "bundle without OPK")
    g.check(len(no_opk) == 231 and no_opk[230] == 0, f"bundle without OPK: {len(no_opk)} bytes")
    alice = impls.spawn(a, "alice")
    Field.get(g, alice.call("init", seed=seed_hex(rnd)), "identity", "alice init")
    spots = {"version": 0, "identity version": 1, "IKs": 5, "IK": 40, "cert": 100, "SPK": 150,
             "SPK signature": 200, "SPK signature S": 229, "OPK flag": 230}
    for label, pos in spots.items():  # (the SPK id and the OPK are not signed: flipping them is not tested)
        bad = bytearray(with_opk)
        bad[pos] ^= 1 << rnd.randrange(8)
        reply = alice.call("initiate", peer=f"bob-{label}", bundle=bytes(bad).hex())
        g.check("error" in reply, f"bundle with a flipped {label} bit accepted")
        g.check("error" in alice.call("save", peer=f"bob-{label}"), f"refused bundle ({label}) left a session")
    for label, bad in (("truncated", with_opk[:-1]), ("extended", with_opk + b"\x00"), ("empty", b""),
                       ("flag 0 with OPK", with_opk[:230] + b"\x00" + with_opk[231:]), ("no-OPK flag 1", no_opk[:230] + b"\x01")):
        g.check("error" in alice.call("initiate", peer="bob-x", bundle=bad.hex()), f"{label} bundle accepted")
    # bundles forged here with valid signatures: a well-formed one is used, low-order keys are refused
    # (X25519 with a low-order point gives all zeros, which the spec makes an error)
    g.check(alice.call("initiate", peer="forged", bundle=forged_bundle(rnd).hex()) == {},
            "a well-formed bundle encoded by the harness was refused")
    for label, kw in (("SPK", {"spk": LOW_ORDER[2]}), ("IK", {"ik": LOW_ORDER[3]}), ("OPK", {"opk": LOW_ORDER[9]})):
        reply = alice.call("initiate", peer=f"low-{label}", bundle=forged_bundle(rnd, **kw).hex())
        g.check("error" in reply, f"a signed bundle with a low-order {label} was accepted")
    # good bundles: with and without a one-time prekey
    for label, bundle in (("OPK", with_opk), ("no OPK", no_opk)):
        peer_name = f"alice-{label}"
        initiator = alice if label == "OPK" else impls.spawn(a, "alice2")
        if label != "OPK":
            Field.get(g, initiator.call("init", seed=seed_hex(rnd)), "identity", "alice2 init")
        g.check(initiator.call("initiate", peer="bob", bundle=bundle.hex()) == {}, f"initiate with {label} bundle")
        for i in range(3):
            env = Field.get(g, initiator.call("encrypt", peer="bob", plaintext=f"m{i}".encode().hex()), "envelope", "encrypt")
            g.check(env[0] == 1, f"{label}: kind {env[0]} before a reply")
            opk_field = struct.unpack(">I", env[167:171])[0]
            g.check(opk_field == (100 if label == "OPK" else 0xFFFFFFFF) and struct.unpack(">I", env[163:167])[0] == (1 if label == "OPK" else 2),
                    f"{label}: prekey ids in the envelope {env[163:171].hex()}")
            reply = bob.call("decrypt", peer=peer_name, envelope=env.hex())
            g.check(reply.get("plaintext") == f"m{i}".encode().hex(), f"{label} message {i}: {_short(reply)}")
        env = Field.get(g, bob.call("encrypt", peer=peer_name, plaintext="6f6b"), "envelope", "bob reply")
        g.check(initiator.call("decrypt", peer="bob", envelope=env.hex()).get("plaintext") == "6f6b", f"{label}: reply")
    # the one-time prekey is consumed: a third party reusing the bundle is refused; the SPK alone still works
    carol = impls.spawn(a, "carol")
    Field.get(g, carol.call("init", seed=seed_hex(rnd)), "identity", "carol init")
    g.check(carol.call("initiate", peer="bob", bundle=with_opk.hex()) == {}, "carol initiate")
    env = Field.get(g, carol.call("encrypt", peer="bob", plaintext="00"), "envelope", "carol encrypt")
    g.check("error" in bob.call("decrypt", peer="carol", envelope=env.hex()), "a used one-time prekey was accepted again")
    g.check("error" in bob.call("save", peer="carol"), "a refused prekey message created a session")
    g.check(carol.call("initiate", peer="bob", bundle=no_opk.hex()) == {}, "carol initiate (no OPK)")
    env = Field.get(g, carol.call("encrypt", peer="bob", plaintext="01"), "envelope", "carol encrypt")
    g.check(bob.call("decrypt", peer="carol", envelope=env.hex()).get("plaintext") == "01", "carol via the signed prekey only")


def scenario_conversation(g: Group, impls: Impls, a: str, b: str, rnd: random.Random, rounds: int, events: int) -> None:
    totals: dict[str, int] = {}
    ambiguous = 0
    for i in range(rounds + 1):  # the last one piles up a backlog
        d = Duo(g, impls, a, b, rnd, opk=i % 2 == 0)
        c = Conversation(d, rnd)
        c.run(events if i < rounds else 4 * events, backlog=i == rounds)
        for k, v in c.counts.items():
            totals[k] = totals.get(k, 0) + v
        ambiguous += c.ambiguous
        impls.close_all()
    g.note(", ".join(f"{v} {k}" for k, v in totals.items()) + f"; {ambiguous} left undelivered (5-chain readings disagree)")


def scenario_tamper(g: Group, impls: Impls, a: str, b: str, rnd: random.Random) -> None:
    for opk in (True, False):
        d = Duo(g, impls, a, b, rnd, opk=opk)
        first = d.send("alice", b"first")
        # the first prekey message, damaged in each field, must not create a session or use up the OPK
        regions = {"kind": 0, "version": 1, "identity": 70, "base key": 140, "spk id": 166, "opk id": 170,
                   "header dh": PREFIX1 + 5, "header pn": PREFIX1 + 35, "header n": PREFIX1 + 40, "header n high": PREFIX1 + 37,
                   "ciphertext": PREFIX1 + 43, "tag": len(first) - 3}
        for label, pos in regions.items():
            bad = bytearray(first)
            bad[pos] ^= 0x80 if label == "header n high" else 1 << rnd.randrange(8)
            reply = d.receive("bob", bytes(bad))
            g.check("error" in reply, f"first prekey message with flipped {label} accepted")
            g.check(d.save("bob") is None, f"flipped {label}: a session was created")
        for cut in (0, 1, 100, PREFIX1, PREFIX1 + 41, len(first) - 16, len(first) - 1):
            g.check("error" in d.receive("bob", first[:cut]), f"prekey message cut to {cut} bytes accepted")
        d.expect_plain("bob", first, b"first", "untampered first message after the damaged copies")
        d.ping("after first")
        for i in range(8):
            sender = "alice" if i % 2 else "bob"
            receiver = "bob" if sender == "alice" else "alice"
            pt = rnd.randbytes(rnd.randrange(0, 100))
            env = d.send(sender, pt)
            n = len(env)
            spots = {"kind": 0, "header version": 1, "header dh": rnd.randrange(2, 34), "header pn": rnd.randrange(34, 38),
                     "header n": rnd.randrange(38, 42), "tag": rnd.randrange(n - 16, n)}
            if n > 58:
                spots["ciphertext"] = rnd.randrange(42, n - 16)
            for label, pos in spots.items():
                bad = bytearray(env)
                bad[pos] ^= 1 << rnd.randrange(8)
                d.expect_reject(receiver, bytes(bad), f"{sender}→{receiver}: flipped {label}")
            low = env[:2] + bytes.fromhex(rnd.choice(LOW_ORDER)) + env[34:]
            d.expect_reject(receiver, low, f"{sender}→{receiver}: header key replaced by a low-order point")
            for cut in (0, 1, 41, 42, n - 16, n - 1):
                d.expect_reject(receiver, env[:cut], f"{sender}→{receiver}: cut to {cut}")
            d.expect_reject(receiver, env + b"\x00", f"{sender}→{receiver}: one byte longer")
            d.expect_plain(receiver, env, pt, f"{sender}→{receiver}: original after damaged copies")
            d.expect_reject(receiver, env, f"{sender}→{receiver}: replay")
        d.ping("after tampering")
        impls.close_all()


def scenario_storage(g: Group, impls: Impls, a: str, b: str, rnd: random.Random) -> None:
    d = Duo(g, impls, a, b, rnd)
    pending = []
    for i in range(5):
        pending.append((b"early %d" % i, d.send("alice", b"early %d" % i)))
    d.expect_plain("bob", pending[2][1], pending[2][0], "out-of-order prekey message")
    for who in ("alice", "bob"):  # round trip in-process, under a new name, while keys are skipped
        p = d.alice if who == "alice" else d.bob
        saved = d.save(who)
        g.check(saved is not None, f"{who} save")
        g.check(p.call("load", peer=f"{who}-copy", session=saved) == {}, f"{who} load")
        g.check(p.call("save", peer=f"{who}-copy").get("session") == saved, f"{who}: save(load(s)) != s")
        d.names[who] = f"{who}-copy"
    for i in (4, 0, 1, 3):
        d.expect_plain("bob", pending[i][1], pending[i][0], f"skipped prekey message {i} after reload")
    d.ping("after reload")
    # a fresh process of each side (its own new identity) continues from the stored sessions
    skipped = []
    for i in range(3):
        skipped.append((b"late %d" % i, d.send("bob", b"late %d" % i)))
    d.expect_plain("alice", skipped[2][1], skipped[2][0], "before restart")
    stored = {w: d.save(w) for w in ("alice", "bob")}
    for who, impl in (("alice", a), ("bob", b)):
        fresh = impls.spawn(impl, f"{who}-restarted")
        Field.get(g, fresh.call("init", seed=seed_hex(rnd)), "identity", f"{who} restart init")
        g.check(fresh.call("load", peer="peer", session=stored[who]) == {}, f"{who} load into a fresh process")
        g.check(fresh.call("save", peer="peer").get("session") == stored[who], f"{who}: fresh save(load(s)) != s")
        setattr(d, who, fresh)
        d.names[who] = "peer"
    for i in (0, 1):
        d.expect_plain("alice", skipped[i][1], skipped[i][0], f"skipped message {i} after restart")
    for _ in range(5):
        d.ping("after restart")
    for bad in ("", "00", "01", stored["alice"][:-2], stored["alice"] + "00"):
        reply = d.alice.call("load", peer="garbage", session=bad)
        g.check("error" in reply, f"load of a damaged session ({len(bad) // 2} bytes) accepted")
    g.check("error" in d.alice.call("save", peer="nobody"), "save of an unknown peer")


def scenario_limits(g: Group, impls: Impls, a: str, b: str, rnd: random.Random) -> None:
    d = Duo(g, impls, a, b, rnd)

    def burst(sender: str, count: int, keep: set[int]) -> dict[int, bytes]:
        s, _ = d.sides(sender)
        out = {}
        for start in range(0, count, 5000):
            reqs = [{"op": "encrypt", "peer": d.names[sender], "plaintext": struct.pack(">I", i).hex()}
                    for i in range(start, min(count, start + 5000))]
            for i, reply in zip(range(start, count), s.proc.batch(reqs)):
                if i in keep:
                    out[i] = Field.get(g, reply, "envelope", f"{sender} burst #{i}") if isinstance(reply, dict) else None
        return out

    def pt(i):
        return struct.pack(">I", i)

    # jump on the first (prekey) chain: 25 001 ahead is refused without creating a session, 25 000 is fine
    env = burst("alice", MAX_SKIP + 2, {0, 1, 22999, 23000, 24999, MAX_SKIP, MAX_SKIP + 1})
    g.check("error" in d.receive("bob", env[MAX_SKIP + 1]), "a prekey message 25 001 ahead was accepted")
    g.check(d.save("bob") is None, "a refused far-ahead prekey message created a session")
    d.expect_plain("bob", env[MAX_SKIP], pt(MAX_SKIP), "a prekey message exactly 25 000 ahead")
    # of the 25 000 skipped keys only the newest 2 000 (23 000 ... 24 999) are kept
    d.expect_reject("bob", env[0], "skipped key 0 should have been evicted")
    d.expect_reject("bob", env[22999], "skipped key 22 999 should have been evicted")
    d.expect_plain("bob", env[23000], pt(23000), "skipped key 23 000 (oldest kept)")
    d.expect_plain("bob", env[24999], pt(24999), "skipped key 24 999")
    d.expect_plain("bob", env[MAX_SKIP + 1], pt(MAX_SKIP + 1), "message 25 001, now next in line")
    d.ping("after the jump")
    # eviction on an established chain: 2 001 skipped keys, the oldest is dropped
    env = burst("bob", 2002, {0, 1, 2000, 2001})
    d.expect_plain("alice", env[2001], pt(2001), "2 001 ahead")
    d.expect_reject("alice", env[0], "oldest of 2 001 skipped keys should have been evicted")
    d.expect_plain("alice", env[1], pt(1), "second-oldest skipped key")
    d.expect_plain("alice", env[2000], pt(2000), "newest skipped key")
    d.ping("after eviction")
    # jump on an established chain (kind 2)
    env = burst("bob", MAX_SKIP + 2, {MAX_SKIP, MAX_SKIP + 1})
    d.expect_reject("alice", env[MAX_SKIP + 1], "a message 25 001 ahead")
    d.expect_plain("alice", env[MAX_SKIP], pt(MAX_SKIP), "a message exactly 25 000 ahead")
    d.ping("after the second jump")


def chain_limit_probe(g: Group, impls: Impls, a: str, b: str, rnd: random.Random) -> str:
    """Which reading of '5 chains' the responder follows: keys skipped in chains 1 and 2 are tried
    after chain 7 opened. Returns 'A' (libsignal), 'C' (5 + current) or 'B' (5 chains holding keys)."""
    d = Duo(g, impls, a, b, rnd, opk=False)
    held = []
    for chain in range(1, 8):
        e0, e1 = d.send("alice", b"c%d-0" % chain), d.send("alice", b"c%d-1" % chain)
        if chain <= 2:
            held.append((e0, b"c%d-0" % chain))
            d.expect_plain("bob", e1, b"c%d-1" % chain, f"chain {chain}")
        else:
            d.expect_plain("bob", e0, b"c%d-0" % chain, f"chain {chain}")
            d.expect_plain("bob", e1, b"c%d-1" % chain, f"chain {chain}")
        r = d.send("bob", b"r")
        d.expect_plain("alice", r, b"r", f"reply {chain}")
    kept = tuple("plaintext" in d.receive("bob", e) for e, _ in reversed(held))  # chain 2, then chain 1
    return {(False, False): "A", (True, False): "C", (True, True): "B"}.get(kept, f"?{kept}")


def robustness(g: Group, impls: Impls, impl: str) -> None:
    p = impls.spawn(impl, "robust")
    lines = ["not json", "[1]", "{}", '{"op":"nope"}', '{"op":"bundle","spk_id":1,"opk_id":null}',
             '{"op":"encrypt","peer":"x","plaintext":"00"}']
    for line, reply in zip(lines, p.proc.raw_batch(lines)):
        g.check(isinstance(reply, dict) and "error" in reply, f"{line!r} (before init) -> {_short(reply)}")
    Field.get(g, p.call("init", seed="00"), "identity", "init")
    bad = [{"op": "bundle", "spk_id": -1, "opk_id": None}, {"op": "bundle", "spk_id": 2**32, "opk_id": None},
           {"op": "bundle", "spk_id": "1", "opk_id": None}, {"op": "bundle", "spk_id": 1, "opk_id": "x"},
           {"op": "initiate", "peer": "x", "bundle": "zz"}, {"op": "initiate", "peer": "x", "bundle": "01"},
           {"op": "encrypt", "peer": "nobody", "plaintext": "00"}, {"op": "encrypt", "peer": "nobody", "plaintext": "0"},
           {"op": "decrypt", "peer": "nobody", "envelope": ""}, {"op": "decrypt", "peer": "nobody", "envelope": "02" + "00" * 60},
           {"op": "decrypt", "peer": "nobody", "envelope": "03" + "00" * 60}, {"op": "decrypt", "peer": "nobody", "envelope": "01" + "00" * 300},
           {"op": "save", "peer": "nobody"}, {"op": "load", "peer": "x", "session": "00"}, {"op": "load", "peer": "x", "session": "q"},
           {"op": "decrypt", "peer": "nobody"}, {"op": "encrypt", "plaintext": "00"}]
    for req, reply in zip(bad, p.proc.batch(bad)):
        g.check(isinstance(reply, dict) and "error" in reply, f"{_short(req)} -> {_short(reply)}")
    Field.get(g, p.call("bundle", spk_id=1, opk_id=2), "bundle", "still answers after bad requests")


# ---------------------------------------------------------------------------------------------

def run_sessions(report: Report, argvs: dict[str, list[str]], pairs: list[tuple[str, str]], seed: int,
                 unavailable: dict[str, str]) -> None:
    arrow = {"python": "python", "swift": "swift"}
    impls = Impls(argvs)
    for impl in sorted({x for pair in pairs for x in pair}):
        with report.group(f"party[{impl}] bad requests") as g:
            if impl in unavailable:
                g.fail(unavailable[impl])
            else:
                try:
                    robustness(g, impls, impl)
                finally:
                    impls.close_all()
    readings = {}
    for a, b in pairs:
        tag = f"{arrow[a]}→{arrow[b]}"
        missing = [unavailable[x] for x in {a, b} if x in unavailable]
        if missing:
            with report.group(f"sessions[{tag}]") as g:
                g.fail("; ".join(missing))
            continue
        scenarios = [
            ("basic", lambda g, r: scenario_basic(g, impls, a, b, r)),
            ("bundles", lambda g, r: scenario_bundles(g, impls, a, b, r)),
            ("conversations", lambda g, r: scenario_conversation(g, impls, a, b, r, rounds=4, events=450)),
            ("tampering", lambda g, r: scenario_tamper(g, impls, a, b, r)),
            ("storage", lambda g, r: scenario_storage(g, impls, a, b, r)),
            ("limits", lambda g, r: scenario_limits(g, impls, a, b, r)),
        ]
        for name, fn in scenarios:
            with report.group(f"sessions[{tag}] {name}") as g:
                try:
                    fn(g, random.Random(f"{seed}:{tag}:{name}"))
                finally:
                    impls.close_all()
        with report.group(f"sessions[{tag}] 5-chain probe") as g:
            try:
                readings[b] = chain_limit_probe(g, impls, a, b, random.Random(f"{seed}:{tag}:probe"))
                g.note(f"responder {b} keeps skipped keys per reading {readings[b]} "
                       "(A: libsignal, 5 receiving chains incl. current; C: 5 + current; B: 5 chains holding keys)")
            finally:
                impls.close_all()
    if len(set(readings.values())) > 1:
        print(f"note: implementations read the 5-chain limit differently: {readings} (docs/protocol.md is ambiguous)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vigil", help="path of the vigil binary (runs crypto-oracle / crypto-party)")
    ap.add_argument("--python-only", action="store_true", help="only Python↔Python and the Python oracle self-check")
    ap.add_argument("--seed", type=int, help="run seed (default: $VIGIL_INTEROP_SEED or random)")
    args = ap.parse_args()
    env_seed = os.environ.get("VIGIL_INTEROP_SEED")
    seed = int(env_seed) if env_seed else args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"seed {seed}  (VIGIL_INTEROP_SEED={seed} reproduces this run)", flush=True)
    started = time.monotonic()
    report = Report()
    py = [sys.executable, str(PEER)]
    use_vigil = args.vigil is not None and not args.python_only
    if args.vigil is None and not args.python_only:
        print("note: no --vigil given: running the Python-only part", flush=True)

    run_reference_check(report)
    run_primitives(report, "python-selfcheck", py + ["oracle"], seed)
    argvs = {"python": py + ["party"]}
    pairs = [("python", "python")]
    unavailable: dict[str, str] = {}
    if use_vigil:
        run_primitives(report, "vigil", [args.vigil, "crypto-oracle"], seed)
        argvs["swift"] = [args.vigil, "crypto-party"]
        proc, why = probe(argvs["swift"], "vigil crypto-party", {"op": "no-such-op"})
        if proc is None:
            unavailable["swift"] = f"vigil crypto-party unavailable: {why}"
        else:
            proc.close()
        pairs += [("swift", "python"), ("python", "swift"), ("swift", "swift")]
    run_sessions(report, argvs, pairs, seed, unavailable)
    print(f"time {time.monotonic() - started:.1f}s, seed {seed}", flush=True)
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
