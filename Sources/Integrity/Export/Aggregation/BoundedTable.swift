import Storage
import Transport

/// Exact per-cell totals of user-bounded contributions: what the platform release noises.
///
/// Keeps, per user-day, the cells the user counts in and their counters (bounded by
/// ``ContributionBounds``); per cell, the distinct users, the distinct businesses the users
/// brought (≤ C each), counters, and size / latency histograms over ``BucketEdges``. User-day
/// state is kept for the latest day and the one before it; an event older than that would escape
/// the bounds and is dropped (counted in ``lateEvents``).
public struct BoundedTable: Sendable {
    /// The caps in force.
    public let bounds: ContributionBounds
    /// The totals per cell.
    public private(set) var cells: [StatisticsCell: BoundedCell] = [:]
    /// Events dropped for arriving after their day's user state was forgotten.
    public private(set) var lateEvents = 0
    /// Contributions dropped by the caps.
    public private(set) var droppedContributions = 0

    private struct UserDayKey: Hashable, Sendable {
        var day: Int64
        var user: Pseudonym
    }

    private struct UserCell: Sendable {
        var cell: StatisticsCell
        var counters: [Int] = [0, 0, 0, 0, 0]
        var businesses: [UInt64] = []
    }

    private var users: [UserDayKey: [UserCell]] = [:]
    private var latestDay: Int64 = .min

    /// An empty table under `bounds`.
    public init(bounds: ContributionBounds) { self.bounds = bounds }

    /// User-day states held (for memory accounting).
    public var userDays: Int { users.count }

    /// Adds one observation, within the caps.
    mutating func add(_ observation: Observation) {
        guard let first = observation.cells.first else { return }
        let day = first.day.daysSince1970
        if day > latestDay {
            latestDay = day
            users = users.filter { $0.key.day >= day - 1 }
        } else if day < latestDay - 1 {
            lateEvents += 1
            return
        }
        let key = UserDayKey(day: day, user: observation.user)
        // Taken out of the dictionary so the mutations below do not copy it.
        var state = users.removeValue(forKey: key) ?? []
        let counter = Self.counterIndex(observation.metric)
        for cell in observation.cells {
            let index: Int
            if let found = state.firstIndex(where: { $0.cell == cell }) {
                index = found
            } else {
                guard state.lazy.filter({ $0.cell.dimension == cell.dimension }).count < bounds.partitionsPerDimension else {
                    droppedContributions += 1
                    continue
                }
                state.append(UserCell(cell: cell))
                index = state.count - 1
                cells[cell, default: BoundedCell()].users += 1
            }
            if !state[index].businesses.contains(observation.business), state[index].businesses.count < bounds.perPartition {
                state[index].businesses.append(observation.business)
                cells[cell, default: BoundedCell()].businesses.insert(observation.business)
            }
            guard state[index].counters[counter] < bounds.perPartition else {
                droppedContributions += 1
                continue
            }
            state[index].counters[counter] += 1
            cells[cell, default: BoundedCell()].add(observation.metric)
        }
        users[key] = state
    }

    /// Drops the cells of days before `day` (user state is already gone: it lives two days).
    mutating func forget(before day: UTCDay) {
        cells = cells.filter { $0.key.day >= day }
    }

    private static func counterIndex(_ metric: Observation.Metric) -> Int {
        switch metric {
        case .sent: 0
        case .delivered: 1
        case .read: 2
        case .block: 3
        case .report: 4
        }
    }
}

/// The exact bounded totals of one cell.
public struct BoundedCell: Sendable, Hashable {
    /// Distinct users counted in the cell.
    public var users = 0
    /// Distinct businesses the users brought.
    public var businesses: Set<UInt64> = []
    /// Messages.
    public var sent = 0
    /// Delivered receipts.
    public var delivered = 0
    /// Read receipts.
    public var read = 0
    /// Blocks by ``BlockReason`` raw value.
    public var blocks = [Int](repeating: 0, count: BlockReason.allCases.count)
    /// Reports by ``ReportReason`` index in `allCases`.
    public var reports = [Int](repeating: 0, count: ReportReason.allCases.count)
    /// Message sizes over ``BucketEdges/messageBytes``.
    public var sizes = [Int](repeating: 0, count: BucketEdges.messageBytes.count)
    /// Delivery latencies over ``BucketEdges/latencyMilliseconds``.
    public var latencies = [Int](repeating: 0, count: BucketEdges.latencyMilliseconds.count)

    /// An empty cell.
    public init() {}

    mutating func add(_ metric: Observation.Metric) {
        switch metric {
        case let .sent(bytes):
            sent += 1
            sizes[BucketEdges.messageBytes.bucket(of: Int64(bytes))] += 1
        case let .delivered(latency):
            delivered += 1
            if let latency { latencies[BucketEdges.latencyMilliseconds.bucket(of: latency)] += 1 }
        case .read:
            read += 1
        case let .block(reason):
            blocks[BlockReason.allCases.firstIndex(of: reason) ?? 0] += 1
        case let .report(reason):
            reports[ReportReason.allCases.firstIndex(of: reason) ?? 0] += 1
        }
    }
}
