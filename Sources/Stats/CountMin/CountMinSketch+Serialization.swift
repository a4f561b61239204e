/// DataSketches' Count-Min image (family 18, serial version 1), little-endian:
///
/// | offset | field |
/// | --- | --- |
/// | 0 | preamble longs = 2 |
/// | 1 | serial version = 1 |
/// | 2 | family = 18 |
/// | 3 | flags: bit 0 = empty |
/// | 4…7 | unused (0) |
/// | 8…11 | `num_buckets` u32 |
/// | 12 | `num_hashes` u8 |
/// | 13…14 | seed hash u16 |
/// | 15 | unused (0) |
/// | 16…23 | total weight f64 (absent when empty) |
/// | 24… | `num_hashes × num_buckets` cells f64, row-major (absent when empty) |
enum CountMinFormat {
    static let sketchName = "Count-Min"
    static let preambleLongs: UInt8 = 2
    static let serialVersion: UInt8 = 1
    static let emptyFlag: UInt8 = 1
    static let headerBytes = 16
}

extension CountMinSketch {
    /// The sketch in DataSketches' binary format, byte-identical to Python's
    /// `count_min_sketch.serialize()` for the same shape, seed and updates. An empty sketch is
    /// the 16-byte header alone.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CountMinFormat.headerBytes + (isEmpty ? 0 : 8 * (1 + cells.count)))
        bytes.append(CountMinFormat.preambleLongs)
        bytes.append(CountMinFormat.serialVersion)
        bytes.append(SketchFamily.countMin.rawValue)
        bytes.append(isEmpty ? CountMinFormat.emptyFlag : 0)
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(UInt32(numBuckets))
        bytes.append(UInt8(numHashes))
        bytes.appendLittleEndian(MurmurHash3.seedHash(seed))
        bytes.append(0)
        guard !isEmpty else { return bytes }
        bytes.appendLittleEndian(totalWeight)
        #if _endian(little)
        cells.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for cell in cells { bytes.appendLittleEndian(cell) }
        #endif
        return bytes
    }

    /// Decodes a DataSketches Count-Min image (from Python's `serialize()` or ``serialized()``).
    ///
    /// - Parameters:
    ///   - bytes: the whole image, nothing after it.
    ///   - seed: the seed the image was built with; only its 16-bit hash is stored in the image.
    /// - Throws: ``SketchDecodingError`` for a truncated image, another family, another serial
    ///   version, an impossible shape, a different seed, contradictory weights or trailing bytes.
    public init(serialized bytes: [UInt8], seed: UInt64 = CountMinSketch.defaultSeed) throws(SketchDecodingError) {
        let name = CountMinFormat.sketchName
        var reader = ByteReader(bytes, sketch: name)
        let preambleLongs = try reader.readUInt8()
        let serialVersion = try reader.readUInt8()
        let family = try reader.readUInt8()
        let flags = try reader.readUInt8()
        _ = try reader.readUInt32()
        guard family == SketchFamily.countMin.rawValue else {
            throw .wrongFamily(sketch: name, expected: SketchFamily.countMin.rawValue, found: family)
        }
        guard serialVersion == CountMinFormat.serialVersion else {
            throw .unsupportedSerialVersion(sketch: name, found: serialVersion)
        }
        guard preambleLongs == CountMinFormat.preambleLongs else {
            throw .parameterOutOfRange(sketch: name, name: "preamble longs", value: Int(preambleLongs), allowed: 2...2)
        }
        guard flags & ~CountMinFormat.emptyFlag == 0 else {
            throw .corrupt(sketch: name, reason: "unknown flag bits 0x\(String(flags, radix: 16))")
        }
        let numBuckets = Int(try reader.readUInt32())
        let numHashes = Int(try reader.readUInt8())
        let seedHash = try reader.readUInt16()
        _ = try reader.readUInt8()
        guard numHashes >= 1 else {
            throw .parameterOutOfRange(sketch: name, name: "num_hashes", value: numHashes, allowed: 1...255)
        }
        guard numBuckets >= 3 else {
            throw .parameterOutOfRange(sketch: name, name: "num_buckets", value: numBuckets, allowed: 3...Int(UInt32.max))
        }
        guard numHashes * numBuckets < (1 << 30) else {
            throw .parameterOutOfRange(
                sketch: name, name: "num_hashes × num_buckets", value: numHashes * numBuckets, allowed: 3...(1 << 30) - 1
            )
        }
        let expectedSeedHash = MurmurHash3.seedHash(seed)
        guard seedHash == expectedSeedHash else {
            throw .seedHashMismatch(sketch: name, expected: expectedSeedHash, found: seedHash)
        }
        do {
            try self.init(numHashes: numHashes, numBuckets: numBuckets, seed: seed)
        } catch {
            throw .corrupt(sketch: name, reason: error.description)
        }
        if flags & CountMinFormat.emptyFlag != 0 {
            try reader.expectEnd()
            return
        }
        // Check the full length before allocating, so a forged shape cannot demand memory.
        let cellCount = numHashes * numBuckets
        try reader.require(8 * (1 + cellCount))
        let total = try reader.readDouble()
        guard total.isFinite, total > 0 else {
            throw .corrupt(sketch: name, reason: "non-empty image with total weight \(total)")
        }
        let raw = try reader.readBytes(8 * cellCount)
        try reader.expectEnd()
        let decoded = raw.withUnsafeBytes { buffer in
            [Double](unsafeUninitializedCapacity: cellCount) { cells, initialized in
                for index in 0..<cellCount {
                    let bits = buffer.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)
                    cells.initializeElement(at: index, to: Double(bitPattern: UInt64(littleEndian: bits)))
                }
                initialized = cellCount
            }
        }
        // Every cell is a sum of weights whose magnitudes also went into the total, and IEEE
        // rounding is monotone, so |cell| ≤ total holds exactly for every genuine image.
        for (index, cell) in decoded.enumerated() where !(cell.isFinite && cell.magnitude <= total) {
            throw .corrupt(sketch: name, reason: "cell \(index) holds \(cell), beyond total weight \(total)")
        }
        cells = decoded
        totalWeight = total
    }
}
