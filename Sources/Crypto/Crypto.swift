/// Vigil's cryptography: primitives from the system's OpenSSL libcrypto behind a Swift API, and the
/// Signal-style protocol (X3DH, Double Ratchet) written in Swift as pure values.
public enum VigilCrypto {}
