import Transport

/// A slow-drip spammer: one message every 31–95 seconds, day and night (a script, not a person),
/// each to a fresh stranger from a list spanning every country — never more than two a minute and
/// under 2 000 new recipients a day, so naive rate limits and the lowest messaging tier never trip,
/// yet it reaches over ten thousand cold users in a week. Half its links pose as "utility". Abusive.
struct SlowDripActor: SimulationActor {
    /// The business.
    let business: UInt32
    private let country: Int
    private let gap: ClosedRange<Double>
    private let stop: Int64
    private let population: SimulationPopulation
    private let list: SimulationPermutation
    private let salt: UInt64
    private var nextSend: Int64
    private var nextPosition = 0
    private var random: SimulationRandom

    private static let plans: [(country: Int, gap: ClosedRange<Double>, startHour: Double)] = [
        (1, 31...75, 3), (2, 35...95, 20), (3, 31...60, 32),
    ]

    /// Instance `instance` of the scenario's spammers; below scale 1 the gaps widen (fewer
    /// messages, at most ten times fewer), above it they do not (the rate is the point).
    init(instance: Int, scale: Double, into emitter: inout SimulationEmitter, random seed: SimulationRandom) {
        var random = seed
        let plan = Self.plans[instance % Self.plans.count]
        country = plan.country
        business = emitter.register(.slowDripSpammer, country: plan.country)
        population = emitter.population
        let stretch = 1 / min(1, max(0.1, scale))
        gap = (plan.gap.lowerBound * stretch)...(plan.gap.upperBound * stretch)
        list = SimulationPermutation(modulus: population.size, random: &random)
        salt = random.next()
        nextSend = SimulationCalendar.start + Int64(plan.startHour * Double(SimulationCalendar.hour)) + Int64(random.uniform(0...900) * 1_000)
        stop = SimulationCalendar.end - 3 * SimulationCalendar.hour
        self.random = random
    }

    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter) {
        while nextSend < slice.upperBound, nextSend < stop {
            let position = nextPosition
            nextPosition += 1
            // 8 % of the list are dead numbers, taken past the end of the home country's users.
            let user = SimulationHash.unit(position, salt: salt) < 0.08
                ? population.user(local: population.userCount(in: country) + position, in: country)
                : list(position)
            emitter.markWindow(business, at: nextSend)
            emitter.send(
                from: business, to: user, at: nextSend, category: random.chance(0.5) ? .marketing : .utility,
                sizeLog2: random.pick(SimulationSizes.spam), response: .slowDrip, random: &random)
            nextSend += Int64(random.uniform(gap) * 1_000)
        }
    }
}
