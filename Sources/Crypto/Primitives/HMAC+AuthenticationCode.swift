extension HMAC {
    /// An HMAC-SHA-256 authentication code: 32 bytes in a wiped-on-release buffer, because in
    /// key schedules (the ratchet's chain keys, HKDF) the code *is* the next key.
    ///
    /// Not `Equatable`: check codes with `HMAC.isValidAuthenticationCode` or compare with
    /// `ConstantTime.equals(_:_:)`.
    public struct AuthenticationCode: Sendable, CustomStringConvertible {
        /// The 32 code bytes.
        public let secureBytes: SecureBytes

        init(secureBytes: SecureBytes) {
            self.secureBytes = secureBytes
        }

        /// The length in bytes (32).
        public var byteCount: Int { secureBytes.count }

        /// The code as a key (no copy), e.g. the next chain key of a symmetric ratchet.
        public var symmetricKey: SymmetricKey { SymmetricKey(secureBytes: secureBytes) }

        /// The code bytes as an array, for sending on the wire. The array is not wiped on release.
        public var bytes: [UInt8] { Array(secureBytes) }

        /// Calls `body` with the code bytes.
        public func withUnsafeBytes<R, E: Error>(
            _ body: (UnsafeRawBufferPointer) throws(E) -> R
        ) throws(E) -> R {
            try secureBytes.withUnsafeBytes(body)
        }

        /// "HMAC-SHA-256 code (32 bytes)": the bytes are not printed.
        public var description: String { "HMAC-SHA-256 code (\(byteCount) bytes)" }
    }
}
