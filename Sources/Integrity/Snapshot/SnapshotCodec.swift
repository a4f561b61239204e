/// Why a snapshot could not be read. A snapshot that fails to read is never half-applied: the
/// caller rebuilds from the report log instead.
public enum SnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes do not start with the snapshot magic.
    case notASnapshot
    /// A format version this code does not read.
    case unsupportedVersion(UInt16)
    /// The bytes end before `needed` more bytes at `offset`.
    case truncated(offset: Int, needed: Int)
    /// The checksum over the body does not match: the bytes were damaged.
    case checksumMismatch
    /// The snapshot was taken under other rules (table sizes differ): `field` is the one found different.
    case rulesMismatch(field: String, expected: Int, found: Int)
    /// A value is out of its range: what, and where.
    case invalid(String, offset: Int)
    /// Bytes left over after the body.
    case trailingBytes(Int)

    /// A sentence.
    public var description: String {
        switch self {
        case .notASnapshot: "not an analyzer snapshot (bad magic)"
        case let .unsupportedVersion(version): "snapshot format version \(version) is not supported (this code reads \(AnalyzerSnapshot.formatVersion))"
        case let .truncated(offset, needed): "snapshot truncated: \(needed) more bytes needed at byte \(offset)"
        case .checksumMismatch: "snapshot checksum mismatch (damaged bytes)"
        case let .rulesMismatch(field, expected, found): "snapshot taken under other rules: \(field) is \(found), the rules say \(expected)"
        case let .invalid(what, offset): "invalid snapshot at byte \(offset): \(what)"
        case let .trailingBytes(count): "\(count) unexpected bytes after the snapshot body"
        }
    }
}

/// Appends little-endian fixed-width values to a byte buffer.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    mutating func uint8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func uint16(_ value: UInt16) { append(UInt64(value), width: 2) }
    mutating func uint32(_ value: UInt32) { append(UInt64(value), width: 4) }
    mutating func uint64(_ value: UInt64) { append(value, width: 8) }
    mutating func int64(_ value: Int64) { append(UInt64(bitPattern: value), width: 8) }
    mutating func double(_ value: Double) { append(value.bitPattern, width: 8) }
    /// A count or length (fits 32 bits in every snapshot).
    mutating func count(_ value: Int) { uint32(UInt32(clamping: value)) }

    mutating func optionalInt64(_ value: Int64?) {
        bool(value != nil)
        if let value { int64(value) }
    }

    mutating func optionalDouble(_ value: Double?) {
        bool(value != nil)
        if let value { double(value) }
    }

    /// A length-prefixed byte string.
    mutating func blob(_ value: [UInt8]) {
        count(value.count)
        bytes.append(contentsOf: value)
    }

    private mutating func append(_ value: UInt64, width: Int) {
        for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index))) }
    }
}

/// Reads what ``SnapshotWriter`` wrote, throwing ``SnapshotError`` instead of trapping on short or
/// out-of-range input.
struct SnapshotReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        offset = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    mutating func uint8() throws(SnapshotError) -> UInt8 { UInt8(truncatingIfNeeded: try read(width: 1)) }

    mutating func bool() throws(SnapshotError) -> Bool {
        let value = try uint8()
        guard value <= 1 else { throw .invalid("a flag of \(value)", offset: offset - 1) }
        return value == 1
    }

    mutating func uint16() throws(SnapshotError) -> UInt16 { UInt16(truncatingIfNeeded: try read(width: 2)) }
    mutating func uint32() throws(SnapshotError) -> UInt32 { UInt32(truncatingIfNeeded: try read(width: 4)) }
    mutating func uint64() throws(SnapshotError) -> UInt64 { try read(width: 8) }
    mutating func int64() throws(SnapshotError) -> Int64 { Int64(bitPattern: try read(width: 8)) }
    mutating func double() throws(SnapshotError) -> Double { Double(bitPattern: try read(width: 8)) }

    /// A count no larger than `limit`.
    mutating func count(atMost limit: Int, _ what: String) throws(SnapshotError) -> Int {
        let value = Int(try uint32())
        guard value <= limit else { throw .invalid("\(what) of \(value) (at most \(limit))", offset: offset - 4) }
        return value
    }

    mutating func optionalInt64() throws(SnapshotError) -> Int64? { try bool() ? try int64() : nil }
    mutating func optionalDouble() throws(SnapshotError) -> Double? { try bool() ? try double() : nil }

    mutating func blob() throws(SnapshotError) -> [UInt8] {
        let length = try count(atMost: remaining, "a byte string length")
        defer { offset += length }
        return Array(bytes[offset..<(offset + length)])
    }

    /// Throws unless `condition` holds.
    func check(_ condition: Bool, _ what: @autoclosure () -> String) throws(SnapshotError) {
        guard condition else { throw .invalid(what(), offset: offset) }
    }

    private mutating func read(width: Int) throws(SnapshotError) -> UInt64 {
        guard remaining >= width else { throw .truncated(offset: offset, needed: width - remaining) }
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
        offset += width
        return value
    }
}
