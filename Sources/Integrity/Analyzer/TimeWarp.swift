/// Event time that runs faster than wall time, for demonstrations and drills: a week of the
/// analyzer's windows (24-hour limits, hourly quality, tier changes over days) in a minute.
///
/// A continuous, non-decreasing map from wall time to event time, in three pieces: equal to wall
/// time until the warp ``begin(at:)``s, then ``factor`` times faster for ``span`` of wall time
/// (for ever when nil), then at wall speed again — ahead by what the warp gained. Because it is
/// continuous and never decreasing, event time never steps back when a piece ends.
///
/// What a warp is not for: per-second rates (the relay's network timeouts, the admission's pair
/// and throughput limits) stay on wall time — they are about this machine and its peers, not
/// about the simulated world. ``IntegrityAnalyzer/admission(sender:recipient:category:time:rateTime:)``
/// takes the two times apart.
///
/// ```swift
/// var warp = try TimeWarp(factor: 10_080, span: 60_000)   // 7 days in 60 s
/// warp.begin(at: wall)
/// warp.eventTime(atWall: wall + 60_000) - wall            // 604_800_000: a week later
/// ```
public struct TimeWarp: Sendable, Hashable {
    /// Event milliseconds per wall millisecond while the warp runs (1…``maximumFactor``).
    public let factor: Double
    /// Wall milliseconds the warp lasts once begun; nil: it never ends.
    public let span: Int64?
    /// The wall time it began, in milliseconds since the Unix epoch; nil until ``begin(at:)``.
    public private(set) var start: Int64?

    /// The fastest warp: a million times wall speed (a 10-minute run covers 19 years).
    public static let maximumFactor = 1_000_000.0

    /// A warp of `factor` lasting `span` wall milliseconds (nil: for ever), not yet begun.
    public init(factor: Double, span: Int64? = nil) throws(TimeWarpError) {
        guard factor.isFinite, factor >= 1, factor <= Self.maximumFactor else { throw .factorOutOfRange(factor) }
        if let span, span < 0 { throw .negativeSpan(span) }
        self.factor = factor
        self.span = span
    }

    /// Starts the warp at wall time `wall`; later calls change nothing (the first one wins).
    public mutating func begin(at wall: Int64) {
        if start == nil { start = wall }
    }

    /// Whether event time runs at ``factor`` at wall time `wall` (begun, and the span not over).
    public func isWarping(atWall wall: Int64) -> Bool {
        guard let start, wall >= start else { return false }
        guard let span else { return true }
        return wall - start < span
    }

    /// Event time at wall time `wall` (both in milliseconds since the Unix epoch).
    public func eventTime(atWall wall: Int64) -> Int64 {
        guard let start, wall > start else { return wall }
        let warped = span.map { min(wall - start, $0) } ?? (wall - start)
        return start &+ Self.scaled(warped, by: factor) &+ (wall - start - warped)
    }

    /// Event milliseconds the whole span covers (nil for a warp without end).
    public var eventSpan: Int64? { span.map { Self.scaled($0, by: factor) } }

    /// `milliseconds × factor`, rounded down and kept far from overflow: at most 2^62 (which
    /// ``IntegrityEvent/timeRange`` excludes anyway, so such times are dropped at the door).
    private static func scaled(_ milliseconds: Int64, by factor: Double) -> Int64 {
        let product = (Double(milliseconds) * factor).rounded(.down)
        return product >= 0x1p62 ? 1 << 62 : Int64(product)
    }
}

/// A time warp that cannot be made.
public enum TimeWarpError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The factor is not a finite number in 1…``TimeWarp/maximumFactor``.
    case factorOutOfRange(Double)
    /// The span is negative (milliseconds).
    case negativeSpan(Int64)

    /// One line.
    public var description: String {
        switch self {
        case let .factorOutOfRange(factor):
            "the time scale must be a number from 1 to \(Int(TimeWarp.maximumFactor)), got \(factor)"
        case let .negativeSpan(span):
            "the warp's span must not be negative, got \(span) ms"
        }
    }
}
