/// Hex helpers for typing published test vectors.
extension Array where Element == UInt8 {
    /// Parses hex (whitespace ignored); traps on malformed literals, which are ours.
    init(hex: String) {
        let digits = hex.utf8.filter { !$0.isWhitespace }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            let high = Self.nibble(digits[index])
            let low = Self.nibble(digits[index + 1])
            bytes.append(high << 4 | low)
            index += 2
        }
        self = bytes
    }

    /// Lowercase hex.
    var hex: String {
        let table = Array("0123456789abcdef".utf8)
        return String(decoding: flatMap { [table[Int($0 >> 4)], table[Int($0 & 0xf)]] }, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: preconditionFailure("bad hex digit")
        }
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0a || self == 0x09 || self == 0x0d }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hex of any byte sequence (digests, secure bytes).
    var hexString: String { Array(self).hex }
}
