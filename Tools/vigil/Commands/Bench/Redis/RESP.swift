/// Just enough of Redis's RESP2 protocol for a pub/sub benchmark client, parsed in place: a value
/// is found without copying, and bulk strings come back as ranges of the input.
enum RESP {
    /// One value's head. An array's elements follow it in the stream and are parsed one by one.
    enum Value: Equatable {
        /// `+text`: the text's range.
        case simple(Range<Int>)
        /// `-text`: the error's range.
        case error(Range<Int>)
        /// `:n`.
        case integer(Int64)
        /// `$n`: the string's range, nil for the null bulk string.
        case bulk(Range<Int>?)
        /// `*n`: an array of `n` elements (−1: null array).
        case array(count: Int)
    }

    /// Why a reply could not be parsed.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the value whose head starts at `start`; nil if it is not complete in `bytes` yet.
    /// Returns the value and where the next one starts (for arrays: the first element).
    static func parse(_ bytes: ArraySlice<UInt8>, at start: Int) throws(Malformed) -> (value: Value, next: Int)? {
        guard start < bytes.endIndex else { return nil }
        guard let lineEnd = try lineEnd(in: bytes, from: start + 1) else {
            guard bytes.endIndex - start < 64 else { throw Malformed(description: "RESP line longer than 64 bytes") }
            return nil
        }
        let line = (start + 1)..<lineEnd
        let next = lineEnd + 2
        switch bytes[start] {
        case UInt8(ascii: "+"): return (.simple(line), next)
        case UInt8(ascii: "-"): return (.error(line), next)
        case UInt8(ascii: ":"): return (.integer(try integer(bytes, line)), next)
        case UInt8(ascii: "*"):
            let count = try integer(bytes, line)
            guard count >= -1, count <= 1 << 20 else { throw Malformed(description: "RESP array of \(count)") }
            return (.array(count: Int(count)), next)
        case UInt8(ascii: "$"):
            let length = try integer(bytes, line)
            if length == -1 { return (.bulk(nil), next) }
            guard length >= 0, length <= 512 << 20 else { throw Malformed(description: "RESP bulk string of \(length)") }
            let end = next + Int(length)
            guard end + 2 <= bytes.endIndex else { return nil }
            guard bytes[end] == 13, bytes[end + 1] == 10 else { throw Malformed(description: "RESP bulk string without CRLF") }
            return (.bulk(next..<end), end + 2)
        default:
            throw Malformed(description: "unexpected RESP type byte \(bytes[start])")
        }
    }

    /// Whether `range` of `bytes` spells `text` (ASCII, case-sensitive).
    static func equals(_ bytes: ArraySlice<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { expected in
            var index = range.lowerBound
            for byte in expected {
                if bytes[index] != byte { return false }
                index += 1
            }
            return true
        }
    }

    /// A command as an array of bulk strings (how clients must send commands).
    static func command(_ arguments: [[UInt8]]) -> [UInt8] {
        var bytes = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            bytes += Array("$\(argument.count)\r\n".utf8)
            bytes += argument
            bytes += [13, 10]
        }
        return bytes
    }

    /// The index of the CR of the first CRLF at or after `start`; nil if no line end has arrived.
    private static func lineEnd(in bytes: ArraySlice<UInt8>, from start: Int) throws(Malformed) -> Int? {
        var index = start
        while index < bytes.endIndex {
            if bytes[index] == 10 {
                guard index > start, bytes[index - 1] == 13 else { throw Malformed(description: "RESP line without CR") }
                return index - 1
            }
            index += 1
        }
        return nil
    }

    /// A decimal integer with an optional minus sign.
    private static func integer(_ bytes: ArraySlice<UInt8>, _ range: Range<Int>) throws(Malformed) -> Int64 {
        guard !range.isEmpty, range.count <= 20 else { throw Malformed(description: "RESP integer of \(range.count) bytes") }
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < range.upperBound else { throw Malformed(description: "RESP integer without digits") }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw Malformed(description: "RESP integer with a non-digit") }
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = product.addingReportingOverflow(Int64(digit))
            guard !overflow, !carry else { throw Malformed(description: "RESP integer overflows") }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}
