import Transport

/// A bulk blaster: a number that appears from nowhere (its first event is its first blast) and
/// sends a purchased list marketing at 35–60 messages a second, in sessions, with short pauses every
/// thousand. The list is strangers of one country, a fifth of them numbers not on the platform,
/// a few percent listed twice. Abusive.
struct BulkBlasterActor: SimulationActor {
    /// The business.
    let business: UInt32
    private let country: Int
    private let listSize: Int
    private let ghostShare = 0.2
    private let population: SimulationPopulation
    private let list: SimulationPermutation
    private let salt: UInt64
    private var sessions: [(start: Int64, positions: Range<Int>, rate: Double)]
    private var nextSession = 0
    private var blocked: Set<Int> = []
    private var random: SimulationRandom

    private static let plans: [(country: Int, list: Double, minimum: Int, sessions: [(day: Int, utcHour: Double)])] = [
        (2, 60_000, 500, [(2, 13), (2, 20.5), (3, 14)]),
        (1, 25_000, 500, [(4, 6), (4, 11)]),
        (0, 12_000, 500, [(1, 15)]),
    ]

    /// Instance `instance` of the scenario's blasters.
    init(instance: Int, scale: Double, into emitter: inout SimulationEmitter, random seed: SimulationRandom) {
        var random = seed
        let plan = Self.plans[instance % Self.plans.count]
        country = plan.country
        business = emitter.register(.bulkBlaster, country: plan.country)
        population = emitter.population
        let available = population.userCount(in: plan.country)
        let size = min(available / 2, max(plan.minimum, Int(plan.list * scale)))
        listSize = size
        list = SimulationPermutation(modulus: available, random: &random)
        salt = random.next()
        let count = plan.sessions.count
        sessions = plan.sessions.enumerated().map { index, session in
            (SimulationCalendar.start + Int64(session.day) * SimulationCalendar.day + Int64(session.utcHour * Double(SimulationCalendar.hour))
                + Int64(random.uniform(0...600) * 1_000),
             (index * size / count)..<((index + 1) * size / count),
             random.uniform(35...60))
        }
        self.random = random
    }

    /// The user at list position `position`: a real stranger or a ghost number.
    private func user(at position: Int) -> Int {
        SimulationHash.unit(position, salt: salt) < ghostShare
            ? population.user(local: population.userCount(in: country) + position, in: country)
            : population.user(local: list(position), in: country)
    }

    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter) {
        while nextSession < sessions.count, sessions[nextSession].start < slice.upperBound {
            let session = sessions[nextSession]
            nextSession += 1
            var time = session.start
            for position in session.positions {
                blast(to: user(at: position), at: time, into: &emitter)
                time += 1 + Int64(random.exponential(mean: 1_000 / session.rate))
                if random.chance(0.03), position > 0 {
                    blast(to: user(at: random.below(position)), at: time, into: &emitter)
                    time += 1 + Int64(random.exponential(mean: 1_000 / session.rate))
                }
                if (position - session.positions.lowerBound) % 1_000 == 999 {
                    time += Int64(random.uniform(5...60) * 1_000)
                }
            }
        }
    }

    private mutating func blast(to user: Int, at time: Int64, into emitter: inout SimulationEmitter) {
        guard !blocked.contains(user) else { return }
        emitter.markWindow(business, at: time)
        let category: MessageCategory = random.chance(0.8) ? .marketing : .utility
        let outcome = emitter.send(
            from: business, to: user, at: time, category: category, sizeLog2: random.pick(SimulationSizes.campaign),
            response: .purchasedList, random: &random)
        if outcome.blocked { blocked.insert(user) }
    }
}
