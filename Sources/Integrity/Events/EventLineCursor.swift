import Transport

/// The parser's state for one line: the bytes, the read position, and the fields seen so far.
/// A value on the stack; nothing here allocates.
struct EventLineCursor {
    let bytes: UnsafeRawBufferPointer
    let lineNumber: Int
    var index = 0

    /// What the object has said so far; resolved into an event once the object is closed.
    struct Fields {
        var seen: UInt16 = 0
        var time: Int64 = 0
        var kind = ScannedString()
        var business: PhoneNumber?
        var user: PhoneNumber?
        var direction: MessageDirection = .businessToUser
        var bytes = 0
        var category: MessageCategory?
        var reason = ScannedString()
        /// The 1-based column of each field's value, for errors found after the object closes.
        var columns: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)

        func has(_ field: EventField) -> Bool { seen & field.bit != 0 }

        func column(of field: EventField) -> Int {
            switch field {
            case .time: columns.0
            case .kind: columns.1
            case .business: columns.2
            case .user: columns.3
            case .direction: columns.4
            case .bytes: columns.5
            case .category: columns.6
            case .reason: columns.7
            }
        }

        mutating func setColumn(_ column: Int, of field: EventField) {
            switch field {
            case .time: columns.0 = column
            case .kind: columns.1 = column
            case .business: columns.2 = column
            case .user: columns.3 = column
            case .direction: columns.4 = column
            case .bytes: columns.5 = column
            case .category: columns.6 = column
            case .reason: columns.7 = column
            }
        }
    }

    init(bytes: UnsafeRawBufferPointer, lineNumber: Int) {
        self.bytes = bytes
        self.lineNumber = lineNumber
    }

    /// An error at the current position (or at `column`).
    func error(_ reason: EventLineError.Reason, column: Int? = nil) -> EventLineError {
        EventLineError(line: lineNumber, column: column ?? (index + 1), reason: reason)
    }

    /// The byte at the current position, or nil at the end of the line.
    @inline(__always)
    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    /// Skips JSON whitespace (space, tab, carriage return, line feed).
    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0d, 0x0a: index &+= 1
            default: return
            }
        }
    }

    /// Consumes `byte` or fails, saying what was expected.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ expected: String) throws(EventLineError) {
        guard let next = peek() else { throw error(.unexpectedEnd(expected: expected)) }
        guard next == byte else { throw error(.unexpectedCharacter(expected: expected)) }
        index &+= 1
    }

    /// The whole line: one object, then only whitespace.
    mutating func parseEvent() throws(EventLineError) -> IntegrityEvent {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            throw peek() == nil ? error(.unexpectedEnd(expected: "'{'")) : error(.notAnObject)
        }
        index &+= 1
        var fields = Fields()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index &+= 1
        } else {
            try parseMembers(into: &fields)
        }
        skipWhitespace()
        guard index == bytes.count else { throw error(.trailingCharacters) }
        return try resolve(fields)
    }

    /// `"key": value` pairs up to and including the closing brace.
    private mutating func parseMembers(into fields: inout Fields) throws(EventLineError) {
        while true {
            let keyColumn = index + 1
            try expect(UInt8(ascii: "\""), "a key in quotes")
            let key = try scanString()
            guard let field = EventField(key: key) else {
                throw error(.unknownField(key.printablePrefix), column: keyColumn)
            }
            guard !fields.has(field) else { throw error(.duplicateField(field.name), column: keyColumn) }
            fields.seen |= field.bit
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            fields.setColumn(index + 1, of: field)
            try parseValue(of: field, into: &fields)
            skipWhitespace()
            guard let next = peek() else { throw error(.unexpectedEnd(expected: "',' or '}'")) }
            index &+= 1
            switch next {
            case UInt8(ascii: ","):
                skipWhitespace()
            case UInt8(ascii: "}"):
                return
            default:
                index &-= 1
                throw error(.unexpectedCharacter(expected: "',' or '}'"))
            }
        }
    }
}
