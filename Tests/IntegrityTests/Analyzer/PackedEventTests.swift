@testable import Integrity
import Stats
import Testing
import Transport

/// ``PackedEvent`` holds a grouped batch's events two to a cache line and, with the batch's epoch
/// and the side buffer's previous pseudonym, must give back exactly the event it packed (less the
/// business, which the batch's positions stand for).
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

    @Test func twoFitACacheLine() {
        #expect(MemoryLayout<PackedEvent>.size == 32)
        #expect(MemoryLayout<PackedEvent>.stride == 32)
        #expect(MemoryLayout<PseudonymizedEvent>.stride > 2 * MemoryLayout<PackedEvent>.stride, "packing would hardly be needed")
    }

    @Test func theBatchBuffersAreCacheLineAligned() {
        let buffers = GroupingBuffers()
        for capacity in [1, 3, 1_000, 65_536] {
            buffers.reserve(capacity)
            #expect(buffers.capacity == capacity)
            #expect(UInt(bitPattern: buffers.events) % 64 == 0, "capacity \(capacity)")
        }
        buffers.reserve(10)
        #expect(buffers.capacity == 65_536, "the buffers only grow")
    }

    /// What a grouped batch does with an event: pack it, keep its previous pseudonym aside when
    /// it has one, and unpack it with the batch's epoch.
    static func roundTrip(_ event: PseudonymizedEvent) -> BusinessEvent {
        let packed = PackedEvent(event)
        #expect(packed.holdsPrevious == (event.user.previous != nil))
        // A side buffer slot that was never written for this event must not be read.
        let aside = event.user.previous ?? Pseudonym(first: 0xDEAD, second: 0xBEEF)
        return packed.event(epoch: event.user.epoch, previous: aside)
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
                #expect(Self.roundTrip(event) == BusinessEvent(event), "\(kind), previous \(String(describing: previous))")
            }
        }
    }

    @Test func aPreviousPseudonymIsReadOnlyWhenTheEventHadOne() throws {
        let business = try #require(Self.business)
        let current = Pseudonym(first: 1, second: 2)
        let without = PackedEvent(PseudonymizedEvent(time: 5, business: business,
                                                     user: PseudonymPair(current: current, previous: nil, epoch: 7), kind: .read))
        var reads = 0
        let unpacked = without.event(epoch: 7, previous: { reads += 1; return Pseudonym(first: 3, second: 4) }())
        #expect(reads == 0)
        #expect(unpacked.user == PseudonymPair(current: current, previous: nil, epoch: 7))
        let with = PackedEvent(PseudonymizedEvent(time: 5, business: business,
                                                  user: PseudonymPair(current: current, previous: Pseudonym(first: 0, second: 0), epoch: 7),
                                                  kind: .read))
        #expect(with.event(epoch: 7, previous: Pseudonym(first: 0, second: 0)).user.previous == Pseudonym(first: 0, second: 0))
    }

    @Test func aSizeOutsideTheSchemaIsClampedAndNothingElseChanges() throws {
        let business = try #require(Self.business)
        let pair = PseudonymPair(current: Pseudonym(first: 1, second: 2), previous: nil, epoch: 3)
        for (bytes, kept) in [(-5, 0), (IntegrityEvent.maximumBytes + 1, IntegrityEvent.maximumBytes), (.max, IntegrityEvent.maximumBytes)] {
            let event = PseudonymizedEvent(time: 9, business: business, user: pair,
                                           kind: .message(.businessToUser, bytes: bytes, category: .utility))
            #expect(Self.roundTrip(event) == BusinessEvent(time: 9, user: pair,
                                                           kind: .message(.businessToUser, bytes: kept, category: .utility)))
        }
    }
}
