/// Big-endian writing of the state image's fields.
struct ImageWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func write(_ raw: some Collection<UInt8>) { bytes.append(contentsOf: raw) }

    /// Overwrites the staging bytes with zeros (they may hold keys).
    mutating func wipe() {
        for index in bytes.indices { bytes[index] = 0 }
    }
}

/// Big-endian reading of the state image's fields; every read is bounds-checked.
struct ImageReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    mutating func read(_ count: Int, _ field: String) throws(StateImageError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw .malformed("\(field) needs \(count) bytes at offset \(offset), \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func readUInt8(_ field: String) throws(StateImageError) -> UInt8 {
        try read(1, field).first ?? 0
    }

    mutating func readUInt16(_ field: String) throws(StateImageError) -> UInt16 {
        try read(2, field).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func readUInt32(_ field: String) throws(StateImageError) -> UInt32 {
        try read(4, field).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readUInt64(_ field: String) throws(StateImageError) -> UInt64 {
        try read(8, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    func expectEnd() throws(StateImageError) {
        guard remaining == 0 else { throw .malformed("\(remaining) trailing byte(s) at offset \(offset)") }
    }
}
