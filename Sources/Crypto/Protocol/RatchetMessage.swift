/// A Double Ratchet message header (41 bytes): version, the sender's current ratchet public key,
/// the previous sending chain's length (PN) and this message's number in its chain (N).
public struct MessageHeader: Sendable, Hashable {
    /// The encoding version.
    public static let version: UInt8 = 1
    /// The encoded length in bytes.
    public static let byteCount = 41

    /// The sender's ratchet public key.
    public let ratchetKey: Curve25519.KeyAgreement.PublicKey
    /// PN: messages in the sender's previous sending chain.
    public let previousChainLength: UInt32
    /// N: this message's number in the current chain.
    public let messageNumber: UInt32

    /// Creates a header.
    public init(ratchetKey: Curve25519.KeyAgreement.PublicKey, previousChainLength: UInt32, messageNumber: UInt32) {
        self.ratchetKey = ratchetKey
        self.previousChainLength = previousChainLength
        self.messageNumber = messageNumber
    }

    /// `version ‖ ratchet key ‖ PN ‖ N`, big-endian.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = [Self.version]
        bytes.reserveCapacity(Self.byteCount)
        bytes += ratchetKey.rawRepresentation
        bytes.appendBigEndian(previousChainLength)
        bytes.appendBigEndian(messageNumber)
        return bytes
    }

    /// Lends `encoded` to `body` from a stack buffer, without allocating: the hot path passes it
    /// to the AEAD as the second part of the associated data.
    func withEncodedBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { (bytes: UnsafeMutableRawBufferPointer) in
            let key = ratchetKey.rawRepresentation
            precondition(key.count == 32, "ratchet key length")
            bytes[0] = Self.version
            key.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: bytes[1..<33]).copyMemory(from: $0) }
            bytes.storeBytes(of: previousChainLength.bigEndian, toByteOffset: 33, as: UInt32.self)
            bytes.storeBytes(of: messageNumber.bigEndian, toByteOffset: 37, as: UInt32.self)
            body(UnsafeRawBufferPointer(rebasing: bytes[0..<Self.byteCount]))
        }
    }

    init(reading reader: inout WireReader) throws(ProtocolError) {
        let version = try reader.readUInt8()
        guard version == Self.version else { throw .unsupportedVersion("message header", found: version) }
        let key = try reader.read(32)
        ratchetKey = try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PublicKey(rawRepresentation: key) }
        previousChainLength = try reader.readUInt32()
        messageNumber = try reader.readUInt32()
    }
}

/// A Double Ratchet message: its header and the AEAD ciphertext with its 16-byte tag. The AEAD's
/// associated data is the session's AD followed by the encoded header.
public struct RatchetMessage: Sendable, Hashable {
    /// The header (authenticated, not encrypted).
    public let header: MessageHeader
    /// Ciphertext followed by the 16-byte Poly1305 tag.
    public let sealed: [UInt8]

    /// Creates a message from its parts.
    public init(header: MessageHeader, sealed: [UInt8]) {
        self.header = header
        self.sealed = sealed
    }

    /// `header ‖ ciphertext ‖ tag`.
    public var encoded: [UInt8] { header.encoded + sealed }

    /// Decodes `header ‖ ciphertext ‖ tag`.
    public init(encoded bytes: some Collection<UInt8>) throws(ProtocolError) {
        var reader = WireReader(bytes, structure: "ratchet message")
        try self.init(reading: &reader)
    }

    init(reading reader: inout WireReader) throws(ProtocolError) {
        header = try MessageHeader(reading: &reader)
        sealed = reader.readRest()
        guard sealed.count >= AEADSealedBox.tagByteCount else {
            throw .malformed("ratchet message", reason: "\(sealed.count) bytes after the header, a tag alone is 16")
        }
    }
}
