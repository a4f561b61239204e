/// A JSON value (RFC 8259) as the Graph API's request bodies are read: objects keep their members
/// in document order (a duplicated name: the last one counts, as with `JSONSerialization`),
/// numbers are `Double`s.
///
/// Parsed by ``JSONReader``, which replaced `JSONSerialization` on the send path: building
/// `NSDictionary`s and bridging every field back was ~9 % of the endpoint's loop thread.
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object's members, in document order.
struct JSONObject: Sendable, Hashable {
    /// The members as written, duplicates included.
    var members: [(name: String, value: JSONValue)]

    /// The value of the last member called `name`, if any (Graph bodies have a handful of
    /// members: a linear search beats hashing them).
    subscript(name: String) -> JSONValue? {
        members.last { $0.name == name }?.value
    }

    static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count && zip(lhs.members, rhs.members).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.name)
            hasher.combine(member.value)
        }
    }
}

/// Why a document is not JSON, and where.
struct JSONReaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    var offset: Int
    /// What was wrong there.
    var reason: String

    var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 reader: one value with optional whitespace around it; strings must be valid
/// UTF-8 without raw control characters, escapes well formed (surrogates paired); numbers in
/// JSON's grammar; nesting at most ``maximumDepth`` deep. Checked against `JSONSerialization` on
/// generated and mutated documents (`JSONReaderTests`).
struct JSONReader {
    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The value `bytes` holds.
    static func parse(_ bytes: [UInt8]) throws(JSONReaderError) -> JSONValue {
        var reader = JSONReader(bytes)
        // A UTF-8 byte order mark, which some clients send, is ignored (RFC 8259 §8.1).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.failure("unexpected content after the value") }
        return value
    }

    private func failure(_ reason: String) -> JSONReaderError {
        JSONReaderError(offset: index, reason: reason)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func value(depth: Int) throws(JSONReaderError) -> JSONValue {
        guard let byte = current else { throw failure("unexpected end of the document") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONReaderError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count,
              word.withUTF8Buffer({ expected in bytes[index..<(index + count)].elementsEqual(expected) })
        else { throw failure("invalid literal") }
        index += count
    }

    private mutating func object(depth: Int) throws(JSONReaderError) -> JSONObject {
        guard depth <= Self.maximumDepth else { throw failure("nested too deeply") }
        index += 1  // {
        var members: [(name: String, value: JSONValue)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return JSONObject(members: members)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let name = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            skipWhitespace()
            members.append((name, try value(depth: depth)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return JSONObject(members: members)
            default:
                throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONReaderError) -> [JSONValue] {
        guard depth <= Self.maximumDepth else { throw failure("nested too deeply") }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return elements
            default:
                throw failure("expected ',' or ']'")
            }
        }
    }

    /// A string from its opening quote; the common case (no escape) is one validated slice.
    private mutating func string() throws(JSONReaderError) -> String {
        index += 1  // "
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                // ASCII needs no validation (most names and values are).
                let text = ascii ? String(decoding: bytes[start..<index], as: UTF8.self) : try utf8(bytes[start..<index], at: start)
                index += 1
                return text
            }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard byte >= 0x20 else { throw failure("a control character in a string") }
            index += 1
        }
        throw failure("unterminated string")
    }

    /// The rest of a string that holds an escape, decoded byte by byte from `start`.
    private mutating func escapedString(from start: Int) throws(JSONReaderError) -> String {
        var decoded = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let text = try utf8(decoded[...], at: start)
                index += 1
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = current else { throw failure("unterminated string") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &decoded)
                default:
                    index -= 1
                    throw failure("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw failure("a control character in a string") }
                decoded.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    /// `\uXXXX` (after the `u`), with its low surrogate if it is a high one, as UTF-8.
    private mutating func appendUnicodeEscape(to decoded: inout [UInt8]) throws(JSONReaderError) {
        var scalar = try hexQuad()
        if (0xD800...0xDBFF).contains(scalar) {
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("a high surrogate without its low surrogate")
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("a high surrogate without its low surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw failure("a low surrogate without its high surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw failure("an invalid code point") }
        decoded.append(contentsOf: String(Character(unicode)).utf8)
    }

    private mutating func hexQuad() throws(JSONReaderError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("a truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: 0xFF
            }
            guard digit != 0xFF else { throw failure("an invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func utf8(_ slice: ArraySlice<UInt8>, at start: Int) throws(JSONReaderError) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw JSONReaderError(offset: start, reason: "a string that is not valid UTF-8")
        }
        return text
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(JSONReaderError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw failure("a number without digits") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let digit = current, isDigit(digit) else { throw failure("a fraction without digits") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, isDigit(digit) else { throw failure("an exponent without digits") }
            skipDigits()
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
            throw JSONReaderError(offset: start, reason: "a number out of range")
        }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }
}
