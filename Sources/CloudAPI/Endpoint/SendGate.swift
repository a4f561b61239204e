import Foundation
import Transport

/// What the endpoint checks for one business before it spends any work on a send — a prekey
/// fetch, X3DH, a ratchet step, a commit, a relay round trip:
///
/// - **Throughput** (``admit(at:)``, before the body is parsed): at most `perSecond` send
///   requests a second (Meta's 80 by default), with a burst of one second's worth, as a GCRA (one
///   theoretical arrival time). Every request counts, including those refused below, so a
///   business hammering the API costs the endpoint a bounded amount of work whatever it sends.
///   Over it: 130429, answered after the wait (at least 0.1 s, at most 1 s), so ignoring it
///   gains nothing and a client looping on it costs at most ten refusals a second per connection.
/// - **Refusals the relay gave** (``check(_:at:)``): a pair-rate refusal (131056, "retry in
///   S s") holds that user until then; a messaging-limit refusal (131048) holds that user for
///   `limitHoldMilliseconds` (the relay's 24-hour window frees a slot only as an old
///   conversation ages out); a spam restriction (131048 "until T ms") holds every user's
///   business-initiated messages; a throughput refusal (130429 "retry in S s") and a policy
///   block (368 "until T ms") hold every message of the number. A held send is answered with the
///   relay's error again, without asking it. No hold lasts longer than `limitHoldMilliseconds`:
///   the relay's "until" is its analyzer's event time, which need not be this clock (a
///   time-warped demo, another host), so the relay is asked again at least that often. The
///   131048 holds cover business-initiated messages only, as the relay's do: a reply inside a
///   customer-service window still goes (the endpoint tells which is which).
///
/// A pure value: the endpoint feeds it the wall clock (ms) and applies its verdicts. A clock
/// stepping back never holds a business longer than a second's worth of its throughput.
struct SendGate: Sendable {
    /// A refusal remembered until `until` (ms).
    struct Hold: Sendable, Hashable {
        var until: Int64
        var error: GraphError
        /// Whether it refuses only business-initiated messages (131048), not replies.
        var businessInitiatedOnly: Bool
    }

    /// What to do with a send request.
    enum Verdict: Sendable, Hashable {
        /// Go on with it.
        case proceed
        /// Answer `error`, after `delayMilliseconds` (a throughput refusal is held until the
        /// business may send again, at most one second: a client ignoring it gains nothing).
        case refuse(GraphError, delayMilliseconds: Int64)
        /// Answer `error` if the message is business-initiated (no customer-service window
        /// open with the user); otherwise go on.
        case refuseIfBusinessInitiated(GraphError)

        /// How strict it is: proceed < refuse if business-initiated < refuse.
        fileprivate var strictness: Int {
            switch self {
            case .proceed: 0
            case .refuseIfBusinessInitiated: 1
            case .refuse: 2
            }
        }
    }

    /// The most users held at once; beyond it the hold ending first is dropped (it can only let
    /// a send reach the relay, which decides again).
    static let maximumUserHolds = 4_096
    /// The longest a refusal is held back before it is answered.
    static let maximumDelayMilliseconds: Int64 = 1_000
    /// The shortest: a client over its throughput gets its 130429 no sooner than this, so one
    /// that ignores it and loops costs the endpoint at most ten refusals a second per connection.
    static let minimumDelayMilliseconds: Int64 = 100
    /// The highest throughput the gate can meter (one request per microsecond).
    static let maximumPerSecond = 1_000_000

    /// Send requests a second (1…``maximumPerSecond``).
    var perSecond: Int {
        didSet { perSecond = min(max(1, perSecond), Self.maximumPerSecond) }
    }
    /// How long a messaging-limit refusal holds its user, and the longest any hold lasts (ms);
    /// 0 remembers nothing.
    var limitHoldMilliseconds: Int64
    /// GCRA: the theoretical arrival time, in microseconds.
    private var theoreticalArrival: Int64 = .min
    /// Number-wide holds: every message (130429, 368), and business-initiated ones (spam restriction).
    private var numberHold: Hold?
    private var numberHoldBusinessInitiated: Hold?
    private var userHolds: [PhoneNumber: Hold] = [:]

    init(perSecond: Int, limitHoldMilliseconds: Int64) {
        self.perSecond = min(max(1, perSecond), Self.maximumPerSecond)
        self.limitHoldMilliseconds = max(0, limitHoldMilliseconds)
    }

    /// Users held now (tests).
    var heldUsers: Int { userHolds.count }

    /// The throughput's verdict on a send request at `now` (ms), before its body is parsed; a
    /// request that proceeds has taken its token.
    mutating func admit(at now: Int64) -> Verdict {
        let nowMicros = now &* 1_000
        let interval = 1_000_000 / Int64(perSecond)
        let burst = interval * Int64(perSecond)
        if theoreticalArrival != .min {
            // Never further ahead than one burst: a clock stepping back would otherwise hold
            // every send for as long as the step.
            theoreticalArrival = min(theoreticalArrival, nowMicros + burst)
            let wait = theoreticalArrival - (burst - interval) - nowMicros
            if wait > 0 {
                let milliseconds = (wait + 999) / 1_000
                return .refuse(.throughput("more than \(perSecond) send requests per second"),
                               delayMilliseconds: min(max(milliseconds, Self.minimumDelayMilliseconds), Self.maximumDelayMilliseconds))
            }
        }
        theoreticalArrival = max(theoreticalArrival, nowMicros) + interval
        return .proceed
    }

