import Transport

extension Alert {
    /// Reads one line as ``jsonLine`` writes it (without the newline; whitespace between tokens
    /// allowed), so alert files can be replayed into sinks. Strict: every field exactly once, no
    /// unknown field, `fingerprint` must equal the one the labels give, `ends_at` must be null
    /// while firing. `value` accepts null (what ``jsonLine`` writes for a non-finite number) as NaN.
    public init(jsonLine bytes: some Collection<UInt8>) throws(AlertLineError) {
        var scanner = AlertLineScanner(bytes: Array(bytes))
        var fields = try scanner.object()
        self = try fields.alert(at: scanner)
    }
}

/// Why a line is not an alert line, and where (1-based byte column).
public struct AlertLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The column the problem was found at.
    public var column: Int
    /// What is wrong.
    public var reason: String

    /// An error.
    public init(column: Int, reason: String) {
        self.column = column
        self.reason = reason
    }

    /// "column N: reason".
    public var description: String { "column \(column): \(reason)" }
}

/// The fields of an alert line as the scanner found them.
struct AlertLineFields {
    var integers: [String: Int64] = [:]
    var strings: [String: String] = [:]
    var numbers: [String: Double] = [:]
    var nulls: Set<String> = []
    var labels: [String: String]?

    static let integerKeys: Set<String> = ["t", "starts_at", "ends_at"]
    static let stringKeys: Set<String> = ["status", "alertname", "business", "severity", "summary", "fingerprint"]

    mutating func alert(at scanner: AlertLineScanner) throws(AlertLineError) -> Alert {
        func fail(_ reason: String) -> AlertLineError { AlertLineError(column: scanner.index + 1, reason: reason) }
        func string(_ key: String) throws(AlertLineError) -> String {
            guard let value = strings[key] else { throw fail("missing field \"\(key)\"") }
            return value
        }
        func integer(_ key: String) throws(AlertLineError) -> Int64 {
            guard let value = integers[key] else { throw fail("missing field \"\(key)\"") }
            return value
        }
        guard let status = Alert.Status(rawValue: try string("status")) else { throw fail("status must be firing or resolved") }
        guard let severity = Alert.Severity(rawValue: try string("severity")) else { throw fail("severity must be warning or critical") }
        let businessText = try string("business")
        guard let business = PhoneNumber(businessText) else { throw fail("business is not an E.164 number: \(businessText)") }
        let value: Double
        if let number = numbers["value"] {
            value = number
        } else if nulls.contains("value") {
            value = .nan
        } else {
            throw fail("missing field \"value\"")
        }
        let endsAt: Int64?
        if let end = integers["ends_at"] {
            endsAt = end
        } else if nulls.contains("ends_at") {
            endsAt = nil
        } else {
            throw fail("missing field \"ends_at\"")
        }
        if status == .firing, endsAt != nil { throw fail("ends_at must be null while firing") }
        guard let labels else { throw fail("missing field \"labels\"") }
        let alert = Alert(name: try string("alertname"), business: business, severity: severity, status: status,
                          time: try integer("t"), startsAt: try integer("starts_at"), endsAt: endsAt,
                          summary: try string("summary"), value: value, labels: labels)
        let fingerprint = try string("fingerprint")
        guard fingerprint == alert.fingerprintHex else {
            throw fail("fingerprint \(fingerprint) does not match the labels (\(alert.fingerprintHex))")
        }
        return alert
    }
}

/// A byte scanner for the flat JSON object of an alert line (values: strings, integers, numbers,
/// null, and one object of strings).
struct AlertLineScanner {
    let bytes: [UInt8]
    private(set) var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ reason: String) -> AlertLineError { AlertLineError(column: index + 1, reason: reason) }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index]) { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(AlertLineError) {
        skipWhitespace()
        guard index < bytes.count else { throw fail("expected '\(Character(Unicode.Scalar(byte)))', found the end of the line") }
        guard bytes[index] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    private mutating func next(is byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The whole line: one object and nothing after it.
    mutating func object() throws(AlertLineError) -> AlertLineFields {
        var fields = AlertLineFields()
        var seen: Set<String> = []
        try expect(UInt8(ascii: "{"))
        if !next(is: UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                let keyColumn = index
                let key = try string()
                guard seen.insert(key).inserted else { throw AlertLineError(column: keyColumn + 1, reason: "duplicate field \"\(key)\"") }
                try expect(UInt8(ascii: ":"))
                try value(for: key, into: &fields)
            } while next(is: UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        }
        skipWhitespace()
        guard index == bytes.count else { throw fail("characters after the object") }
        return fields
    }

    private mutating func value(for key: String, into fields: inout AlertLineFields) throws(AlertLineError) {
        skipWhitespace()
        if literal("null") {
            guard key == "ends_at" || key == "value" else { throw fail("\"\(key)\" cannot be null") }
            fields.nulls.insert(key)
        } else if AlertLineFields.stringKeys.contains(key) {
            fields.strings[key] = try string()
        } else if AlertLineFields.integerKeys.contains(key) {
            guard let integer = Int64(try numberToken()) else { throw fail("\"\(key)\" must be an integer") }
            fields.integers[key] = integer
        } else if key == "value" {
            let token = try numberToken()
            guard let number = Double(token) else { throw fail("\"value\" is not a number: \(token)") }
            fields.numbers[key] = number
        } else if key == "labels" {
            fields.labels = try stringObject()
        } else {
            throw fail("unknown field \"\(key)\"")
        }
    }

    private mutating func literal(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else { return false }
        index += utf8.count
        return true
    }

    private mutating func numberToken() throws(AlertLineError) -> String {
        let start = index
        while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
        guard index > start else { throw fail("expected a number") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func stringObject() throws(AlertLineError) -> [String: String] {
        var result: [String: String] = [:]
        try expect(UInt8(ascii: "{"))
        guard !next(is: UInt8(ascii: "}")) else { return result }
        repeat {
            skipWhitespace()
            let name = try string()
            guard result[name] == nil else { throw fail("duplicate label \"\(name)\"") }
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            result[name] = try string()
        } while next(is: UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
        return result
    }

    /// A JSON string at the current position, escapes decoded (surrogate pairs included).
    private mutating func string() throws(AlertLineError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush()
                scalars.append(try escape())
            case 0..<0x20:
                throw fail("control character in a string")
            default:
                run.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func escape() throws(AlertLineError) -> Unicode.Scalar {
        guard index < bytes.count else { throw fail("unterminated escape") }
        let kind = bytes[index]
        index += 1
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(kind)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hexQuad()
            guard (0xD800..<0xDC00).contains(high) else {
                guard let scalar = Unicode.Scalar(high) else { throw fail("lone low surrogate") }
                return scalar
            }
            guard literal("\\u") else { throw fail("high surrogate without its low half") }
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low),
                  let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
                throw fail("invalid surrogate pair")
            }
            return scalar
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func hexQuad() throws(AlertLineError) -> UInt32 {
        guard bytes.count - index >= 4, bytes[index..<index + 4].allSatisfy({ "0123456789abcdefABCDEF".utf8.contains($0) }),
              let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw fail("expected four hex digits")
        }
        index += 4
        return value
    }
}
