import Testing
@testable import Transport

/// Random bytes and mutated messages never crash either parser, and every split of a stream
/// parses to the same outcome (messages and error) as the whole stream.
@Suite("HTTP parser fuzzing")
struct HTTPParserFuzzTests {
    /// Bytes that make parsers work hardest: the grammar's delimiters and a few letters.
    static let alphabet = Array("\r\n \t:;=\",0123456789abcdefABCDEF/HTTP.GETPOSTchunkedContent-LengthTransfer-Encoding\u{0}\u{7f}\u{ff}".utf8)

    static let requestCorpus: [[UInt8]] = HTTPRequestParserTests.cases.map { Array($0.bytes.utf8) } + [
        Array("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\"q\"\r\nabc\r\n0\r\nT: 1\r\n\r\n".utf8),
    ]

    static let responseCorpus: [[UInt8]] = [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\nX: y\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.0 200 OK\r\n\r\nuntil close",
    ].map { Array($0.utf8) }

    static func mutate(_ bytes: [UInt8], random: inout HTTPRandom) -> [UInt8] {
        var result = bytes
        for _ in 0..<random.int(1...4) {
            let position = result.isEmpty ? 0 : random.int(0...(result.count - 1))
            switch random.int(0...6) {
            case 0 where !result.isEmpty:
                result[position] = alphabet[random.int(0...(alphabet.count - 1))]
            case 1:
                result.insert(alphabet[random.int(0...(alphabet.count - 1))], at: min(position, result.count))
            case 2 where !result.isEmpty:
                result.remove(at: position)
            case 3 where !result.isEmpty:
                let end = min(result.count, position + random.int(1...20))
                result.insert(contentsOf: result[position..<end], at: position)
            case 4:
                result = Array(result.prefix(position))
            case 5 where !result.isEmpty:
                result[position] ^= UInt8(1) << UInt8(random.int(0...7))
            default:
                result.insert(contentsOf: random.bytes(random.int(1...8)), at: min(position, result.count))
            }
        }
        return result
    }

    static func checkRequests(_ bytes: [UInt8], seed: UInt64, random: inout HTTPRandom) {
        let limits = HTTPParserLimits(maximumHeadSize: 512, maximumFieldCount: 12, maximumBodySize: 256, maximumChunkHeaderSize: 64)
        let whole = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(bytes), limits: limits, finish: true)
        let split = HTTPParseHarness.parseRequests(HTTPParseHarness.randomSplits(bytes, random: &random), limits: limits, finish: true)
        #expect(split == whole, "seed \(seed)")
        if bytes.count <= 400 {
            let bytewise = HTTPParseHarness.parseRequests(HTTPParseHarness.byteByByte(bytes), limits: limits, finish: true)
            #expect(bytewise == whole, "seed \(seed) byte by byte")
        }
        for message in whole.messages where message.complete {
            #expect(message.body.count <= limits.maximumBodySize, "seed \(seed)")
        }
    }

    static func checkResponses(_ bytes: [UInt8], seed: UInt64, random: inout HTTPRandom) {
        let limits = HTTPParserLimits(maximumHeadSize: 512, maximumFieldCount: 12, maximumBodySize: 256, maximumChunkHeaderSize: 64)
        let requests: [HTTPMethod] = [.get, .head, .post, .get]
        let whole = HTTPParseHarness.parseResponses(HTTPParseHarness.whole(bytes), requests: requests, limits: limits, finish: true)
        let split = HTTPParseHarness.parseResponses(HTTPParseHarness.randomSplits(bytes, random: &random), requests: requests, limits: limits, finish: true)
        #expect(split == whole, "seed \(seed)")
    }

    @Test func randomBytesNeverCrashEitherParser() {
        for seed in UInt64(0)..<3000 {
            var random = HTTPRandom(seed: seed)
            let count = random.int(0...300)
            let bytes = random.chance(0.5) ? random.bytes(count) : (0..<count).map { _ in Self.alphabet[random.int(0...(Self.alphabet.count - 1))] }
            Self.checkRequests(bytes, seed: seed, random: &random)
            Self.checkResponses(bytes, seed: seed, random: &random)
        }
    }

    @Test func mutatedRequestsNeverCrashAndSplitsAgree() {
        for seed in UInt64(0)..<4000 {
            var random = HTTPRandom(seed: seed)
            let base = Self.requestCorpus[random.int(0...(Self.requestCorpus.count - 1))]
            let second = Self.requestCorpus[random.int(0...(Self.requestCorpus.count - 1))]
            let bytes = Self.mutate(random.chance(0.3) ? base + second : base, random: &random)
            Self.checkRequests(bytes, seed: seed, random: &random)
        }
    }

    @Test func mutatedResponsesNeverCrashAndSplitsAgree() {
        for seed in UInt64(0)..<3000 {
            var random = HTTPRandom(seed: seed)
            let base = Self.responseCorpus[random.int(0...(Self.responseCorpus.count - 1))]
            Self.checkResponses(Self.mutate(base, random: &random), seed: seed, random: &random)
        }
    }

    @Test func aRefusedStreamStaysRefused() throws {
        var parser = HTTPRequestParser()
        parser.feed("GET / HTTP/1.1\r\nHost : a\r\n\r\n".httpBytes)
        #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes)
        #expect(try parser.next() == nil)
        #expect(parser.hasFailed)
        #expect(parser.bufferedByteCount == 0 || parser.hasFailed)
    }
}
