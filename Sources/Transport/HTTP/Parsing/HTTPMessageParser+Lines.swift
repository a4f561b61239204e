import Glibc

extension HTTPMessageParser {
    /// A complete line: its content (without the terminator) as buffer indices, and the stream
    /// offset of its first byte.
    struct Line {
        let range: Range<Int>
        let offset: UInt64
        let number: Int
    }

    /// Takes the next complete line, or returns nil (remembering how far it looked) when the
    /// buffer holds only part of one.
    ///
    /// `budget` is the most bytes the line may take with its terminator; a line that cannot fit
    /// throws as soon as that is certain, so the verdict does not depend on how the stream was
    /// split. The line counts toward `sectionSize` and `lineNumber`.
    mutating func nextLine(budget: Int, section: HTTPParseError.Section) throws(HTTPParseError) -> Line? {
        let start = readIndex
        let end = buffer.count
        let offset = streamOffset
        let number = lineNumber + 1
        guard let newline = findLineFeed(from: start + scanned, to: end) else {
            scanned = end - start
            if scanned >= budget { throw lineTooLong(section, line: number, at: offset) }
            return nil
        }
        let length = newline + 1 - start
        if length > budget { throw lineTooLong(section, line: number, at: offset) }
        var contentEnd = newline
        if newline > start && buffer[newline - 1] == HTTPSyntax.cr {
            contentEnd = newline - 1
        } else if !limits.acceptsBareLineFeed {
            throw error(.bareLineFeed, section, line: section == .body ? nil : number, at: offset)
        }
        consume(length)
        if section != .body {
            sectionSize += length
            lineNumber = number
        }
        return Line(range: start..<contentEnd, offset: offset, number: number)
    }

    private func lineTooLong(_ section: HTTPParseError.Section, line: Int, at offset: UInt64) -> HTTPParseError {
        switch section {
        case .body:
            return error(.chunkHeaderTooLarge(limit: limits.maximumChunkHeaderSize), .body, at: offset)
        case .startLine, .headers, .trailers:
            return error(.headTooLarge(limit: limits.maximumHeadSize), section, line: line, at: offset)
        }
    }

    /// The index of the first LF in `buffer[from..<to]`.
    private func findLineFeed(from: Int, to: Int) -> Int? {
        guard from < to else { return nil }
        return buffer.withUnsafeBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, let found = memchr(base + from, Int32(HTTPSyntax.lf), to - from) else {
                return nil
            }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// After a chunk's data: consumes its CRLF (or a bare LF when accepted); false if it has not
    /// fully arrived.
    mutating func consumeChunkTerminator() throws(HTTPParseError) -> Bool {
        let available = buffer.count - readIndex
        guard available > 0 else { return false }
        let first = buffer[readIndex]
        if first == HTTPSyntax.lf && limits.acceptsBareLineFeed {
            consume(1)
            return true
        }
        guard first == HTTPSyntax.cr else {
            throw error(first == HTTPSyntax.lf ? .bareLineFeed : .missingChunkTerminator, .body, at: streamOffset)
        }
        guard available > 1 else { return false }
        guard buffer[readIndex + 1] == HTTPSyntax.lf else {
            throw error(.missingChunkTerminator, .body, at: streamOffset)
        }
        consume(2)
        return true
    }
}
