import Transport

extension Harness {
    /// The HTTP/1.1 request parser on an arbitrary byte stream (pipelined requests included).
    static let httpRequest = Harness(
        name: "http-request",
        summary: """
            HTTPRequestParser (small limits; bare LF accepted or not, chosen by the input) on the input as one \
            connection: fed whole and fed in input-seeded splits must yield the same heads, content, trailers, \
            error and end-of-stream verdict; every message is head, content, end in that order; content never \
            exceeds the body limit; the buffer never holds more than was fed.
            """,
        maximumLength: 8 * 1024,
        run: { HTTPRequestHarness.run($0) },
        seeds: { HTTPRequestHarness.seeds() }
    )
}

enum HTTPRequestHarness {
    /// What the parser reported, with content pieces merged (their boundaries depend on the split).
    private enum Outcome: Equatable {
        case head(HTTPRequestHead)
        case content([UInt8])
        case end(HTTPHeaders)
        case error(HTTPParseError)
        case finished
    }

    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let digest = FuzzInput.digest(input)
        let limits = HTTPParserLimits(
            maximumHeadSize: 1024, maximumFieldCount: 16, maximumBodySize: 2048, maximumChunkHeaderSize: 64,
            acceptsBareLineFeed: digest & 1 == 1)
        let whole = parse(input, pieces: [0..<input.count], limits: limits)
        let split = parse(input, pieces: FuzzInput.splits(count: input.count, seed: digest), limits: limits)
        FuzzCheck.require(whole == split, "split feeding changed the outcomes:\n\(whole)\nvs\n\(split)")
        return whole.last == .finished
    }

    private static func parse(_ input: UnsafeRawBufferPointer, pieces: [Range<Int>], limits: HTTPParserLimits) -> [Outcome] {
        var parser = HTTPRequestParser(limits: limits)
        var outcomes: [Outcome] = []
        var inMessage = false
        var contentSize = 0
        func record(_ event: HTTPParserEvent<HTTPRequestHead>) {
            switch event {
            case let .head(head):
                FuzzCheck.require(!inMessage, "a head inside a message")
                inMessage = true
                contentSize = 0
                outcomes.append(.head(head))
            case let .body(piece):
                FuzzCheck.require(inMessage, "content outside a message")
                contentSize += piece.count
                FuzzCheck.require(contentSize <= limits.maximumBodySize, "\(contentSize) content bytes above the limit")
                if case let .content(earlier)? = outcomes.last {
                    outcomes[outcomes.count - 1] = .content(earlier + piece)
                } else {
                    outcomes.append(.content(Array(piece)))
                }
            case let .end(trailers):
                FuzzCheck.require(inMessage, "an end outside a message")
                inMessage = false
                outcomes.append(.end(trailers))
            }
        }
        for piece in pieces {
            parser.feed(UnsafeRawBufferPointer(rebasing: input[piece]))
            // Each event consumes at least one byte or ends a message that did, so events are
            // bounded by twice the input; more means the parser is looping.
            for _ in 0...2 * input.count + 2 {
                do {
                    guard let event = try parser.next() else { break }
                    record(event)
                } catch {
                    outcomes.append(.error(error))
                    FuzzCheck.require(parser.hasFailed, "an error left the parser running")
                    break
                }
            }
            FuzzCheck.require(parser.bufferedByteCount <= input.count, "the parser buffers more than it was fed")
        }
        guard !parser.hasFailed else { return outcomes }
        do {
            try parser.finish()
            FuzzCheck.require(!inMessage, "finish accepted a stream that ends inside a message")
            outcomes.append(.finished)
        } catch {
            outcomes.append(.error(error))
        }
        return outcomes
    }

    static func seeds() -> [[UInt8]] {
        let body = #"{"messaging_product":"whatsapp","to":"+14155550100","type":"text","text":{"body":"hi"}}"#
        let requests = [
            "GET /v22.0/123456 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer token\r\n\r\n",
            "POST /v22.0/123456/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
            "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\nGET /again HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n",
            "PUT /x?q=%20a HTTP/1.1\r\nHost: c\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
            "OPTIONS * HTTP/1.1\nHost: d\n\n",
        ]
        return requests.map { Array($0.utf8) }
    }
}
