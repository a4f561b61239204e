@testable import Integrity
import Stats
import Testing
import Transport

/// ``PackedEvent`` holds a grouped batch's events in one cache line each and must give back
/// exactly the event it packed.
@Suite struct PackedEventTests {
    static let business = PhoneNumber(digits: 14_155_550_100)

    /// Every kind, category, reason, both directions and sizes at the schema's edges.
    static var kinds: [IntegrityEvent.Kind] {
        var kinds: [IntegrityEvent.Kind] = [.delivered, .read]
        for direction in MessageDirection.allCases {
            for category in [nil] + MessageCategory.allCases.map(Optional.some) {
                for bytes in [0, 1, 512, 262_144, IntegrityEvent.maximumBytes] {
                    kinds.append(.message(direction, bytes: bytes, category: category))
                }
            }
        }
        kinds += BlockReason.allCases.map(IntegrityEvent.Kind.block)
        kinds += ReportReason.allCases.map(IntegrityEvent.Kind.report)
        return kinds
    }

    @Test func itIsOneCacheLine() {
        #expect(MemoryLayout<PackedEvent>.size == 64)
        #expect(MemoryLayout<PackedEvent>.stride == 64)
        #expect(MemoryLayout<PseudonymizedEvent>.stride > 64, "packing would no longer be needed")
    }

    @Test func theBatchBuffersPutEveryEventOnItsOwnCacheLine() {
        let buffers = GroupingBuffers()
        for capacity in [1, 3, 1_000, 65_536] {
            buffers.reserve(capacity)
            #expect(buffers.capacity == capacity)
            #expect(UInt(bitPattern: buffers.events) % 64 == 0, "capacity \(capacity)")
        }
        buffers.reserve(10)
        #expect(buffers.capacity == 65_536, "the buffers only grow")
    }

    @Test func everyKindRoundTripsWithAndWithoutAPreviousPseudonym() throws {
        let business = try #require(Self.business)
        var random = SplitMix64(seed: 64)
        for kind in Self.kinds {
            for previous in [nil, Pseudonym(first: random.next(), second: random.next()), Pseudonym(first: 0, second: 0)] {
                let pair = PseudonymPair(current: Pseudonym(first: random.next(), second: random.next()), previous: previous,
                                         epoch: Int64(bitPattern: random.next()))
                let event = PseudonymizedEvent(time: Int64(bitPattern: random.next()) & IntegrityEvent.timeRange.upperBound,
                                               business: business, user: pair, kind: kind)
                #expect(PackedEvent(event).event == event, "\(kind), previous \(String(describing: previous))")
            }
        }
    }

    @Test func aSizeOutsideTheSchemaIsClampedAndNothingElseChanges() throws {
        let business = try #require(Self.business)
        let pair = PseudonymPair(current: Pseudonym(first: 1, second: 2), previous: nil, epoch: 3)
        for (bytes, kept) in [(-5, 0), (IntegrityEvent.maximumBytes + 1, IntegrityEvent.maximumBytes), (.max, IntegrityEvent.maximumBytes)] {
            let event = PseudonymizedEvent(time: 9, business: business, user: pair,
                                           kind: .message(.businessToUser, bytes: bytes, category: .utility))
            #expect(PackedEvent(event).event == PseudonymizedEvent(time: 9, business: business, user: pair,
                                                                   kind: .message(.businessToUser, bytes: kept, category: .utility)))
        }
    }
}
