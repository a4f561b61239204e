import Integrity
import Transport

/// `vigil serve`'s event clock: wall time, or — with `--time-scale` — a ``TimeWarp`` that begins
/// with the first event the relay records. Everything the analyzer reads time from goes through
/// it (the relay's events and admission questions, report intake, housekeeping, the dashboard,
/// `/v1/stats`); the relay's own timers and the per-second admission rates stay on wall time.
/// Loop-confined (the serve loop).
final class ServeClock {
    /// The warp, once configured; nil: event time is wall time.
    private(set) var warp: TimeWarp?
    private let wall: () -> Int64

    /// A clock warped by `warp` (nil: none), reading wall time from `wall`.
    init(warp: TimeWarp?, wall: @escaping () -> Int64 = { RelayServer.wallClock() }) {
        self.warp = warp
        self.wall = wall
    }

    /// Event time now (milliseconds since the Unix epoch); does not begin the warp.
    func now() -> Int64 { eventTime(atWall: wall()) }

    /// Event time of something the relay observed at wall time `wall`: begins the warp there if
    /// it has not begun (the simulated world starts with its first event).
    func eventTime(ofRelayEventAt wall: Int64) -> Int64 {
        warp?.begin(at: wall)
        return eventTime(atWall: wall)
    }

    /// Event time at wall time `wall`.
    func eventTime(atWall wall: Int64) -> Int64 { warp?.eventTime(atWall: wall) ?? wall }

    /// How often to run a periodic task of nominal `period` on a warped clock: `period / factor`
    /// of wall time, within `floor`…`period` (the nominal period without a warp).
    func wallPeriod(forNominal period: Duration, floor: Duration) -> Duration {
        guard let factor = warp?.factor, factor > 1 else { return period }
        return max(floor, min(period, period / factor))
    }

    /// Event milliseconds in `period` of wall time while warping (the nominal period without a warp).
    func eventMilliseconds(inWall period: Duration) -> Int64 {
        let milliseconds = period.components.seconds * 1000 + period.components.attoseconds / 1_000_000_000_000_000
        return Int64((Double(milliseconds) * (warp?.factor ?? 1)).rounded())
    }
}

/// The relay's sink behind a warped clock: each event re-timed to event time, then handed on
/// (the analyzer, the statistics, the tap file — so a replay of the tap sees what the analyzer saw).
final class WarpedSink: MetadataSink {
    private let inner: any MetadataSink
    private let clock: ServeClock

    init(_ inner: any MetadataSink, clock: ServeClock) {
        self.inner = inner
        self.clock = clock
    }

    func record(_ event: MetadataEvent) {
        inner.record(MetadataEvent(time: clock.eventTime(ofRelayEventAt: event.time), kind: event.kind))
    }

    func flush() { inner.flush() }
}

/// The analyzer's admission behind a warped clock: windows, tiers and timers on event time; the
/// pair-rate and throughput limits — messages per real second — on the relay's wall time, so their
/// retry-after waits are real milliseconds too.
final class WarpedAdmission: AdmissionPolicy {
    private let analyzer: IntegrityAnalyzer
    private let clock: ServeClock

    init(_ analyzer: IntegrityAnalyzer, clock: ServeClock) {
        self.analyzer = analyzer
        self.clock = clock
    }

    func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision {
        let eventTime = clock.eventTime(ofRelayEventAt: time)
        return analyzer.admission(sender: sender, recipient: recipient, category: category, time: eventTime, rateTime: time)?.decision ?? .allow
    }
}
