/// A JSON string as the event parser reads it: its first 16 bytes (after unescaping) packed into
/// two little-endian words, and its full length.
///
/// Every valid key and value of the schema fits in 16 bytes (`"no_longer_needed"` and a 15-digit
/// `+` number are the longest), so a string is compared as two integers and never copied to the
/// heap; a longer string is kept only to the extent needed to report it.
struct ScannedString: Equatable {
    /// Bytes 0…7.
    var low: UInt64 = 0
    /// Bytes 8…15.
    var high: UInt64 = 0
    /// The string's full length in bytes, which may exceed 16.
    var count = 0

    /// The packed form of an ASCII literal of at most 16 bytes.
    init(_ literal: StaticString) {
        precondition(literal.utf8CodeUnitCount <= 16, "schema tokens are at most 16 bytes")
        literal.withUTF8Buffer { bytes in
            for byte in bytes { append(byte) }
        }
    }

    /// An empty string.
    init() {}

    /// Appends one byte; bytes beyond the 16th are counted, not kept.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count < 8 {
            low |= UInt64(byte) << (UInt64(count) &* 8)
        } else if count < 16 {
            high |= UInt64(byte) << (UInt64(count &- 8) &* 8)
        }
        count &+= 1
    }

    /// Byte `index` (< min(count, 16)).
    @inline(__always)
    func byte(at index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: index < 8 ? low >> (UInt64(index) &* 8) : high >> (UInt64(index &- 8) &* 8))
    }

    /// Whether every stored byte is ASCII and the whole string was stored.
    var isShortASCII: Bool {
        count <= 16 && (low | high) & 0x8080_8080_8080_8080 == 0
    }

    /// Up to 24 printable ASCII characters for an error message (others become `?`), with `…`
    /// when the string was longer than what is shown. Only for keys, never for values.
    var printablePrefix: String {
        var text = ""
        for index in 0..<min(count, 16) {
            let byte = byte(at: index)
            text.unicodeScalars.append((0x20..<0x7f).contains(byte) ? Unicode.Scalar(byte) : "?")
        }
        return count > 16 ? text + "…" : text
    }
}
