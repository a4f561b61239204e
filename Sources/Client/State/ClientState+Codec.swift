public import Crypto
import Transport

/// The state image: what `StateFile` writes. Versioned binary, big-endian, checksummed.
///
/// ```
/// 8 B   magic "VIGILPHN"
/// u16   version = 1
/// u32   body length
///       body:
///         u8 n ‖ n B            phone, E.164 ASCII
///         u32                   device id (≠ 0)
///         32 B                  relay token
///         u64                   next client message id
///         u32                   next prekey id
///         u8                    0 | 1: the last bundles made were published
///         u32 n ‖ n B           party (`Party.serialized()`: identity, prekeys, sessions)
///         u32 capacity ‖ u32 n ‖ n × 16 B     seen envelope ids, oldest first, distinct, n ≤ capacity
///         u32 n ‖ n × pending send:
///             u8 n ‖ n B recipient ‖ u64 client message id ‖ u8 kind ‖ u8 category
///             ‖ u32 n ‖ n B ciphertext (1…196 608)
/// 32 B  SHA-256 of everything above
/// ```
///
/// The image holds the identity and session private keys in the clear: keep it where only its
/// owner can read it (`StateFile` insists on mode 0600).
extension ClientState {
    /// The bytes every image opens with.
    public static let imageMagic: [UInt8] = Array("VIGILPHN".utf8)
    /// The image format version this build writes and reads.
    public static let imageVersion: UInt16 = 1
    /// The most seen ids an image may ask to keep.
    public static let maximumSeenCapacity = 1 << 20

    private static let headerSize = 8 + 2 + 4
    private static let checksumSize = SHA256.byteCount

    /// The state as an image, in a buffer wiped when released.
    ///
    /// - Throws: `StateImageError.checksumFailed` if the library cannot hash (never in practice).
    public func serializedImage() throws(StateImageError) -> SecureBytes {
        var writer = ImageWriter()
        writer.write(Self.imageMagic)
        writer.write(Self.imageVersion)
        writer.write(UInt32(0)) // body length, patched below
        let bodyStart = writer.bytes.count
        let phoneText = Array(phone.e164.utf8)
        writer.write(UInt8(phoneText.count))
        writer.write(phoneText)
        writer.write(device.rawValue)
        writer.write(token.bytes)
        writer.write(nextClientMessageID)
        writer.write(nextPreKeyID)
        writer.write(UInt8(preKeysPublished ? 1 : 0))
        let partyImage = party.serialized()
        writer.write(UInt32(partyImage.count))
        writer.write(partyImage)
        writer.write(UInt32(seen.capacity))
        let seenIDs = seen.ids
        writer.write(UInt32(seenIDs.count))
        for id in seenIDs { writer.write(id.bytes) }
        writer.write(UInt32(pendingSends.count))
        for pending in pendingSends {
            let recipient = Array(pending.recipient.e164.utf8)
            writer.write(UInt8(recipient.count))
            writer.write(recipient)
            writer.write(pending.clientMessageID)
            writer.write(pending.kind.kindByte)
            writer.write(pending.kind.categoryByte)
            writer.write(UInt32(pending.ciphertext.count))
            writer.write(pending.ciphertext)
        }
        var bytes = writer.bytes
        writer.wipe()
        let bodyLength = UInt32(bytes.count - bodyStart)
        for (index, shift) in [24, 16, 8, 0].enumerated() {
            bytes[bodyStart - 4 + index] = UInt8(truncatingIfNeeded: bodyLength >> UInt32(shift))
        }
        do {
            bytes += Array(try SHA256.hash(data: bytes))
        } catch {
            for index in bytes.indices { bytes[index] = 0 }
            throw .checksumFailed(error)
        }
        let image = SecureBytes(bytes)
        for index in bytes.indices { bytes[index] = 0 }
        return image
    }

