import Stats

/// The analyzer's state as one versioned binary image, and the report-log sequence it covers.
///
/// ```
/// "VGSN"  magic                       4 bytes
/// format  version (2)                 u16 LE
/// covers  report-log sequence         i64 LE
/// length  body bytes                  u32 LE
/// body    IntegrityCore               (IntegrityCore+Snapshot.swift and the files it calls)
/// check   MurmurHash3-x64-128 h1      u64 LE, of everything before it
/// ```
///
/// Sketches inside are DataSketches images (the active-user window's hourly HLLs), tables keep
/// their slot layout, and every count, index and enum is range-checked on read: a damaged,
/// truncated or foreign image is a ``SnapshotError``, never a trap.
public struct AnalyzerSnapshot: Sendable, Hashable {
    /// The format this code writes and reads. 2: each business's quality tally (the policy's
    /// incremental score) follows its state, so that a restored analyzer scores exactly as the
    /// one that wrote the image; a version-1 image is refused and recovery replays the log.
    public static let formatVersion: UInt16 = 2
    static let magic: [UInt8] = Array("VGSN".utf8)
    static let checksumSeed: UInt64 = 0x5649_4749_4C53_4E50

    /// The report-log sequence number whose reports (and all before) the state includes.
    public let coveredSequence: Int64
    /// The encoded image.
    public let bytes: [UInt8]

    /// Wraps an image read from storage (checked when restored).
    public init(coveredSequence: Int64, bytes: [UInt8]) {
        self.coveredSequence = coveredSequence
        self.bytes = bytes
    }

    /// The image of `core`, covering the log up to `coveredSequence`.
    init(core: IntegrityCore, coveredSequence: Int64) {
        var body = SnapshotWriter()
        core.write(to: &body)
        var writer = SnapshotWriter()
        for byte in Self.magic { writer.uint8(byte) }
        writer.uint16(Self.formatVersion)
        writer.int64(coveredSequence)
        writer.blob(body.bytes)
        var image = writer.bytes
        let check = Self.checksum(image[...])
        for shift in stride(from: 0, to: 64, by: 8) { image.append(UInt8(truncatingIfNeeded: check >> UInt64(shift))) }
        self.coveredSequence = coveredSequence
        bytes = image
    }

    /// The covered sequence read from an image's header (checked: magic, version, checksum).
    public static func header(of bytes: [UInt8]) throws(SnapshotError) -> Int64 {
        try open(bytes).coveredSequence
    }

    /// The core the image holds, under `rules`.
    func core(rules: Rules) throws(SnapshotError) -> IntegrityCore {
        let (_, start, end) = try Self.open(bytes)
        var reader = SnapshotReader(bytes, from: start, to: end)
        let core = try IntegrityCore.read(from: &reader, rules: rules)
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
        return core
    }

    /// Checks the frame and returns the covered sequence and the body's bounds.
    private static func open(_ bytes: [UInt8]) throws(SnapshotError) -> (coveredSequence: Int64, start: Int, end: Int) {
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else { throw .notASnapshot }
        var reader = SnapshotReader(bytes, from: 4)
        let version = try reader.uint16()
        guard version == formatVersion else { throw .unsupportedVersion(version) }
        let covered = try reader.int64()
        let length = Int(try reader.uint32())
        let start = reader.offset
        guard reader.remaining >= length + 8 else { throw .truncated(offset: reader.offset, needed: length + 8 - reader.remaining) }
        let end = start + length
        guard bytes.count == end + 8 else { throw .trailingBytes(bytes.count - end - 8) }
        var trailer = SnapshotReader(bytes, from: end)
        guard try trailer.uint64() == checksum(bytes[0..<end]) else { throw .checksumMismatch }
        return (covered, start, end)
    }

    private static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBytes { MurmurHash3.hash128($0, seed: checksumSeed).h1 }
    }
}

extension IntegrityAnalyzer {
    /// The analyzer's state now, covering the report log up to `coveredSequence`.
    public func makeSnapshot(coveredSequence: Int64) -> AnalyzerSnapshot {
        AnalyzerSnapshot(core: core, coveredSequence: coveredSequence)
    }

    /// Replaces the analyzer's state by the snapshot's (all or nothing: on error nothing changes).
    /// Policy changes not yet drained are dropped. The pseudonym keys are not in the snapshot;
    /// the analyzer must use the key store the state was built with.
    public func restore(_ snapshot: AnalyzerSnapshot) throws(SnapshotError) {
        core = try snapshot.core(rules: rules)
    }

    /// Forgets every business (back to a fresh analyzer's state), keeping rules, keys and observers.
    public func resetState() {
        core = IntegrityCore(rules: rules)
    }
}
