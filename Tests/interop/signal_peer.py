#!/usr/bin/env python3
"""Vigil's Signal-style protocol (docs/protocol.md), written independently in Python for interop tests.

Library: identities (an Ed25519 signing key certifying an X25519 agreement key), prekey bundles,
X3DH, the Double Ratchet with a bounded skipped-key store, envelopes and session storage.
Primitives come from `cryptography` (pinned 50.0.2); the protocol is written from the spec alone.

Drivers, JSON lines on stdin/stdout (one object in, exactly one object out, bytes as hex; a bad
request gets {"error": "..."} and the driver keeps going):
  python signal_peer.py party    -- a protocol party: init, bundle, initiate, encrypt, decrypt, save, load
  python signal_peer.py oracle   -- the primitives as `vigil crypto-oracle` exposes them (harness self-check)
See Tests/interop/README.md for the ops.

Choices the spec leaves open (kept in one place so the harness and README can point here):
  * The skipped-key store follows libsignal: every DH ratchet step opens a receiving chain, the five
    newest receiving chains (the current one included) are kept, each with at most 2 000 skipped
    keys (oldest evicted first); opening a sixth drops the oldest chain and its keys.
  * "More than 25 000 ahead" means N - Nr > 25 000 (Nr = next expected index of that chain).
  * A bundle may not carry the one-time prekey id 0xFFFFFFFF: envelopes use that value for "none".
  * A prekey message for an existing responder session (same base key) must repeat that session's
    identity and prekey ids; one with a new base key builds a new session that replaces the old
    one only when its message decrypts, and only for the same peer identity.
  * Deterministic key generation (TEST ONLY, not secure): byte stream
    HMAC-SHA256(seed, "VigilTestRNG" || u64be(i)) for i = 0, 1, 2, ...; each draw takes the next
    bytes. An X25519 private key is a 32-byte draw, an Ed25519 key a 32-byte seed draw.
"""
from __future__ import annotations

import hmac as _hmac
import json
import os
import re
import struct
import sys
from collections import OrderedDict
from typing import Optional

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as c_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
IDENTITY_LEN = 129
HEADER_LEN = 41
TAG_LEN = 16
NO_OPK = 0xFFFFFFFF
MAX_SKIP = 25_000
MAX_SKIPPED_PER_CHAIN = 2_000
MAX_RECEIVING_CHAINS = 5
HKDF_MAX = 255 * 32
CERT_LABEL = b"VigilIdentityV1"
ZERO32 = bytes(32)


class ProtocolError(Exception):
    """Any rejection: malformed input, failed verification, replay, limits."""


# ---------------------------------------------------------------------------------------------
# Primitives (thin wrappers; each raises ProtocolError on rejection)

def sha256(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()


def sha512(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA512())
    h.update(data)
    return h.finalize()


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    h = c_hmac.HMAC(key, hashes.SHA256())
    h.update(data)
    return h.finalize()


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, size: int) -> bytes:
    if not 0 <= size <= HKDF_MAX:
        raise ProtocolError(f"HKDF output size {size} outside 0...{HKDF_MAX}")
    if size == 0:
        return b""
    return HKDF(hashes.SHA256(), size, salt, info).derive(ikm)


def x25519_public(private: bytes) -> bytes:
    _need(private, 32, "X25519 private key")
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def x25519(private: bytes, public: bytes) -> bytes:
    """DH: an all-zero output (low-order peer key) is an error."""
    _need(private, 32, "X25519 private key")
    _need(public, 32, "X25519 public key")
    try:
        shared = X25519PrivateKey.from_private_bytes(private).exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError as e:  # cryptography refuses the all-zero result
        raise ProtocolError("X25519: all-zero shared secret") from e
    if _hmac.compare_digest(shared, ZERO32):  # belt and braces
        raise ProtocolError("X25519: all-zero shared secret")
    return shared