    /// Restores a state from an image written by ``serializedImage()``; the party's new keys
    /// will come from `random`.
    ///
    /// - Throws: `StateImageError`: `.notAStateImage` (magic), `.unsupportedVersion`,
    ///   `.checksumMismatch` (damage), `.malformed` or `.party` (structure).
    public init(image bytes: [UInt8], random: any RandomSource = SystemRandom()) throws(StateImageError) {
        guard bytes.count >= Self.imageMagic.count, bytes.starts(with: Self.imageMagic) else { throw .notAStateImage }
        var header = ImageReader(bytes, from: Self.imageMagic.count)
        let version = try header.readUInt16("version")
        guard version == Self.imageVersion else { throw .unsupportedVersion(version) }
        let bodyLength = Int(try header.readUInt32("body length"))
        guard bytes.count == Self.headerSize + bodyLength + Self.checksumSize else {
            throw .malformed("\(bytes.count) bytes where the header announces \(Self.headerSize + bodyLength + Self.checksumSize)")
        }
        let checked = bytes.count - Self.checksumSize
        let digest: SHA256Digest
        do { digest = try SHA256.hash(data: bytes[..<checked]) } catch { throw .checksumFailed(error) }
        guard digest.elementsEqual(bytes[checked...]) else { throw .checksumMismatch }

        var reader = ImageReader(bytes, from: Self.headerSize, to: checked)
        let phone = try Self.readPhone(&reader, "phone")
        guard let device = DeviceID(rawValue: try reader.readUInt32("device")) else { throw .malformed("device id 0") }
        guard let token = RelayToken(bytes: try reader.read(RelayToken.byteCount, "token")) else { throw .malformed("token") }
        let nextClientMessageID = try reader.readUInt64("next client message id")
        let nextPreKeyID = try reader.readUInt32("next prekey id")
        let published = try reader.readUInt8("prekeys published")
        guard published <= 1 else { throw .malformed("prekeys-published flag \(published)") }
        let partyLength = Int(try reader.readUInt32("party length"))
        let partyBytes = SecureBytes(try reader.read(partyLength, "party"))
        let party: Party
        do { party = try Party(serialized: partyBytes, random: random) } catch { throw .party(error) }
        let capacity = Int(try reader.readUInt32("seen capacity"))
        guard (1...Self.maximumSeenCapacity).contains(capacity) else { throw .malformed("seen capacity \(capacity)") }
        let seenCount = Int(try reader.readUInt32("seen count"))
        guard seenCount <= capacity, seenCount <= reader.remaining / EnvelopeID.byteCount else {
            throw .malformed("\(seenCount) seen ids (capacity \(capacity), \(reader.remaining) bytes left)")
        }
        var seen = SeenEnvelopes(capacity: capacity)
        for _ in 0..<seenCount {
            guard let id = EnvelopeID(bytes: try reader.read(EnvelopeID.byteCount, "seen id")), seen.insert(id) else {
                throw .malformed("a seen envelope id stored twice")
            }
        }
        let pendingCount = Int(try reader.readUInt32("pending count"))
        // A pending send takes at least 9 + 8 + 2 + 4 + 1 = 24 bytes.
        guard pendingCount <= reader.remaining / 24 else { throw .malformed("\(pendingCount) pending sends") }
        var pendingSends: [PendingSend] = []
        for _ in 0..<pendingCount {
            let recipient = try Self.readPhone(&reader, "pending recipient")
            let clientMessageID = try reader.readUInt64("pending client message id")
            guard clientMessageID < nextClientMessageID,
                  !pendingSends.contains(where: { $0.clientMessageID == clientMessageID }) else {
                throw .malformed("pending client message id \(clientMessageID) repeated or not yet allocated")
            }
            let kindByte = try reader.readUInt8("pending kind")
            guard let kind = EnvelopeKind(kind: kindByte, category: try reader.readUInt8("pending category")) else {
                throw .malformed("pending envelope kind \(kindByte)")
            }
            let length = Int(try reader.readUInt32("pending ciphertext length"))
            guard (1...WireFormat.maximumCiphertextLength).contains(length) else { throw .malformed("pending ciphertext of \(length) bytes") }
            let ciphertext = Array(try reader.read(length, "pending ciphertext"))
            pendingSends.append(PendingSend(clientMessageID: clientMessageID, recipient: recipient, kind: kind, ciphertext: ciphertext))
        }
        try reader.expectEnd()
        self.init(
            phone: phone, device: device, token: token, party: party, nextClientMessageID: nextClientMessageID,
            nextPreKeyID: nextPreKeyID, preKeysPublished: published == 1, seen: seen, pendingSends: pendingSends)
    }

    private static func readPhone(_ reader: inout ImageReader, _ field: String) throws(StateImageError) -> PhoneNumber {
        let length = Int(try reader.readUInt8("\(field) length"))
        guard let phone = PhoneNumber(e164: try reader.read(length, field)) else { throw .malformed("\(field) is not an E.164 number") }
        return phone
    }
}
