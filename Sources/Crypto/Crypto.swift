/// Vigil's cryptography: primitives from the system's OpenSSL libcrypto behind a Swift API, and the
/// Signal-style protocol (X3DH, Double Ratchet) written in Swift as pure values.
///
/// The primitives (`Primitives/`): `SHA256`, `SHA512`, `HMAC` (SHA-256), `HKDF` (SHA-256),
/// `Curve25519.KeyAgreement` (X25519), `Curve25519.Signing` (Ed25519, strict verification),
/// `ChaChaPoly` and `AES.GCM` (256-bit keys, 96-bit nonces), `ConstantTime`, `RandomSource`
/// (`SystemRandom`, and `SeededRandom` for tests only), `SecureBytes` / `SymmetricKey` for key
/// material wiped on release, and the identity construction `IdentityKeyPair` /
/// `IdentityPublicKey` (an Ed25519 key certifying an X25519 key; see `IdentityKey`). Every failure
/// is a `CryptoError`.
public enum VigilCrypto {}
