/// A value that DataSketches knows how to hash, with DataSketches' canonicalization:
///
/// - strings hash their raw UTF-8 bytes, and an empty string is not an item at all;
/// - `Int64` hashes its 8 little-endian bytes; smaller signed integers are sign-extended first;
///   unsigned integers are reinterpreted as the signed type of the same width, then extended;
/// - `Double` is canonicalized (−0.0 → 0.0, every NaN → `0x7ff8000000000000`) and `Float` is
///   widened to `Double`.
///
/// Sketches call ``sketchHash(seed:)``; `nil` means "ignore this item".
public protocol SketchHashable {
    /// The MurmurHash3_x64_128 of the item's canonical bytes, or `nil` for an ignored item.
    func sketchHash(seed: UInt64) -> MurmurHash3.Hash128?
}

extension Int64: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        MurmurHash3.hash128(word: UInt64(bitPattern: self), seed: seed)
    }
}

extension Int: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? { Int64(self).sketchHash(seed: seed) }
}

extension Int32: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? { Int64(self).sketchHash(seed: seed) }
}

extension Int16: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? { Int64(self).sketchHash(seed: seed) }
}

extension Int8: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? { Int64(self).sketchHash(seed: seed) }
}

extension UInt64: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? { MurmurHash3.hash128(word: self, seed: seed) }
}

extension UInt32: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        Int64(Int32(bitPattern: self)).sketchHash(seed: seed)
    }
}

extension UInt16: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        Int64(Int16(bitPattern: self)).sketchHash(seed: seed)
    }
}

extension UInt8: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        Int64(Int8(bitPattern: self)).sketchHash(seed: seed)
    }
}

extension Double: SketchHashable {
    /// The bit pattern DataSketches hashes for this double: −0.0 becomes 0.0, any NaN the
    /// canonical quiet NaN `0x7ff8000000000000`.
    @inlinable
    public var canonicalSketchBits: UInt64 {
        if isNaN { return 0x7ff8_0000_0000_0000 }
        return self == 0 ? 0 : bitPattern
    }

    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        MurmurHash3.hash128(word: canonicalSketchBits, seed: seed)
    }
}

extension Float: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? { Double(self).sketchHash(seed: seed) }
}

extension String: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        if let hash = utf8.withContiguousStorageIfAvailable({ bytes in
            bytes.isEmpty ? nil : MurmurHash3.hash128(UnsafeRawBufferPointer(bytes), seed: seed)
        }) {
            return hash
        }
        var copy = self
        return copy.withUTF8 { bytes in
            bytes.isEmpty ? nil : MurmurHash3.hash128(UnsafeRawBufferPointer(bytes), seed: seed)
        }
    }
}

extension Substring: SketchHashable {
    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        var copy = self
        return copy.withUTF8 { bytes in
            bytes.isEmpty ? nil : MurmurHash3.hash128(UnsafeRawBufferPointer(bytes), seed: seed)
        }
    }
}

/// Raw bytes hashed as they are (an empty buffer is ignored), e.g. a line of an input file.
public struct SketchBytes: SketchHashable {
    /// The bytes.
    public var bytes: [UInt8]

    /// Wraps `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    @inlinable
    public func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
        bytes.withUnsafeBytes { raw in raw.isEmpty ? nil : MurmurHash3.hash128(raw, seed: seed) }
    }
}
