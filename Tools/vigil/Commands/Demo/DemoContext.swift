import Transport

/// What every part of a run shares, immutable: the scenario, the canary, where the relay is, and
/// lookups from numbers to demo users and businesses.
struct DemoContext: Sendable {
    /// The run's plan.
    let scenario: DemoScenario
    /// The run's canary.
    let canary: DemoCanary
    /// The relay child's address.
    let relay: SocketAddress
    private let businessIndexes: [PhoneNumber: Int]

    /// A context for `scenario`.
    init(scenario: DemoScenario, canary: DemoCanary, relay: SocketAddress) {
        self.scenario = scenario
        self.canary = canary
        self.relay = relay
        businessIndexes = Dictionary(uniqueKeysWithValues: scenario.businesses.map { ($0.phone, $0.index) })
    }

    /// The seed.
    var seed: UInt64 { scenario.seed }

    /// The business with number `phone`.
    func business(_ phone: PhoneNumber) -> DemoBusinessPlan? {
        businessIndexes[phone].map { scenario.businesses[$0] }
    }

    /// The demo user with number `phone`, by index.
    func userIndex(_ phone: PhoneNumber) -> Int? {
        let base = DemoScenario.userNumber(0).digits
        guard phone.digits >= base, phone.digits - base < UInt64(scenario.users.count) else { return nil }
        return Int(phone.digits - base)
    }

    /// A stateless draw for the event named by `labels` (see ``DemoRandom/unit(seed:_:)``).
    func draw(_ labels: UInt64...) -> Double {
        DemoRandom.unit(seed: seed, labels: labels)
    }
}

/// A (business, user) pair, by index.
struct DemoPair: Hashable, Sendable {
    /// The business's index.
    let business: Int
    /// The user's index.
    let user: Int
}

/// Business messages of one pair: free-form texts and templates.
struct DemoPairTally: Hashable, Sendable {
    /// Texts (service messages inside the 24-hour window).
    var texts = 0
    /// Templates (marketing, utility, authentication).
    var templates = 0

    /// Counts one message.
    mutating func count(template: Bool) {
        if template { templates += 1 } else { texts += 1 }
    }

    /// The sum of two tallies.
    func adding(_ other: DemoPairTally) -> DemoPairTally {
        DemoPairTally(texts: texts + other.texts, templates: templates + other.templates)
    }
}
