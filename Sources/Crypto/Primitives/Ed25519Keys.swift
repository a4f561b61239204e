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

        /// A digest-verify context for this key, made on the first verification and copied for
        /// each; shared by every copy of this value (an identity's signing key verifies its
        /// certificate and then its signed prekey).
        private let verifier = LazyObject<ContextTemplate>()

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
            let raw = rawRepresentation
            let template = try verifier.get { () throws(CryptoError) in
                try ContextTemplate.eddsa(
                    for: EVPKey.importedPublicKey(OpenSSLAlgorithms.ed25519ImportTemplate, raw: raw), verify: true)
            }
            var result: Int32 = -1
            var failed: UnsafePointer<CChar>?
            sig.withUnsafeBytes { (signatureBytes: UnsafeRawBufferPointer) in
                message.readContiguousBytes { (bytes: UnsafeRawBufferPointer) in
                    result = withExtendedLifetime(template) {
                        vigil_eddsa_verify(
                            template.pointer, signatureBytes.bytePointer, signatureBytes.count, bytes.bytePointer,
                            bytes.count, &failed)
                    }
                }
            }
            switch result {
            case 1: return true
            case 0: return false  // the shim cleared the reason a bad signature queues
            default: throw OpenSSL.error(cName: failed)
            }
        }

        /// Equal when the raw bytes are equal.
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.rawRepresentation == rhs.rawRepresentation
        }

        /// Hashes the raw bytes.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(rawRepresentation)
        }
    }

    /// An Ed25519 private key: the 32-byte seed of RFC 8032 §5.1.5, and its public key.
    public struct PrivateKey: Sendable {
        private let key: EVPKey
        private let seed: SecureBytes
        /// A digest-sign context for `key`, made on the first signature and copied for each.
        private let signer = LazyObject<ContextTemplate>()

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
        /// The corresponding C function is `EVP_DigestSign`, on a copy of a signing context kept
        /// with the key.
        public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
            let key = self.key
            let template = try signer.get { () throws(CryptoError) in try ContextTemplate.eddsa(for: key, verify: false) }
            var signature = [UInt8](repeating: 0, count: Curve25519.Signing.signatureByteCount)
            var length = signature.count
            var result: Int32 = 0
            var failed: UnsafePointer<CChar>?
            message.readContiguousBytes { (bytes: UnsafeRawBufferPointer) in
                signature.withUnsafeMutableBytes { (output: UnsafeMutableRawBufferPointer) in
                    result = withExtendedLifetime(template) {
                        vigil_eddsa_sign(
                            template.pointer, bytes.bytePointer, bytes.count, output.mutableBytePointer, &length, &failed)
                    }
                }
            }
            guard result == 1 else { throw OpenSSL.error(cName: failed) }
            precondition(length == Curve25519.Signing.signatureByteCount, "Ed25519 signature length mismatch")
            return signature
        }
    }

    /// The length of an Ed25519 signature in bytes (64).
    public static let signatureByteCount = 64
}
