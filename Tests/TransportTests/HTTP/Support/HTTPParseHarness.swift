import Testing
@testable import Transport

/// A parsed message: head, content, trailers.
struct ParsedMessage<Head: Hashable & Sendable>: Hashable, Sendable {
    var head: Head
    var body: [UInt8] = []
    var trailers = HTTPHeaders()
    var complete = false
}

/// Everything a stream parsed to: complete (and one partial) messages, and the error if any.
struct ParseOutcome<Head: Hashable & Sendable>: Hashable, Sendable {
    var messages: [ParsedMessage<Head>] = []
    var error: HTTPParseError?

    var reason: HTTPParseError.Reason? { error?.reason }
}

/// Feeds parsers in chunks and collects what they report, checking the event order.
enum HTTPParseHarness {
    static func parseRequests(
        _ chunks: [ArraySlice<UInt8>], limits: HTTPParserLimits = HTTPParserLimits(), finish: Bool = false
    ) -> ParseOutcome<HTTPRequestHead> {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = ParseOutcome<HTTPRequestHead>()
        for chunk in chunks {
            parser.feed(chunk)
            do {
                while let event = try parser.next() { record(event, into: &outcome) }
            } catch {
                outcome.error = error
                return outcome
            }
        }
        if finish {
            do { try parser.finish() } catch { outcome.error = error }
        }
        return outcome
    }

    static func parseResponses(
        _ chunks: [ArraySlice<UInt8>], requests: [HTTPMethod] = Array(repeating: .get, count: 16),
        limits: HTTPParserLimits? = nil, finish: Bool = false
    ) -> ParseOutcome<HTTPResponseHead> {
        var parser = limits.map { HTTPResponseParser(limits: $0) } ?? HTTPResponseParser()
        for method in requests { parser.expectResponse(to: method) }
        var outcome = ParseOutcome<HTTPResponseHead>()
        for chunk in chunks {
            parser.feed(chunk)
            do {
                while let event = try parser.next() { record(event, into: &outcome) }
            } catch {
                outcome.error = error
                return outcome
            }
        }
        if finish {
            do {
                if let event = try parser.finish() { record(event, into: &outcome) }
            } catch {
                outcome.error = error
            }
        }
        return outcome
    }

    private static func record<Head>(_ event: HTTPParserEvent<Head>, into outcome: inout ParseOutcome<Head>) {
        switch event {
        case let .head(head):
            if let last = outcome.messages.last, !last.complete { Issue.record("head before the previous end") }
            outcome.messages.append(ParsedMessage(head: head))
        case let .body(piece):
            guard let last = outcome.messages.indices.last, !outcome.messages[last].complete else {
                Issue.record("body outside a message")
                return
            }
            if piece.isEmpty { Issue.record("empty body piece") }
            outcome.messages[last].body.append(contentsOf: piece)
        case let .end(trailers):
            guard let last = outcome.messages.indices.last, !outcome.messages[last].complete else {
                Issue.record("end outside a message")
                return
            }
            outcome.messages[last].trailers = trailers
            outcome.messages[last].complete = true
        }
    }

    // MARK: Splits

    static func whole(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] { [bytes[...]] }

    static func byteByByte(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.indices.map { bytes[$0..<($0 + 1)] }
    }

    static func randomSplits(_ bytes: [UInt8], random: inout HTTPRandom) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        let maximum = [2, 7, 64, 1500][random.int(0...3)]
        while start < bytes.count {
            let end = min(bytes.count, start + random.int(1...maximum))
            chunks.append(bytes[start..<end])
            start = end
        }
        return chunks
    }
}

/// SplitMix64 (Steele, Lea & Flood): the seeded generator behind the randomized HTTP tests, so a
/// failure names a seed that reproduces it. Wrapping arithmetic is the algorithm.
struct HTTPRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

extension String {
    /// The UTF-8 bytes.
    var httpBytes: [UInt8] { Array(utf8) }
}