def ed25519_sign(seed: bytes, message: bytes) -> tuple[bytes, bytes]:
    _need(seed, 32, "Ed25519 seed")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.public_key().public_bytes_raw(), key.sign(message)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Strict verification (OpenSSL's: S < L, canonical encodings). Wrong lengths raise."""
    _need(public, 32, "Ed25519 public key")
    _need(signature, 64, "Ed25519 signature")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def aead_seal(key: bytes, nonce: bytes, aad: bytes, plaintext: bytes) -> bytes:
    _need(key, 32, "ChaCha20-Poly1305 key")
    _need(nonce, 12, "ChaCha20-Poly1305 nonce")
    return ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def aead_open(key: bytes, nonce: bytes, aad: bytes, sealed: bytes) -> bytes:
    _need(key, 32, "ChaCha20-Poly1305 key")
    _need(nonce, 12, "ChaCha20-Poly1305 nonce")
    if len(sealed) < TAG_LEN:
        raise ProtocolError("ciphertext shorter than the tag")
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, sealed, aad)
    except InvalidTag as e:
        raise ProtocolError("authentication failed") from e


def kdf_rk(rk: bytes, dh_out: bytes) -> tuple[bytes, bytes]:
    _need(rk, 32, "root key")
    _need(dh_out, 32, "DH output")
    out = hkdf_sha256(dh_out, rk, b"WhisperRatchet", 64)
    return out[:32], out[32:]


def kdf_ck(ck: bytes) -> tuple[bytes, bytes]:
    _need(ck, 32, "chain key")
    return hmac_sha256(ck, b"\x01"), hmac_sha256(ck, b"\x02")


def message_keys(seed: bytes) -> tuple[bytes, bytes]:
    """(AEAD key, nonce) from a message-key seed: HKDF(..., "WhisperMessageKeys", 80) -> [0,32), [64,76)."""
    out = hkdf_sha256(seed, ZERO32, b"WhisperMessageKeys", 80)
    return out[:32], out[64:76]


def _need(value: bytes, size: int, what: str) -> None:
    if len(value) != size:
        raise ProtocolError(f"{what} must be {size} bytes, got {len(value)}")


# ---------------------------------------------------------------------------------------------
# Randomness

class TestRandom:
    """Deterministic byte stream for reproducible TEST runs: NOT a secure generator.

    stream = HMAC-SHA256(seed, b"VigilTestRNG" || u64be(i)) for i = 0, 1, 2, ...
    """

    def __init__(self, seed: bytes):
        self._seed = bytes(seed)
        self._counter = 0
        self._buffer = b""

    def bytes(self, n: int) -> bytes:
        while len(self._buffer) < n:
            self._buffer += hmac_sha256(self._seed, b"VigilTestRNG" + struct.pack(">Q", self._counter))
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out


class SystemRandom:
    def bytes(self, n: int) -> bytes:
        return os.urandom(n)


# ---------------------------------------------------------------------------------------------
# Keys and identities

class DHKeyPair:
    __slots__ = ("private", "public")

    def __init__(self, private: bytes):
        self.private = bytes(private)
        self.public = x25519_public(self.private)

    @classmethod
    def generate(cls, rng) -> "DHKeyPair":
        return cls(rng.bytes(32))


def encode_dh(public: bytes) -> bytes:
    """Encode(IK): libsignal's 33-byte Curve25519 public key encoding."""
    return b"\x05" + public


class PublicIdentity:
    """0x01 || IKs.public (32) || IK.public (32) || cert (64); decode() verifies the certificate."""
    __slots__ = ("signing", "agreement", "cert", "encoded")

    def __init__(self, signing: bytes, agreement: bytes, cert: bytes):
        self.signing, self.agreement, self.cert = signing, agreement, cert
        self.encoded = bytes([VERSION]) + signing + agreement + cert

    @classmethod
    def decode(cls, data: bytes) -> "PublicIdentity":
        if len(data) != IDENTITY_LEN:
            raise ProtocolError(f"identity must be {IDENTITY_LEN} bytes, got {len(data)}")
        if data[0] != VERSION:
            raise ProtocolError(f"unknown identity version {data[0]}")
        signing, agreement, cert = data[1:33], data[33:65], data[65:129]
        if not ed25519_verify(signing, CERT_LABEL + agreement, cert):
            raise ProtocolError("identity certificate does not verify")
        return cls(signing, agreement, cert)


