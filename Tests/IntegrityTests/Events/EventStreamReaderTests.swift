import Foundation
import Integrity
import Testing
import Transport

@Suite struct EventStreamReaderTests {
    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-events-\(UUID().uuidString).jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func readAll(_ path: String) throws -> [EventStreamReader.Item] {
        let reader = try EventStreamReader(path: path)
        var items: [EventStreamReader.Item] = []
        while let item = try reader.next() { items.append(item) }
        return items
    }

    @Test func readsLinesAcrossBufferBoundariesAndKeepsLineNumbers() throws {
        // ~3 MB: lines straddle the 1 MiB buffer's refills.
        var text = ""
        var expected: [IntegrityEvent] = []
        for index in 0..<20_000 {
            let event = Fixture.b2u(Fixture.t0 + Int64(index), Fixture.user(index))
            expected.append(event)
            text += event.jsonLine + String(repeating: " ", count: index % 97) + "\n"
        }
        let path = try Self.temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = try Self.readAll(path)
        #expect(items == expected.map { .event($0) })
    }

    @Test func skipsBlankLinesReportsMalformedOnesAndReadsALastLineWithoutNewline() throws {
        let good = Fixture.read(Fixture.t0, Fixture.user(1))
        let text = "\n\(good.jsonLine)\r\n   \n{\"t\":1}\n\(good.jsonLine)"
        let path = try Self.temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try EventStreamReader(path: path)
        var items: [EventStreamReader.Item] = []
        while let item = try reader.next() { items.append(item) }
        #expect(items == [.event(good), .malformed(EventLineError(line: 4, column: 0, reason: .missingField("kind"))), .event(good)])
        #expect(reader.linesRead == 5)
    }

    @Test func refusesAnOverlongLineOnceAndGoesOn() throws {
        let good = Fixture.delivered(Fixture.t0, Fixture.user(2))
        let long = "{\"t\":" + String(repeating: "1", count: EventStreamReader.bufferBytes + 10) + "}"
        let text = "\(good.jsonLine)\n\(long)\n\(good.jsonLine)\n"
        let path = try Self.temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = try Self.readAll(path)
        #expect(items == [
            .event(good),
            .malformed(EventLineError(line: 2, column: 0, reason: .lineTooLong(limit: EventStreamReader.bufferBytes))),
            .event(good),
        ])
    }

    @Test func aMissingFileIsATypedError() {
        #expect(throws: EventReadError.self) { try EventStreamReader(path: "/nonexistent/vigil/events.jsonl") }
    }
}
