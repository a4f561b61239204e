import Stats

/// How lines of input become sketch items.
enum NumericMode: String {
    case int, double
}

/// The kinds of sketch the CLI builds.
enum SketchKind: String, CaseIterable {
    case hll, cms, fi, kll

    init(image: [UInt8]) throws(CLIError) {
        switch SketchFamily.of(image: image) {
        case .hll: self = .hll
        case .countMin: self = .cms
        case .frequentItems: self = .fi
        case .kll: self = .kll
        case nil:
            throw CLIError(image.count < 8
                ? "not a sketch image: only \(image.count) byte(s)"
                : "not a sketch image this tool reads (family byte \(image[2]))")
        }
    }
}

/// One input line: the bytes without the newline, with its 1-based number for error messages.
struct InputLine {
    let number: Int
    let bytes: ArraySlice<UInt8>

    /// The line as a String (UTF-8, invalid sequences repaired).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Splits `item<TAB>weight` at the last tab; without a tab the weight is nil.
    func splitWeight() -> (item: ArraySlice<UInt8>, weight: Substring?) {
        guard let tab = bytes.lastIndex(of: UInt8(ascii: "\t")) else { return (bytes, nil) }
        let weight = String(decoding: bytes[(tab + 1)...], as: UTF8.self)
        return (bytes[..<tab], Substring(weight))
    }

    func integer(_ text: some StringProtocol) throws(CLIError) -> Int64 {
        guard let value = Int64(Self.trimmed(text)) else { throw CLIError("line \(number): '\(text)' is not a 64-bit integer") }
        return value
    }

    func double(_ text: some StringProtocol) throws(CLIError) -> Double {
        guard let value = Double(Self.trimmed(text)) else { throw CLIError("line \(number): '\(text)' is not a number") }
        return value
    }

    /// `text` without leading and trailing spaces and carriage returns.
    static func trimmed(_ text: some StringProtocol) -> Substring {
        let isPadding: (Character) -> Bool = { $0 == " " || $0 == "\r" }
        let start = text.firstIndex(where: { !isPadding($0) }) ?? text.endIndex
        let end = text.lastIndex(where: { !isPadding($0) }).map { text.index(after: $0) } ?? start
        return Substring(text[start..<max(start, end)])
    }
}

/// Hashes an item the way the CLI feeds sketches: raw line bytes, or parsed numbers with
/// DataSketches' canonicalization.
enum ItemHasher {
    static func hash(_ bytes: ArraySlice<UInt8>, numeric: NumericMode?, line: InputLine, seed: UInt64 = MurmurHash3.defaultSeed) throws(CLIError) -> MurmurHash3.Hash128? {
        switch numeric {
        case nil:
            if bytes.isEmpty { return nil }
            return bytes.withUnsafeBytes { MurmurHash3.hash128($0, seed: seed) }
        case .int:
            return try line.integer(String(decoding: bytes, as: UTF8.self)).sketchHash(seed: seed)
        case .double:
            return try line.double(String(decoding: bytes, as: UTF8.self)).sketchHash(seed: seed)
        }
    }
}

/// Reads input lines from a file or standard input.
func readLines(_ path: String?) throws(CLIError) -> [InputLine] {
    let bytes = try FileIO.read(path)
    var lines: [InputLine] = []
    for (number, range) in Lines(bytes: bytes) {
        lines.append(InputLine(number: number, bytes: bytes[range]))
    }
    return lines
}
