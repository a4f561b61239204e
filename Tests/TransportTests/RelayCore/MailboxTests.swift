import Testing
@testable import Transport

@Suite("Mailbox")
struct MailboxTests {
    static let connection = ConnectionID(rawValue: 7)

    static func envelope(_ sequence: UInt64) -> QueuedEnvelope {
        QueuedEnvelope(sequence: sequence, id: EnvelopeID(high: 1, low: sequence), sender: PhoneNumber("+14155550100")!,
                       time: Int64(sequence), kind: .user, ciphertext: [UInt8(truncatingIfNeeded: sequence)])
    }

    /// `mailbox.remove` for the envelope of `sequence` with `high` as its random half.
    static func remove(_ sequence: UInt64, high: UInt64 = 1, from mailbox: inout Mailbox) -> Bool {
        mailbox.remove(sequence: sequence, id: EnvelopeID(high: high, low: sequence))
    }

    static func delivered(_ actions: [RelayAction]) -> [UInt64] {
        actions.compactMap { if case let .send(_, .deliver(envelope), _) = $0 { envelope.id.low } else { nil } }
    }

    @Test("acknowledgements find envelopes by sequence number; wrong ids and repeats are refused")
    func removeBySequence() {
        var mailbox = Mailbox()
        for sequence in 1...5 as ClosedRange<UInt64> { mailbox.append(Self.envelope(sequence * 10)) }
        let first = Self.remove(30, from: &mailbox)
        let again = Self.remove(30, from: &mailbox)                 // already gone
        let wrongID = Self.remove(40, high: 2, from: &mailbox)      // another envelope's id
        let unknown = Self.remove(35, from: &mailbox)               // no such sequence number
        #expect(first && !again && !wrongID && !unknown)
        #expect(mailbox.count == 4)
    }

    /// One envelope is never acknowledged while thousands behind it are: the holes are compacted
    /// away, and delivery, the in-flight window and acknowledgements carry on correctly.
    @Test("holes behind a stuck head are compacted without losing the cursor")
    func holesAreCompacted() {
        var mailbox = Mailbox()
        mailbox.attach(Self.connection, turn: 0)
        var actions: [RelayAction] = []
        var next: UInt64 = 1
        var outstanding: [UInt64] = []
        for _ in 0..<40 {
            for _ in 0..<500 {
                mailbox.append(Self.envelope(next))
                next += 1
            }
            actions.removeAll()
            _ = mailbox.pump(window: 300, windowBytes: 1 << 20, into: &actions)
            outstanding += Self.delivered(actions)
            // Acknowledge everything delivered except sequence number 1.
            for sequence in outstanding where sequence != 1 {
                let removed = Self.remove(sequence, from: &mailbox)
                #expect(removed, "sequence \(sequence)")
            }
            outstanding = outstanding.filter { $0 == 1 }
            mailbox.compact()
        }
        #expect(mailbox.entries.count - mailbox.head <= 4 * mailbox.count + 4096)
        // Drain the rest: every envelope is delivered exactly once, in order.
        var rest: [UInt64] = []
        while true {
            actions.removeAll()
            guard mailbox.pump(window: 300, windowBytes: 1 << 20, into: &actions) > 0 else { break }
            let batch = Self.delivered(actions)
            rest += batch
            for sequence in batch {
                let removed = Self.remove(sequence, from: &mailbox)
                #expect(removed, "sequence \(sequence)")
            }
            mailbox.compact()
        }
        #expect(rest == rest.sorted() && Set(rest).count == rest.count)
        #expect(mailbox.count == 1 && mailbox.inFlight == 1)
        let last = Self.remove(1, from: &mailbox)
        #expect(last)
        mailbox.compact()
        #expect(mailbox.count == 0 && mailbox.inFlight == 0 && mailbox.entries.isEmpty)
    }
}
