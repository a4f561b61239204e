import Integrity
import Transport

extension Harness {
    /// The spam-report intake's request body (`POST /v1/reports`).
    static let reportBody = Harness(
        name: "report-body",
        summary: """
            ReportRequest.parse with the 1 000-item limit: a refusal is one of its typed failures with a \
            message; an accepted batch has 1…1 000 items, and its well-formed submissions, written back as \
            a canonical batch, parse to the same submissions.
            """,
        maximumLength: 64 * 1024,
        run: { ReportBodyHarness.run($0) },
        seeds: { ReportBodyHarness.seeds() }
    )
}

enum ReportBodyHarness {
    static let limit = 1_000

    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let items: [Result<ReportSubmission, ReportRejection>]
        do {
            items = try ReportRequest.parse(Array(input), limit: limit)
        } catch {
            FuzzCheck.require(!error.description.isEmpty, "a refusal without a message")
            return false
        }
        FuzzCheck.require((1...limit).contains(items.count), "an accepted batch of \(items.count) items")
        let submissions = items.compactMap { try? $0.get() }
        guard !submissions.isEmpty else { return true }
        let canonical = Array(batch(submissions).utf8)
        do {
            let again = try ReportRequest.parse(canonical, limit: limit).map { try $0.get() }
            FuzzCheck.require(again == submissions, "the canonical batch parses to \(again), not \(submissions)")
        } catch {
            FuzzCheck.fail("the canonical form of accepted submissions is refused: \(String(decoding: canonical, as: UTF8.self)): \(error)")
        }
        return true
    }

    /// `{"reports":[…]}` with every field of each submission.
    static func batch(_ submissions: [ReportSubmission]) -> String {
        let items = submissions.map { submission -> String in
            var fields = [#""reporter":"\#(submission.reporter.e164)""#, #""business":"\#(submission.business.e164)""#,
                          #""reason":"\#(submission.reason)""#]
            if let time = submission.time { fields.append(#""t":\#(time)"#) }
            if let id = submission.envelopeID { fields.append(#""envelope_id":"# + quote(id)) }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return #"{"reports":["# + items.joined(separator: ",") + "]}"
    }

    /// A JSON string literal: `\"`, `\\` and `\u00XX` for controls.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func seeds() -> [[UInt8]] {
        [
            #"{"reports":[{"reporter":"+447700900123","business":"+14155550100","reason":"spam"}]}"#,
            #"{"reporter":"+447700900123","business":"+14155550100","reason":"scam","t":1700000000000,"envelope_id":"0a1b"}"#,
            #"{"reports":[{"reporter":"+4477","business":"+14155550100","reason":"spam"},{"reporter":"+447700900124","business":"+14155550100","reason":"nope"}]}"#,
            #" { "reports" : [ { "reporter" : "\u002B447700900125" , "business" : "+14155550100" , "reason" : "offensive" , "t" : null } ] } "#,
            #"{"reports":[]}"#,
            #"{"reports":"#,
        ].map { Array($0.utf8) }
    }
}
