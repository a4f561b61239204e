@testable import Integrity
import Storage
import Transport

/// Events, pseudonyms and aggregators for the export tests (virtual time, seeded keys).
enum ExportFixture {
    /// 2023-11-29T00:00:00Z (inside one pseudonym-key epoch for the next 20 days).
    static let t0 = Fixture.t0
    static let day0 = UTCDay(secondsSince1970: t0 / 1000)

    /// The `index`-th consumer of a country: +44 7700 9NNNNN style numbers for 44, +1 650 55N NNNN for 1.
    static func user(_ index: Int, country: Int = 44) -> PhoneNumber {
        switch country {
        case 1: PhoneNumber(digits: 1_650_550_000_0 + UInt64(index % 1_000_000))!
        case 351: PhoneNumber(digits: 351_912_000_000 + UInt64(index % 1_000_000))!
        default: PhoneNumber(digits: 447_700_900_000 + UInt64(index % 100_000_000))!
        }
    }

    static func business(_ index: Int) -> PhoneNumber { PhoneNumber(digits: 14_155_550_100 + UInt64(index))! }

    static func message(_ time: Int64, business: PhoneNumber, user: PhoneNumber, category: MessageCategory? = .marketing,
                        bytes: Int = 512, direction: MessageDirection = .businessToUser) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user,
                       kind: .message(direction, bytes: bytes, category: direction == .businessToUser ? category : nil))
    }

    /// Feeds `events` through a seeded pseudonymizer into `aggregator`.
    static func feed(_ events: [IntegrityEvent], into aggregator: inout StatisticsAggregator, pseudonymizer: Pseudonymizer) {
        for event in events {
            let pair = try! pseudonymizer.pseudonyms(for: event.user, at: event.time)
            aggregator.add(event, user: pair.current)
        }
    }

    /// A day of ordinary traffic: `users` consumers of `country`, each receiving one marketing and
    /// one utility message from business (index % businesses), delivered after 2 s, read after 60 s.
    static func ordinaryDay(users: Int, country: Int = 44, businesses: Int = 5, start: Int64 = t0) -> [IntegrityEvent] {
        var events: [IntegrityEvent] = []
        for index in 0..<users {
            let user = user(index, country: country)
            let business = business(index % businesses)
            let time = start + Int64(index) * 10
            events.append(message(time, business: business, user: user, category: .marketing, bytes: 512))
            events.append(IntegrityEvent(time: time + 2_000, business: business, user: user, kind: .delivered))
            events.append(message(time + 3_000, business: business, user: user, category: .utility, bytes: 4_000))
            events.append(IntegrityEvent(time: time + 60_000, business: business, user: user, kind: .read))
        }
        return events.sorted { $0.time < $1.time }
    }

    static func aggregator(_ events: [IntegrityEvent], bounds: ContributionBounds = .standard, sketches: Bool = false, seed: UInt64 = 7) -> StatisticsAggregator {
        var aggregator = try! StatisticsAggregator(configuration: .init(bounds: bounds, keepsSketches: sketches))
        feed(events, into: &aggregator, pseudonymizer: Fixture.pseudonymizer(seed: seed))
        return aggregator
    }
}
