import Client
import Testing
import Transport

@Suite struct SeenEnvelopesTests {
    @Test func insertReportsNewnessAndKeepsOrder() {
        var seen = SeenEnvelopes(capacity: 4)
        let first = seen.insert(Fixture.envelopeID(1))
        let second = seen.insert(Fixture.envelopeID(2))
        let again = seen.insert(Fixture.envelopeID(1))
        #expect(first && second && !again)
        #expect(seen.ids == [Fixture.envelopeID(1), Fixture.envelopeID(2)])
        #expect(seen.count == 2)
    }

    @Test func fullSetForgetsTheOldestFirst() {
        var seen = SeenEnvelopes(capacity: 3)
        for value in 1...5 { seen.insert(Fixture.envelopeID(UInt64(value))) }
        #expect(seen.ids == [3, 4, 5].map { Fixture.envelopeID($0) })
        #expect(!seen.contains(Fixture.envelopeID(1)))
        #expect(!seen.contains(Fixture.envelopeID(2)))
        #expect(seen.contains(Fixture.envelopeID(5)))
        // A forgotten id counts as new again, and evicts the then-oldest.
        let readded = seen.insert(Fixture.envelopeID(1))
        #expect(readded)
        #expect(seen.ids == [4, 5, 1].map { Fixture.envelopeID($0) })
    }

    @Test func equalityIgnoresTheRingsRotation() {
        var rotated = SeenEnvelopes(capacity: 2)
        for value in [7, 8, 9] { rotated.insert(Fixture.envelopeID(UInt64(value))) }
        var straight = SeenEnvelopes(capacity: 2)
        for value in [8, 9] { straight.insert(Fixture.envelopeID(UInt64(value))) }
        #expect(rotated == straight)
        straight.insert(Fixture.envelopeID(10))
        #expect(rotated != straight)
    }
}
