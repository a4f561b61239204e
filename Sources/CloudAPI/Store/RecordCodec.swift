/// The byte layouts the store seals and authenticates — pure functions, no I/O, no keys.
///
/// Sealed plaintext of a record (format version 1), integers big-endian:
///
/// ```
/// u8 version = 1 ‖ u8 direction ‖ i64 time
/// ‖ u16 n ‖ phone-number id ‖ u16 n ‖ business ‖ u16 n ‖ consumer ‖ u16 n ‖ kind   (UTF-8)
/// ‖ u32 n ‖ payload
/// ```
///
/// The id is not inside: it is stored in the clear and bound to the ciphertext as associated data
/// together with the day (``associatedData(id:day:)``), so a sealed record moved to another row or
/// another day's file does not open.
enum RecordCodec {
    /// The format version written by ``encode(_:)``.
    static let version: UInt8 = 1

    /// Why sealed bytes did not decode (they authenticated, so this is a bug or a format change).
    struct DecodingFailure: Error, Sendable, Hashable {
        /// What was wrong, without any of the decoded content.
        let reason: String
    }

    /// The static fields of a record as they come out of the sealed bytes.
    struct Sealed: Sendable, Hashable {
        var businessPhoneNumberID: String
        var business: String
        var consumer: String
        var direction: MessageDirection
        var time: Int64
        var kind: String
        var payload: [UInt8]
    }

    /// The sealed plaintext of `record` (its ``MessageRecord/delivery`` is stored in the clear
    /// instead). The record must have passed ``MessageRecord/validationFailure``, which bounds every
    /// length to its field.
    static func encode(_ record: MessageRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32 + record.businessPhoneNumberID.utf8.count + record.business.utf8.count
            + record.consumer.utf8.count + record.kind.utf8.count + record.payload.count)
        bytes.append(version)
        bytes.append(UInt8(truncatingIfNeeded: record.direction.rawValue))
        append(UInt64(bitPattern: record.time), byteCount: 8, to: &bytes)
        for text in [record.businessPhoneNumberID, record.business, record.consumer, record.kind] {
            append(UInt64(text.utf8.count), byteCount: 2, to: &bytes)
            bytes.append(contentsOf: text.utf8)
        }
        append(UInt64(record.payload.count), byteCount: 4, to: &bytes)
        bytes.append(contentsOf: record.payload)
        return bytes
    }

    /// Decodes what ``encode(_:)`` wrote; every length is checked against the bytes left, and
    /// trailing bytes are refused.
    static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> Sealed {
        var reader = RecordReader(bytes)
        guard let version = reader.integer(byteCount: 1), version == UInt64(Self.version) else {
            throw DecodingFailure(reason: "unknown sealed record format")
        }
        guard let rawDirection = reader.integer(byteCount: 1),
              let direction = MessageDirection(rawValue: Int64(rawDirection)) else {
            throw DecodingFailure(reason: "bad direction")
        }
        guard let time = reader.integer(byteCount: 8) else { throw DecodingFailure(reason: "truncated time") }
        var texts: [String] = []
        for field in ["phone-number id", "business", "consumer", "kind"] {
            guard let count = reader.integer(byteCount: 2), let raw = reader.bytes(count: Int(count)) else {
                throw DecodingFailure(reason: "truncated \(field)")
            }
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw DecodingFailure(reason: "\(field) is not UTF-8")
            }
            texts.append(text)
        }
        guard let count = reader.integer(byteCount: 4), let payload = reader.bytes(count: Int(count)) else {
            throw DecodingFailure(reason: "truncated payload")
        }
        guard reader.isAtEnd else { throw DecodingFailure(reason: "trailing bytes") }
        return Sealed(
            businessPhoneNumberID: texts[0], business: texts[1], consumer: texts[2], direction: direction,
            time: Int64(bitPattern: time), kind: texts[3], payload: Array(payload))
    }

    /// The associated data a record is sealed with: a label, the id and the day, so the sealed
    /// bytes belong to exactly one id on exactly one day.
    static func associatedData(id: String, day: String) -> [UInt8] {
        var bytes = Array("vigil.cloudapi.store.record.v1".utf8)
        append(UInt64(id.utf8.count), byteCount: 2, to: &bytes)
        bytes.append(contentsOf: id.utf8)
        bytes.append(contentsOf: day.utf8)
        return bytes
    }

    /// The input of the party index MAC: business and consumer, each length-prefixed so no two
    /// pairs encode alike.
    static func partyIndexInput(business: String, consumer: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for text in [business, consumer] {
            append(UInt64(text.utf8.count), byteCount: 2, to: &bytes)
            bytes.append(contentsOf: text.utf8)
        }
        return bytes
    }
}

extension RecordCodec {
    /// Appends the low `byteCount` bytes of `value` to `bytes`, most significant first.
    static func append(_ value: UInt64, byteCount: Int, to bytes: inout [UInt8]) {
        for index in stride(from: byteCount - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }
}

/// A cursor over bytes whose reads return `nil` instead of running past the end.
struct RecordReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    /// The next `count` bytes, or `nil` if fewer remain.
    mutating func bytes(count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// The next `byteCount` (1…8) bytes as a big-endian integer, or `nil` if fewer remain.
    mutating func integer(byteCount: Int) -> UInt64? {
        guard let slice = bytes(count: byteCount) else { return nil }
        return slice.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
