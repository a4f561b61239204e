import Transport

/// What the endpoint checks for one business before it spends any work on a send — a prekey
/// fetch, X3DH, a ratchet step, a commit, a relay round trip:
///
/// - **Throughput** (``admit(at:)``, before the body is read): at most `perSecond` send requests
///   a second (Meta's 80 by default), with a burst of one second's worth, as a GCRA (one
///   theoretical arrival time). Every request counts, including those refused below, so a
///   business hammering the API costs the endpoint a bounded amount of work whatever it sends.
///   Over it: 130429, answered after the wait (at most 1 s), so ignoring it gains nothing.
/// - **Refusals the relay gave** (``check(_:at:)``): a pair-rate refusal (131056, "retry in
///   S s") holds that user until then; a messaging-limit refusal (131048) holds that user for
///   `limitHoldMilliseconds` (the relay's 24-hour window frees a slot only as an old
///   conversation ages out); a spam restriction (131048 "until T ms") holds every user until
///   then; a throughput refusal (130429 "retry in S s") and a policy block (368 "until T ms")
///   hold the whole number. A held send is answered with the relay's error again, without
///   asking it. The 131048 holds cover business-initiated messages only, as the relay's: a
///   reply inside a customer-service window still goes (the endpoint tells which is which).
///
/// A pure value: the endpoint feeds it the wall clock (ms) and applies its verdicts.
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
    }

    /// The most users held at once; beyond it the hold ending first is dropped (it can only let
    /// a send reach the relay, which decides again).
    static let maximumUserHolds = 4_096
    /// The longest a refusal is held back before it is answered.
    static let maximumDelayMilliseconds: Int64 = 1_000

    /// Send requests a second.
    var perSecond: Int
    /// How long a messaging-limit refusal holds its user (ms).
    var limitHoldMilliseconds: Int64
    /// GCRA: the theoretical arrival time, in microseconds.
    private var theoreticalArrival: Int64 = .min
    private var numberHold: Hold?
    private var userHolds: [PhoneNumber: Hold] = [:]

    init(perSecond: Int, limitHoldMilliseconds: Int64) {
        self.perSecond = max(1, perSecond)
        self.limitHoldMilliseconds = limitHoldMilliseconds
    }

    /// Users held now (for tests and the status line).
    var heldUsers: Int { userHolds.count }

    /// The throughput's verdict on a send request at `now` (ms), before its body is read; a
    /// request that proceeds has taken its token.
    mutating func admit(at now: Int64) -> Verdict {
        let nowMicros = now &* 1_000
        let interval = 1_000_000 / Int64(perSecond)
        if theoreticalArrival != .min {
            let wait = theoreticalArrival - interval * Int64(perSecond - 1) - nowMicros
            if wait > 0 {
                let milliseconds = (wait + 999) / 1_000
                return .refuse(.throughput("more than \(perSecond) send requests per second; retry in \(Self.seconds(milliseconds)) s"),
                               delayMilliseconds: min(milliseconds, Self.maximumDelayMilliseconds))
            }
        }
        theoreticalArrival = max(theoreticalArrival, nowMicros) + interval
        return .proceed
    }

    /// The verdict of the remembered refusals on a send to `recipient` at `now`, once the
    /// throughput admitted it.
    mutating func check(_ recipient: PhoneNumber, at now: Int64) -> Verdict {
        if let hold = numberHold {
            if hold.until > now { return Self.verdict(hold) }
            numberHold = nil
        }
        guard let hold = userHolds[recipient] else { return .proceed }
        guard hold.until > now else {
            userHolds[recipient] = nil
            return .proceed
        }
        return Self.verdict(hold)
    }

    /// The verdict a live hold gives.
    private static func verdict(_ hold: Hold) -> Verdict {
        hold.businessInitiatedOnly ? .refuseIfBusinessInitiated(hold.error) : .refuse(hold.error, delayMilliseconds: 0)
    }

    /// Remembers the relay's refusal `error` (whose relay text was `relayText`) of a send to
    /// `recipient` at `now`.
    mutating func remember(_ error: GraphError, relayText: String, recipient: PhoneNumber, at now: Int64) {
        switch error.code {
        case 131056:
            guard let wait = Self.retryMilliseconds(in: relayText) else { return }
            hold(recipient, Hold(until: now + wait, error: error, businessInitiatedOnly: false), at: now)
        case 131048:
            if let until = Self.untilMilliseconds(in: relayText) {
                numberHold = Hold(until: until, error: error, businessInitiatedOnly: true)
            } else {
                hold(recipient, Hold(until: now + limitHoldMilliseconds, error: error, businessInitiatedOnly: true), at: now)
            }
        case 130429:
            guard let wait = Self.retryMilliseconds(in: relayText) else { return }
            numberHold = Hold(until: now + wait, error: error, businessInitiatedOnly: false)
        case 368:
            guard let until = Self.untilMilliseconds(in: relayText) else { return }
            numberHold = Hold(until: until, error: error, businessInitiatedOnly: false)
        default:
            return
        }
    }

    /// Forgets every hold (the standing changed: a new tier, a lifted restriction).
    mutating func forgetHolds() {
        numberHold = nil
        userHolds = [:]
    }

    private mutating func hold(_ recipient: PhoneNumber, _ hold: Hold, at now: Int64) {
        if userHolds.count >= Self.maximumUserHolds, userHolds[recipient] == nil {
            userHolds = userHolds.filter { $0.value.until > now }
            if userHolds.count >= Self.maximumUserHolds, let first = userHolds.min(by: { $0.value.until < $1.value.until }) {
                userHolds[first.key] = nil
            }
        }
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

    private static func seconds(_ milliseconds: Int64) -> String {
        let tenths = (max(milliseconds, 0) + 99) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
}
