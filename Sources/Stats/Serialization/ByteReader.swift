/// A bounds-checked little-endian reader over a serialized image; every read throws
/// ``SketchDecodingError/truncated(sketch:offset:needed:available:)`` instead of trapping.
public struct ByteReader: Sendable {
    /// The whole image.
    public let bytes: [UInt8]
    /// The next offset to read.
    public var offset: Int
    /// The sketch name used in errors.
    public let sketch: String

    /// Creates a reader at offset 0.
    public init(_ bytes: [UInt8], sketch: String) {
        self.bytes = bytes
        self.offset = 0
        self.sketch = sketch
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available.
    public func require(_ count: Int) throws(SketchDecodingError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(sketch: sketch, offset: offset, needed: count, available: max(0, remaining))
        }
    }

    /// Moves to an absolute offset, which must lie within the image.
    public mutating func seek(to position: Int) throws(SketchDecodingError) {
        guard position >= 0, position <= bytes.count else {
            throw .truncated(sketch: sketch, offset: bytes.count, needed: position - bytes.count, available: 0)
        }
        offset = position
    }

    /// Reads one byte.
    public mutating func readUInt8() throws(SketchDecodingError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a little-endian `UInt16`.
    public mutating func readUInt16() throws(SketchDecodingError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readLittleEndian(byteCount: 2))
    }

    /// Reads a little-endian `UInt32`.
    public mutating func readUInt32() throws(SketchDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readLittleEndian(byteCount: 4))
    }

    /// Reads a little-endian `UInt64`.
    public mutating func readUInt64() throws(SketchDecodingError) -> UInt64 {
        try readLittleEndian(byteCount: 8)
    }

    /// Reads a little-endian IEEE-754 `Double`.
    public mutating func readDouble() throws(SketchDecodingError) -> Double {
        Double(bitPattern: try readUInt64())
    }

    /// Reads a little-endian IEEE-754 `Float`.
    public mutating func readFloat() throws(SketchDecodingError) -> Float {
        Float(bitPattern: try readUInt32())
    }

    /// Reads `count` raw bytes.
    public mutating func readBytes(_ count: Int) throws(SketchDecodingError) -> ArraySlice<UInt8> {
        try require(count)
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// Throws ``SketchDecodingError/trailingBytes(sketch:count:)`` unless the image is fully read.
    public func expectEnd() throws(SketchDecodingError) {
        if remaining > 0 { throw .trailingBytes(sketch: sketch, count: remaining) }
    }

    /// Reads `count` little-endian floats in one bounds check.
    public mutating func readFloats(_ count: Int) throws(SketchDecodingError) -> [Float] {
        try require(4 * count)
        let start = offset
        offset += 4 * count
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))) }
        }
    }

    private mutating func readLittleEndian(byteCount: Int) throws(SketchDecodingError) -> UInt64 {
        try require(byteCount)
        let start = offset
        offset += byteCount
        return bytes.withUnsafeBytes { raw in
            switch byteCount {
            case 8: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
            case 4: UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
            case 2: UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt16.self)))
            default: (0..<byteCount).reduce(UInt64(0)) { $0 | UInt64(raw[start + $1]) << (8 * UInt64($1)) }
            }
        }
    }
}

/// Little-endian appends used by every encoder.
extension Array where Element == UInt8 {
    /// Appends a little-endian fixed-width integer.
    @inlinable
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        let start = count
        append(contentsOf: repeatElement(0, count: MemoryLayout<T>.size))
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: start, as: T.self) }
    }

    /// Appends floats as little-endian IEEE-754 values.
    @inlinable
    public mutating func appendLittleEndian(contentsOf values: ArraySlice<Float>) {
        let start = count
        append(contentsOf: repeatElement(0, count: 4 * values.count))
        withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: start + 4 * index, as: UInt32.self)
            }
        }
    }

    /// Appends a little-endian IEEE-754 double.
    @inlinable
    public mutating func appendLittleEndian(_ value: Double) { appendLittleEndian(value.bitPattern) }

    /// Appends a little-endian IEEE-754 float.
    @inlinable
    public mutating func appendLittleEndian(_ value: Float) { appendLittleEndian(value.bitPattern) }
}
