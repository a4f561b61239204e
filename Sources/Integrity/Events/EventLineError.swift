/// Why one line of an event file was refused: the line number, the byte column where the problem
/// was found, and the reason. The description never quotes a field's value — a value may be a
/// consumer's phone number — only the schema's own names.
public struct EventLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number in the input.
    public let line: Int
    /// The 1-based byte column where the problem was detected (0 when it concerns the whole line).
    public let column: Int
    /// What is wrong.
    public let reason: Reason

    /// Creates an error.
    public init(line: Int, column: Int, reason: Reason) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// The closed set of reasons a line is refused.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The line is not a JSON object.
        case notAnObject
        /// A byte that JSON does not allow here; `expected` says what would have been valid.
        case unexpectedCharacter(expected: String)
        /// The line ended inside the object; `expected` says what was still missing.
        case unexpectedEnd(expected: String)
        /// A string with a bad escape, an unescaped control character or invalid UTF-16 surrogates.
        case invalidString(String)
        /// Something other than whitespace after the closing brace.
        case trailingCharacters
        /// The same key twice in one object.
        case duplicateField(String)
        /// A key the schema does not have (its first 16 bytes, non-printable ones as `?`).
        case unknownField(String)
        /// A required key is missing.
        case missingField(String)
        /// A key that this kind of event must not carry.
        case fieldNotAllowed(String, context: String)
        /// A value of the wrong JSON type.
        case wrongType(field: String, expected: String)
        /// A number with a fraction or exponent where the schema wants an integer.
        case notAnInteger(field: String)
        /// An integer outside the field's range.
        case outOfRange(field: String)
        /// `kind` is not one of the schema's kinds.
        case unknownKind
        /// `dir` is neither `b2u` nor `u2b`.
        case unknownDirection
        /// `category` is not marketing, utility, authentication or service.
        case unknownCategory
        /// `reason` is not one of the reasons of this kind of event.
        case unknownReason(kind: String)
        /// `business` or `user` is not an E.164 number (`+` and 8–15 digits, no leading zero).
        case invalidPhoneNumber(field: String)
        /// `business` and `user` are the same number.
        case sameNumber
        /// The line is longer than the reader accepts.
        case lineTooLong(limit: Int)

        /// One phrase.
        public var description: String {
            switch self {
            case .notAnObject: "not a JSON object"
            case let .unexpectedCharacter(expected): "unexpected character, expected \(expected)"
            case let .unexpectedEnd(expected): "line ends early, expected \(expected)"
            case let .invalidString(why): "invalid string: \(why)"
            case .trailingCharacters: "characters after the closing brace"
            case let .duplicateField(name): "duplicate field \"\(name)\""
            case let .unknownField(name): "unknown field \"\(name)\""
            case let .missingField(name): "missing field \"\(name)\""
            case let .fieldNotAllowed(name, context): "field \"\(name)\" is not allowed on \(context)"
            case let .wrongType(field, expected): "field \"\(field)\" must be \(expected)"
            case let .notAnInteger(field): "field \"\(field)\" must be an integer"
            case let .outOfRange(field): "field \"\(field)\" is out of range"
            case .unknownKind: "unknown kind (expected message, delivered, read, block or report)"
            case .unknownDirection: "unknown dir (expected b2u or u2b)"
            case .unknownCategory: "unknown category (expected marketing, utility, authentication or service)"
            case let .unknownReason(kind):
                kind == "block"
                    ? "unknown block reason (expected spam, didnt_sign_up, offensive, no_longer_needed or no_reason)"
                    : "unknown report reason (expected spam, scam, offensive or other)"
            case let .invalidPhoneNumber(field): "field \"\(field)\" is not an E.164 number"
            case .sameNumber: "business and user are the same number"
            case let .lineTooLong(limit): "line longer than \(limit) bytes"
            }
        }
    }

    /// `line N, column C: reason`.
    public var description: String {
        column > 0 ? "line \(line), column \(column): \(reason)" : "line \(line): \(reason)"
    }
}
