import Transport

// Values: strings with escapes, integers, null, and the per-field interpretation.
extension EventLineCursor {
    /// Parses the value of `field` at the current position.
    mutating func parseValue(of field: EventField, into fields: inout Fields) throws(EventLineError) {
        switch field {
        case .time:
            fields.time = try integer(for: field, in: IntegrityEvent.timeRange)
        case .bytes:
            fields.bytes = Int(try integer(for: field, in: 0...Int64(IntegrityEvent.maximumBytes)))
        case .kind:
            fields.kind = try string(for: field)
        case .reason:
            fields.reason = try string(for: field)
        case .business, .user:
            let column = index + 1
            let text = try string(for: field)
            guard let number = Self.phoneNumber(text) else { throw error(.invalidPhoneNumber(field: field.name), column: column) }
            if field == .business { fields.business = number } else { fields.user = number }
        case .direction:
            let column = index + 1
            let text = try string(for: field)
            switch text {
            case EventTokens.b2u: fields.direction = .businessToUser
            case EventTokens.u2b: fields.direction = .userToBusiness
            default: throw error(.unknownDirection, column: column)
            }
        case .category:
            if peek() == UInt8(ascii: "n") {
                try literal("null", field: field)
                fields.seen &= ~field.bit
                return
            }
            let column = index + 1
            guard peek() == nil || peek() == UInt8(ascii: "\"") else {
                throw error(.wrongType(field: field.name, expected: "a string or null"))
            }
            let text = try string(for: field)
            switch text {
            case EventTokens.marketing: fields.category = .marketing
            case EventTokens.utility: fields.category = .utility
            case EventTokens.authentication: fields.category = .authentication
            case EventTokens.service: fields.category = .service
            default: throw error(.unknownCategory, column: column)
            }
        }
    }

    /// A string value (the opening quote not yet consumed), or a wrong-type error.
    private mutating func string(for field: EventField) throws(EventLineError) -> ScannedString {
        guard let next = peek() else { throw error(.unexpectedEnd(expected: "a value")) }
        guard next == UInt8(ascii: "\"") else { throw error(.wrongType(field: field.name, expected: "a string")) }
        index &+= 1
        return try scanString()
    }

