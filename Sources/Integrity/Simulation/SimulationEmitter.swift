import Transport

/// A business taking part in a simulation: its number, its country and what it is labeled as.
struct SimulationBusiness: Sendable {
    /// Its E.164 number as ASCII.
    let number: [UInt8]
    /// Its country index.
    let country: Int
    /// What it does.
    let behaviour: SimulationBehaviour
    /// First and last time of the labeled behaviour (see docs/simulation.md), once seen.
    var window: (first: Int64, last: Int64)?
}

/// What the generators write into: the event queue, the population, the business table.
///
/// Its `send` and `conversation` turn one act (a business message, a chat a user starts) into the
/// whole cascade of events it causes, with human delays that follow the recipient's day.
struct SimulationEmitter: Sendable {
    /// Events not yet written.
    var queue: SimulationEventQueue
    /// The users.
    let population: SimulationPopulation
    /// Every business, by index.
    private(set) var businesses: [SimulationBusiness] = []

    /// An emitter for a capture ending at ``SimulationCalendar/end``.
    init(population: SimulationPopulation) {
        self.population = population
        queue = SimulationEventQueue(end: SimulationCalendar.end)
    }

    /// Adds a business and returns its index.
    mutating func register(_ behaviour: SimulationBehaviour, country: Int) -> UInt32 {
        let index = businesses.count
        businesses.append(SimulationBusiness(
            number: SimulationPopulation.businessNumber(index, in: country), country: country, behaviour: behaviour))
        return UInt32(index)
    }

    /// The country of business `business`.
    func country(of business: UInt32) -> Int { businesses[Int(business)].country }

    /// Extends `business`'s labeled window to cover `time` (times past the capture are ignored).
    mutating func markWindow(_ business: UInt32, at time: Int64) {
        guard time < queue.end else { return }
        let index = Int(business)
        if let window = businesses[index].window {
            businesses[index].window = (min(window.first, time), max(window.last, time))
        } else {
            businesses[index].window = (time, time)
        }
    }

    /// The outcome of one business message, for generators that remember blocks.
    struct SendOutcome {
        /// Whether the recipient's device received it.
        var delivered = false
        /// Whether the recipient blocked the business because of it.
        var blocked = false
    }

    /// A business message and everything it causes: delivery, read, reply (and the business's
    /// answer), block, report.
    @discardableResult
    mutating func send(
        from business: UInt32, to user: Int, at time: Int64, category: MessageCategory, sizeLog2: UInt8,
        response: SimulationResponse, random: inout SimulationRandom
    ) -> SendOutcome {
        var outcome = SendOutcome()
        queue.push(.businessMessage, at: time, business: business, user: user, detail: category.rawValue, sizeLog2: sizeLog2)
        guard population.isRegistered(user), random.chance(response.reachable) else { return outcome }
        let offset = population.utcOffsetMinutes(ofUser: user)
        let deliveredAt = time + deliveryDelay(at: time, utcOffsetMinutes: offset, awaited: response.awaited, random: &random)
        queue.push(.delivered, at: deliveredAt, business: business, user: user)
        outcome.delivered = true

        let engagement = 0.55 + 0.9 * SimulationHash.unit(user, salt: 0xe11a_9e)
        let reads = random.chance(min(0.995, response.read * engagement))
        var seenAt = deliveredAt
        if reads {
            let delay = response.awaited
                ? Int64(random.logNormal(median: response.readDelay / 2, sigma: 0.8))
                : humanDelay(after: deliveredAt, mean: response.readDelay, utcOffsetMinutes: offset, random: &random)
            seenAt = deliveredAt + max(200, delay)
            queue.push(.read, at: seenAt, business: business, user: user)
            if random.chance(min(0.9, response.reply * engagement)) {
                let repliedAt = seenAt + 2_000 + Int64(random.logNormal(median: 40_000, sigma: 1))
                queue.push(.userMessage, at: repliedAt, business: business, user: user, sizeLog2: random.pick(SimulationSizes.shortText))
                if random.chance(response.answer) {
                    let answeredAt = repliedAt + 1_000 + Int64(random.logNormal(median: 90_000, sigma: 1.2))
                    answer(from: business, to: user, at: answeredAt, random: &random)
                }
            }
        } else {
            seenAt = deliveredAt + humanDelay(after: deliveredAt, mean: 3 * 3_600_000, utcOffsetMinutes: offset, random: &random)
        }

        // Unread messages are rarely blocked and more rarely reported: people react to what they saw.
        let attention = reads ? 1.0 : 0.25
        if random.chance(response.report * attention) {
            let reportedAt = seenAt + 3_000 + Int64(random.logNormal(median: 25_000, sigma: 1))
            queue.push(.report, at: reportedAt, business: business, user: user, detail: random.pick(response.reportReasons).rawValue)
            if random.chance(response.reportThenBlock) {
                let blockedAt = reportedAt + 500 + Int64(random.uniform(0...4_000))
                queue.push(.block, at: blockedAt, business: business, user: user, detail: random.pick(response.blockReasons).rawValue)
                outcome.blocked = true
            }
        }
        if !outcome.blocked, random.chance(response.block * attention) {
            let blockedAt = seenAt + 2_000 + Int64(random.logNormal(median: 60_000, sigma: 1.5))
            queue.push(.block, at: blockedAt, business: business, user: user, detail: random.pick(response.blockReasons).rawValue)
            outcome.blocked = true
        }
        return outcome
    }

