/// What a party publishes so others can start sessions with it while it is offline: its identity,
/// a signed prekey and optionally a one-time prekey (docs/protocol.md, "Prekey bundle").
public struct PreKeyBundle: Sendable, Hashable {
    /// The current encoding version.
    public static let version: UInt8 = 1

    /// The owner's identity (its certificate is verified on decoding).
    public let identity: IdentityPublicKey
    /// The signed prekey's id.
    public let signedPreKeyID: UInt32
    /// The signed prekey.
    public let signedPreKey: Curve25519.KeyAgreement.PublicKey
    /// Ed25519 signature by the identity's signing key over `Encode(signedPreKey)`.
    public let signedPreKeySignature: [UInt8]
    /// An optional one-time prekey and its id.
    public let oneTimePreKey: OneTimePreKey?

    /// A one-time prekey's public half.
    public struct OneTimePreKey: Sendable, Hashable {
        /// Its id.
        public let id: UInt32
        /// The key.
        public let key: Curve25519.KeyAgreement.PublicKey

        /// Pairs an id with a key.
        public init(id: UInt32, key: Curve25519.KeyAgreement.PublicKey) {
            self.id = id
            self.key = key
        }
    }

    /// Assembles and verifies a bundle.
    public init(
        identity: IdentityPublicKey, signedPreKeyID: UInt32, signedPreKey: Curve25519.KeyAgreement.PublicKey,
        signedPreKeySignature: [UInt8], oneTimePreKey: OneTimePreKey?
    ) throws(ProtocolError) {
        if oneTimePreKey?.id == PreKeyMessage.noOneTimePreKey {
            throw .malformed("prekey bundle", reason: "one-time prekey id 0xFFFFFFFF is reserved for 'none'")
        }
        guard try crypto({ () throws(CryptoError) in
            try identity.isValidSignature(signedPreKeySignature, for: signedPreKey.typedRepresentation)
        }) else { throw .invalidSignedPreKeySignature }
        self.identity = identity
        self.signedPreKeyID = signedPreKeyID
        self.signedPreKey = signedPreKey
        self.signedPreKeySignature = signedPreKeySignature
        self.oneTimePreKey = oneTimePreKey
    }

    /// The versioned wire encoding.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = [Self.version]
        bytes += identity.rawRepresentation
        bytes.appendBigEndian(signedPreKeyID)
        bytes += signedPreKey.rawRepresentation
        bytes += signedPreKeySignature
        if let oneTimePreKey {
            bytes.append(1)
            bytes.appendBigEndian(oneTimePreKey.id)
            bytes += oneTimePreKey.key.rawRepresentation
        } else {
            bytes.append(0)
        }
        return bytes
    }

    /// Decodes and verifies a bundle: the identity certificate and the signed-prekey signature
    /// must both verify before anything in it is used.
    public init(encoded bytes: some Collection<UInt8>) throws(ProtocolError) {
        var reader = WireReader(bytes, structure: "prekey bundle")
        let version = try reader.readUInt8()
        guard version == Self.version else { throw .unsupportedVersion("prekey bundle", found: version) }
        let identityBytes = try reader.read(IdentityKey.publicByteCount)
        let identity = try crypto { () throws(CryptoError) in try IdentityPublicKey(rawRepresentation: identityBytes) }
        let signedID = try reader.readUInt32()
        let signedKeyBytes = try reader.read(32)
        let signedKey = try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PublicKey(rawRepresentation: signedKeyBytes) }
        let signature = try reader.read(Curve25519.Signing.signatureByteCount)
        var oneTime: OneTimePreKey?
        switch try reader.readUInt8() {
        case 0: oneTime = nil
        case 1:
            let id = try reader.readUInt32()
            let keyBytes = try reader.read(32)
            oneTime = OneTimePreKey(id: id, key: try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PublicKey(rawRepresentation: keyBytes) })
        case let flag: throw .malformed("prekey bundle", reason: "one-time prekey flag \(flag)")
        }
        try reader.expectEnd()
        try self.init(identity: identity, signedPreKeyID: signedID, signedPreKey: signedKey,
                      signedPreKeySignature: signature, oneTimePreKey: oneTime)
    }
}
