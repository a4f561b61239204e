extension HTTPMessageParser {
    /// Parses the request line or status line in `line`.
    mutating func parseStartLine(_ line: Line) throws(HTTPParseError) {
        let role = self.role
        let result = buffer.withUnsafeBufferPointer { bytes -> Result<StartLine, HTTPParseError> in
            let view = UnsafeBufferPointer(rebasing: bytes[line.range])
            switch role {
            case .request: return HTTPStartLineParser.requestLine(view)
            case .response: return HTTPStartLineParser.statusLine(view)
            }
        }
        switch result {
        case let .success(parsed):
            startLine = parsed
            fields.removeAll(keepingCapacity: true)
            framingFields.removeAll(keepingCapacity: true)
        case let .failure(failure):
            throw error(failure.reason, .startLine, line: line.number, at: line.offset)
        }
    }
}

/// Request lines and status lines (RFC 9112 §3, §4), parsed from one line's bytes.
///
/// Errors carry only the reason; the parser adds where it was.
enum HTTPStartLineParser {
    private static func failure(_ reason: HTTPParseError.Reason) -> Result<HTTPMessageParser.StartLine, HTTPParseError> {
        .failure(HTTPParseError(reason, section: .startLine))
    }

    /// `method SP request-target SP HTTP-version`, single spaces, nothing else.
    static func requestLine(_ line: UnsafeBufferPointer<UInt8>) -> Result<HTTPMessageParser.StartLine, HTTPParseError> {
        guard let firstSpace = line.firstIndex(of: HTTPSyntax.space) else { return failure(.invalidRequestLine) }
        let afterMethod = firstSpace + 1
        guard let secondSpace = line[afterMethod...].firstIndex(of: HTTPSyntax.space),
              secondSpace > afterMethod,
              !line[(secondSpace + 1)...].contains(HTTPSyntax.space),
              firstSpace > 0
        else { return failure(.invalidRequestLine) }
        let methodBytes = UnsafeBufferPointer(rebasing: line[..<firstSpace])
        guard methodBytes.allSatisfy(HTTPSyntax.isTokenByte) else {
            return failure(line.contains(HTTPSyntax.cr) ? .bareCarriageReturn : .invalidMethod)
        }
        let targetBytes = UnsafeBufferPointer(rebasing: line[afterMethod..<secondSpace])
        guard targetBytes.allSatisfy(HTTPSyntax.isTargetByte) else {
            return failure(targetBytes.contains(HTTPSyntax.cr) ? .bareCarriageReturn : .invalidTarget)
        }
        let version: HTTPVersion
        switch parseVersion(UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...])) {
        case let .success(parsed): version = parsed
        case let .failure(failure): return .failure(failure)
        }
        let method = makeMethod(methodBytes)
        guard isAcceptableTarget(targetBytes, for: method) else { return failure(.invalidTarget) }
        return .success(.request(method: method, target: String(decoding: targetBytes, as: UTF8.self), version: version))
    }

    /// `HTTP-version SP 3DIGIT [SP reason-phrase]` (a missing final SP is tolerated).
    static func statusLine(_ line: UnsafeBufferPointer<UInt8>) -> Result<HTTPMessageParser.StartLine, HTTPParseError> {
        guard line.count >= 12, line[8] == HTTPSyntax.space else {
            if line.count >= 8, case let .failure(failure) = parseVersion(UnsafeBufferPointer(rebasing: line[..<8])) {
                return .failure(failure)
            }
            return failure(.invalidStatusLine)
        }
        let version: HTTPVersion
        switch parseVersion(UnsafeBufferPointer(rebasing: line[..<8])) {
        case let .success(parsed): version = parsed
        case let .failure(failure): return .failure(failure)
        }
        let digits = line[9..<12]
        guard digits.allSatisfy(HTTPSyntax.isDigit) else { return failure(.invalidStatusCode) }
        let code = digits.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
        guard (100...599).contains(code) else { return failure(.invalidStatusCode) }
        var phrase = ""
        if line.count > 12 {
            guard line[12] == HTTPSyntax.space else { return failure(.invalidStatusLine) }
            let phraseBytes = UnsafeBufferPointer(rebasing: line[13...])
            guard phraseBytes.allSatisfy(HTTPSyntax.isFieldValueByte) else {
                return failure(phraseBytes.contains(HTTPSyntax.cr) ? .bareCarriageReturn : .invalidStatusLine)
            }
            phrase = String(decoding: phraseBytes, as: UTF8.self)
        }
        return .success(.response(version: version, status: HTTPStatus(code: code, reasonPhrase: phrase)))
    }

    /// `HTTP/DIGIT.DIGIT`; only 1.0 and 1.1 are accepted.
    static func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<HTTPVersion, HTTPParseError> {
        guard bytes.count == 8,
              bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
              bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"), HTTPSyntax.isDigit(bytes[5]),
              bytes[6] == UInt8(ascii: "."), HTTPSyntax.isDigit(bytes[7])
        else { return .failure(HTTPParseError(.invalidVersion, section: .startLine)) }
        let major = bytes[5] &- UInt8(ascii: "0")
        let minor = bytes[7] &- UInt8(ascii: "0")
        guard major == 1, minor <= 1 else {
            return .failure(HTTPParseError(.unsupportedVersion(major: major, minor: minor), section: .startLine))
        }
        return .success(minor == 1 ? .http1_1 : .http1_0)
    }

    /// The method, reusing the constants' storage for the common ones.
    private static func makeMethod(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPMethod {
        switch bytes.count {
        case 3:
            if bytes.elementsEqual("GET".utf8) { return .get }
            if bytes.elementsEqual("PUT".utf8) { return .put }
        case 4:
            if bytes.elementsEqual("POST".utf8) { return .post }
            if bytes.elementsEqual("HEAD".utf8) { return .head }
        default:
            break
        }
        return HTTPMethod(String(decoding: bytes, as: UTF8.self))
    }

    /// Origin form for every method; `*` only for `OPTIONS`; authority form only for
    /// `CONNECT`; absolute form (`scheme://…`) for every method but `CONNECT`.
    private static func isAcceptableTarget(_ target: UnsafeBufferPointer<UInt8>, for method: HTTPMethod) -> Bool {
        guard let first = target.first else { return false }
        if method == .connect {
            // authority-form: host:port, no path.
            return !target.contains(UInt8(ascii: "/")) && target.contains(HTTPSyntax.colon)
        }
        if first == UInt8(ascii: "/") { return true }
        if target.count == 1 && first == UInt8(ascii: "*") { return method == .options }
        return hasSchemeAndAuthority(target)
    }

    /// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://"` at the start.
    private static func hasSchemeAndAuthority(_ target: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = target.first, HTTPSyntax.lowercased(first) >= UInt8(ascii: "a"), HTTPSyntax.lowercased(first) <= UInt8(ascii: "z") else {
            return false
        }
        var index = 1
        while index < target.count {
            let byte = target[index]
            if byte == HTTPSyntax.colon {
                return index + 2 < target.count && target[index + 1] == UInt8(ascii: "/") && target[index + 2] == UInt8(ascii: "/")
            }
            let lower = HTTPSyntax.lowercased(byte)
            let isSchemeByte = (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || HTTPSyntax.isDigit(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isSchemeByte else { return false }
            index += 1
        }
        return false
    }
}