    /// A conversation the user starts: their message, the business's answers (a bot within
    /// seconds, people within minutes in business hours and the next morning otherwise), and the
    /// user writing back now and then. Returns the time of the last message.
    @discardableResult
    mutating func conversation(
        between business: UInt32, and user: Int, at time: Int64, botAnswers: Bool, random: inout SimulationRandom
    ) -> Int64 {
        let businessOffset = SimulationCountry.all[country(of: business)].utcOffsetMinutes
        var userAt = time
        for round in 0..<6 {
            queue.push(.userMessage, at: userAt, business: business, user: user, sizeLog2: random.pick(SimulationSizes.chat))
            let latency: Int64 = if botAnswers {
                1_500 + Int64(random.logNormal(median: 3_000, sigma: 0.6))
            } else if SimulationCalendar.activity(at: userAt, utcOffsetMinutes: businessOffset) >= 0.7 {
                5_000 + Int64(random.logNormal(median: 4 * 60_000, sigma: 1))
            } else {
                humanDelay(after: userAt, mean: 2 * 3_600_000, utcOffsetMinutes: businessOffset, random: &random)
            }
            let answeredAt = userAt + latency
            let read = answer(from: business, to: user, at: answeredAt, random: &random)
            // Conversations thin out: each round the user writes back a little less often.
            guard let readAt = read, round < 5, random.chance(0.55 - 0.08 * Double(round)) else { return answeredAt }
            userAt = readAt + 3_000 + Int64(random.logNormal(median: 45_000, sigma: 1))
        }
        return userAt
    }

    /// The business's service answer: message, delivery, read. Returns the read time, if read.
    @discardableResult
    private mutating func answer(from business: UInt32, to user: Int, at time: Int64, random: inout SimulationRandom) -> Int64? {
        queue.push(.businessMessage, at: time, business: business, user: user, detail: MessageCategory.service.rawValue,
                   sizeLog2: random.pick(SimulationSizes.chat))
        let deliveredAt = time + 80 + Int64(random.logNormal(median: 400, sigma: 0.6))
        queue.push(.delivered, at: deliveredAt, business: business, user: user)
        let response = SimulationResponse.service
        guard random.chance(response.read) else { return nil }
        let readAt = deliveredAt + 300 + Int64(random.logNormal(median: response.readDelay, sigma: 1.2))
        queue.push(.read, at: readAt, business: business, user: user)
        if random.chance(response.block) {
            queue.push(.block, at: readAt + 5_000 + Int64(random.logNormal(median: 30_000, sigma: 1)), business: business,
                       user: user, detail: random.pick(response.blockReasons).rawValue)
        }
        return readAt
    }

    /// How long a message takes to reach a phone: under a second when it is online (more likely
    /// by day, nearly sure when the user awaits it), otherwise until the user next picks it up.
    private func deliveryDelay(at time: Int64, utcOffsetMinutes: Int, awaited: Bool, random: inout SimulationRandom) -> Int64 {
        let online = awaited ? 0.97 : 0.2 + 0.75 * SimulationCalendar.activity(at: time, utcOffsetMinutes: utcOffsetMinutes)
        if random.chance(online) {
            return 60 + min(20_000, Int64(random.logNormal(median: 450, sigma: 0.7)))
        }
        return 1_000 + humanDelay(after: time, mean: 25 * 60_000, utcOffsetMinutes: utcOffsetMinutes, random: &random)
    }

    /// A person's reaction delay with mean `mean` ms in waking hours, stretched through the night:
    /// exponential steps, each accepted with the local activity at its end.
    func humanDelay(after time: Int64, mean: Double, utcOffsetMinutes: Int, random: inout SimulationRandom) -> Int64 {
        var delay = 0.0
        for _ in 0..<48 {
            delay += random.exponential(mean: mean)
            if random.unit() < SimulationCalendar.activity(at: time + Int64(delay), utcOffsetMinutes: utcOffsetMinutes) { break }
        }
        return max(1, Int64(delay))
    }
}
