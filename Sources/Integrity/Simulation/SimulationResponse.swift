import Transport

/// How recipients of one kind of business message react: whether it reaches them, whether and how
/// soon they read it, answer, block or report — the behavioural difference between an audience
/// that asked for the messages and one that did not.
///
/// Probabilities are per delivered message; read and reply are scaled per user by an engagement
/// factor in [0.55, 1.45) fixed by the user's index, so some people read everything and some
/// hardly anything.
struct SimulationResponse: Sendable {
    /// Chance that a registered number's device receives it at all (phones lost, app removed).
    var reachable: Double
    /// The user asked for it just now (a passcode) and is looking at the phone.
    var awaited: Bool = false
    /// Chance of reading a delivered message.
    var read: Double
    /// Mean delay from delivery to reading, in ms, before the day/night rhythm stretches it.
    var readDelay: Double
    /// Chance of answering after reading.
    var reply: Double
    /// Chance that the business answers such a reply (an honest business does; spammers don't).
    var answer: Double
    /// Chance of blocking (without reporting).
    var block: Double
    /// Reasons given when blocking.
    var blockReasons: SimulationWeights<BlockReason>
    /// Chance of reporting.
    var report: Double
    /// Reasons given when reporting.
    var reportReasons: SimulationWeights<ReportReason>
    /// Chance that a reporter also blocks ("Report and block" is the dialog's default).
    var reportThenBlock: Double

    /// Weekly marketing to customers who opted in by writing first: read often, rarely blocked, and
    /// then mostly because they no longer need it.
    static let optedInMarketing = SimulationResponse(
        reachable: 0.99, read: 0.78, readDelay: 45 * 60_000, reply: 0.05, answer: 0.9,
        block: 0.003, blockReasons: optedInBlockReasons,
        report: 0.0002, reportReasons: SimulationWeights([(.spam, 0.6), (.other, 0.4)]), reportThenBlock: 0.7)

    /// A flash sale the customers were waiting for: read within minutes, many answers.
    static let flashSale = SimulationResponse(
        reachable: 0.99, read: 0.86, readDelay: 8 * 60_000, reply: 0.10, answer: 0.95,
        block: 0.002, blockReasons: optedInBlockReasons,
        report: 0.0001, reportReasons: SimulationWeights([(.spam, 0.6), (.other, 0.4)]), reportThenBlock: 0.7)

    /// Order and delivery updates about a purchase the user made.
    static let transactionUpdate = SimulationResponse(
        reachable: 0.995, read: 0.88, readDelay: 30 * 60_000, reply: 0.06, answer: 0.9,
        block: 0.0008, blockReasons: SimulationWeights([(.noLongerNeeded, 0.7), (.noReason, 0.3)]),
        report: 0.00002, reportReasons: SimulationWeights([(.other, 1)]), reportThenBlock: 0.5)

    /// One-time passcodes the user requested seconds ago.
    static let passcode = SimulationResponse(
        reachable: 0.995, awaited: true, read: 0.94, readDelay: 20_000, reply: 0.004, answer: 0.5,
        block: 0.0004, blockReasons: SimulationWeights([(.noReason, 0.6), (.noLongerNeeded, 0.4)]),
        report: 0.00002, reportReasons: SimulationWeights([(.other, 1)]), reportThenBlock: 0.5)

    /// Security and transaction alerts from the passcode sender.
    static let accountAlert = SimulationResponse(
        reachable: 0.995, read: 0.85, readDelay: 20 * 60_000, reply: 0.01, answer: 0.5,
        block: 0.0008, blockReasons: SimulationWeights([(.noLongerNeeded, 0.6), (.noReason, 0.4)]),
        report: 0.00003, reportReasons: SimulationWeights([(.other, 1)]), reportThenBlock: 0.5)

    /// Marketing to a purchased list: strangers who never heard of the sender.
    static let purchasedList = SimulationResponse(
        reachable: 0.985, read: 0.32, readDelay: 3 * 3_600_000, reply: 0.02, answer: 0,
        block: 0.16,
        blockReasons: SimulationWeights([(.didntSignUp, 0.45), (.spam, 0.40), (.offensive, 0.05), (.noReason, 0.10)]),
        report: 0.055, reportReasons: SimulationWeights([(.spam, 0.70), (.scam, 0.25), (.other, 0.05)]),
        reportThenBlock: 0.8)

    /// A slow drip of links to strangers.
    static let slowDrip = SimulationResponse(
        reachable: 0.985, read: 0.38, readDelay: 2 * 3_600_000, reply: 0.015, answer: 0,
        block: 0.075,
        blockReasons: SimulationWeights([(.spam, 0.50), (.didntSignUp, 0.40), (.noReason, 0.10)]),
        report: 0.025, reportReasons: SimulationWeights([(.spam, 0.60), (.scam, 0.35), (.other, 0.05)]),
        reportThenBlock: 0.75)

    /// A real business's campaign to people who never opted in: they recognise the brand, but did
    /// not sign up.
    static let coldList = SimulationResponse(
        reachable: 0.985, read: 0.50, readDelay: 90 * 60_000, reply: 0.02, answer: 0.8,
        block: 0.055,
        blockReasons: SimulationWeights([(.didntSignUp, 0.55), (.spam, 0.25), (.noLongerNeeded, 0.10), (.noReason, 0.10)]),
        report: 0.012, reportReasons: SimulationWeights([(.spam, 0.85), (.other, 0.15)]),
        reportThenBlock: 0.6)

    /// A business's answer inside a conversation the user started.
    static let service = SimulationResponse(
        reachable: 1, awaited: true, read: 0.96, readDelay: 40_000, reply: 0, answer: 0,
        block: 0.0004, blockReasons: SimulationWeights([(.noReason, 0.6), (.offensive, 0.4)]),
        report: 0.00003, reportReasons: SimulationWeights([(.offensive, 0.5), (.other, 0.5)]), reportThenBlock: 0.5)

    private static let optedInBlockReasons = SimulationWeights<BlockReason>(
        [(.noLongerNeeded, 0.70), (.noReason, 0.20), (.spam, 0.07), (.didntSignUp, 0.03)])
}
