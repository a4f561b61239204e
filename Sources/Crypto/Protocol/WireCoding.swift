/// Big-endian reading and writing for the protocol's wire structures (docs/protocol.md).
struct WireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    private let structure: String

    init(_ bytes: some Collection<UInt8>, structure: String) {
        self.bytes = Array(bytes)
        self.structure = structure
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8() throws(ProtocolError) -> UInt8 {
        try read(1)[0]
    }

    mutating func readUInt32() throws(ProtocolError) -> UInt32 {
        try read(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func read(_ count: Int) throws(ProtocolError) -> [UInt8] {
        guard count <= remaining else {
            throw .malformed(structure, reason: "needs \(count) more byte(s) at offset \(offset), has \(remaining)")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// The rest of the bytes.
    mutating func readRest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }

    func expectEnd() throws(ProtocolError) {
        if remaining > 0 { throw .malformed(structure, reason: "\(remaining) trailing byte(s)") }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
    }
}
