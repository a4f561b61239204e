import Glibc
import Stats

/// Invariant checks for harnesses. A failed check prints what broke and aborts: libFuzzer records
/// the input as a crash, and the replayer exits with SIGABRT.
enum FuzzCheck {
    /// Aborts with `message` unless `condition` holds.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
        guard !condition else { return }
        fail(message(), file: file, line: line)
    }

    /// Aborts unless `actual` holds the same bytes as `expected`, naming the first difference.
    static func requireEqualBytes(
        _ actual: some Collection<UInt8>, _ expected: some Collection<UInt8>, _ what: @autoclosure () -> String,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        guard !actual.elementsEqual(expected) else { return }
        let left = Array(actual), right = Array(expected)
        let offset = left.indices.first { $0 >= right.count || left[$0] != right[$0] } ?? left.count
        func window(_ bytes: [UInt8]) -> String {
            bytes[offset..<min(bytes.count, offset + 16)].map { String($0, radix: 16) }.joined(separator: " ")
        }
        fail("\(what()): \(left.count) bytes vs \(right.count) expected, first difference at offset \(offset): [\(window(left))] vs [\(window(right))]",
             file: file, line: line)
    }

    /// Aborts with `message`.
    static func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        let text = "vigil-fuzz: invariant broken at \(file):\(line): \(message)\n"
        text.utf8CString.withUnsafeBufferPointer { bytes in
            _ = Glibc.write(2, bytes.baseAddress, bytes.count - 1)
        }
        abort()
    }
}

/// Deterministic helpers derived from the input itself, so every run of one input does the same.
enum FuzzInput {
    /// A 64-bit FNV-1a digest of the bytes: the seed for splits and choices.
    static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3  // FNV arithmetic wraps by definition
        }
        return hash
    }

    /// Cut points that split `count` bytes into pieces of 1…`maximumPiece` bytes, chosen by `seed`.
    static func splits(count: Int, seed: UInt64, maximumPiece: Int = 17) -> [Range<Int>] {
        var generator = SplitMix64(seed: seed)
        var pieces: [Range<Int>] = []
        var start = 0
        while start < count {
            let length = 1 + Int(generator.next() % UInt64(maximumPiece))
            let end = min(count, start + length)
            pieces.append(start..<end)
            start = end
        }
        return pieces
    }
}
