/// The plans of honest businesses: the background, retailers, report-bombing targets, and the
/// genuine customers of cold-list marketers.
extension HonestBusinessActor {
    /// An ordinary business with random size, chat rate, answering style and 0–3 campaigns.
    static func background(into emitter: inout SimulationEmitter, random seed: SimulationRandom) -> HonestBusinessActor {
        var random = seed
        let country = random.pick(SimulationCountry.byShare)
        let business = emitter.register(.background, country: country)
        let size = max(40, Int(random.logNormal(median: 700, sigma: 1.1)))
        let customers = SimulationCustomerBase(size: size, country: country, population: emitter.population, random: &random)
        let offset = SimulationCountry.all[country].utcOffsetMinutes
        let campaignCount = random.pick(SimulationWeights([(0, 0.30), (1, 0.35), (2, 0.25), (3, 0.10)]))
        let campaigns = (0..<campaignCount).map { _ in
            Campaign(
                start: SimulationCalendar.time(day: 1 + random.below(6), localHour: random.uniform(9...19), utcOffsetMinutes: offset),
                spread: Int64(random.uniform(5...40) * 60_000), audience: random.uniform(0.3...0.9), response: .optedInMarketing)
        }
        return HonestBusinessActor(
            business: business, customers: customers, chatsPerCustomerPerDay: random.uniform(0.03...0.10),
            botAnswers: random.chance(0.5), orderUpdates: random.uniform(0.05...0.35), campaigns: campaigns,
            windowIsAllActivity: true, random: random)
    }

    /// A retailer: an ad campaign brings customers in during the first four days, daily deals go to
    /// a third of the opted-in, then a flash sale goes to all of them within twelve minutes.
    static func retailer(instance: Int, scale: Double, into emitter: inout SimulationEmitter, random seed: SimulationRandom) -> HonestBusinessActor {
        var random = seed
        let plans: [(country: Int, customers: Double, minimum: Int, saleDay: Int, saleHour: Double)] = [
            (0, 40_000, 800, 4, 18), (3, 15_000, 400, 5, 12),
        ]
        let plan = plans[instance % plans.count]
        let business = emitter.register(.honestRetailer, country: plan.country)
        let customers = SimulationCustomerBase(
            size: max(plan.minimum, Int(plan.customers * scale)), country: plan.country, population: emitter.population, random: &random)
        let offset = SimulationCountry.all[plan.country].utcOffsetMinutes
        var campaigns = (1...3).map { day in
            Campaign(
                start: SimulationCalendar.time(day: day, localHour: 11, utcOffsetMinutes: offset), spread: 30 * 60_000,
                audience: 0.35, response: .optedInMarketing, purchases: 0.02)
        }
        campaigns.append(Campaign(
            start: SimulationCalendar.time(day: plan.saleDay, localHour: plan.saleHour, utcOffsetMinutes: offset),
            spread: 12 * 60_000, audience: 1, response: .flashSale, purchases: 0.08, definesWindow: true))
        return HonestBusinessActor(
            business: business, customers: customers, chatsPerCustomerPerDay: 0.05, boost: (0..<4, 2.5),
            botAnswers: true, orderUpdates: 0.35, campaigns: campaigns, windowIsAllActivity: false, random: random)
    }

    /// A small honest business that a crowd will report-bomb (see ``ReportCrowdActor``).
    static func bombingTarget(instance: Int, scale: Double, into emitter: inout SimulationEmitter, random seed: SimulationRandom) -> HonestBusinessActor {
        var random = seed
        let plans: [(country: Int, customers: Double, minimum: Int)] = [(2, 1_200, 150), (4, 2_500, 200)]
        let plan = plans[instance % plans.count]
        let business = emitter.register(.reportBombingTarget, country: plan.country)
        let customers = SimulationCustomerBase(
            size: max(plan.minimum, Int(plan.customers * scale)), country: plan.country, population: emitter.population, random: &random)
        let offset = SimulationCountry.all[plan.country].utcOffsetMinutes
        let campaign = Campaign(
            start: SimulationCalendar.time(day: 2, localHour: 12, utcOffsetMinutes: offset), spread: 20 * 60_000,
            audience: 0.5, response: .optedInMarketing)
        return HonestBusinessActor(
            business: business, customers: customers, chatsPerCustomerPerDay: 0.06, botAnswers: instance % 2 == 0,
            orderUpdates: 0.2, campaigns: [campaign], windowIsAllActivity: false, random: random)
    }

    /// The genuine customers of a cold-list marketer (business already registered).
    static func coldListGenuineSide(
        business: UInt32, country: Int, scale: Double, population: SimulationPopulation, random seed: SimulationRandom
    ) -> HonestBusinessActor {
        var random = seed
        let customers = SimulationCustomerBase(
            size: max(150, Int(1_500 * scale)), country: country, population: population, random: &random)
        return HonestBusinessActor(
            business: business, customers: customers, chatsPerCustomerPerDay: 0.05, botAnswers: false,
            orderUpdates: 0.25, campaigns: [], windowIsAllActivity: false, random: random)
    }
}
