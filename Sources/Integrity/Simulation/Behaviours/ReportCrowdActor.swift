import Transport

/// A report-bombing crowd: people who never received anything from an honest business — three in
/// four from its own country but not its customers, the rest from abroad — report it within a few
/// hours (building up fast, fading slowly), half of them also block it, one in ten reports twice.
/// None of them has proof of contact, so none of it should count against the target.
struct ReportCrowdActor: SimulationActor {
    private let target: UInt32
    private let targetCustomers: SimulationCustomerBase
    private let homeCount: Int
    private let abroadCount: Int
    private let abroadCountry: Int
    private let abroad: SimulationPermutation
    private let start: Int64
    private let duration: Double
    private let population: SimulationPopulation
    private var done = false
    private var random: SimulationRandom

    private static let plans: [(crowd: Double, minimum: Int, day: Int, localHour: Double, hours: Double)] = [
        (1_500, 100, 3, 19, 3), (800, 60, 5, 12, 0.75),
    ]

    private static let reportReasons = SimulationWeights<ReportReason>([(.spam, 0.45), (.scam, 0.35), (.offensive, 0.15), (.other, 0.05)])
    private static let blockReasons = SimulationWeights<BlockReason>([(.spam, 0.60), (.offensive, 0.25), (.noReason, 0.15)])

    /// The crowd of instance `instance`, against `target` whose customers are `customers`.
    init(
        instance: Int, scale: Double, target: UInt32, customers: SimulationCustomerBase,
        population: SimulationPopulation, random seed: SimulationRandom
    ) {
        var random = seed
        let plan = Self.plans[instance % Self.plans.count]
        self.target = target
        targetCustomers = customers
        self.population = population
        let crowd = max(plan.minimum, Int(plan.crowd * scale))
        // Home bombers sit past the customers in the target's permutation: never customers.
        homeCount = min(population.userCount(in: customers.country) - customers.size, crowd * 3 / 4)
        abroadCountry = (customers.country + 1 + random.below(SimulationCountry.all.count - 1)) % SimulationCountry.all.count
        let abroadAvailable = population.userCount(in: abroadCountry)
        abroadCount = min(abroadAvailable, crowd - homeCount)
        abroad = SimulationPermutation(modulus: abroadAvailable, random: &random)
        let offset = SimulationCountry.all[customers.country].utcOffsetMinutes
        start = SimulationCalendar.time(day: plan.day, localHour: plan.localHour, utcOffsetMinutes: offset)
        duration = plan.hours * Double(SimulationCalendar.hour)
        self.random = random
    }

    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter) {
        guard !done, start < slice.upperBound else { return }
        done = true
        for member in 0..<(homeCount + abroadCount) {
            let user = member < homeCount
                ? targetCustomers.user(targetCustomers.size + member)
                : population.user(local: abroad(member - homeCount), in: abroadCountry)
            let reportedAt = start + Int64(random.triangular(mode: 0.25) * duration)
            emitter.markWindow(target, at: reportedAt)
            emitter.queue.push(.report, at: reportedAt, business: target, user: user, detail: random.pick(Self.reportReasons).rawValue)
            if random.chance(0.5) {
                let blockedAt = reportedAt + Int64(random.uniform(2...8) * 1_000)
                emitter.queue.push(.block, at: blockedAt, business: target, user: user, detail: random.pick(Self.blockReasons).rawValue)
            }
            if random.chance(0.1) {
                let againAt = reportedAt + Int64(random.uniform(0.5...10) * 60_000)
                emitter.markWindow(target, at: againAt)
                emitter.queue.push(.report, at: againAt, business: target, user: user, detail: random.pick(Self.reportReasons).rawValue)
            }
        }
    }
}
