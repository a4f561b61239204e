/// The private halves of the prekeys a party has published: signed prekeys (kept while they may
/// still be used) and one-time prekeys (each consumed by the first session that uses it).
public struct PreKeyStore: Sendable {
    /// Signed prekeys by id.
    public private(set) var signedPreKeys: [UInt32: Curve25519.KeyAgreement.PrivateKey] = [:]
    /// Unused one-time prekeys by id.
    public private(set) var oneTimePreKeys: [UInt32: Curve25519.KeyAgreement.PrivateKey] = [:]

    /// An empty store.
    public init() {}

    /// Returns a bundle to publish under signed prekey `signedPreKeyID` — generated on first use
    /// of the id and reused afterwards, so a batch of bundles shares one signed prekey — and,
    /// when `oneTimePreKeyID` is given, a fresh one-time prekey. Keeps the private halves.
    public mutating func makeBundle(
        identity: IdentityKeyPair, signedPreKeyID: UInt32, oneTimePreKeyID: UInt32?,
        random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> PreKeyBundle {
        let signedKey: Curve25519.KeyAgreement.PrivateKey
        if let existing = signedPreKeys[signedPreKeyID] {
            signedKey = existing
        } else {
            signedKey = try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PrivateKey(using: random) }
        }
        let signature = try crypto { () throws(CryptoError) in try identity.signature(for: signedKey.publicKey.typedRepresentation) }
        var oneTime: PreKeyBundle.OneTimePreKey?
        var oneTimeKey: Curve25519.KeyAgreement.PrivateKey?
        if let oneTimePreKeyID {
            let key = try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PrivateKey(using: random) }
            oneTime = .init(id: oneTimePreKeyID, key: key.publicKey)
            oneTimeKey = key
        }
        let bundle = try PreKeyBundle(
            identity: identity.publicKey, signedPreKeyID: signedPreKeyID, signedPreKey: signedKey.publicKey,
            signedPreKeySignature: signature, oneTimePreKey: oneTime)
        signedPreKeys[signedPreKeyID] = signedKey
        if let oneTimePreKeyID, let oneTimeKey { oneTimePreKeys[oneTimePreKeyID] = oneTimeKey }
        return bundle
    }

    /// Adds a signed prekey restored from storage.
    public mutating func insertSignedPreKey(_ key: Curve25519.KeyAgreement.PrivateKey, id: UInt32) {
        signedPreKeys[id] = key
    }

    /// Adds a one-time prekey restored from storage.
    public mutating func insertOneTimePreKey(_ key: Curve25519.KeyAgreement.PrivateKey, id: UInt32) {
        oneTimePreKeys[id] = key
    }

    /// Removes a signed prekey that is no longer offered.
    public mutating func removeSignedPreKey(id: UInt32) {
        signedPreKeys[id] = nil
    }

    /// Consumes a one-time prekey.
    mutating func consumeOneTimePreKey(id: UInt32) {
        oneTimePreKeys[id] = nil
    }
}
