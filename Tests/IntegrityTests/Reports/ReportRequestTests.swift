@testable import Integrity
import Stats
import Testing
import Transport

@Suite struct ReportRequestTests {
    static func parse(_ text: String, limit: Int = 1_000) throws(ReportRequest.Failure) -> [Result<ReportSubmission, ReportRejection>] {
        try ReportRequest.parse(Array(text.utf8), limit: limit)
    }

    static func failure(_ text: String, limit: Int = 1_000) -> ReportRequest.Failure? {
        do {
            _ = try parse(text, limit: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test func aBatchIsReadItemByItem() throws {
        let items = try Self.parse("""
            {"reports":[{"reporter":"+447700900001","business":"+14155550100","reason":"spam","t":1701216000000,"envelope_id":"e-1"},
             {"reporter":"+447700900002","business":"+14155550100","reason":"other"}]}
            """)
        #expect(items.count == 2)
        #expect(try items[0].get() == ReportSubmission(reporter: PhoneNumber("+447700900001")!, business: PhoneNumber("+14155550100")!,
                                                       reason: .spam, time: 1_701_216_000_000, envelopeID: "e-1"))
        #expect(try items[1].get().time == nil && items[1].get().reason == .other)
    }

    @Test func aBareObjectIsABatchOfOne() throws {
        let items = try Self.parse(#"{"reporter":"+447700900001","business":"+14155550100","reason":"scam"}"#)
        #expect(try items.map { try $0.get().reason } == [.scam])
    }

    @Test(arguments: [
        (#"{"reporter":"447700900001","business":"+14155550100","reason":"spam"}"#, ReportRejection.invalidNumber),
        (#"{"reporter":"+447700900001","business":"+1415","reason":"spam"}"#, .invalidNumber),
        (#"{"reporter":"+447700900001","business":"+14155550100","reason":"rude"}"#, .invalidReason),
        (#"{"reporter":"+447700900001","business":"+14155550100","reason":"spam","t":1.5}"#, .invalidTime),
        (#"{"reporter":"+447700900001","business":"+14155550100","reason":"spam","t":"now"}"#, .invalidTime),
        (#"{"reporter":"+447700900001","business":"+14155550100"}"#, .invalidItem),
        (#"{"reporter":1,"business":"+14155550100","reason":"spam"}"#, .invalidItem),
    ])
    func badItemsAreRejectedAlone(text: String, reason: ReportRejection) throws {
        let items = try Self.parse(#"{"reports":[\#(text),"not an object"]}"#)
        let reasons = items.map { item -> ReportRejection? in if case let .failure(why) = item { why } else { nil } }
        #expect(reasons == [reason, .invalidItem])
    }

    @Test func malformedJSONSaysWhereAndWhy() {
        #expect(Self.failure(#"{"reports":[}"#) == .malformed(RequestJSONError(offset: 12, message: "expected a value, found '}'")))
        #expect(Self.failure(#"{"reports":[],}"#) == .malformed(RequestJSONError(offset: 14, message: "expected a member name, found '}'")))
        #expect(Self.failure(#"{"reports":[1,]]"#) == .malformed(RequestJSONError(offset: 14, message: "expected a value, found ']'")))
        #expect(Self.failure("") == .malformed(RequestJSONError(offset: 0, message: "expected a value, found end of input")))
        #expect(Self.failure(#"{"a":01}"#) == .malformed(RequestJSONError(offset: 6, message: "leading zeros are not allowed")))
        #expect(Self.failure(#"{"reports":[]} x"#) == .malformed(RequestJSONError(offset: 15, message: "unexpected 'x' after the value")))
    }

    @Test func wrongShapesAreRefusedWhole() {
        #expect(Self.failure("[]") == .invalidShape("the body must be a JSON object"))
        #expect(Self.failure(#"{"reports":{}}"#) == .invalidShape("\"reports\" must be an array"))
        #expect(Self.failure(#"{"reports":[]}"#) == .invalidShape("\"reports\" is empty"))
        #expect(Self.failure(#"{"reports":[],"extra":1}"#) == .invalidShape("unknown member \"extra\" beside \"reports\""))
    }

    @Test func overTheLimitIsTooLarge() {
        let item = #"{"reporter":"+447700900001","business":"+14155550100","reason":"spam"}"#
        let body = "{\"reports\":[" + Array(repeating: item, count: 1_001).joined(separator: ",") + "]}"
        #expect(Self.failure(body) == .tooManyItems(count: 1_001, limit: 1_000))
    }

    @Test func escapesAndUnicodeDecode() throws {
        let value = try RequestJSONReader.parse(Array(#"["a\"b\\\u00e9\ud83d\ude00", "é"]"#.utf8))
        #expect(value == .array([.string("a\"b\\é😀"), .string("é")]))
    }

    /// Strings without escapes are read in place, with escapes piece by piece: random strings
    /// (ASCII, two-, three- and four-byte scalars), written raw and with every other scalar
    /// escaped as `\uXXXX` (surrogate pairs above U+FFFF), read back as the same text.
    @Test func stringsReadTheSameWithAndWithoutEscapes() throws {
        var random = SplitMix64(seed: 7)
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF]
        for round in 0..<300 {
            let scalars = (0..<Int(random.next() % 24)).map { _ -> Unicode.Scalar in
                let pool = pools[Int(random.next() % UInt64(pools.count))]
                let value = pool.lowerBound + UInt32(random.next() % UInt64(pool.count))
                return Unicode.Scalar(value) ?? "x"
            }
            let text = String(String.UnicodeScalarView(scalars))
            var raw = "", escaped = ""
            for (index, scalar) in scalars.enumerated() {
                let plain = scalar == "\"" ? "\\\"" : scalar == "\\" ? "\\\\" : String(scalar)
                raw += plain
                escaped += index % 2 == 0 ? plain : Self.escape(scalar)
            }
            let value = try RequestJSONReader.parse(Array("[\"\(raw)\",\"\(escaped)\"]".utf8))
            #expect(value == .array([.string(text), .string(text)]), "round \(round)")
        }
    }

    @Test func badStringsSayWhereAndWhy() {
        func failure(_ bytes: [UInt8]) -> RequestJSONError? {
            do {
                _ = try RequestJSONReader.parse(bytes)
                return nil
            } catch {
                return error
            }
        }
        let quote = UInt8(ascii: "\""), a = UInt8(ascii: "a"), backslash = UInt8(ascii: "\\"), n = UInt8(ascii: "n")
        // A lone continuation byte, without and after an escape: the offset of the raw run.
        #expect(failure([quote, a, 0x80, quote]) == RequestJSONError(offset: 1, message: "invalid UTF-8 in string"))
        #expect(failure([quote, backslash, n, a, 0xC3, quote]) == RequestJSONError(offset: 3, message: "invalid UTF-8 in string"))
        // A truncated two-byte sequence completed by nothing an escape can give.
        #expect(failure([quote, 0xC3, backslash, n, quote]) == RequestJSONError(offset: 1, message: "invalid UTF-8 in string"))
        #expect(failure([quote, a, 0x0A, quote]) == RequestJSONError(offset: 2, message: "control character in string"))
        #expect(failure([quote, backslash, n, 0x01, quote]) == RequestJSONError(offset: 3, message: "control character in string"))
        #expect(failure([quote, a, a]) == RequestJSONError(offset: 0, message: "unterminated string"))
        #expect(failure([quote, backslash, n, a]) == RequestJSONError(offset: 0, message: "unterminated string"))
    }

    /// `\uXXXX`, or a surrogate pair of them.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        func hex(_ unit: UInt16) -> String {
            let digits = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        return String(scalar).utf16.map(hex).joined()
    }

    @Test func theResponseListsRejectionsByIndex() throws {
        var outcome = ReportBatchOutcome()
        outcome.rejected = [(1, .noContact), (3, .rateLimited)]
        #expect(ReportRequest.responseJSON(outcome) == #"{"accepted":0,"rejected":[{"index":1,"reason":"no_contact"},{"index":3,"reason":"rate_limited"}]}"#)
    }
}
