/// Parses one line of the event schema into an ``IntegrityEvent`` — by hand, without Foundation,
/// without allocating.
///
/// Accepts any JSON the schema allows: keys in any order, any JSON whitespace (and a trailing
/// `\r`), and JSON string escapes in keys and values (`"\u002B1415…"` is a number). Refuses, with
/// a typed ``EventLineError`` naming the line and column: anything that is not one JSON object,
/// duplicate and unknown keys, missing required keys, keys that the event's kind does not carry
/// (`category` on a `u2b` message, `reason` on a `message`), unknown kinds, directions,
/// categories and reasons, numbers that are not integers or are out of range, numbers that are
/// not E.164, and a business messaging itself.
///
/// `category` may be `null` (the same as absent); no other value may be.
public struct EventLineParser: Sendable {
    /// The longest key or string value that can be valid (a `+` and 15 digits).
    public static let maximumStringBytes = 16

    /// Creates a parser.
    public init() {}

    /// Parses the UTF-8 bytes of one line (without its newline); `lineNumber` is put in errors.
    public func parse(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(EventLineError) -> IntegrityEvent {
        var cursor = EventLineCursor(bytes: line, lineNumber: lineNumber)
        return try cursor.parseEvent()
    }

    /// Parses one line given as text.
    public func parse(_ line: String, lineNumber: Int) throws(EventLineError) -> IntegrityEvent {
        var copy = line
        let result = copy.withUTF8 { bytes in
            Result { () throws(EventLineError) in try parse(UnsafeRawBufferPointer(bytes), lineNumber: lineNumber) }
        }
        return try result.get()
    }
}

/// The schema's keys; the raw value is the key's bit in ``EventLineCursor/Fields/seen``.
enum EventField: Int, CaseIterable {
    case time = 0, kind, business, user, direction, bytes, category, reason

    /// The key as it appears in JSON.
    var name: String {
        switch self {
        case .time: "t"
        case .kind: "kind"
        case .business: "business"
        case .user: "user"
        case .direction: "dir"
        case .bytes: "bytes"
        case .category: "category"
        case .reason: "reason"
        }
    }

    var bit: UInt16 { 1 << UInt16(rawValue) }

    /// The field a scanned key names, or nil.
    init?(key: ScannedString) {
        switch key.count {
        case 1 where key == EventTokens.t: self = .time
        case 3 where key == EventTokens.dir: self = .direction
        case 4 where key == EventTokens.kind: self = .kind
        case 4 where key == EventTokens.user: self = .user
        case 5 where key == EventTokens.bytes: self = .bytes
        case 6 where key == EventTokens.reason: self = .reason
        case 8 where key == EventTokens.business: self = .business
        case 8 where key == EventTokens.category: self = .category
        default: return nil
        }
    }
}

/// The schema's keys and values in packed form.
enum EventTokens {
    static let t = ScannedString("t")
    static let kind = ScannedString("kind")
    static let business = ScannedString("business")
    static let user = ScannedString("user")
    static let dir = ScannedString("dir")
    static let bytes = ScannedString("bytes")
    static let category = ScannedString("category")
    static let reason = ScannedString("reason")

    static let message = ScannedString("message")
    static let delivered = ScannedString("delivered")
    static let read = ScannedString("read")
    static let block = ScannedString("block")
    static let report = ScannedString("report")

    static let b2u = ScannedString("b2u")
    static let u2b = ScannedString("u2b")

    static let marketing = ScannedString("marketing")
    static let utility = ScannedString("utility")
    static let authentication = ScannedString("authentication")
    static let service = ScannedString("service")

    static let spam = ScannedString("spam")
    static let scam = ScannedString("scam")
    static let offensive = ScannedString("offensive")
    static let other = ScannedString("other")
    static let didntSignUp = ScannedString("didnt_sign_up")
    static let noLongerNeeded = ScannedString("no_longer_needed")
    static let noReason = ScannedString("no_reason")
}
