/// Why a message could not be written: a value that would break the framing (header
/// injection, an invalid token) was refused.
public enum HTTPEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The method is not a token.
    case invalidMethod(String)
    /// The target is empty or has a byte outside visible ASCII.
    case invalidTarget(String)
    /// A field name is not a token.
    case invalidFieldName(String)
    /// A field value contains CR, LF, NUL or another control character.
    case invalidFieldValue(name: String)
    /// The status code is outside 100…599 (or 101, which would switch protocols).
    case invalidStatusCode(Int)
    /// The reason phrase contains a control character.
    case invalidReasonPhrase(String)

    /// One line.
    public var description: String {
        switch self {
        case let .invalidMethod(method): return "method \"\(method)\" is not a token"
        case let .invalidTarget(target): return "invalid request target \"\(target)\""
        case let .invalidFieldName(name): return "header field name \"\(name)\" is not a token"
        case let .invalidFieldValue(name): return "value of header field \(name) contains a control character"
        case let .invalidStatusCode(code): return "status code \(code) cannot be sent"
        case let .invalidReasonPhrase(phrase): return "reason phrase \"\(phrase)\" contains a control character"
        }
    }
}

/// Helpers both encoders use.
enum HTTPEncoding {
    static let crlf: [UInt8] = [HTTPSyntax.cr, HTTPSyntax.lf]

    /// Whether `name` is one of the fields the encoders own (framing and connection management).
    static func isFramingField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 14: return HTTPHeaders.nameEquals(name, "Content-Length")
        case 17: return HTTPHeaders.nameEquals(name, "Transfer-Encoding")
        case 10: return HTTPHeaders.nameEquals(name, "Connection") || HTTPHeaders.nameEquals(name, "Keep-Alive")
        default: return false
        }
    }

    /// Appends `name: value CRLF` after checking both.
    static func appendField(name: String, value: String, to buffer: inout [UInt8]) throws(HTTPEncodingError) {
        guard HTTPSyntax.isToken(name) else { throw .invalidFieldName(name) }
        // Leading or trailing whitespace would be stripped by the peer; control bytes could inject lines.
        guard value.utf8.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .invalidFieldValue(name: name) }
        buffer.append(contentsOf: name.utf8)
        buffer.append(HTTPSyntax.colon)
        buffer.append(HTTPSyntax.space)
        buffer.append(contentsOf: value.utf8)
        buffer.append(contentsOf: crlf)
    }

    /// Appends the decimal digits of a non-negative `value`.
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        precondition(value >= 0, "negative length")
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[index]) }
        }
    }
}
