import Integrity
import Testing
import Transport

/// The analyzer sees the same events on the relay's live tap as in a replayed tap file.
@Suite struct MetadataConversionTests {
    static let business = PhoneNumber("+14155550100")!
    static let user = PhoneNumber("+447700900123")!
    static let other = PhoneNumber("+447700900999")!
    static let id = EnvelopeID(high: 1, low: 2)

    static let events: [MetadataEvent] = [
        MetadataEvent(time: 10, kind: .envelope(sender: business, recipient: user, kind: .business(.utility), size: SizeBucket(byteCount: 300), id: id)),
        MetadataEvent(time: 11, kind: .envelope(sender: user, recipient: business, kind: .user, size: SizeBucket(byteCount: 20), id: id)),
        MetadataEvent(time: 12, kind: .receipt(.delivered, from: user, to: business, count: 3)),
        MetadataEvent(time: 13, kind: .receipt(.read, from: user, to: business, count: 1)),
        MetadataEvent(time: 14, kind: .block(blocker: user, blocked: business, reason: .didntSignUp)),
        MetadataEvent(time: 15, kind: .report(reporter: user, business: business, reason: .scam, envelope: id)),
        // No event in the schema: consumer to consumer, control, receipts about consumer messages.
        MetadataEvent(time: 16, kind: .envelope(sender: user, recipient: other, kind: .user, size: SizeBucket(byteCount: 20), id: id)),
        MetadataEvent(time: 17, kind: .envelope(sender: business, recipient: user, kind: .control, size: SizeBucket(byteCount: 20), id: id)),
        MetadataEvent(time: 18, kind: .receipt(.delivered, from: other, to: user, count: 1)),
    ]

    @Test func convertedEventsEqualTheTapLinesParsed() throws {
        var tapDirectory = BusinessDirectory()
        var directory = BusinessDirectory()
        let parser = EventLineParser()
        for event in Self.events {
            let line = TapEvent.line(for: event, directory: &tapDirectory)
            let converted = IntegrityEvent.converting(event, directory: &directory)
            guard let line else {
                #expect(converted == nil, "\(event)")
                continue
            }
            let lines = line.split(separator: "\n").map(String.init)
            let parsed = try lines.enumerated().map { try parser.parse($0.element, lineNumber: $0.offset + 1) }
            #expect(converted?.count == parsed.count)
            #expect(parsed.allSatisfy { $0 == converted?.event }, "\(line)")
        }
        #expect(directory.contains(Self.business))
    }

    @Test func theSinkAppliesAReceiptOncePerEnvelope() {
        let analyzer = Fixture.analyzer()
        for event in Self.events { analyzer.record(event) }
        let signals = analyzer.signals(for: Self.business)
        #expect(signals?.delivered == 3)
        #expect(signals?.read == 1)
        #expect(signals?.messagesSent == 1)
        #expect(signals?.messagesReceived == 1)
        #expect(signals?.blocks == 1)
        #expect(signals?.reports == 1)
        #expect(analyzer.statistics.withoutEvent == 3)
    }
}
