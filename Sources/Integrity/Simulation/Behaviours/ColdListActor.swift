import Transport

/// The cold-list side of a cold-list marketer: a real business (its genuine customers are a
/// ``HonestBusinessActor`` on the same number) that uploads an old or bought list of its country and
/// sends it three campaigns in business hours, each to half the list with overlap, so most people get
/// one or two messages they never asked for. Moderate volume and rate; blocks ("didn't sign up")
/// and reports far above an opted-in audience's. Abusive.
struct ColdListActor: SimulationActor {
    /// The business.
    let business: UInt32
    private let country: Int
    private let listSize: Int
    private let population: SimulationPopulation
    private let list: SimulationPermutation
    private let salt: UInt64
    private var campaigns: [(start: Int64, positions: Range<Int>)]
    private var nextCampaign = 0
    private var blocked: Set<Int> = []
    private var random: SimulationRandom

    private static let plans: [(country: Int, list: Double, minimum: Int)] = [(4, 9_000, 400), (3, 6_000, 400), (0, 12_000, 400)]

    /// Instance `instance`; also returns the genuine side, which shares the number.
    static func make(
        instance: Int, scale: Double, into emitter: inout SimulationEmitter, random seed: SimulationRandom
    ) -> (coldSide: ColdListActor, genuineSide: HonestBusinessActor) {
        var random = seed
        let plan = plans[instance % plans.count]
        let business = emitter.register(.coldListMarketer, country: plan.country)
        let genuine = HonestBusinessActor.coldListGenuineSide(
            business: business, country: plan.country, scale: scale, population: emitter.population,
            random: SimulationRandom(seed: random.next()))
        let cold = ColdListActor(business: business, plan: plan, scale: scale, population: emitter.population, random: &random)
        return (cold, genuine)
    }

    private init(
        business: UInt32, plan: (country: Int, list: Double, minimum: Int), scale: Double,
        population: SimulationPopulation, random: inout SimulationRandom
    ) {
        self.business = business
        country = plan.country
        self.population = population
        let available = population.userCount(in: plan.country)
        listSize = min(available / 2, max(plan.minimum, Int(plan.list * scale)))
        list = SimulationPermutation(modulus: available, random: &random)
        salt = random.next()
        let offset = SimulationCountry.all[plan.country].utcOffsetMinutes
        let size = listSize
        campaigns = [1, 3, 5].enumerated().map { index, day in
            let first = index * size / 4
            return (SimulationCalendar.time(day: day, localHour: random.uniform(10...15), utcOffsetMinutes: offset), first..<(first + size / 2))
        }
        self.random = random
    }

    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter) {
        while nextCampaign < campaigns.count, campaigns[nextCampaign].start < slice.upperBound {
            let campaign = campaigns[nextCampaign]
            nextCampaign += 1
            let spread = random.uniform(60...90) * 60_000
            for position in campaign.positions {
                // An old list: 5 % of its numbers are no longer on the platform.
                let user = SimulationHash.unit(position, salt: salt) < 0.05
                    ? population.user(local: population.userCount(in: country) + position, in: country)
                    : population.user(local: list(position), in: country)
                guard !blocked.contains(user) else { continue }
                let time = campaign.start + Int64(random.unit() * spread)
                emitter.markWindow(business, at: time)
                let outcome = emitter.send(
                    from: business, to: user, at: time, category: .marketing, sizeLog2: random.pick(SimulationSizes.campaign),
                    response: .coldList, random: &random)
                if outcome.blocked { blocked.insert(user) }
            }
        }
    }
}
