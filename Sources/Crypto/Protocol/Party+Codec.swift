/// Versioned binary serialization of a whole party — identity, the private halves of its published
/// prekeys, and every conversation — so a phone can keep its protocol state across restarts.
///
/// It holds every private key the party has: store it encrypted, or at least in a file only its
/// owner can read.
///
/// ```
/// u8   version = 1
/// 64 B identity private keys (Ed25519 seed ‖ X25519 private key)
/// u32  n; n × (u32 id ‖ 32 B X25519 private key)      -- signed prekeys, ids strictly ascending
/// u32  n; n × (u32 id ‖ 32 B X25519 private key)      -- one-time prekeys, ids strictly ascending
/// u32  n; n × (u16 len ‖ peer name (UTF-8, 1…len) ‖ u32 len ‖ serialized conversation)
///                                                     -- peers strictly ascending by UTF-8 bytes
/// ```
///
/// The encoding is canonical: a party always serializes to the same bytes, and decoding refuses
/// anything `serialized()` cannot produce (unsorted or repeated ids and peers, empty or invalid
/// peer names, counts the remaining bytes cannot hold, trailing bytes). The random source is not
/// state: a restored party uses the one it is given.
extension Party {
    /// The serialization version.
    public static let serializationVersion: UInt8 = 1

    /// The longest peer name, in UTF-8 bytes (a `u16` length).
    public static let maximumPeerNameLength = Int(UInt16.max)

    /// Bytes of one stored prekey: `u32` id and a 32-byte private key.
    private static let preKeyRecordSize = 4 + 32

    /// The party as bytes (see the extension's documentation for the layout), in a buffer that is
    /// wiped when released.
    ///
    /// A peer name longer than ``maximumPeerNameLength`` bytes cannot be stored and stops the
    /// process: names are addresses such as phone numbers, chosen by the caller.
    public func serialized() -> SecureBytes {
        var bytes: [UInt8] = [Self.serializationVersion]
        bytes += identity.rawRepresentation
        Self.append(preKeys.signedPreKeys, to: &bytes)
        Self.append(preKeys.oneTimePreKeys, to: &bytes)
        let peers = conversations.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        bytes.appendBigEndian(UInt32(peers.count))
        for peer in peers {
            guard let conversation = conversations[peer] else { continue }
            let name = Array(peer.utf8)
            precondition(!name.isEmpty && name.count <= Self.maximumPeerNameLength, "peer name of \(name.count) bytes cannot be stored")
            bytes.append(UInt8(truncatingIfNeeded: name.count >> 8))
            bytes.append(UInt8(truncatingIfNeeded: name.count))
            bytes += name
            let state = conversation.serialized()
            bytes.appendBigEndian(UInt32(state.count))
            bytes += state
        }
        let result = SecureBytes(bytes)
        _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } // wipe the staging copy
        return result
    }

    /// Restores a party written by `serialized()`; new keys will come from `random`.
    ///
    /// - Throws: `ProtocolError.unsupportedVersion` for another version, `.malformed` for bytes
    ///   `serialized()` cannot produce, `.crypto` for an invalid key.
    public init(serialized bytes: some Collection<UInt8>, random: any RandomSource = SystemRandom()) throws(ProtocolError) {
        var reader = WireReader(bytes, structure: "serialized party")
        let version = try reader.readUInt8()
        guard version == Self.serializationVersion else { throw .unsupportedVersion("serialized party", found: version) }
        let identityBytes = SecureBytes(try reader.read(IdentityKey.privateByteCount))
        let identity = try crypto { () throws(CryptoError) in try IdentityKeyPair(rawRepresentation: identityBytes) }
        var store = PreKeyStore()
        for (id, key) in try Self.readPreKeys(&reader, kind: "signed prekey") { store.insertSignedPreKey(key, id: id) }
        for (id, key) in try Self.readPreKeys(&reader, kind: "one-time prekey") { store.insertOneTimePreKey(key, id: id) }
        let conversationCount = Int(try reader.readUInt32())
        // Each conversation needs at least its two length fields and one name byte.
        guard conversationCount <= reader.remaining / 7 else {
            throw .malformed("serialized party", reason: "\(conversationCount) conversations in \(reader.remaining) bytes")
        }
        var conversations: [String: Conversation] = [:]
        var previous: [UInt8]?
        for _ in 0..<conversationCount {
            let lengthBytes = try reader.read(2)
            let nameLength = Int(lengthBytes[0]) << 8 | Int(lengthBytes[1])
            guard nameLength > 0 else { throw .malformed("serialized party", reason: "an empty peer name") }
            let name = try reader.read(nameLength)
            guard let peer = String(validating: name, as: UTF8.self) else {
                throw .malformed("serialized party", reason: "a peer name that is not UTF-8")
            }
            if let previous, !previous.lexicographicallyPrecedes(name) {
                throw .malformed("serialized party", reason: "peer names out of order or repeated")
            }
            previous = name
            let stateLength = Int(try reader.readUInt32())
            conversations[peer] = try Conversation(serialized: try reader.read(stateLength))
        }
        try reader.expectEnd()
        self.init(identity: identity, preKeys: store, conversations: conversations, random: random)
    }

    private static func append(_ keys: [UInt32: Curve25519.KeyAgreement.PrivateKey], to bytes: inout [UInt8]) {
        bytes.appendBigEndian(UInt32(keys.count))
        for id in keys.keys.sorted() {
            guard let key = keys[id] else { continue }
            bytes.appendBigEndian(id)
            bytes += key.rawRepresentation
        }
    }

    private static func readPreKeys(
        _ reader: inout WireReader, kind: String
    ) throws(ProtocolError) -> [(UInt32, Curve25519.KeyAgreement.PrivateKey)] {
        let count = Int(try reader.readUInt32())
        guard count <= reader.remaining / preKeyRecordSize else {
            throw .malformed("serialized party", reason: "\(count) \(kind)s in \(reader.remaining) bytes")
        }
        var keys: [(UInt32, Curve25519.KeyAgreement.PrivateKey)] = []
        keys.reserveCapacity(count)
        for _ in 0..<count {
            let id = try reader.readUInt32()
            if let last = keys.last, last.0 >= id {
                throw .malformed("serialized party", reason: "\(kind) ids out of order or repeated")
            }
            let raw = SecureBytes(try reader.read(32))
            keys.append((id, try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) }))
        }
        return keys
    }
}
