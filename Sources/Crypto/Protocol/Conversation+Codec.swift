/// Versioned binary serialization of a conversation (its ratchet state, skipped keys and pending
/// X3DH values) for storage. It holds private keys: store it encrypted.
extension Conversation {
    /// The serialization version.
    public static let serializationVersion: UInt8 = 1

    private enum Flag {
        static let receivingRatchetKey: UInt8 = 1
        static let sendingChain: UInt8 = 2
        static let receivingChain: UInt8 = 4
        static let pendingPreKey: UInt8 = 8
        static let pendingOneTimePreKey: UInt8 = 16
        static let responderBase: UInt8 = 32
        static let responderOneTimePreKey: UInt8 = 64
        static let all: UInt8 = 127
    }

    /// The conversation as bytes (see `init(serialized:)`).
    public func serialized() -> SecureBytes {
        var bytes: [UInt8] = [Self.serializationVersion]
        let s = session
        var flags: UInt8 = 0
        if s.receivingRatchetKey != nil { flags |= Flag.receivingRatchetKey }
        if s.sendingChainKey != nil { flags |= Flag.sendingChain }
        if s.receivingChainKey != nil { flags |= Flag.receivingChain }
        if pendingPreKey != nil { flags |= Flag.pendingPreKey }
        if pendingPreKey?.oneTimePreKeyID != nil { flags |= Flag.pendingOneTimePreKey }
        if responderBase != nil { flags |= Flag.responderBase }
        if responderBase?.oneTimePreKeyID != nil { flags |= Flag.responderOneTimePreKey }
        bytes.append(flags)
        bytes += remoteIdentity.rawRepresentation
        bytes += s.associatedData
        bytes += s.rootKey.secureBytes
        bytes += s.sendingRatchetKey.rawRepresentation
        if let key = s.receivingRatchetKey { bytes += key.rawRepresentation }
        if let key = s.sendingChainKey { bytes += key.secureBytes }
        if let key = s.receivingChainKey { bytes += key.secureBytes }
        bytes.appendBigEndian(s.sendCount)
        bytes.appendBigEndian(s.receiveCount)
        bytes.appendBigEndian(s.previousSendCount)
        if let pending = pendingPreKey {
            bytes += pending.localIdentity.rawRepresentation
            bytes += pending.ephemeralKey.rawRepresentation
            bytes.appendBigEndian(pending.signedPreKeyID)
            if let id = pending.oneTimePreKeyID { bytes.appendBigEndian(id) }
        }
        if let base = responderBase {
            bytes += base.ephemeralKey.rawRepresentation
            bytes.appendBigEndian(base.signedPreKeyID)
            if let id = base.oneTimePreKeyID { bytes.appendBigEndian(id) }
        }
        bytes.append(UInt8(s.skipped.chains.count))
        for chain in s.skipped.chains {
            bytes += chain.ratchetKey
            bytes.appendBigEndian(UInt32(chain.order.count))
            for number in chain.order {
                bytes.appendBigEndian(number)
                if let seed = chain.seeds[number] { bytes += seed.secureBytes }
            }
        }
        let result = SecureBytes(bytes)
        _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } // wipe the staging copy
        return result
    }

    /// Restores a conversation written by `serialized()`.
    public init(serialized bytes: some Collection<UInt8>) throws(ProtocolError) {
        var reader = WireReader(bytes, structure: "serialized conversation")
        let version = try reader.readUInt8()
        guard version == Self.serializationVersion else { throw .unsupportedVersion("serialized conversation", found: version) }
        let flags = try reader.readUInt8()
        guard flags & ~Flag.all == 0 else { throw .malformed("serialized conversation", reason: "unknown flags \(flags)") }
        // A one-time prekey id belongs to a pending prekey or a responder base: without its record
        // the bit would be dropped on reading, and the record would not re-serialize to itself.
        guard flags & Flag.pendingOneTimePreKey == 0 || flags & Flag.pendingPreKey != 0,
              flags & Flag.responderOneTimePreKey == 0 || flags & Flag.responderBase != 0 else {
            throw .malformed("serialized conversation", reason: "a one-time prekey flag without its record in flags \(flags)")
        }
        let remote = try Self.identity(&reader)
        let associatedData = try reader.read(X3DH.associatedDataByteCount)
        let rootKey = SymmetricKey(data: try reader.read(32))
        let sendingRatchet = try Self.privateKey(&reader)
        var session = DoubleRatchetSession(associatedData: associatedData, rootKey: rootKey, sendingRatchetKey: sendingRatchet)
        if flags & Flag.receivingRatchetKey != 0 { session.receivingRatchetKey = try Self.publicKey(&reader) }
        if flags & Flag.sendingChain != 0 { session.sendingChainKey = SymmetricKey(data: try reader.read(32)) }
        if flags & Flag.receivingChain != 0 { session.receivingChainKey = SymmetricKey(data: try reader.read(32)) }
        session.sendCount = try reader.readUInt32()
        session.receiveCount = try reader.readUInt32()
        session.previousSendCount = try reader.readUInt32()
        var pending: PendingPreKey?
        if flags & Flag.pendingPreKey != 0 {
            let local = try Self.identity(&reader)
            let ephemeral = try Self.publicKey(&reader)
            let signedID = try reader.readUInt32()
            let oneTimeID = flags & Flag.pendingOneTimePreKey != 0 ? try reader.readUInt32() : nil
            pending = PendingPreKey(localIdentity: local, ephemeralKey: ephemeral, signedPreKeyID: signedID, oneTimePreKeyID: oneTimeID)
        }
        var base: ResponderBase?
        if flags & Flag.responderBase != 0 {
            let ephemeral = try Self.publicKey(&reader)
            let signedID = try reader.readUInt32()
            let oneTimeID = flags & Flag.responderOneTimePreKey != 0 ? try reader.readUInt32() : nil
            base = ResponderBase(ephemeralKey: ephemeral, signedPreKeyID: signedID, oneTimePreKeyID: oneTimeID)
        }
        let chainCount = Int(try reader.readUInt8())
        guard chainCount <= SkippedMessageKeys.maximumChains else {
            throw .malformed("serialized conversation", reason: "\(chainCount) skipped-key chains")
        }
        var chains: [SkippedMessageKeys.Chain] = []
        for _ in 0..<chainCount {
            var chain = SkippedMessageKeys.Chain(ratchetKey: try reader.read(32))
            let count = Int(try reader.readUInt32())
            guard count <= SkippedMessageKeys.maximumKeysPerChain else {
                throw .malformed("serialized conversation", reason: "\(count) skipped keys in a chain")
            }
            for _ in 0..<count {
                let number = try reader.readUInt32()
                guard chain.seeds.updateValue(SymmetricKey(data: try reader.read(32)), forKey: number) == nil else {
                    throw .malformed("serialized conversation", reason: "skipped key \(number) stored twice")
                }
                chain.order.append(number)
            }
            chains.append(chain)
        }
        try reader.expectEnd()
        session.skipped = SkippedMessageKeys(chains: chains)
        self.init(remoteIdentity: remote, session: session, pendingPreKey: pending, responderBase: base)
    }

    private static func identity(_ reader: inout WireReader) throws(ProtocolError) -> IdentityPublicKey {
        let bytes = try reader.read(IdentityKey.publicByteCount)
        return try crypto { () throws(CryptoError) in try IdentityPublicKey(rawRepresentation: bytes) }
    }

    private static func publicKey(_ reader: inout WireReader) throws(ProtocolError) -> Curve25519.KeyAgreement.PublicKey {
        let bytes = try reader.read(32)
        return try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes) }
    }

    private static func privateKey(_ reader: inout WireReader) throws(ProtocolError) -> Curve25519.KeyAgreement.PrivateKey {
        let bytes = try reader.read(32)
        return try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes) }
    }
}
