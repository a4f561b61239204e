import Transport

/// An honest business: customers write to it (more by day), it answers (a bot at once or people
/// in business hours), sends order updates after some chats, and now and then a campaign to the
/// customers who opted in by writing. Background businesses, retailers, report-bombing targets and
/// the genuine side of cold-list marketers are all this actor with different plans.
struct HonestBusinessActor: SimulationActor {
    /// A broadcast to opted-in customers.
    struct Campaign: Sendable {
        /// When the first message goes out.
        var start: Int64
        /// Over how long the messages go out (uniformly).
        var spread: Int64
        /// Share of opted-in customers it goes to.
        var audience: Double
        /// How recipients react.
        var response: SimulationResponse
        /// Chance that a recipient who read it buys and gets an order confirmation.
        var purchases = 0.0
        /// Whether its sends define the business's labeled window (a flash sale does).
        var definesWindow = false
    }

    /// The business.
    let business: UInt32
    /// Its customers.
    private(set) var customers: SimulationCustomerBase
    /// Chats started per customer per day (before the day's rhythm and any boost).
    let chatsPerCustomerPerDay: Double
    /// Days with more chats (an ad campaign bringing people in), and by how much.
    let boost: (days: Range<Int>, factor: Double)?
    /// Whether a bot answers chats within seconds.
    let botAnswers: Bool
    /// Chance that a chat leads to an order update hours later.
    let orderUpdates: Double
    /// Whether all its activity defines its labeled window (background businesses).
    let windowIsAllActivity: Bool
    private var campaigns: [Campaign]
    private var nextCampaign = 0
    private var random: SimulationRandom

    /// A business with the given plan; campaigns are sorted by start.
    init(
        business: UInt32, customers: SimulationCustomerBase, chatsPerCustomerPerDay: Double,
        boost: (days: Range<Int>, factor: Double)? = nil, botAnswers: Bool, orderUpdates: Double,
        campaigns: [Campaign], windowIsAllActivity: Bool, random: SimulationRandom
    ) {
        self.business = business
        self.customers = customers
        self.chatsPerCustomerPerDay = chatsPerCustomerPerDay
        self.boost = boost
        self.botAnswers = botAnswers
        self.orderUpdates = orderUpdates
        self.campaigns = campaigns.sorted { $0.start < $1.start }
        self.windowIsAllActivity = windowIsAllActivity
        self.random = random
    }

    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter) {
        // Campaigns first, to the customers who wrote in earlier slices: every recipient wrote
        // before the campaign's first message.
        while nextCampaign < campaigns.count, campaigns[nextCampaign].start < slice.upperBound {
            run(campaigns[nextCampaign], into: &emitter)
            nextCampaign += 1
        }
        let offset = SimulationCountry.all[customers.country].utcOffsetMinutes
        let middle = slice.lowerBound + (slice.upperBound - slice.lowerBound) / 2
        let hourShare = SimulationCalendar.activity(at: middle, utcOffsetMinutes: offset) / SimulationCalendar.activityPerDay
        var rate = Double(customers.size) * chatsPerCustomerPerDay * hourShare
        rate *= Double(slice.upperBound - slice.lowerBound) / Double(SimulationCalendar.hour)
        if let boost, boost.days.contains(Int((slice.lowerBound - SimulationCalendar.start) / SimulationCalendar.day)) {
            rate *= boost.factor
        }
        let width = Int(slice.upperBound - slice.lowerBound)
        for _ in 0..<random.poisson(mean: rate) {
            let time = slice.lowerBound + Int64(random.below(width))
            let customer = customers.nextWriter(random: &random)
            guard !customers.blocked.contains(customer) else { continue }
            let user = customers.user(customer)
            let last = emitter.conversation(between: business, and: user, at: time, botAnswers: botAnswers, random: &random)
            if windowIsAllActivity { emitter.markWindow(business, at: time) }
            guard random.chance(orderUpdates) else { continue }
            let updateAt = last + Int64(random.uniform(2...30) * Double(SimulationCalendar.hour))
            let outcome = emitter.send(
                from: business, to: user, at: updateAt, category: .utility, sizeLog2: random.pick(SimulationSizes.code),
                response: .transactionUpdate, random: &random)
            if outcome.blocked { customers.blocked.insert(customer) }
        }
    }

    private mutating func run(_ campaign: Campaign, into emitter: inout SimulationEmitter) {
        for customer in 0..<customers.written where !customers.blocked.contains(customer) {
            guard random.chance(campaign.audience) else { continue }
            let time = campaign.start + Int64(random.unit() * Double(campaign.spread))
            let outcome = emitter.send(
                from: business, to: customers.user(customer), at: time, category: .marketing,
                sizeLog2: random.pick(SimulationSizes.campaign), response: campaign.response, random: &random)
            if outcome.blocked { customers.blocked.insert(customer) }
            if campaign.definesWindow || windowIsAllActivity { emitter.markWindow(business, at: time) }
            if outcome.delivered, !outcome.blocked, random.chance(campaign.purchases) {
                let confirmedAt = time + Int64(random.uniform(5...90) * 60_000)
                emitter.send(
                    from: business, to: customers.user(customer), at: confirmedAt, category: .utility,
                    sizeLog2: random.pick(SimulationSizes.code), response: .transactionUpdate, random: &random)
            }
        }
    }
}