    /// The verdict of the remembered refusals on a send to `recipient` at `now`, once the
    /// throughput admitted it: the strictest hold that applies.
    mutating func check(_ recipient: PhoneNumber, at now: Int64) -> Verdict {
        var verdict = Verdict.proceed
        Self.tighten(&verdict, by: Self.live(&numberHold, at: now))
        Self.tighten(&verdict, by: Self.live(&numberHoldBusinessInitiated, at: now))
        Self.tighten(&verdict, by: Self.live(&userHolds[recipient], at: now))
        return verdict
    }

    /// Remembers the relay's refusal `error` (whose relay text was `relayText`) of a send to
    /// `recipient` at `now`. Texts without a duration the gate can read are not remembered.
    mutating func remember(_ error: GraphError, relayText: String, recipient: PhoneNumber, at now: Int64) {
        guard limitHoldMilliseconds > 0 else { return }
        let cap = now + limitHoldMilliseconds
        switch error.code {
        case 131056:
            guard let wait = Self.retryMilliseconds(in: relayText) else { return }
            hold(recipient, Hold(until: min(now + wait, cap), error: error, businessInitiatedOnly: false), at: now)
        case 131048:
            if let until = Self.untilMilliseconds(in: relayText) {
                Self.extend(&numberHoldBusinessInitiated, Hold(until: min(until, cap), error: error, businessInitiatedOnly: true), at: now)
            } else {
                hold(recipient, Hold(until: cap, error: error, businessInitiatedOnly: true), at: now)
            }
        case 130429:
            guard let wait = Self.retryMilliseconds(in: relayText) else { return }
            Self.extend(&numberHold, Hold(until: min(now + wait, cap), error: error, businessInitiatedOnly: false), at: now)
        case 368:
            guard let until = Self.untilMilliseconds(in: relayText) else { return }
            Self.extend(&numberHold, Hold(until: min(until, cap), error: error, businessInitiatedOnly: false), at: now)
        default:
            return
        }
    }

    /// Forgets every hold (the standing changed: a new tier, a lifted restriction).
    mutating func forgetHolds() {
        numberHold = nil
        numberHoldBusinessInitiated = nil
        userHolds = [:]
    }

    /// Replaces `verdict` with `hold`'s when that is stricter.
    private static func tighten(_ verdict: inout Verdict, by hold: Hold?) {
        guard let hold else { return }
        let candidate: Verdict = hold.businessInitiatedOnly ? .refuseIfBusinessInitiated(hold.error) : .refuse(hold.error, delayMilliseconds: 0)
        if candidate.strictness > verdict.strictness { verdict = candidate }
    }

    /// `slot`'s hold if it is still live at `now`; an expired one is cleared.
    private static func live(_ slot: inout Hold?, at now: Int64) -> Hold? {
        guard let hold = slot else { return nil }
        guard hold.until > now else {
            slot = nil
            return nil
        }
        return hold
    }

    /// Puts `hold` in `slot` unless a live hold there lasts longer.
    private static func extend(_ slot: inout Hold?, _ hold: Hold, at now: Int64) {
        if let current = live(&slot, at: now), current.until >= hold.until { return }
        slot = hold
    }

    private mutating func hold(_ recipient: PhoneNumber, _ hold: Hold, at now: Int64) {
        if userHolds.count >= Self.maximumUserHolds, userHolds[recipient] == nil {
            userHolds = userHolds.filter { $0.value.until > now }
            if userHolds.count >= Self.maximumUserHolds, let first = userHolds.min(by: { $0.value.until < $1.value.until }) {
                userHolds[first.key] = nil
            }
        }
        // A pair-rate hold is stricter than a messaging-limit one: keep it while it lasts.
        if let current = Self.live(&userHolds[recipient], at: now), !current.businessInitiatedOnly, hold.businessInitiatedOnly { return }
        userHolds[recipient] = hold
    }

    /// `S` of "retry in S s" in milliseconds (rounded up).
    static func retryMilliseconds(in text: String) -> Int64? {
        guard let range = text.range(of: "retry in ") else { return nil }
        let number = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        guard let seconds = Double(number), seconds.isFinite, seconds >= 0, seconds < 86_400 else { return nil }
        return Int64((seconds * 1_000).rounded(.up))
    }

    /// `T` of "until T ms".
    static func untilMilliseconds(in text: String) -> Int64? {
        guard let range = text.range(of: "until ") else { return nil }
        let digits = text[range.upperBound...].prefix(while: \.isNumber)
        guard text[range.upperBound...].dropFirst(digits.count).hasPrefix(" ms") else { return nil }
        return Int64(digits)
    }
}
