@testable import Integrity
import Transport

/// Signals, samples and alerts for the dashboard tests.
enum DashboardFixture {
    typealias F = Fixture

    /// Real signals of a business that sent one message, as a template to adjust.
    static let template: BusinessSignals = {
        let analyzer = F.analyzer()
        analyzer.ingest(F.b2u(F.t0, F.user(1)))
        // The analyzer knows the business it was just given.
        return analyzer.signals(for: F.business)!
    }()

    /// The `index`-th dashboard business, +1415555{index:04}.
    static func business(_ index: Int) -> PhoneNumber {
        PhoneNumber(digits: 14_155_550_000 + UInt64(index))!
    }

    /// Signals of `business` with the charted figures set; `recipients` (the history's ranking)
    /// defaults to an hour's messages at `rate`.
    static func signals(_ business: PhoneNumber, rate: Double, recipients: Double? = nil, reached: Double = 10, limit: Int? = 250,
                        rating: QualityRating = .green, tier: MessagingTier = .tier250) -> BusinessSignals {
        var signals = template
        signals.business = business
        signals.sendRate1m = rate
        signals.sendRate1h = rate
        signals.uniqueRecipients24h = recipients ?? rate * 3600
        signals.businessInitiated24h = reached
        signals.messagingLimitUsers = limit
        signals.qualityRating = rating
        signals.messagingLimit = tier
        return signals
    }

    /// A sample at `time` with `value` as every rate and count.
    static func sample(_ time: Int64, _ value: Double, rating: QualityRating = .green, tier: MessagingTier = .tier250,
                       limit: Int? = 250) -> SignalSample {
        SignalSample(time: time, sendRate1m: value, sendRate1h: value, businessInitiated24h: value, messagingLimitUsers: limit,
                     blockRate7d: value / 100, reportRate7d: value / 200, qualityRating: rating, status: .connected,
                     messagingLimit: tier)
    }

    /// A firing alert on `business`.
    static func alert(_ business: PhoneNumber, name: String = "MassMessaging", severity: Alert.Severity = .critical,
                      summary: String = "reach above the tier") -> Alert {
        Alert(name: name, business: business, severity: severity, status: .firing, time: F.t0, startsAt: F.t0,
              summary: summary, value: 0.5, labels: ["signal": "reach"])
    }

    /// Occurrences of `needle` in `haystack` (non-overlapping).
    static func count(_ needle: String, in haystack: String) -> Int {
        haystack.ranges(of: needle).count
    }
}
