import Foundation
import Testing
import Transport

/// `RequestJSONReader` against Foundation's `JSONSerialization` (an independent parser): the same
/// documents accepted, the same values read — on a corpus of edge cases, on generated documents
/// and on mutations of them.
@Suite struct RequestJSONReaderTests {
    /// Foundation's verdict and value: `nil` if it rejects the document.
    private func foundation(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// Whether our value is Foundation's (objects compared by name, the last duplicate counting).
    private func same(_ mine: RequestJSON, _ theirs: Any) -> Bool {
        switch mine {
        case .null: return theirs is NSNull
        case let .bool(flag):
            guard let number = theirs as? NSNumber, String(cString: number.objCType) == "c" else { return false }
            return number.boolValue == flag
        case let .number(text):
            guard let number = theirs as? NSNumber, String(cString: number.objCType) != "c", let value = Double(text) else { return false }
            return number.doubleValue == value || abs(number.doubleValue - value) <= abs(value) * 1e-15
        case let .string(text): return (theirs as? String) == text
        case let .array(elements):
            guard let array = theirs as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { same($0, $1) }
        case let .object(members):
            guard let dictionary = theirs as? [String: Any] else { return false }
            var lastByName: [String: RequestJSON] = [:]
            for member in members { lastByName[member.key] = member.value }
            guard lastByName.count == dictionary.count else { return false }
            return lastByName.allSatisfy { name, value in dictionary[name].map { same(value, $0) } ?? false }
        }
    }

    /// Checks one document; returns whether it was accepted.
    @discardableResult
    private func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let theirs = foundation(bytes)
        let mine = try? RequestJSONReader.parse(bytes)
        let shown = String(decoding: bytes.prefix(120), as: UTF8.self).debugDescription
        switch (mine, theirs) {
        case let (mine?, theirs?):
            #expect(same(mine, theirs), "different values for \(shown): \(mine) vs \(theirs)", sourceLocation: sourceLocation)
            return true
        case (nil, nil): return false
        case (nil, _?):
            Issue.record("rejected what Foundation accepts: \(shown)", sourceLocation: sourceLocation)
            return false
        case let (mine?, nil):
            // Numbers keep their text: one beyond Double's range is read (Foundation refuses it).
            if Self.hasNumberBeyondDouble(mine) { return true }
            Issue.record("accepted what Foundation rejects: \(shown)", sourceLocation: sourceLocation)
            return true
        }
    }

    private static func hasNumberBeyondDouble(_ value: RequestJSON) -> Bool {
        switch value {
        case let .number(text): !(Double(text)?.isFinite ?? false)
        case let .array(elements): elements.contains { hasNumberBeyondDouble($0) }
        case let .object(members): members.contains { hasNumberBeyondDouble($0.value) }
        default: false
        }
    }

