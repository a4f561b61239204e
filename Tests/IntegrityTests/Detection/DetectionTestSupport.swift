@testable import Integrity
import Transport

/// Collects alert transitions.
final class RecordingSink: AlertSink {
    var alerts: [Alert] = []
    func deliver(_ alerts: [Alert]) { self.alerts.append(contentsOf: alerts) }

    /// Firing transitions as `Name/severity` strings, in order.
    var fired: [String] { alerts.filter { $0.status == .firing }.map { "\($0.name)/\($0.severity.rawValue)" } }
    /// Firing transitions of `business`.
    func fired(for business: PhoneNumber) -> [String] {
        alerts.filter { $0.status == .firing && $0.business == business }.map { "\($0.name)/\($0.severity.rawValue)" }
    }
}

/// An analyzer with an alert engine on a virtual clock.
struct DetectionHarness {
    let analyzer: IntegrityAnalyzer
    let engine: AlertEngine
    let sink = RecordingSink()

    init(rules: Rules = Rules()) {
        analyzer = Fixture.analyzer(rules: rules)
        engine = try! AlertEngine(rules: rules)
        engine.sinks = [sink]
        analyzer.observers = [engine]
    }

    /// Applies the events (sorted by time), then lets `settle` of event time pass with no event in
    /// steps of 10 s, so that pending alerts can fire.
    func run(_ events: [IntegrityEvent], settle: Int64 = 2 * Fixture.minute) {
        let sorted = events.sorted { $0.time < $1.time }
        Fixture.feed(analyzer, sorted)
        guard let end = sorted.last?.time else { return }
        var time = end
        while time < end + settle {
            time += 10 * Fixture.second
            engine.advance(to: time)
        }
    }
}

extension Fixture {
    /// `count` business messages to users `first…`, `spacing` ms apart from `start`, each delivered
    /// half a second later.
    static func campaign(from start: Int64, users first: Int, count: Int, spacing: Int64,
                         business: PhoneNumber = business, delivered: Bool = true) -> [IntegrityEvent] {
        (0..<count).flatMap { index -> [IntegrityEvent] in
            let time = start + Int64(index) * spacing
            let message = b2u(time, user(first + index), business: business)
            return delivered ? [message, Self.delivered(time + 500, user(first + index), business: business)] : [message]
        }
    }

    /// Users `first…` write to the business (opting in), one a second from `start`.
    static func optIns(from start: Int64, users first: Int, count: Int, business: PhoneNumber = business) -> [IntegrityEvent] {
        (0..<count).map { u2b(start + Int64($0) * second, user(first + $0), business: business) }
    }
}
