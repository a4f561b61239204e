extension HTTPMessageParser {
    /// Parses a chunk-size line (RFC 9112 §7.1): the size in hex, then extensions, which are
    /// checked and ignored. A zero size starts the trailer section.
    mutating func parseChunkHeader(_ line: Line) throws(HTTPParseError) {
        let result = buffer.withUnsafeBufferPointer { bytes in
            HTTPChunkHeaderParser.parse(UnsafeBufferPointer(rebasing: bytes[line.range]))
        }
        let size: Int
        switch result {
        case let .success(parsed): size = parsed
        case let .failure(failure): throw error(failure.reason, .body, at: line.offset)
        }
        if size == 0 {
            beginTrailers()
            return
        }
        guard size <= limits.maximumBodySize - chunkedTotal else {
            throw error(.bodyTooLarge(limit: limits.maximumBodySize), .body, at: line.offset)
        }
        chunkedTotal += size
        setBodyState(.chunkData(remaining: size))
    }
}

/// `chunk-size [ chunk-ext ]` where `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`
/// and `ext-val = token / quoted-string`.
enum HTTPChunkHeaderParser {
    /// Hex digits beyond this many would overflow (and no limit is that large).
    static let maximumSizeDigits = 15

    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Result<Int, HTTPParseError> {
        func failure(_ reason: HTTPParseError.Reason) -> Result<Int, HTTPParseError> {
            .failure(HTTPParseError(reason, section: .body))
        }
        var index = 0
        var size = 0
        while index < line.count, let digit = HTTPSyntax.hexValue(line[index]) {
            // Leading zeros are allowed; only significant digits count toward the bound.
            if size > 0 || digit > 0 {
                guard size < 1 << (4 * (maximumSizeDigits - 1)) else { return failure(.invalidChunkSize) }
            }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { return failure(line.contains(HTTPSyntax.cr) ? .bareCarriageReturn : .invalidChunkSize) }
        let sizeEnd = index
        while index < line.count {
            let spaceStart = index
            index = skipWhitespace(line, from: index)
            guard index < line.count, line[index] == HTTPSyntax.semicolon else {
                if index < line.count && line[index] == HTTPSyntax.cr { return failure(.bareCarriageReturn) }
                // Junk (or bare whitespace) right after the digits belongs to the size.
                return failure(spaceStart == sizeEnd ? .invalidChunkSize : .invalidChunkExtension)
            }
            index = skipWhitespace(line, from: index + 1)
            let nameStart = index
            while index < line.count && HTTPSyntax.isTokenByte(line[index]) { index += 1 }
            guard index > nameStart else { return failure(.invalidChunkExtension) }
            let afterName = skipWhitespace(line, from: index)
            guard afterName < line.count, line[afterName] == HTTPSyntax.equals else {
                index = afterName
                continue
            }
            index = skipWhitespace(line, from: afterName + 1)
            guard index < line.count else { return failure(.invalidChunkExtension) }
            if line[index] == HTTPSyntax.quote {
                guard let end = quotedStringEnd(line, from: index) else { return failure(.invalidChunkExtension) }
                index = end
            } else {
                let valueStart = index
                while index < line.count && HTTPSyntax.isTokenByte(line[index]) { index += 1 }
                guard index > valueStart else { return failure(.invalidChunkExtension) }
            }
        }
        return .success(size)
    }

    private static func skipWhitespace(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < line.count && HTTPSyntax.isWhitespace(line[index]) { index += 1 }
        return index
    }

    /// The index after the closing quote of the quoted string opening at `start`, or nil.
    private static func quotedStringEnd(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < line.count {
            let byte = line[index]
            if byte == HTTPSyntax.quote { return index + 1 }
            if byte == HTTPSyntax.backslash {
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard index + 1 < line.count, HTTPSyntax.isFieldValueByte(line[index + 1]) else { return nil }
                index += 2
                continue
            }
            guard HTTPSyntax.isQuotedTextByte(byte) else { return nil }
            index += 1
        }
        return nil
    }
}
