import Transport

/// A one-time-passcode sender (a bank, a login service): users sign in, more by day, and each
/// sign-in sends a passcode they are waiting for — sometimes a second one when the first is slow —
/// and now and then a transaction alert. Nearly every recipient never wrote to the business, so it
/// looks "cold", yet the codes are read within seconds and hardly anyone blocks: honest.
struct UtilitySenderActor: SimulationActor {
    /// The business.
    let business: UInt32
    private let country: Int
    private let homeUsers: Int
    private let abroadUsers: Int
    private let signInsPerUserPerDay: Double
    private let population: SimulationPopulation
    private let home: SimulationPermutation
    private let abroad: SimulationPermutation
    private var blocked: Set<Int> = []
    private var random: SimulationRandom

    private static let plans: [(country: Int, users: Double, minimum: Int)] = [(1, 40_000, 1_000), (0, 15_000, 500)]

    /// Instance `instance` of the scenario's passcode senders.
    init(instance: Int, scale: Double, into emitter: inout SimulationEmitter, random seed: SimulationRandom) {
        var random = seed
        let plan = Self.plans[instance % Self.plans.count]
        country = plan.country
        business = emitter.register(.utilitySender, country: plan.country)
        population = emitter.population
        let users = max(plan.minimum, Int(plan.users * scale))
        let available = population.userCount(in: plan.country)
        homeUsers = min(available / 2, users * 85 / 100)
        abroadUsers = min(population.size / 2, max(1, users - homeUsers))
        signInsPerUserPerDay = 0.2
        home = SimulationPermutation(modulus: available, random: &random)
        abroad = SimulationPermutation(modulus: population.size, random: &random)
        self.random = random
    }

    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter) {
        let offset = SimulationCountry.all[country].utcOffsetMinutes
        let middle = slice.lowerBound + (slice.upperBound - slice.lowerBound) / 2
        let hourShare = SimulationCalendar.activity(at: middle, utcOffsetMinutes: offset) / SimulationCalendar.activityPerDay
        let width = slice.upperBound - slice.lowerBound
        let mean = Double(homeUsers + abroadUsers) * signInsPerUserPerDay * hourShare * Double(width) / Double(SimulationCalendar.hour)
        for _ in 0..<random.poisson(mean: mean) {
            let time = slice.lowerBound + Int64(random.below(Int(width)))
            // Some people sign in every day, most rarely: the square skews picks to the first positions.
            let skew = random.unit() * random.unit()
            let user = random.chance(0.85)
                ? population.user(local: home(Int(skew * Double(homeUsers))), in: country)
                : abroad(Int(skew * Double(abroadUsers)))
            guard !blocked.contains(user) else { continue }
            emitter.markWindow(business, at: time)
            passcode(to: user, at: time, into: &emitter)
            if random.chance(0.05) {
                passcode(to: user, at: time + Int64(random.uniform(30...120) * 1_000), into: &emitter)
            }
            if random.chance(0.2) {
                let outcome = emitter.send(
                    from: business, to: user, at: time + Int64(random.uniform(1...20) * 60_000), category: .utility,
                    sizeLog2: random.pick(SimulationSizes.code), response: .accountAlert, random: &random)
                if outcome.blocked { blocked.insert(user) }
            }
        }
    }

    private mutating func passcode(to user: Int, at time: Int64, into emitter: inout SimulationEmitter) {
        let outcome = emitter.send(
            from: business, to: user, at: time, category: .authentication, sizeLog2: random.pick(SimulationSizes.code),
            response: .passcode, random: &random)
        if outcome.blocked { blocked.insert(user) }
    }
}