    /// Reads the literal `word` (`null`).
    private mutating func literal(_ word: StaticString, field: EventField) throws(EventLineError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error(.unexpectedEnd(expected: "\(word)")) }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error(.wrongType(field: field.name, expected: "a string or null"))
        }
        index += count
    }

    /// The rest of a string after its opening quote, through the closing quote, unescaped.
    mutating func scanString() throws(EventLineError) -> ScannedString {
        var text = ScannedString()
        while index < bytes.count {
            let byte = bytes[index]
            index &+= 1
            switch byte {
            case UInt8(ascii: "\""):
                return text
            case UInt8(ascii: "\\"):
                try scanEscape(into: &text)
            case 0..<0x20:
                index &-= 1
                throw error(.invalidString("unescaped control character"))
            default:
                text.append(byte)
            }
        }
        throw error(.unexpectedEnd(expected: "the end of a string"))
    }

    /// One escape after its backslash; `\uXXXX` (with surrogate pairs) becomes UTF-8.
    private mutating func scanEscape(into text: inout ScannedString) throws(EventLineError) {
        guard let kind = peek() else { throw error(.unexpectedEnd(expected: "an escape")) }
        index &+= 1
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(kind)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0c)
        case UInt8(ascii: "n"): text.append(0x0a)
        case UInt8(ascii: "r"): text.append(0x0d)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xd800..<0xdc00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error(.invalidString("unpaired surrogate"))
                }
                index &+= 2
                let low = try hexQuad()
                guard (0xdc00..<0xe000).contains(low) else { throw error(.invalidString("unpaired surrogate")) }
                scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
            } else if (0xdc00..<0xe000).contains(scalar) {
                throw error(.invalidString("unpaired surrogate"))
            }
            Self.appendUTF8(scalar, to: &text)
        default:
            index &-= 1
            throw error(.invalidString("unknown escape"))
        }
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hexQuad() throws(EventLineError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error(.unexpectedEnd(expected: "four hex digits")) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidString("bad \\u escape"))
            }
            value = value << 4 | UInt32(digit)
            index &+= 1
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to text: inout ScannedString) {
        switch scalar {
        case 0..<0x80:
            text.append(UInt8(scalar))
        case 0x80..<0x800:
            text.append(UInt8(0xc0 | scalar >> 6))
            text.append(UInt8(0x80 | scalar & 0x3f))
        case 0x800..<0x10000:
            text.append(UInt8(0xe0 | scalar >> 12))
            text.append(UInt8(0x80 | scalar >> 6 & 0x3f))
            text.append(UInt8(0x80 | scalar & 0x3f))
        default:
            text.append(UInt8(0xf0 | scalar >> 18))
            text.append(UInt8(0x80 | scalar >> 12 & 0x3f))
            text.append(UInt8(0x80 | scalar >> 6 & 0x3f))
            text.append(UInt8(0x80 | scalar & 0x3f))
        }
    }

    /// A JSON number that must be an integer within `range`.
    private mutating func integer(for field: EventField, in range: ClosedRange<Int64>) throws(EventLineError) -> Int64 {
        let start = index
        guard let first = peek() else { throw error(.unexpectedEnd(expected: "a value")) }
        let negative = first == UInt8(ascii: "-")
        if negative { index &+= 1 }
        guard let lead = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(lead) else {
            if negative { throw error(.unexpectedCharacter(expected: "a digit")) }
            throw error(.wrongType(field: field.name, expected: "an integer"))
        }
        var value: UInt64 = 0
        var overflow = false
        var digits = 0
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            if digits == 1 && lead == UInt8(ascii: "0") {
                throw error(.unexpectedCharacter(expected: "no leading zeros"))
            }
            // 19 digits stay below 10^19 < 2^64; more is out of any range we accept.
            if digits < 19 { value = value &* 10 &+ UInt64(byte &- UInt8(ascii: "0")) } else { overflow = true }
            digits &+= 1
            index &+= 1
        }
        var fractional = false
        if peek() == UInt8(ascii: ".") {
            index &+= 1
            try digitRun()
            fractional = true
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            index &+= 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index &+= 1 }
            try digitRun()
            fractional = true
        }
        guard !fractional else { throw error(.notAnInteger(field: field.name), column: start + 1) }
        guard !overflow, value <= UInt64(Int64.max) else { throw error(.outOfRange(field: field.name), column: start + 1) }
        let signed = negative ? -Int64(value) : Int64(value)
        guard range.contains(signed) else { throw error(.outOfRange(field: field.name), column: start + 1) }
        return signed
    }

    /// One or more digits (a number's fraction or exponent).
    private mutating func digitRun() throws(EventLineError) {
        guard let byte = peek() else { throw error(.unexpectedEnd(expected: "a digit")) }
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw error(.unexpectedCharacter(expected: "a digit")) }
        while let next = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) { index &+= 1 }
    }

    /// An E.164 number from its packed text: `+`, then 8–15 digits, the first not `0`.
    static func phoneNumber(_ text: ScannedString) -> PhoneNumber? {
        guard text.count >= PhoneNumber.minimumDigitCount + 1, text.count <= PhoneNumber.maximumDigitCount + 1,
              text.byte(at: 0) == UInt8(ascii: "+") else { return nil }
        var digits: UInt64 = 0
        for position in 1..<text.count {
            let digit = text.byte(at: position) &- UInt8(ascii: "0")
            guard digit < 10, position > 1 || digit != 0 else { return nil }
            // At most 15 digits: below 10^15, no overflow.
            digits = digits &* 10 &+ UInt64(digit)
        }
        return PhoneNumber(digits: digits)
    }
}
