public import Storage
import Transport

/// The statistics export's pure core: events in (with the user's pseudonym, computed at the door
/// by the caller), per-day cell totals out — user-bounded exact totals for the platform release,
/// raw mergeable sketches for the transport audience, billing rows per business.
///
/// Usable offline (`vigil export` replays an event file) and live (fed from the relay's tap; the
/// HTTP route renders a release from it with ``PlatformRelease/make(from:days:parameters:using:)``).
/// The raw consumer number is read once, for its calling code, and never stored.
public struct StatisticsAggregator: Sendable {
    /// What to keep.
    public struct Configuration: Sendable, Hashable {
        /// The per-user caps of the bounded totals.
        public var bounds: ContributionBounds
        /// Whether to keep raw sketches (the transport audience).
        public var keepsSketches: Bool
        /// lgK of the HLL sketches.
        public var lgK: Int
        /// The most (business, user) pairs whose messages wait for receipts.
        public var matcherCapacity: Int

        /// A configuration; defaults: standard caps, no sketches, lgK 12, 1 M pairs.
        public init(bounds: ContributionBounds = .standard, keepsSketches: Bool = false, lgK: Int = HLLDefaults.lgK, matcherCapacity: Int = 1 << 20) {
            self.bounds = bounds
            self.keepsSketches = keepsSketches
            self.lgK = lgK
            self.matcherCapacity = matcherCapacity
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// User-bounded exact totals.
    public private(set) var bounded: BoundedTable
    /// Raw sketches per cell (empty unless ``Configuration/keepsSketches``).
    public private(set) var sketches: [StatisticsCell: SketchCell] = [:]
    /// Billing per business, day and category.
    public private(set) var billing = BillingCounter()
    /// Events added.
    public private(set) var events = 0
    /// The earliest and latest event days seen.
    public private(set) var daysSeen: ClosedRange<UTCDay>?

    private var matcher: ReceiptMatcher
    private var latestDay: Int64 = .min
    /// An empty sketch cell to copy for each new cell (nil unless sketches are kept).
    private let emptySketchCell: SketchCell?

    /// An empty aggregator.
    /// - Throws: ``ExportError/invalidParameter(_:)`` for an lgK outside 4…21.
    public init(configuration: Configuration = Configuration()) throws(ExportError) {
        guard (4...21).contains(configuration.lgK) else { throw .invalidParameter("lgK must be in 4…21, got \(configuration.lgK)") }
        self.configuration = configuration
        emptySketchCell = configuration.keepsSketches ? try SketchCell(lgK: configuration.lgK) : nil
        bounded = BoundedTable(bounds: configuration.bounds)
        matcher = ReceiptMatcher(capacity: configuration.matcherCapacity)
    }

    /// Receipts that matched no remembered message.
    public var unmatchedReceipts: Int { matcher.unmatchedReceipts }

    /// Adds one event; `user` is the pseudonym of `event.user` (the privacy unit's key).
    public mutating func add(_ event: IntegrityEvent, user: Pseudonym) {
        events += 1
        let day = UTCDay(secondsSince1970: event.time / 1000)
        daysSeen = daysSeen.map { min($0.lowerBound, day)...max($0.upperBound, day) } ?? day...day
        if day.daysSince1970 > latestDay {
            latestDay = day.daysSince1970
            matcher.expire(before: event.time)
            billing.expire(before: event.time)
        }
        let business = event.business.digits
        var cells = [StatisticsCell(day: day, dimension: .all, value: 0),
                     StatisticsCell(day: day, dimension: .country, value: CallingCode(of: event.user).value)]
        let metric: Observation.Metric
        switch event.kind {
        case let .message(direction, bytes, category):
            let attributes = MessageAttributes(time: event.time, category: UInt16(category?.rawValue ?? 0), size: StatisticsCell.sizeCode(bytes: bytes))
            Self.appendMessageCells(attributes, direction: direction, day: day, to: &cells)
            metric = .sent(bytes: bytes)
            if direction == .businessToUser {
                matcher.sent(attributes, business: business, user: user)
                billing.businessMessage(business: business, user: user, category: category, at: event.time)
            } else {
                billing.userMessage(business: business, user: user, at: event.time)
            }
        case .delivered:
            let message = matcher.delivered(business: business, user: user, at: event.time)
            if let message { Self.appendMessageCells(message, direction: .businessToUser, day: day, to: &cells) }
            metric = .delivered(latencyMilliseconds: message.map { max(0, event.time - $0.time) })
        case .read:
            if let message = matcher.read(business: business, user: user, at: event.time) {
                Self.appendMessageCells(message, direction: .businessToUser, day: day, to: &cells)
            }
            metric = .read
        case let .block(reason):
            metric = .block(reason)
        case let .report(reason):
            metric = .report(reason)
        }
        let observation = Observation(user: user, business: business, cells: cells, metric: metric)
        bounded.add(observation)
        if let emptySketchCell {
            for cell in cells {
                sketches[cell, default: emptySketchCell].add(observation)
            }
        }
    }

    /// Forgets every day before `day` — cells, sketches and billing rows — so a live aggregator's
    /// memory stays bounded by its retention. Releases of forgotten days are no longer possible.
    public mutating func forget(before day: UTCDay) {
        bounded.forget(before: day)
        sketches = sketches.filter { $0.key.day >= day }
        billing.forget(before: day)
    }

    private static func appendMessageCells(_ message: MessageAttributes, direction: MessageDirection, day: UTCDay, to cells: inout [StatisticsCell]) {
        cells.append(StatisticsCell(day: day, dimension: .category, value: message.category))
        cells.append(StatisticsCell(day: day, dimension: .direction, value: direction == .businessToUser ? 0 : 1))
        cells.append(StatisticsCell(day: day, dimension: .size, value: message.size))
    }
}

/// Defaults shared with the Stats sketches.
public enum HLLDefaults {
    /// lgK 12 (DataSketches' and Druid's default): ~1.6 % standard error.
    public static let lgK = 12
}