class IdentityKeyPair:
    """An Ed25519 signing key IKs and an X25519 agreement key IK, bound by cert = Sign(IKs, label || IK)."""

    def __init__(self, signing_seed: bytes, agreement: DHKeyPair):
        self._signing_seed = bytes(signing_seed)
        self.agreement = agreement
        signing_public, cert = ed25519_sign(self._signing_seed, CERT_LABEL + agreement.public)
        self.public = PublicIdentity(signing_public, agreement.public, cert)

    @classmethod
    def generate(cls, rng) -> "IdentityKeyPair":
        seed = rng.bytes(32)
        return cls(seed, DHKeyPair.generate(rng))

    def sign(self, message: bytes) -> bytes:
        return ed25519_sign(self._signing_seed, message)[1]


# ---------------------------------------------------------------------------------------------
# Prekey bundle

class Bundle:
    """u8 1 || identity (129) || u32 spk id || SPK (32) || sig (64) || u8 0|1 [|| u32 opk id || OPK (32)]"""
    __slots__ = ("identity", "spk_id", "spk", "spk_sig", "opk_id", "opk")

    def __init__(self, identity: PublicIdentity, spk_id: int, spk: bytes, spk_sig: bytes,
                 opk_id: Optional[int], opk: Optional[bytes]):
        self.identity, self.spk_id, self.spk, self.spk_sig = identity, spk_id, spk, spk_sig
        self.opk_id, self.opk = opk_id, opk

    def encode(self) -> bytes:
        out = bytes([VERSION]) + self.identity.encoded + struct.pack(">I", self.spk_id) + self.spk + self.spk_sig
        if self.opk is None:
            return out + b"\x00"
        return out + b"\x01" + struct.pack(">I", self.opk_id) + self.opk

    @classmethod
    def decode(cls, data: bytes) -> "Bundle":
        """Parses and verifies (identity certificate, SPK signature); raises ProtocolError otherwise."""
        base = 1 + IDENTITY_LEN + 4 + 32 + 64 + 1
        if len(data) not in (base, base + 36):
            raise ProtocolError(f"bundle has {len(data)} bytes, expected {base} or {base + 36}")
        if data[0] != VERSION:
            raise ProtocolError(f"unknown bundle version {data[0]}")
        identity = PublicIdentity.decode(data[1:130])
        (spk_id,) = struct.unpack(">I", data[130:134])
        spk, spk_sig, flag = data[134:166], data[166:230], data[230]
        if flag not in (0, 1) or (flag == 1) != (len(data) == base + 36):
            raise ProtocolError("bad one-time prekey flag")
        opk_id = opk = None
        if flag == 1:
            (opk_id,) = struct.unpack(">I", data[231:235])
            opk = data[235:267]
            if opk_id == NO_OPK:
                raise ProtocolError("one-time prekey id 0xFFFFFFFF is reserved for 'none'")
        if not ed25519_verify(identity.signing, encode_dh(spk), spk_sig):
            raise ProtocolError("signed prekey signature does not verify")
        return cls(identity, spk_id, spk, spk_sig, opk_id, opk)


# ---------------------------------------------------------------------------------------------
# X3DH

def _x3dh_secret(parts: list[bytes]) -> bytes:
    return hkdf_sha256(b"\xff" * 32 + b"".join(parts), ZERO32, b"WhisperText", 32)


def x3dh_initiate(me: IdentityKeyPair, bundle: Bundle, ephemeral: DHKeyPair) -> bytes:
    parts = [x25519(me.agreement.private, bundle.spk),
             x25519(ephemeral.private, bundle.identity.agreement),
             x25519(ephemeral.private, bundle.spk)]
    if bundle.opk is not None:
        parts.append(x25519(ephemeral.private, bundle.opk))
    return _x3dh_secret(parts)


