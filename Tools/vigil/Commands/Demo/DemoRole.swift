import Transport

/// What a demo business does — the featured behaviours of `vigil simulate`, played for real over
/// the relay and the Cloud API, plus ordinary businesses that only chat with their customers.
enum DemoRole: String, Sendable, CaseIterable {
    /// Customers write first, it answers inside the 24-hour window, then a flash-sale template burst.
    case honestRetailer = "honest_retailer"
    /// One-time passcodes (authentication templates) to users who asked for one.
    case utilitySender = "utility_sender"
    /// Marketing templates to every user (and to numbers not on the platform). Abusive.
    case bulkBlaster = "bulk_blaster"
    /// A steady trickle of marketing to fresh strangers, under any per-minute threshold. Abusive.
    case slowDrip = "slow_drip_spammer"
    /// Genuine customers, plus a campaign to a list that never opted in. Abusive.
    case coldList = "cold_list_marketer"
    /// An honest business that a crowd who never heard from it reports. Honest.
    case reportBombingTarget = "report_bombing_target"
    /// Conversations with its customers and the odd order update.
    case ordinary = "ordinary"

    /// The featured roles, in the order businesses are numbered; the rest are ordinary.
    static let featured: [DemoRole] = [.honestRetailer, .utilitySender, .bulkBlaster, .slowDrip, .coldList, .reportBombingTarget]

    /// The role of business number `index`.
    static func role(ofBusiness index: Int) -> DemoRole {
        index < featured.count ? featured[index] : .ordinary
    }

    /// A short label for tables.
    var title: String {
        switch self {
        case .honestRetailer: "honest retailer"
        case .utilitySender: "OTP sender"
        case .bulkBlaster: "bulk blaster"
        case .slowDrip: "slow-drip spammer"
        case .coldList: "cold-list marketer"
        case .reportBombingTarget: "report-bombed"
        case .ordinary: "ordinary"
        }
    }

    /// Whether an operator should act on it (the ground truth the analyzer will be judged by).
    var isAbusive: Bool {
        switch self {
        case .bulkBlaster, .slowDrip, .coldList: true
        case .honestRetailer, .utilitySender, .reportBombingTarget, .ordinary: false
        }
    }

    /// The verified name it registers with.
    func displayName(index: Int) -> String {
        switch self {
        case .honestRetailer: "Northwind Outfitters"
        case .utilitySender: "QuickCode Verify"
        case .bulkBlaster: "MEGA DEALS 24/7"
        case .slowDrip: "Prime Yield Club"
        case .coldList: "Lumen Home Decor"
        case .reportBombingTarget: "Corner Bakery"
        case .ordinary: "Local Shop \(index + 1)"
        }
    }

    /// How a user reacts to a message from this business; `wroteFirst` when the user had
    /// written to it before.
    func reaction(wroteFirst: Bool) -> DemoReaction {
        switch self {
        case .utilitySender:
            DemoReaction(read: 0.95, block: 0.002, report: 0, blockReason: .noLongerNeeded, reportReason: .other)
        case .honestRetailer, .reportBombingTarget, .ordinary:
            DemoReaction(read: 0.8, block: 0.005, report: 0, blockReason: .noLongerNeeded, reportReason: .other)
        case .coldList where wroteFirst:
            DemoReaction(read: 0.8, block: 0.01, report: 0, blockReason: .noLongerNeeded, reportReason: .other)
        case .coldList:
            DemoReaction(read: 0.3, block: 0.12, report: 0.06, blockReason: .didntSignUp, reportReason: .spam)
        case .bulkBlaster:
            DemoReaction(read: 0.35, block: 0.18, report: 0.10, blockReason: .spam, reportReason: .spam)
        case .slowDrip:
            DemoReaction(read: 0.3, block: 0.2, report: 0.12, blockReason: .didntSignUp, reportReason: .scam)
        }
    }
}

/// A user's reaction to one business message: probabilities and the reasons given.
struct DemoReaction: Sendable {
    /// Sends a read receipt.
    let read: Double
    /// Blocks the business.
    let block: Double
    /// Reports it.
    let report: Double
    /// The block dialog's answer.
    let blockReason: BlockReason
    /// The report dialog's answer.
    let reportReason: ReportReason
}
