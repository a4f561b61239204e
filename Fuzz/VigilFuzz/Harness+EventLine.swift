import Integrity

extension Harness {
    /// The integrity analyzer's event JSONL parser.
    static let eventLine = Harness(
        name: "event-line",
        summary: """
            EventLineParser on each newline-separated line of the input (an event file): a refusal names the \
            right line and a column within it; an accepted event re-serializes (jsonLine) to a line that parses \
            to the same event, and that line is a fixed point of re-serialization.
            """,
        maximumLength: 4 * 1024,
        run: { EventLineHarness.run($0) },
        seeds: { EventLineHarness.seeds() }
    )
}

enum EventLineHarness {
    static func run(_ input: UnsafeRawBufferPointer) -> Bool {
        let parser = EventLineParser()
        var accepted = 0
        var lineNumber = 0
        var start = 0
        while start <= input.count {
            let end = input[start...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count
            lineNumber += 1
            if check(UnsafeRawBufferPointer(rebasing: input[start..<end]), lineNumber: lineNumber, parser: parser) { accepted += 1 }
            start = end + 1
        }
        return accepted > 0
    }

    private static func check(_ line: UnsafeRawBufferPointer, lineNumber: Int, parser: EventLineParser) -> Bool {
        let event: IntegrityEvent
        do {
            event = try parser.parse(line, lineNumber: lineNumber)
        } catch {
            FuzzCheck.require(error.line == lineNumber, "an error on line \(lineNumber) says line \(error.line)")
            FuzzCheck.require((0...line.count + 1).contains(error.column), "column \(error.column) outside a line of \(line.count) bytes")
            return false
        }
        let written = event.jsonLine
        do {
            let again = try parser.parse(written, lineNumber: lineNumber)
            FuzzCheck.require(again == event, "\(written) parses to \(again), not \(event)")
            FuzzCheck.require(again.jsonLine == written, "jsonLine is not a fixed point for \(written)")
        } catch {
            FuzzCheck.fail("the jsonLine of an accepted event is refused: \(written): \(error)")
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        [
            #"{"t":1700000000000,"kind":"message","business":"+14155550100","user":"+442071234567","dir":"b2u","bytes":120,"category":"marketing"}"#,
            #"{"kind":"message","t":1,"user":"+442071234567","business":"+14155550100","dir":"u2b","bytes":0}"# + "\r",
            "{\"t\":2,\"kind\":\"delivered\",\"business\":\"+14155550100\",\"user\":\"+442071234567\"}\n{\"t\":3,\"kind\":\"read\",\"business\":\"+14155550100\",\"user\":\"+442071234567\"}",
            #"{"t":4,"kind":"block","business":"+14155550100","user":"+442071234567","reason":"didnt_sign_up"}"#,
            #" { "t" : 5 , "kind" : "report" , "business" : "\u002B14155550100" , "user" : "+442071234567" , "reason" : "scam" } "#,
            #"{"t":6,"kind":"message","business":"+14155550100","user":"+442071234567","dir":"b2u","bytes":1,"category":null}"#,
        ].map { Array($0.utf8) }
    }
}