def x3dh_respond(me: IdentityKeyPair, spk: DHKeyPair, opk: Optional[DHKeyPair],
                 initiator: PublicIdentity, ephemeral: bytes) -> bytes:
    parts = [x25519(spk.private, initiator.agreement),
             x25519(me.agreement.private, ephemeral),
             x25519(spk.private, ephemeral)]
    if opk is not None:
        parts.append(x25519(opk.private, ephemeral))
    return _x3dh_secret(parts)


# ---------------------------------------------------------------------------------------------
# Double Ratchet session

class Session:
    """One Double Ratchet session plus what its envelopes need (identities, prekey-message fields).

    `chains` holds the receiving chains, oldest first, each [ratchet public key, OrderedDict n -> seed
    of a skipped message key]; the last one is the current receiving chain.
    """

    def __init__(self):
        self.initiator = False
        self.received = False                 # a message has been decrypted in this session
        self.local_identity = b""             # 129-byte encodings
        self.remote_identity = b""
        self.base_key = ZERO32                # EK_A.public
        self.spk_id = 0
        self.opk_id = NO_OPK
        self.dhs: DHKeyPair = None            # type: ignore[assignment]
        self.dhr: Optional[bytes] = None
        self.rk = ZERO32
        self.cks: Optional[bytes] = None
        self.ckr: Optional[bytes] = None
        self.ns = self.nr = self.pn = 0
        self.chains: list[list] = []

    # -- construction
    @classmethod
    def as_initiator(cls, me: IdentityKeyPair, bundle: Bundle, rng) -> "Session":
        ephemeral = DHKeyPair.generate(rng)
        sk = x3dh_initiate(me, bundle, ephemeral)
        s = cls()
        s.initiator = True
        s.local_identity, s.remote_identity = me.public.encoded, bundle.identity.encoded
        s.base_key, s.spk_id = ephemeral.public, bundle.spk_id
        s.opk_id = NO_OPK if bundle.opk is None else bundle.opk_id
        s.dhs = DHKeyPair.generate(rng)
        s.dhr = bundle.spk
        s.rk, s.cks = kdf_rk(sk, x25519(s.dhs.private, s.dhr))
        return s

    @classmethod
    def as_responder(cls, me: IdentityKeyPair, spk: DHKeyPair, opk: Optional[DHKeyPair], spk_id: int,
                     opk_id: int, initiator: PublicIdentity, ephemeral: bytes) -> "Session":
        sk = x3dh_respond(me, spk, opk, initiator, ephemeral)
        s = cls()
        s.local_identity, s.remote_identity = me.public.encoded, initiator.encoded
        s.base_key, s.spk_id, s.opk_id = ephemeral, spk_id, opk_id
        s.dhs = DHKeyPair(spk.private)
        s.rk = sk
        return s

    @property
    def associated_data(self) -> bytes:
        # docs/protocol.md: AD = identity_A (129) || identity_B (129), initiator first.
        a, b = (self.local_identity, self.remote_identity) if self.initiator else (self.remote_identity, self.local_identity)
        return bytes(a) + bytes(b)

    def copy(self) -> "Session":
        c = Session()
        c.__dict__.update(self.__dict__)
        c.chains = [[dh, OrderedDict(keys)] for dh, keys in self.chains]
        return c

    # -- sending
    def encrypt(self, plaintext: bytes) -> bytes:
        """Returns the ratchet message: header (41) || ciphertext || tag."""
        if self.cks is None:
            raise ProtocolError("no sending chain yet (a responder sends after its first message arrives)")
        if self.ns > 0xFFFFFFFF:
            raise ProtocolError("sending chain exhausted")
        seed, self.cks = kdf_ck(self.cks)
        header = struct.pack(">B32sII", VERSION, self.dhs.public, self.pn, self.ns)
        self.ns += 1
        key, nonce = message_keys(seed)
        return header + aead_seal(key, nonce, self.associated_data + header, plaintext)

    # -- receiving
    def decrypt(self, message: bytes, rng) -> bytes:
        """RatchetDecrypt on a copy; the copy replaces this state only if decryption succeeds."""
        work = self.copy()
        plaintext = work._decrypt(message, rng)
        self.__dict__.update(work.__dict__)
        return plaintext

    def _decrypt(self, message: bytes, rng) -> bytes:
        if len(message) < HEADER_LEN + TAG_LEN:
            raise ProtocolError(f"ratchet message too short ({len(message)} bytes)")
        header = message[:HEADER_LEN]
        version, dh_pub, pn, n = struct.unpack(">B32sII", header)
        if version != VERSION:
            raise ProtocolError(f"unknown message version {version}")
        seed = self._take_skipped(dh_pub, n)
        if seed is None:
            if self.dhr is not None and _hmac.compare_digest(dh_pub, self.dhr):
                if self.ckr is None:
                    raise ProtocolError("no receiving chain for this ratchet key")
                seed = self._advance_to(n)
            else:
                if self.ckr is not None:
                    self._skip_to(pn)
                if n > MAX_SKIP:
                    raise ProtocolError(f"message {n} is more than {MAX_SKIP} ahead of its chain")
                self._dh_ratchet(dh_pub, rng)
                seed = self._advance_to(n)
        key, nonce = message_keys(seed)
        plaintext = aead_open(key, nonce, self.associated_data + header, message[HEADER_LEN:])
        self.received = True
        return plaintext

    def _take_skipped(self, dh_pub: bytes, n: int) -> Optional[bytes]:
        for dh, keys in self.chains:
            if _hmac.compare_digest(dh, dh_pub):
                return keys.pop(n, None)
        return None

    def _skip_to(self, until: int) -> None:
        if until <= self.nr:
            return
        if until - self.nr > MAX_SKIP:
            raise ProtocolError(f"message {until} is more than {MAX_SKIP} ahead of its chain (next {self.nr})")
        keys = self.chains[-1][1]
        ck = self.ckr
        for i in range(self.nr, until):
            keys[i], ck = kdf_ck(ck)
            if len(keys) > MAX_SKIPPED_PER_CHAIN:
                keys.popitem(last=False)
        self.ckr, self.nr = ck, until

    def _advance_to(self, n: int) -> bytes:
        if n < self.nr:
            raise ProtocolError(f"message {n} already received or its key was evicted (replay)")
        self._skip_to(n)
        seed, self.ckr = kdf_ck(self.ckr)
        self.nr = n + 1
        return seed

    def _dh_ratchet(self, dh_pub: bytes, rng) -> None:
        self.pn, self.ns, self.nr, self.dhr = self.ns, 0, 0, dh_pub
        self.rk, self.ckr = kdf_rk(self.rk, x25519(self.dhs.private, self.dhr))
        self.dhs = DHKeyPair.generate(rng)
        self.rk, self.cks = kdf_rk(self.rk, x25519(self.dhs.private, self.dhr))
        self.chains.append([dh_pub, OrderedDict()])
        if len(self.chains) > MAX_RECEIVING_CHAINS:
            self.chains.pop(0)

    # -- storage (this implementation's own format; private keys included)
    # u8 1 | u8 flags (1 initiator, 2 received, 4 DHr, 8 CKs, 16 CKr) | local id (129) | remote id (129)
    # | base key (32) | u32 spk id | u32 opk id | DHs private (32) | [DHr (32)] | RK (32) | [CKs] | [CKr]
    # | u64 Ns | u64 Nr | u64 PN | u8 chains | per chain: dh (32) | u16 count | count x (u32 n | seed (32))
    def serialize(self) -> bytes:
        flags = (1 if self.initiator else 0) | (2 if self.received else 0) | (4 if self.dhr is not None else 0) \
            | (8 if self.cks is not None else 0) | (16 if self.ckr is not None else 0)
        out = [bytes([VERSION, flags]), self.local_identity, self.remote_identity, self.base_key,
               struct.pack(">II", self.spk_id, self.opk_id), self.dhs.private]
        out += [x for x in (self.dhr,) if x is not None]
        out.append(self.rk)
        out += [x for x in (self.cks, self.ckr) if x is not None]
        out.append(struct.pack(">QQQB", self.ns, self.nr, self.pn, len(self.chains)))
        for dh, keys in self.chains:
            out.append(dh + struct.pack(">H", len(keys)))
            out += [struct.pack(">I", n) + seed for n, seed in keys.items()]
        return b"".join(out)

    @classmethod
    def deserialize(cls, data: bytes) -> "Session":
        r = _Reader(data)
        if r.u8() != VERSION:
            raise ProtocolError("unknown session version")
        flags = r.u8()
        if flags & ~31:
            raise ProtocolError("bad session flags")
        s = cls()
        s.initiator, s.received = bool(flags & 1), bool(flags & 2)
        s.local_identity = PublicIdentity.decode(r.take(IDENTITY_LEN)).encoded
        s.remote_identity = PublicIdentity.decode(r.take(IDENTITY_LEN)).encoded
        s.base_key = r.take(32)
        s.spk_id, s.opk_id = struct.unpack(">II", r.take(8))
        s.dhs = DHKeyPair(r.take(32))
        s.dhr = r.take(32) if flags & 4 else None
        s.rk = r.take(32)
        s.cks = r.take(32) if flags & 8 else None
        s.ckr = r.take(32) if flags & 16 else None
        s.ns, s.nr, s.pn, count = struct.unpack(">QQQB", r.take(25))
        if count > MAX_RECEIVING_CHAINS:
            raise ProtocolError("too many receiving chains")
        for _ in range(count):
            dh = r.take(32)
            (k,) = struct.unpack(">H", r.take(2))
            if k > MAX_SKIPPED_PER_CHAIN:
                raise ProtocolError("too many skipped keys")
            keys = OrderedDict()
            for _ in range(k):
                (n,) = struct.unpack(">I", r.take(4))
                keys[n] = r.take(32)
            s.chains.append([dh, keys])
        if not r.done():
            raise ProtocolError("trailing bytes after the session")
        return s


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ProtocolError("truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def done(self) -> bool:
        return self.pos == len(self.data)


# ---------------------------------------------------------------------------------------------
# Envelopes

PREKEY_PREFIX_LEN = 2 + IDENTITY_LEN + 32 + 8  # kind, version, identity, EK, spk id, opk id


def prekey_envelope(session: Session, message: bytes) -> bytes:
    return bytes([1, VERSION]) + session.local_identity + session.base_key \
        + struct.pack(">II", session.spk_id, session.opk_id) + message


def parse_envelope(data: bytes) -> tuple:
    """("prekey", identity bytes, EK, spk id, opk id, message) or ("message", message)."""
    if not data:
        raise ProtocolError("empty envelope")
    if data[0] == 2:
        return ("message", data[1:])
    if data[0] != 1:
        raise ProtocolError(f"unknown envelope kind {data[0]}")
    if len(data) < PREKEY_PREFIX_LEN:
        raise ProtocolError("prekey envelope too short")
    if data[1] != VERSION:
        raise ProtocolError(f"unknown prekey message version {data[1]}")
    identity, ek = data[2:131], data[131:163]
    spk_id, opk_id = struct.unpack(">II", data[163:171])
    return ("prekey", identity, ek, spk_id, opk_id, data[171:])


# ---------------------------------------------------------------------------------------------
# A party: identity, prekeys and sessions by peer name

class Party:
    def __init__(self, seed: Optional[bytes]):
        self.rng = SystemRandom() if seed is None else TestRandom(seed)
        self.identity = IdentityKeyPair.generate(self.rng)
        self.spks: dict[int, DHKeyPair] = {}
        self.opks: dict[int, DHKeyPair] = {}
        self.sessions: dict[str, Session] = {}

    def make_bundle(self, spk_id: int, opk_id: Optional[int]) -> bytes:
        spk = DHKeyPair.generate(self.rng)
        opk = None if opk_id is None else DHKeyPair.generate(self.rng)
        bundle = Bundle(self.identity.public, spk_id, spk.public, self.identity.sign(encode_dh(spk.public)),
                        opk_id, None if opk is None else opk.public)
        self.spks[spk_id] = spk
        if opk is not None:
            self.opks[opk_id] = opk
        return bundle.encode()

    def initiate(self, peer: str, bundle_bytes: bytes) -> None:
        self.sessions[peer] = Session.as_initiator(self.identity, Bundle.decode(bundle_bytes), self.rng)

    def encrypt(self, peer: str, plaintext: bytes) -> bytes:
        session = self._session(peer)
        message = session.encrypt(plaintext)
        if session.initiator and not session.received:
            return prekey_envelope(session, message)
        return b"\x02" + message

    def decrypt(self, peer: str, envelope: bytes) -> bytes:
        parsed = parse_envelope(envelope)
        if parsed[0] == "message":
            return self._session(peer).decrypt(parsed[1], self.rng)
        _, identity, ek, spk_id, opk_id, message = parsed
        existing = self.sessions.get(peer)
        if existing is not None and not existing.initiator and _hmac.compare_digest(existing.base_key, ek):
            if identity != existing.remote_identity or (spk_id, opk_id) != (existing.spk_id, existing.opk_id):
                raise ProtocolError("prekey message does not match its session's identity or prekey ids")
            return existing.decrypt(message, self.rng)
        initiator = PublicIdentity.decode(identity)
        if existing is not None and initiator.encoded != existing.remote_identity:
            raise ProtocolError("prekey message from a different identity than this peer's session")
        spk = self.spks.get(spk_id)
        if spk is None:
            raise ProtocolError(f"unknown signed prekey id {spk_id}")
        opk = None
        if opk_id != NO_OPK:
            opk = self.opks.get(opk_id)
            if opk is None:
                raise ProtocolError(f"unknown or already used one-time prekey id {opk_id}")
        session = Session.as_responder(self.identity, spk, opk, spk_id, opk_id, initiator, ek)
        plaintext = session.decrypt(message, self.rng)
        self.sessions[peer] = session
        if opk is not None:
            del self.opks[opk_id]
        return plaintext

    def _session(self, peer: str) -> Session:
        session = self.sessions.get(peer)
        if session is None:
            raise ProtocolError(f"no session with {peer!r}")
        return session


# ---------------------------------------------------------------------------------------------
# JSON-lines drivers

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


class RequestError(Exception):
    pass


def _hex(req: dict, field: str) -> bytes:
    value = req.get(field)
    if not isinstance(value, str):
        raise RequestError(f"'{field}' must be a hex string")
    if not _HEX.fullmatch(value):
        raise RequestError(f"'{field}' is not valid hex")
    return bytes.fromhex(value)


def _int(req: dict, field: str, low: int, high: int, optional: bool = False) -> Optional[int]:
    value = req.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RequestError(f"'{field}' must be an integer in {low}...{high}")
    return value


def _str(req: dict, field: str) -> str:
    value = req.get(field)
    if not isinstance(value, str) or not value:
        raise RequestError(f"'{field}' must be a non-empty string")
    return value


def oracle_op(req: dict) -> dict:
    op = req.get("op")
    if op == "sha256":
        return {"digest": sha256(_hex(req, "msg")).hex()}
    if op == "sha512":
        return {"digest": sha512(_hex(req, "msg")).hex()}
    if op == "hmac_sha256":
        return {"tag": hmac_sha256(_hex(req, "key"), _hex(req, "msg")).hex()}
    if op == "hkdf_sha256":
        ikm, salt, info = _hex(req, "ikm"), _hex(req, "salt"), _hex(req, "info")
        return {"okm": hkdf_sha256(ikm, salt, info, _int(req, "size", 0, HKDF_MAX)).hex()}
    if op == "x25519":
        return {"shared": x25519(_hex(req, "private"), _hex(req, "public")).hex()}
    if op == "x25519_base":
        return {"public": x25519_public(_hex(req, "private")).hex()}
    if op == "ed25519_sign":
        public, sig = ed25519_sign(_hex(req, "seed"), _hex(req, "msg"))
        return {"public": public.hex(), "sig": sig.hex()}
    if op == "ed25519_verify":
        return {"valid": ed25519_verify(_hex(req, "public"), _hex(req, "msg"), _hex(req, "sig"))}
    if op == "chacha20poly1305_seal":
        sealed = aead_seal(_hex(req, "key"), _hex(req, "nonce"), _hex(req, "aad"), _hex(req, "msg"))
        return {"ct": sealed[:-TAG_LEN].hex(), "tag": sealed[-TAG_LEN:].hex()}
    if op == "chacha20poly1305_open":
        key, nonce, aad, ct, tag = (_hex(req, f) for f in ("key", "nonce", "aad", "ct", "tag"))
        _need(tag, TAG_LEN, "tag")
        return {"msg": aead_open(key, nonce, aad, ct + tag).hex()}
    if op == "kdf_ck":
        seed, ck = kdf_ck(_hex(req, "ck"))
        return {"message_key_seed": seed.hex(), "next_ck": ck.hex()}
    if op == "kdf_rk":
        rk, ck = kdf_rk(_hex(req, "rk"), _hex(req, "dh"))
        return {"rk": rk.hex(), "ck": ck.hex()}
    raise RequestError(f"unknown op {op!r}")


class PartyDriver:
    def __init__(self):
        self.party: Optional[Party] = None

    def handle(self, req: dict) -> dict:
        op = req.get("op")
        if op == "init":
            seed = None if req.get("seed") is None else _hex(req, "seed")
            self.party = Party(seed)
            return {"identity": self.party.identity.public.encoded.hex()}
        if op not in ("bundle", "initiate", "encrypt", "decrypt", "save", "load"):
            raise RequestError(f"unknown op {op!r}")
        party = self.party
        if party is None:
            raise RequestError("no identity yet: send init first")
        if op == "bundle":
            spk_id = _int(req, "spk_id", 0, 0xFFFFFFFF)
            opk_id = _int(req, "opk_id", 0, NO_OPK - 1, optional=True)
            return {"bundle": party.make_bundle(spk_id, opk_id).hex()}
        peer = _str(req, "peer")
        if op == "initiate":
            party.initiate(peer, _hex(req, "bundle"))
            return {}
        if op == "encrypt":
            return {"envelope": party.encrypt(peer, _hex(req, "plaintext")).hex()}
        if op == "decrypt":
            return {"plaintext": party.decrypt(peer, _hex(req, "envelope")).hex()}
        if op == "save":
            return {"session": party._session(peer).serialize().hex()}
        party.sessions[peer] = Session.deserialize(_hex(req, "session"))  # op == "load"
        return {}


def serve(handle) -> None:
    out = sys.stdout
    for raw in sys.stdin.buffer:
        try:
            req = json.loads(raw.decode("utf-8"))
            if not isinstance(req, dict):
                raise RequestError("a request must be a JSON object")
            reply = handle(req)
        except Exception as e:  # never exit on a bad request
            reply = {"error": f"{type(e).__name__}: {e}" if not isinstance(e, (ProtocolError, RequestError)) else str(e)}
        out.write(json.dumps(reply, separators=(",", ":")) + "\n")
        out.flush()


def main(argv: list[str]) -> int:
    if argv == ["party"]:
        serve(PartyDriver().handle)
        return 0
    if argv == ["oracle"]:
        serve(oracle_op)
        return 0
    sys.stderr.write("usage: signal_peer.py party|oracle   (JSON lines on stdin/stdout)\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
