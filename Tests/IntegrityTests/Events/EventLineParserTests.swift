import Integrity
import Stats
import Testing
import Transport

@Suite struct EventLineParserTests {
    static let b = "+14155550100"
    static let u = "+447700900123"
    static let business = PhoneNumber(b)!
    static let user = PhoneNumber(u)!

    static let valid: [(String, IntegrityEvent)] = [
        (#"{"t":1700000000000,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"b2u","bytes":512,"category":"marketing"}"#,
         IntegrityEvent(time: 1_700_000_000_000, business: business, user: user, kind: .message(.businessToUser, bytes: 512, category: .marketing))),
        // Any key order, whitespace everywhere, a trailing carriage return.
        (" {\t\"category\" : \"utility\" , \"bytes\":64,\"dir\":\"b2u\",\"user\":\"+447700900123\",\"business\":\"+14155550100\",\"kind\":\"message\",\"t\":5 } \r",
         IntegrityEvent(time: 5, business: business, user: user, kind: .message(.businessToUser, bytes: 64, category: .utility))),
        // Category is optional on b2u, and null means absent.
        (#"{"t":1,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"b2u","bytes":0}"#,
         IntegrityEvent(time: 1, business: business, user: user, kind: .message(.businessToUser, bytes: 0, category: nil))),
        (#"{"t":1,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"b2u","bytes":0,"category":null}"#,
         IntegrityEvent(time: 1, business: business, user: user, kind: .message(.businessToUser, bytes: 0, category: nil))),
        (#"{"t":2,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"u2b","bytes":128}"#,
         IntegrityEvent(time: 2, business: business, user: user, kind: .message(.userToBusiness, bytes: 128, category: nil))),
        (#"{"t":3,"kind":"delivered","business":"+14155550100","user":"+447700900123"}"#,
         IntegrityEvent(time: 3, business: business, user: user, kind: .delivered)),
        (#"{"user":"+447700900123","business":"+14155550100","kind":"read","t":4}"#,
         IntegrityEvent(time: 4, business: business, user: user, kind: .read)),
        (#"{"t":5,"kind":"block","business":"+14155550100","user":"+447700900123","reason":"didnt_sign_up"}"#,
         IntegrityEvent(time: 5, business: business, user: user, kind: .block(.didntSignUp))),
        (#"{"t":5,"kind":"block","business":"+14155550100","user":"+447700900123","reason":"no_longer_needed"}"#,
         IntegrityEvent(time: 5, business: business, user: user, kind: .block(.noLongerNeeded))),
        (#"{"t":5,"kind":"block","business":"+14155550100","user":"+447700900123","reason":"no_reason"}"#,
         IntegrityEvent(time: 5, business: business, user: user, kind: .block(.noReason))),
        (#"{"t":6,"kind":"report","business":"+14155550100","user":"+447700900123","reason":"scam"}"#,
         IntegrityEvent(time: 6, business: business, user: user, kind: .report(.scam))),
        // JSON escapes in keys and values: \u0074 is "t", \u002B is "+", \/ is "/".
        (#"{"\u0074":7,"kind":"rep\u006Frt","business":"\u002B14155550100","user":"+447700900123","reason":"\u0073\u0070am"}"#,
         IntegrityEvent(time: 7, business: business, user: user, kind: .report(.spam))),
        (#"{"t":8,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"\u0062\u0032u","bytes":1,"category":"authentication"}"#,
         IntegrityEvent(time: 8, business: business, user: user, kind: .message(.businessToUser, bytes: 1, category: .authentication))),
        // The largest time and a 15-digit number.
        (#"{"t":253402300799999,"kind":"read","business":"+14155550100","user":"+999999999999999"}"#,
         IntegrityEvent(time: 253_402_300_799_999, business: business, user: PhoneNumber("+999999999999999")!, kind: .read)),
        (#"{"t":0,"kind":"read","business":"+14155550100","user":"+10000000"}"#,
         IntegrityEvent(time: 0, business: business, user: PhoneNumber("+10000000")!, kind: .read)),
    ]

    @Test(arguments: valid.indices)
    func parsesValidLines(_ index: Int) throws {
        let (line, expected) = Self.valid[index]
        #expect(try EventLineParser().parse(line, lineNumber: 1) == expected)
    }

    static let head = #""t":1,"business":"+14155550100","user":"+447700900123""#

