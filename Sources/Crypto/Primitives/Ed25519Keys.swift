import COpenSSL

extension Curve25519.Signing {
    /// An Ed25519 public key: the 32-byte encoding of the point A.
    ///
    /// Construction rejects non-canonical encodings (y ≥ p, or x = 0 with the sign bit set), so two
    /// different `PublicKey` values never denote the same point; verification then rejects points
    /// that are not on the curve and signatures with S ≥ L (see `isValidSignature(_:for:)`).
    public struct PublicKey: Sendable, Hashable {
        /// The 32 raw bytes.
        public let rawRepresentation: [UInt8]

        /// A public key from its 32-byte encoding; throws `invalidEncoding` if it is not canonical.
        public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
            try rawRepresentation.requireCurve25519KeySize(.ed25519Key)
            let raw = Array(rawRepresentation)
            guard Ed25519Encoding.isCanonicalPoint(raw) else {
                throw .invalidEncoding(.ed25519Key, reason: "not a canonical point encoding")
            }
            self.rawRepresentation = raw
        }

        /// Strict RFC 8032 §5.1.7 verification of `signature` over `message`.
        ///
        /// Returns false for a signature that is not 64 bytes, whose S is not below the group
        /// order L, whose R is not the canonical encoding of the recomputed point, or that does not
        /// verify. Throws only when OpenSSL fails for reasons other than a bad signature.
        ///
        /// The corresponding C function is `EVP_DigestVerify`.
        public func isValidSignature(
            _ signature: some Collection<UInt8>, for message: some Collection<UInt8>
        ) throws(CryptoError) -> Bool {
            guard signature.count == Curve25519.Signing.signatureByteCount else { return false }
            let sig = Array(signature)
            guard Ed25519Encoding.isCanonicalScalar(sig[32..<64]) else { return false }
            let key = try rawRepresentation.withContiguousInput { (raw: UnsafeRawBufferPointer) throws(CryptoError) in
                try EVPKey.publicKey(type: EVP_PKEY_ED25519, raw: raw)
            }
            let context = try OpenSSL.unwrap(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
            defer { EVP_MD_CTX_free(context) }
            try OpenSSL.check(EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer), "EVP_DigestVerifyInit")
            var result: Int32 = 0
            message.readContiguousBytes { (bytes: UnsafeRawBufferPointer) in
                result = EVP_DigestVerify(context, sig, sig.count, bytes.bytePointer, bytes.count)
            }
            switch result {
            case 1:
                return true
            case 0:
                _ = OpenSSL.drainError("EVP_DigestVerify")  // a bad signature queues a reason
                return false
            default:
                throw OpenSSL.error("EVP_DigestVerify")
            }
        }
    }

    /// An Ed25519 private key: the 32-byte seed of RFC 8032 §5.1.5, and its public key.
    public struct PrivateKey: Sendable {
        private let key: EVPKey
        private let seed: SecureBytes

        /// The public key derived from the seed.
        public let publicKey: PublicKey

        /// A fresh key from `random` (the operating system's generator by default).
        public init(using random: any RandomSource = SystemRandom()) throws(CryptoError) {
            try self.init(seed: SecureBytes(count: Curve25519.keyByteCount, using: random))
        }

        /// A private key from its 32-byte seed.
        public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
            try rawRepresentation.requireCurve25519KeySize(.ed25519Key)
            try self.init(seed: SecureBytes(rawRepresentation))
        }

        private init(seed: SecureBytes) throws(CryptoError) {
            self.seed = seed
            self.key = try EVPKey.privateKey(type: EVP_PKEY_ED25519, raw: seed)
            self.publicKey = try PublicKey(rawRepresentation: key.rawPublicKey())
        }

        /// The 32-byte seed, in a wiped-on-release buffer.
        public var rawRepresentation: SecureBytes { seed }

        /// The deterministic 64-byte Ed25519 signature (R ‖ S) of `message`.
        ///
        /// The corresponding C function is `EVP_DigestSign`.
        public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
            let context = try OpenSSL.unwrap(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
            defer { EVP_MD_CTX_free(context) }
            try OpenSSL.check(EVP_DigestSignInit(context, nil, nil, nil, key.pointer), "EVP_DigestSignInit")
            var signature = [UInt8](repeating: 0, count: Curve25519.Signing.signatureByteCount)
            var length = signature.count
            try message.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
                try OpenSSL.check(
                    EVP_DigestSign(context, &signature, &length, bytes.bytePointer, bytes.count), "EVP_DigestSign")
            }
            precondition(length == Curve25519.Signing.signatureByteCount, "Ed25519 signature length mismatch")
            return signature
        }
    }

    /// The length of an Ed25519 signature in bytes (64).
    public static let signatureByteCount = 64
}
