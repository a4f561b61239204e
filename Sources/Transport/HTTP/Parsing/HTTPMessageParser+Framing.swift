extension HTTPMessageParser {
    /// What the framing fields of a head say (RFC 9112 §6).
    struct FramingFields {
        var contentLength: Int?
        var transferEncoding: [Substring] = []
        var hasTransferEncoding = false
        var hostCount = 0
        var hostValue: String?
        /// The first `Expect` element other than `100-continue`.
        var unsupportedExpectation: String?
    }

    /// The head is complete (the empty line at `offset` was read): checks framing and emits it.
    mutating func completeHead(at offset: UInt64) throws(HTTPParseError) -> Event {
        let headers = HTTPHeaders(fields)
        fields = []
        let lineAfterHead = lineNumber
        func fail(_ reason: HTTPParseError.Reason) -> HTTPParseError {
            error(reason, .headers, line: lineAfterHead, at: offset)
        }
        let framing = try scanFramingFields(headers, at: offset)
        switch startLine {
        case let .request(method, target, version):
            startLine = .none
            if version >= .http1_1 {
                if framing.hostCount == 0 { throw fail(.missingHost) }
            }
            if framing.hostCount > 1 { throw fail(.multipleHosts) }
            if let host = framing.hostValue, !host.utf8.allSatisfy(HTTPSyntax.isHostByte) { throw fail(.invalidHost) }
            // RFC 9110 §10.1.1: only 100-continue is defined; HTTP/1.0 requests' Expect is ignored.
            if version >= .http1_1, let expectation = framing.unsupportedExpectation {
                throw fail(.unsupportedExpectation(expectation))
            }
            let body = try bodyState(framing, version: version, isRequest: true, offset: offset)
            setBodyState(body)
            return .requestHead(HTTPRequestHead(method: method, target: target, version: version, headers: headers))
        case let .response(version, status):
            startLine = .none
            if status.code == 101 { throw fail(.unsupportedUpgrade) }
            if status.isInformational {
                // An interim response: no content, and the request still waits for its final one.
                setBodyState(.fixedBody(remaining: 0))
                return .responseHead(HTTPResponseHead(version: version, status: status, headers: headers))
            }
            guard !pendingMethods.isEmpty else { throw fail(.unsolicitedResponse) }
            let method = pendingMethods.removeFirst()
            if method == .head || status.forbidsContent {
                setBodyState(.fixedBody(remaining: 0))
            } else {
                setBodyState(try bodyState(framing, version: version, isRequest: false, offset: offset))
            }
            return .responseHead(HTTPResponseHead(version: version, status: status, headers: headers))
        case .none:
            preconditionFailure("head completed without a start line")
        }
    }

    /// The body state the framing fields call for (RFC 9112 §6.3).
    private func bodyState(_ framing: FramingFields, version: HTTPVersion, isRequest: Bool, offset: UInt64) throws(HTTPParseError) -> State {
        func fail(_ reason: HTTPParseError.Reason) -> HTTPParseError {
            error(reason, .headers, line: lineNumber, at: offset)
        }
        if framing.hasTransferEncoding {
            if framing.contentLength != nil { throw fail(.contentLengthWithTransferEncoding) }
            if version < .http1_1 { throw fail(.transferEncodingInHTTP10) }
            let codings = framing.transferEncoding
            let text = codings.joined(separator: ", ")
            let chunkedCount = codings.count { HTTPHeaders.nameEquals($0, "chunked") }
            guard let last = codings.last else { throw fail(.invalidTransferEncoding(text)) }
            let endsChunked = HTTPHeaders.nameEquals(last, "chunked")
            // A request whose final coding is not chunked has no determinable length (RFC 9112
            // §6.3 item 4); chunked may be applied once only (§7).
            if isRequest && !endsChunked { throw fail(.invalidTransferEncoding(text)) }
            if chunkedCount > 1 { throw fail(.invalidTransferEncoding(text)) }
            // Only `chunked` is implemented; other codings (gzip, …) cannot be decoded.
            guard codings.count == 1 && endsChunked else { throw fail(.unsupportedTransferCoding(text)) }
            return .chunkHeader
        }
        if let length = framing.contentLength {
            if length > limits.maximumBodySize { throw fail(.bodyTooLarge(limit: limits.maximumBodySize)) }
            return .fixedBody(remaining: length)
        }
        return isRequest ? .fixedBody(remaining: 0) : .bodyUntilClose
    }

    /// The values of `Content-Length`, `Transfer-Encoding`, `Host` and `Expect`, found while
    /// the field lines were parsed.
    private func scanFramingFields(_ headers: HTTPHeaders, at offset: UInt64) throws(HTTPParseError) -> FramingFields {
        var framing = FramingFields()
        for (kind, index) in framingFields {
            let value = headers[index].value
            switch kind {
            case .contentLength:
                let length = try parseContentLength(value, at: offset)
                if let previous = framing.contentLength, previous != length {
                    throw error(.conflictingContentLength, .headers, line: lineNumber, at: offset)
                }
                framing.contentLength = length
            case .transferEncoding:
                framing.hasTransferEncoding = true
                for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let coding = HTTPHeaders.trimmingWhitespace(element)
                    // A coding may carry parameters (`gzip;q=1`); the name is what matters.
                    let name = coding.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(HTTPHeaders.trimmingWhitespace) ?? coding
                    if !name.isEmpty { framing.transferEncoding.append(name) }
                }
            case .host:
                framing.hostCount += 1
                framing.hostValue = value
            case .expect:
                for element in value.split(separator: ",", omittingEmptySubsequences: false)
                where framing.unsupportedExpectation == nil && !HTTPHeaders.nameEquals(HTTPHeaders.trimmingWhitespace(element), "100-continue") {
                    framing.unsupportedExpectation = value
                }
            }
        }
        return framing
    }

    /// `1*DIGIT`, or a comma-separated list of equal ones (RFC 9110 §8.6).
    private func parseContentLength(_ value: String, at offset: UInt64) throws(HTTPParseError) -> Int {
        var result: Int?
        var current = 0
        var digits = 0
        // One pass over the bytes: digits, optional whitespace around commas.
        var utf8 = value.utf8.makeIterator()
        var sawSpaceAfterDigits = false
        func invalid() -> HTTPParseError { error(.invalidContentLength(value), .headers, line: lineNumber, at: offset) }
        func finishElement() throws(HTTPParseError) {
            guard digits > 0 else { throw invalid() }
            if let previous = result, previous != current {
                throw error(.conflictingContentLength, .headers, line: lineNumber, at: offset)
            }
            result = current
            current = 0
            digits = 0
            sawSpaceAfterDigits = false
        }
        while let byte = utf8.next() {
            if HTTPSyntax.isDigit(byte) {
                guard !sawSpaceAfterDigits, digits < 18 else { throw invalid() }
                // At most 18 digits: below Int.max, no overflow.
                current = current &* 10 &+ Int(byte &- UInt8(ascii: "0"))
                digits += 1
            } else if HTTPSyntax.isWhitespace(byte) {
                if digits > 0 { sawSpaceAfterDigits = true }
            } else if byte == UInt8(ascii: ",") {
                try finishElement()
            } else {
                throw invalid()
            }
        }
        try finishElement()
        guard let result else { throw invalid() }
        return result
    }
}
