import Transport

/// Everything a demo run will do on its own initiative, drawn from the seed before anything
/// starts: the businesses and their roles, who writes to whom and when, the campaigns, the
/// report-bombing crowd. Reactions (replies, receipts, blocks, reports of spam) happen during the
/// run, each decided by a stateless draw keyed by the event (``DemoRandom/unit(seed:_:)``).
struct DemoScenario: Sendable {
    /// The seed everything is drawn from.
    let seed: UInt64
    /// Seconds of traffic.
    let duration: Double
    /// The users' numbers, by index.
    let users: [PhoneNumber]
    /// The businesses, by index.
    let businesses: [DemoBusinessPlan]
    /// Users' own actions, by time.
    let userActions: [DemoUserAction]

    /// Draws a run of `userCount` users and `businessCount` businesses (roles in
    /// ``DemoRole/featured`` order, then ordinary) over `duration` seconds.
    init(seed: UInt64, userCount: Int, businessCount: Int, duration: Double) {
        self.seed = seed
        self.duration = duration
        users = (0..<userCount).map(Self.userNumber)
        var plans: [DemoBusinessPlan] = []
        var actions: [DemoUserAction] = []
        for index in 0..<businessCount {
            var random = DemoRandom(seed: seed, 0xB05, UInt64(index))
            let plan = Self.plan(business: index, userCount: userCount, duration: duration, random: &random, actions: &actions)
            plans.append(plan)
        }
        businesses = plans
        userActions = actions.sorted { ($0.at, $0.user, $0.business) < ($1.at, $1.user, $1.business) }
    }

    /// User `index`'s number (+44 7700 …, a range kept for fiction).
    static func userNumber(_ index: Int) -> PhoneNumber {
        number(447_700_000_000 + UInt64(index))
    }

    /// Business `index`'s number.
    static func businessNumber(_ index: Int) -> PhoneNumber {
        number(14_155_550_100 + UInt64(index))
    }

    /// A number the scenario made; the ranges above are valid E.164 for every accepted count.
    private static func number(_ digits: UInt64) -> PhoneNumber {
        guard let number = PhoneNumber(digits: digits) else { preconditionFailure("demo number \(digits) out of E.164 range") }
        return number
    }

    /// `fraction` of `count`, at least `minimum` and at most `count`.
    private static func share(_ fraction: Double, of count: Int, minimum: Int) -> Int {
        min(count, max(minimum, Int((fraction * Double(count)).rounded())))
    }