    @Test func edgeCasesAgreeWithFoundation() throws {
        let accepted = [
            #"{}"#, #"[]"#, #" { "a" : [ 1 , -2.5e3 , true , false , null , "x" ] } "#, "\t\r\n[0]\n",
            #"{"messaging_product":"whatsapp","to":"+447700900123","type":"text","text":{"preview_url":false,"body":"hi"}}"#,
            #"["\"\\\/\b\f\n\r\t"]"#, #"["\u0041\u00e9\u20AC\uD83D\uDE00"]"#, #"["é€😀 raw UTF-8"]"#, #"["\u0000"]"#,
            #"[0, -0, 0.5, 1e10, 1E-5, -1.25e+2, 123456789012]"#, #"{"a":1,"a":2}"#, #"{"":""}"#, #"[[[[[]]]]]"#,
            #""just a string""#, "42", "true", "null",
        ]
        for document in accepted {
            #expect(agree(Array(document.utf8)), "\(document)")
        }
        let rejected = [
            "", " ", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "{'a':1}", #"{"a" 1}"#, "{a:1}",
            #"["\x"]"#, #"["\u12"]"#, #"["\uD800"]"#, #"["\uDC00"]"#, #"["\uD800\u0041"]"#, "[\"a\u{01}\"]", #"["abc"#,
            "[NaN]", "[Infinity]", "[1] x", "[1][2]", "[tru]", "[nul]", "/* c */ []", "[1 2]", #"{"a":1 "b":2}"#, "}",
        ]
        for document in rejected {
            #expect(!agree(Array(document.utf8)), "\(document)")
        }
        // Foundation accepts a trailing comma; RFC 8259 (and Python's json) do not, nor does this reader.
        for document in [#"{"a":1,}"#, "[1,]", #"{"a":[1,2,],}"#] {
            #expect(foundation(Array(document.utf8)) != nil, "Foundation still lenient: \(document)")
            #expect(throws: RequestJSONError.self, "\(document)") { try RequestJSONReader.parse(Array(document.utf8)) }
        }
        // A number beyond Double's range keeps its text (Foundation refuses the document).
        #expect(try RequestJSONReader.parse(Array("[1e999]".utf8)) == .array([.number("1e999")]))
        #expect(foundation(Array("[1e999]".utf8)) == nil)
        // A UTF-8 byte order mark is skipped, as Foundation does; only at the start.
        #expect(agree([0xEF, 0xBB, 0xBF] + Array(#"{"a":[1]}"#.utf8)))
        #expect(!agree(Array("[1]".utf8) + [0xEF, 0xBB, 0xBF]))
        // Invalid UTF-8 inside a string, and a truncated sequence.
        #expect(!agree([0x5B, 0x22, 0xFF, 0x22, 0x5D]))
        #expect(!agree([0x5B, 0x22, 0xE2, 0x82, 0x22, 0x5D]))
    }

    @Test func nestingIsLimited() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try RequestJSONReader.parse(Array(deep.utf8), maximumDepth: 64) }
        #expect(throws: RequestJSONError(offset: 64, message: "nesting deeper than 64")) {
            try RequestJSONReader.parse(Array(("[" + deep + "]").utf8), maximumDepth: 64)
        }
        #expect(throws: RequestJSONError(offset: 3, message: "expected a value, found ','")) {
            try RequestJSONReader.parse(Array("[1,,2]".utf8))
        }
    }

    /// Random documents written by Foundation, and every one mutated three ways.
    @Test func generatedAndMutatedDocumentsAgree() throws {
        var generator = WireRandom(seed: 0x5EED_1234)
        var accepted = 0, mutants = 0
        for _ in 0..<400 {
            let value = Self.randomValue(&generator, depth: 0)
            let data = try JSONSerialization.data(withJSONObject: ["root": value], options: [])
            let bytes = Array(data)
            #expect(agree(bytes))
            accepted += 1
            for _ in 0..<3 {
                var mutant = bytes
                let position = Int(generator.next() % UInt64(mutant.count))
                let byte = Self.interesting[Int(generator.next() % UInt64(Self.interesting.count))]
                switch generator.next() % 3 {
                case 0: mutant[position] = byte
                case 1: mutant.insert(byte, at: position)
                default: mutant.remove(at: position)
                }
                if agree(mutant) { mutants += 1 }
            }
        }
        #expect(accepted == 400)
        #expect(mutants > 50 && mutants < 1_200, "some mutants stay valid, most do not: \(mutants)")
    }

    private static let interesting = Array(#"{}[]",:\/"ebnfrtu0123456789-+.eE tnfa "#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF, 0xED, 0xA0]

    private static func randomValue(_ generator: inout WireRandom, depth: Int) -> Any {
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return NSNull()
        case 1: return generator.next() % 2 == 0
        case 2: return Int(Int64(bitPattern: generator.next()) % 9_007_199_254_740_991)
        case 3: return Double(Int64(bitPattern: generator.next()) % 1_000_000) / 1_024
        case 4:
            let alphabet = Array("abcXYZ019 \"\\/\n\t\u{01}é€😀") + ["\u{7F}"]
            return String((0..<(generator.next() % 12)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        case 5: return (0..<(generator.next() % 5)).map { _ in randomValue(&generator, depth: depth + 1) }
        default:
            var object: [String: Any] = [:]
            for index in 0..<(generator.next() % 5) { object["k\(index)\(generator.next() % 3)"] = randomValue(&generator, depth: depth + 1) }
            return object
        }
    }
}
