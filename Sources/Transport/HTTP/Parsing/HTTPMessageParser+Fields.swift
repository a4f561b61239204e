import Glibc

extension HTTPMessageParser {
    /// Parses one header or trailer field line and appends the field.
    mutating func parseFieldLine(_ line: Line, section: HTTPParseError.Section) throws(HTTPParseError) {
        guard fields.count < limits.maximumFieldCount else {
            throw error(.tooManyFields(limit: limits.maximumFieldCount), section, line: line.number, at: line.offset)
        }
        let isFirst = section == .headers && line.number == 2
        let parsed: (HTTPField, HTTPFieldLineParser.FramingField?)
        do {
            parsed = try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in
                try HTTPFieldLineParser.parse(UnsafeBufferPointer(rebasing: bytes[line.range]), isFirstAfterStartLine: isFirst)
            }
        } catch {
            throw self.error(error.reason, section, line: line.number, at: line.offset)
        }
        if fields.capacity == 0 { fields.reserveCapacity(16) }
        if let kind = parsed.1, section == .headers { framingFields.append((kind, fields.count)) }
        fields.append(parsed.0)
    }
}

/// `field-name ":" OWS field-value OWS` (RFC 9112 §5), strictly: no obsolete folding, no
/// whitespace before the colon, no control characters in the value.
enum HTTPFieldLineParser {
    /// The fields that decide framing and routing of a message, recognized while parsing so the
    /// head is not searched by name afterwards.
    enum FramingField: Sendable {
        case contentLength
        case transferEncoding
        case host
        case expect
    }

    /// The field on `line`; errors carry only the reason (the parser adds where).
    static func parse(_ line: UnsafeBufferPointer<UInt8>, isFirstAfterStartLine: Bool) throws(HTTPParseError) -> (HTTPField, FramingField?) {
        func failure(_ reason: HTTPParseError.Reason) -> HTTPParseError {
            HTTPParseError(reason, section: .headers)
        }
        guard let first = line.first else { throw failure(.missingColon) }
        if HTTPSyntax.isWhitespace(first) {
            throw failure(isFirstAfterStartLine ? .whitespaceAfterStartLine : .obsoleteLineFolding)
        }
        guard let base = line.baseAddress, memchr(base, Int32(HTTPSyntax.colon), line.count) != nil else {
            throw failure(line.contains(HTTPSyntax.cr) ? .bareCarriageReturn : .missingColon)
        }
        var index = 0
        while index < line.count && HTTPSyntax.isTokenByte(line[index]) { index += 1 }
        let nameEnd = index
        if line[index] != HTTPSyntax.colon {
            if HTTPSyntax.isWhitespace(line[index]) {
                var probe = index
                while probe < line.count && HTTPSyntax.isWhitespace(line[probe]) { probe += 1 }
                if probe < line.count && line[probe] == HTTPSyntax.colon && nameEnd > 0 { throw failure(.whitespaceBeforeColon) }
            }
            throw failure(line[index] == HTTPSyntax.cr ? .bareCarriageReturn : .invalidFieldName)
        }
        guard nameEnd > 0 else { throw failure(.invalidFieldName) }
        var valueStart = nameEnd + 1
        var valueEnd = line.count
        while valueStart < valueEnd && HTTPSyntax.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && HTTPSyntax.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        let nameBytes = UnsafeBufferPointer(rebasing: line[..<nameEnd])
        let name = String(decoding: nameBytes, as: UTF8.self)
        let valueBytes = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
        for byte in valueBytes where !HTTPSyntax.isFieldValueByte(byte) {
            throw failure(byte == HTTPSyntax.cr ? .bareCarriageReturn : .invalidFieldValue(name: name))
        }
        return (HTTPField(name: name, value: String(decoding: valueBytes, as: UTF8.self)), classify(nameBytes))
    }

    /// Which framing field `name` names, if any (case-insensitive).
    static func classify(_ name: UnsafeBufferPointer<UInt8>) -> FramingField? {
        switch name.count {
        case 4: return equalsIgnoringCase(name, "host") ? .host : nil
        case 6: return equalsIgnoringCase(name, "expect") ? .expect : nil
        case 14: return equalsIgnoringCase(name, "content-length") ? .contentLength : nil
        case 17: return equalsIgnoringCase(name, "transfer-encoding") ? .transferEncoding : nil
        default: return nil
        }
    }

    /// Whether `bytes` equal the lowercase ASCII `lowercase` ignoring case.
    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            guard expected.count == bytes.count else { return false }
            for index in 0..<bytes.count where HTTPSyntax.lowercased(bytes[index]) != expected[index] {
                return false
            }
            return true
        }
    }
}
