/// A JSON value as a request body's reader needs it (``RequestJSONReader``): numbers keep their
/// text so integers are read exactly; objects keep their members in order. Read by the
/// integrity service's report intake and by the Cloud API's Graph endpoint (which it spared
/// `JSONSerialization`'s `NSDictionary` building: ~9 % of the endpoint's loop thread).
public enum RequestJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([RequestJSON])
    case object([(key: String, value: RequestJSON)])

    public static func == (left: RequestJSON, right: RequestJSON) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)), let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.elementsEqual(b) { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .bool(value): hasher.combine(value)
        case let .number(text), let .string(text): hasher.combine(text)
        case let .array(values): hasher.combine(values)
        case let .object(members):
            for member in members {
                hasher.combine(member.key)
                hasher.combine(member.value)
            }
        }
    }

    /// The member `key` of an object (the last one if repeated), or nil.
    public subscript(key: String) -> RequestJSON? {
        guard case let .object(members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The exact integer of a number without fraction or exponent, or nil.
    public var integer: Int64? {
        guard case let .number(text) = self else { return nil }
        return Int64(text)
    }
}

/// Where and why a request body is not JSON.
public struct RequestJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset of the problem.
    public let offset: Int
    /// What was expected or found.
    public let message: String

    /// A problem at `offset`.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// "at byte N: message".
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// A strict RFC 8259 reader over bytes: no trailing commas, no comments, no leading zeros, UTF-8
/// checked, surrogates paired, nesting bounded; a leading UTF-8 byte order mark is skipped
/// (RFC 8259 §8.1). Checked against Foundation's `JSONSerialization` on edge cases and on
/// generated and mutated documents (`RequestJSONReaderTests`).
public struct RequestJSONReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let maximumDepth: Int

    /// The whole of `bytes` as one value, arrays and objects nested at most `maximumDepth` deep.
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = 16) throws(RequestJSONError) -> RequestJSON {
        var reader = RequestJSONReader(bytes: bytes, maximumDepth: maximumDepth)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.offset = 3 }
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.offset == bytes.count else { throw reader.error("unexpected \(reader.found) after the value") }
        return value
    }

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private var found: String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        return byte >= 0x20 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private func error(_ message: String) -> RequestJSONError { RequestJSONError(offset: offset, message: message) }

    private mutating func skipSpace() {
        while offset < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[offset]) { offset += 1 }
    }

    private mutating func value(depth: Int) throws(RequestJSONError) -> RequestJSON {
        guard offset < bytes.count else { throw error("expected a value, found end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("expected a value, found \(found)")
        }
    }

    private mutating func literal(_ word: String) throws(RequestJSONError) {
        for expected in word.utf8 {
            guard offset < bytes.count, bytes[offset] == expected else { throw error("expected '\(word)'") }
            offset += 1
        }
    }

    private mutating func object(depth: Int) throws(RequestJSONError) -> RequestJSON {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth)") }
        offset += 1
        var members: [(key: String, value: RequestJSON)] = []
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name, found \(found)") }
            let key = try string()
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\", found \(found)") }
            offset += 1
            skipSpace()
            members.append((key, try value(depth: depth)))
            skipSpace()
            guard offset < bytes.count else { throw error("unterminated object") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            throw error("expected ',' or '}' in object, found \(found)")
        }
    }

    private mutating func array(depth: Int) throws(RequestJSONError) -> RequestJSON {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth)") }
        offset += 1
        var values: [RequestJSON] = []
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(values)
        }
        while true {
            skipSpace()
            values.append(try value(depth: depth))
            skipSpace()
            guard offset < bytes.count else { throw error("unterminated array") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(values) }
            throw error("expected ',' or ']' in array, found \(found)")
        }
    }

    private mutating func number() throws(RequestJSONError) -> String {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected a digit") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) { throw error("leading zeros are not allowed") }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected a digit after '.'") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected a digit in the exponent") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A string, its opening quote at `offset`. The common case — no escape — is one pass over
    /// the bytes and one `String` made of them in place (ASCII needs no UTF-8 validation);
    /// strings with escapes go the longer way (``escapedString(from:quote:)``).
    private mutating func string() throws(RequestJSONError) -> String {
        let quote = offset
        offset += 1
        let first = offset
        var bits: UInt8 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text: String? = bits < 0x80
                    ? String(decoding: bytes[first..<offset], as: UTF8.self)
                    : String(validating: bytes[first..<offset], as: UTF8.self)
                guard let text else { throw RequestJSONError(offset: first, message: "invalid UTF-8 in string") }
                offset += 1
                return text
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: first, quote: quote) }
            bits |= byte
            offset += 1
        }
        throw RequestJSONError(offset: quote, message: "unterminated string")
    }

    /// The rest of a string that holds an escape at `offset`, its content starting at `first`:
    /// runs of raw bytes (each checked to be UTF-8) and escaped scalars, gathered as UTF-8.
    private mutating func escapedString(from first: Int, quote: Int) throws(RequestJSONError) -> String {
        var utf8: [UInt8] = []
        var run = first
        func flush(_ end: Int) throws(RequestJSONError) {
            guard run < end else { return }
            guard String(validating: bytes[run..<end], as: UTF8.self) != nil else {
                throw RequestJSONError(offset: run, message: "invalid UTF-8 in string")
            }
            utf8.append(contentsOf: bytes[run..<end])
        }
        while true {
            guard offset < bytes.count else { throw RequestJSONError(offset: quote, message: "unterminated string") }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                try flush(offset)
                offset += 1
                // Valid runs and whole scalars: valid UTF-8.
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") {
                try flush(offset)
                offset += 1
                utf8.append(contentsOf: String(try escape()).utf8)
                run = offset
                continue
            }
            offset += 1
        }
    }

    private mutating func escape() throws(RequestJSONError) -> Unicode.Scalar {
        guard offset < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate")
                }
                offset += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + (high - 0xD800) << 10 + (low - 0xDC00)) else {
                    throw error("invalid surrogate pair")
                }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw error("unpaired surrogate") }
            return scalar
        default:
            offset -= 1
            throw error("invalid escape \(found)")
        }
    }

    private mutating func hex4() throws(RequestJSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count, let digit = hexValue(bytes[offset]) else { throw error("expected 4 hex digits after \\u") }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