    /// The plan of one business; users' first messages and reports go into `actions`.
    private static func plan(
        business index: Int, userCount: Int, duration: Double, random: inout DemoRandom, actions: inout [DemoUserAction]
    ) -> DemoBusinessPlan {
        let role = DemoRole.role(ofBusiness: index)
        let everyone = random.shuffled(Array(0..<userCount))
        var customers: [Int] = []
        var outreach: [DemoOutreach] = []
        var flashSaleAt: Double?
        func write(_ users: ArraySlice<Int>, between start: Double, and end: Double, random: inout DemoRandom) {
            for user in users {
                actions.append(DemoUserAction(at: random.uniform(start...end) * duration, user: user, business: index, kind: .write))
            }
            customers = Array(users)
        }
        switch role {
        case .honestRetailer:
            write(everyone.prefix(share(0.1, of: userCount, minimum: 2)), between: 0.02, and: 0.4, random: &random)
            flashSaleAt = 0.6 * duration
        case .utilitySender:
            for user in everyone.prefix(share(0.12, of: userCount, minimum: 2)) {
                let code = 100_000 + random.below(900_000)
                let template = DemoTemplate(name: "login_code", category: .authentication, text: "Your QuickCode verification code is \(code)")
                outreach.append(DemoOutreach(at: random.uniform(0.05...0.9) * duration, recipient: .user(user), template: template, textFirst: false))
            }
        case .bulkBlaster:
            let ghosts = share(0.05, of: userCount, minimum: 1)
            let list = random.shuffled(everyone.map(DemoRecipient.user) + (0..<ghosts).map { .ghost(userNumber(userCount + $0)) })
            let template = DemoTemplate(name: "mega_deal", category: .marketing, text: "CONGRATULATIONS! You won a FREE gift card, claim it now")
            for (position, recipient) in list.enumerated() {
                let at = (0.1 + 0.8 * Double(position) / Double(max(1, list.count))) * duration
                outreach.append(DemoOutreach(at: at, recipient: recipient, template: template, textFirst: false))
            }
        case .slowDrip:
            let count = min(share(0.25, of: userCount, minimum: 3), max(3, Int(duration / 0.7)))
            let template = DemoTemplate(name: "exclusive_offer", category: .marketing, text: "Earn 5% a day with Prime Yield, only 3 seats left")
            for (position, user) in everyone.prefix(count).enumerated() {
                let at = (0.05 + 0.9 * Double(position) / Double(count)) * duration
                outreach.append(DemoOutreach(at: at, recipient: .user(user), template: template, textFirst: false))
            }
        case .coldList:
            let customerCount = share(0.04, of: userCount, minimum: 2)
            write(everyone.prefix(customerCount), between: 0.02, and: 0.5, random: &random)
            let cold = everyone.dropFirst(customerCount).prefix(share(0.15, of: userCount, minimum: 3))
            let template = DemoTemplate(name: "spring_collection", category: .marketing, text: "Our spring collection is here: 20% off lamps and rugs")
            for user in cold {
                outreach.append(DemoOutreach(
                    at: random.uniform(0.25...0.8) * duration, recipient: .user(user), template: template, textFirst: random.chance(0.1)))
            }
        case .reportBombingTarget:
            let customerCount = share(0.05, of: userCount, minimum: 2)
            write(everyone.prefix(customerCount), between: 0.02, and: 0.85, random: &random)
            // The crowd never heard from it: none of them is a customer, and it writes to no one else.
            for user in everyone.dropFirst(customerCount).prefix(share(0.08, of: userCount, minimum: 3)) {
                let at = (0.35 + 0.35 * random.unit() * random.unit()) * duration
                let reason = random.pick([ReportReason.spam, .spam, .scam, .offensive])
                let block: BlockReason? = random.chance(0.5) ? random.pick([.spam, .offensive, .noReason]) : nil
                actions.append(DemoUserAction(at: at, user: user, business: index, kind: .report(reason, block: block)))
            }
        case .ordinary:
            write(everyone.prefix(share(0.04, of: userCount, minimum: 2)), between: 0.02, and: 0.85, random: &random)
        }
        return DemoBusinessPlan(
            index: index, phone: businessNumber(index), name: role.displayName(index: index), role: role,
            customers: customers, outreach: outreach.sorted { $0.at < $1.at }, flashSaleAt: flashSaleAt)
    }
}

/// One business of a run.
struct DemoBusinessPlan: Sendable {
    /// Its position (also in tables).
    let index: Int
    /// Its number.
    let phone: PhoneNumber
    /// Its verified name.
    let name: String
    /// What it does.
    let role: DemoRole
    /// Users who write to it first (it never messages anyone else first, except in ``outreach``).
    let customers: [Int]
    /// Messages it sends on its own initiative, by time.
    let outreach: [DemoOutreach]
    /// When the retailer's flash sale goes to every customer who wrote, in seconds.
    let flashSaleAt: Double?
}

/// A message template as a business sends it (Graph's `template` object).
struct DemoTemplate: Sendable, Hashable {
    /// The template's name.
    let name: String
    /// Its category (marketing, utility, authentication), which the relay sees.
    let category: MessageCategory
    /// The body parameter's text.
    let text: String
}

/// Whom a business-initiated message is for.
enum DemoRecipient: Sendable, Hashable {
    /// A demo user, by index.
    case user(Int)
    /// A number nobody registered (a purchased list's dead entry): Graph answers 131026.
    case ghost(PhoneNumber)
}

/// A message a business sends on its own initiative.
struct DemoOutreach: Sendable {
    /// Seconds after traffic starts.
    let at: Double
    /// To whom.
    let recipient: DemoRecipient
    /// What.
    let template: DemoTemplate
    /// Free-form text is tried first, which the Cloud API refuses outside the 24-hour window (131047).
    let textFirst: Bool
}

/// Something a user does on their own.
struct DemoUserAction: Sendable {
    /// What.
    enum Kind: Sendable {
        /// Writes to the business (a customer's first message).
        case write
        /// Reports the business, and maybe blocks it too.
        case report(ReportReason, block: BlockReason?)
    }

    /// Seconds after traffic starts.
    let at: Double
    /// The user's index.
    let user: Int
    /// The business's index.
    let business: Int
    /// What.
    let kind: Kind
}