    /// Every way a line is refused, with the column where the parser says so.
    static let malformed: [(String, EventLineError.Reason, Int)] = [
        (#"[1,2]"#, .notAnObject, 1),
        ("", .unexpectedEnd(expected: "'{'"), 1),
        (#"{"t":1"#, .unexpectedEnd(expected: "',' or '}'"), 7),
        (#"{"t" 1}"#, .unexpectedCharacter(expected: "':'"), 6),
        (#"{"t":1,}"#, .unexpectedCharacter(expected: "a key in quotes"), 8),
        (#"{t:1}"#, .unexpectedCharacter(expected: "a key in quotes"), 2),
        (#"{"t":1 "kind":"read"}"#, .unexpectedCharacter(expected: "',' or '}'"), 8),
        (#"{"t":1,"kind":"re\xad"}"#, .invalidString("unknown escape"), 19),
        ("{\"t\":1,\"kind\":\"re\tad\"}", .invalidString("unescaped control character"), 18),
        (#"{"t":1,"kind":"\ud800x"}"#, .invalidString("unpaired surrogate"), 22),
        (#"{"t":1,"kind":"\u12G4"}"#, .invalidString("bad \\u escape"), 20),
        (#"{"t":1,"kind":"read"#, .unexpectedEnd(expected: "the end of a string"), 20),
        ("{\(head),\"kind\":\"read\"} x", .trailingCharacters, 72),
        ("{\(head),\"kind\":\"read\"}{}", .trailingCharacters, 71),
        ("{\(head),\"kind\":\"read\",\"t\":2}", .duplicateField("t"), 71),
        ("{\(head),\"kind\":\"read\",\"user\":\"+447700900124\"}", .duplicateField("user"), 71),
        ("{\(head),\"kind\":\"read\",\"bussiness\":1}", .unknownField("bussiness"), 71),
        (#"{}"#, .missingField("t"), 0),
        (#"{"t":1}"#, .missingField("kind"), 0),
        (#"{"t":1,"kind":"read","user":"+447700900123"}"#, .missingField("business"), 0),
        (#"{"t":1,"kind":"read","business":"+14155550100"}"#, .missingField("user"), 0),
        ("{\(head),\"kind\":\"message\",\"bytes\":5}", .missingField("dir"), 0),
        ("{\(head),\"kind\":\"message\",\"dir\":\"b2u\"}", .missingField("bytes"), 0),
        ("{\(head),\"kind\":\"block\"}", .missingField("reason"), 0),
        ("{\(head),\"kind\":\"report\"}", .missingField("reason"), 0),
        ("{\(head),\"kind\":\"message\",\"dir\":\"u2b\",\"bytes\":5,\"category\":\"service\"}",
         .fieldNotAllowed("category", context: "a u2b message"), 107),
        ("{\(head),\"kind\":\"message\",\"dir\":\"b2u\",\"bytes\":5,\"reason\":\"spam\"}", .fieldNotAllowed("reason", context: "a message"), 105),
        ("{\(head),\"kind\":\"delivered\",\"dir\":\"b2u\"}", .fieldNotAllowed("dir", context: "a delivered receipt"), 82),
        ("{\(head),\"kind\":\"read\",\"reason\":\"spam\"}", .fieldNotAllowed("reason", context: "a read receipt"), 80),
        ("{\(head),\"kind\":\"block\",\"reason\":\"spam\",\"bytes\":5}", .fieldNotAllowed("bytes", context: "a block"), 96),
        ("{\(head),\"kind\":\"report\",\"reason\":\"spam\",\"category\":\"utility\"}", .fieldNotAllowed("category", context: "a report"), 100),
        (#"{"t":"1"}"#, .wrongType(field: "t", expected: "an integer"), 6),
        (#"{"t":1,"business":14155550100}"#, .wrongType(field: "business", expected: "a string"), 19),
        (#"{"t":1,"category":true}"#, .wrongType(field: "category", expected: "a string or null"), 19),
        (#"{"t":1,"kind":null}"#, .wrongType(field: "kind", expected: "a string"), 15),
        (#"{"t":1.5}"#, .notAnInteger(field: "t"), 6),
        (#"{"t":17e11}"#, .notAnInteger(field: "t"), 6),
        (#"{"t":-1}"#, .outOfRange(field: "t"), 6),
        (#"{"t":253402300800000}"#, .outOfRange(field: "t"), 6),
        (#"{"t":123456789012345678901}"#, .outOfRange(field: "t"), 6),
        (#"{"t":1,"bytes":2147483648}"#, .outOfRange(field: "bytes"), 16),
        (#"{"t":012}"#, .unexpectedCharacter(expected: "no leading zeros"), 7),
        (#"{"t":-}"#, .unexpectedCharacter(expected: "a digit"), 7),
        (#"{"t":1.}"#, .unexpectedCharacter(expected: "a digit"), 8),
        ("{\(head),\"kind\":\"sent\"}", .unknownKind, 64),
        ("{\(head),\"kind\":\"message\",\"dir\":\"b2b\",\"bytes\":1}", .unknownDirection, 80),
        ("{\(head),\"kind\":\"message\",\"dir\":\"b2u\",\"bytes\":1,\"category\":\"promo\"}", .unknownCategory, 107),
        ("{\(head),\"kind\":\"block\",\"reason\":\"scam\"}", .unknownReason(kind: "block"), 81),
        ("{\(head),\"kind\":\"report\",\"reason\":\"didnt_sign_up\"}", .unknownReason(kind: "report"), 82),
        (#"{"t":1,"business":"14155550100"}"#, .invalidPhoneNumber(field: "business"), 19),
        (#"{"t":1,"business":"+04155550100"}"#, .invalidPhoneNumber(field: "business"), 19),
        (#"{"t":1,"user":"+1234567"}"#, .invalidPhoneNumber(field: "user"), 15),
        (#"{"t":1,"user":"+1234567890123456"}"#, .invalidPhoneNumber(field: "user"), 15),
        (#"{"t":1,"user":"+1415555O100"}"#, .invalidPhoneNumber(field: "user"), 15),
        (#"{"t":1,"user":"+1 415 555 0100"}"#, .invalidPhoneNumber(field: "user"), 15),
        (#"{"t":1,"kind":"read","business":"+14155550100","user":"+14155550100"}"#, .sameNumber, 55),
    ]

    @Test(arguments: malformed.indices)
    func refusesMalformedLinesWithLineAndColumn(_ index: Int) {
        let (line, reason, column) = Self.malformed[index]
        let lineNumber = 100 + index
        #expect(throws: EventLineError(line: lineNumber, column: column, reason: reason), "\(line)") {
            try EventLineParser().parse(line, lineNumber: lineNumber)
        }
    }

    @Test func errorDescriptionsNameLineAndColumnButNeverAValue() throws {
        let error = EventLineError(line: 12, column: 40, reason: .invalidPhoneNumber(field: "user"))
        #expect(error.description == #"line 12, column 40: field "user" is not an E.164 number"#)
        #expect(EventLineError(line: 3, column: 0, reason: .missingField("t")).description == #"line 3: missing field "t""#)
        // A refused number is not echoed back (it is a consumer's number).
        do {
            _ = try EventLineParser().parse(#"{"t":1,"kind":"read","business":"+14155550100","user":"+4477009001234567"}"#, lineNumber: 1)
            Issue.record("accepted a 16-digit number")
        } catch {
            #expect(!error.description.contains("4477009001234567"))
        }
    }

    @Test func jsonLinesRoundTripThroughTheParser() throws {
        var random = SplitMix64(seed: 2024)
        let parser = EventLineParser()
        for _ in 0..<2000 {
            let business = PhoneNumber(digits: 10_000_000 + random.next() % 999_990_000_000_000)!
            var user = PhoneNumber(digits: 10_000_000 + random.next() % 999_990_000_000_000)!
            if user == business { user = PhoneNumber(digits: business.digits == 10_000_000 ? 10_000_001 : 10_000_000)! }
            let kinds: [IntegrityEvent.Kind] = [
                .message(.businessToUser, bytes: Int(random.next() % 262_145), category: MessageCategory.allCases.randomElement(using: &random)),
                .message(.businessToUser, bytes: 64, category: nil),
                .message(.userToBusiness, bytes: Int(random.next() % 4096), category: nil),
                .delivered, .read,
                .block(BlockReason.allCases.randomElement(using: &random)!),
                .report(ReportReason.allCases.randomElement(using: &random)!),
            ]
            let event = IntegrityEvent(time: Int64(random.next() % UInt64(IntegrityEvent.timeRange.upperBound + 1)),
                                       business: business, user: user, kind: kinds.randomElement(using: &random)!)
            #expect(try parser.parse(event.jsonLine, lineNumber: 1) == event, "\(event.jsonLine)")
        }
    }
}
