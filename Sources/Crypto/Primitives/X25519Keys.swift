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

        /// A public key from its 32 raw bytes.
        public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
            try rawRepresentation.requireCurve25519KeySize(.x25519Key)
            self.rawRepresentation = Array(rawRepresentation)
        }
    }

    /// An X25519 private key (a 32-byte scalar, clamped by X25519 itself) and its public key.
    public struct PrivateKey: Sendable {
        private let key: EVPKey
        private let secret: SecureBytes

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
        /// The corresponding C functions are `EVP_PKEY_derive_set_peer` and `EVP_PKEY_derive`.
        public func sharedSecretFromKeyAgreement(with publicKeyShare: PublicKey) throws(CryptoError) -> SharedSecret {
            let peer = try publicKeyShare.rawRepresentation.withContiguousInput {
                (raw: UnsafeRawBufferPointer) throws(CryptoError) in
                try EVPKey.publicKey(type: EVP_PKEY_X25519, raw: raw)
            }
            let context = try OpenSSL.unwrap(EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil), "EVP_PKEY_CTX_new_from_pkey")
            defer { EVP_PKEY_CTX_free(context) }
            try OpenSSL.check(EVP_PKEY_derive_init(context), "EVP_PKEY_derive_init")
            try OpenSSL.check(EVP_PKEY_derive_set_peer(context, peer.pointer), "EVP_PKEY_derive_set_peer")
            let secret = try SecureBytes(count: Curve25519.keyByteCount) {
                (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                var length = output.count
                guard EVP_PKEY_derive(context, output.mutableBytePointer, &length) == 1 else {
                    let error = OpenSSL.drainError("EVP_PKEY_derive")
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
