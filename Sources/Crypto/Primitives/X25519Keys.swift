import COpenSSL

extension Curve25519.KeyAgreement {
    /// An X25519 public key: a 32-byte little-endian u-coordinate.
    ///
    /// Any 32 bytes are accepted, as RFC 7748 §5 prescribes (the top bit is ignored and
    /// non-canonical values are reduced); keys of small order are caught where they matter, when
    /// an agreement with them yields the all-zero secret (`CryptoError.zeroSharedSecret`).
    public struct PublicKey: Sendable, Hashable {
        /// The 32 raw bytes.
        public let rawRepresentation: [UInt8]

        /// The key imported into OpenSSL, made on the first agreement with it and shared by every
        /// copy of this value (X3DH agrees with a bundle's signed prekey twice, the responder with
        /// the initiator's ephemeral key three times).
        private let imported = LazyObject<EVPKey>()

        /// A public key from its 32 raw bytes.
        public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
            try rawRepresentation.requireCurve25519KeySize(.x25519Key)
            self.rawRepresentation = Array(rawRepresentation)
        }

        /// The OpenSSL key for these bytes.
        func evpKey() throws(CryptoError) -> EVPKey {
            try imported.get { () throws(CryptoError) in
                try EVPKey.importedPublicKey(OpenSSLAlgorithms.x25519ImportTemplate, raw: rawRepresentation)
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

    /// An X25519 private key (a 32-byte scalar, clamped by X25519 itself) and its public key.
    public struct PrivateKey: Sendable {
        private let key: EVPKey
        private let secret: SecureBytes
        /// The derivation context for `key`, made on the first agreement and duplicated for each.
        private let agreement = LazyObject<ContextTemplate>()

        /// The public key, `X25519(k, 9)`.
        public let publicKey: PublicKey

        /// A fresh key from `random` (the operating system's generator by default).
        public init(using random: any RandomSource = SystemRandom()) throws(CryptoError) {
            try self.init(secret: SecureBytes(count: Curve25519.keyByteCount, using: random))
        }

        /// A private key from its 32 raw bytes (any 32 bytes; clamping happens in X25519).
        public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
            try rawRepresentation.requireCurve25519KeySize(.x25519Key)
            try self.init(secret: SecureBytes(rawRepresentation))
        }

        private init(secret: SecureBytes) throws(CryptoError) {
            self.secret = secret
            self.key = try EVPKey.privateKey(type: EVP_PKEY_X25519, raw: secret)
            self.publicKey = try PublicKey(rawRepresentation: key.rawPublicKey())
        }

        /// The 32 raw private-key bytes, in a wiped-on-release buffer.
        public var rawRepresentation: SecureBytes { secret }

        /// X25519(self, peer): the 32-byte shared secret.
        ///
        /// Throws `CryptoError.zeroSharedSecret` when the result is all zeros, i.e. when
        /// `publicKeyShare` has small order (RFC 7748 §6.1's "check"); Vigil never lets such a
        /// secret reach a KDF.
        ///
        /// The corresponding C functions are `EVP_PKEY_derive_set_peer_ex` and `EVP_PKEY_derive`,
        /// on a duplicate of a derivation context kept with the key.
        public func sharedSecretFromKeyAgreement(with publicKeyShare: PublicKey) throws(CryptoError) -> SharedSecret {
            let peer = try publicKeyShare.evpKey()
            let key = self.key
            let template = try agreement.get { () throws(CryptoError) in try ContextTemplate.derivation(for: key) }
            let secret = try SecureBytes(count: Curve25519.keyByteCount) {
                (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                var length = output.count
                var failed: UnsafePointer<CChar>?
                let result = withExtendedLifetime((template, peer)) {
                    vigil_derive(template.pointer, peer.pointer, output.mutableBytePointer, &length, &failed)
                }
                guard result == 1 else {
                    let error = OpenSSL.drainError(cName: failed)
                    // OpenSSL's X25519 refuses an all-zero result with this provider error.
                    if vigil_err_get_lib(error.code) == vigil_err_lib_prov(),
                        vigil_err_get_reason(error.code) == vigil_prov_r_failed_during_derivation()
                    {
                        throw .zeroSharedSecret
                    }
                    throw .library(error)
                }
                precondition(length == Curve25519.keyByteCount, "X25519 output length mismatch")
            }
            // Belt and braces: never hand out an all-zero secret, whatever the library version.
            guard !ConstantTime.isAllZero(secret) else { throw .zeroSharedSecret }
            return SharedSecret(secureBytes: secret)
        }
    }
}
