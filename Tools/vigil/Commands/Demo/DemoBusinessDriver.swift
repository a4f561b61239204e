import Foundation
import Transport

/// A business's own application logic, driving the Cloud API's Graph API like a real business
/// would: it answers customers inside the 24-hour window, sends its campaigns and passcodes when
/// the plan says, and falls back to a template when free-form text is refused (131047). Sends
/// are queued and at most ``maximumInFlight`` are outstanding. Loop-confined (the business loop).
final class DemoBusinessDriver {
    /// Requests one business keeps outstanding at the Graph API.
    static let maximumInFlight = 16

    /// The business's plan.
    let plan: DemoBusinessPlan
    /// Its Graph phone-number id.
    let phoneNumberID: String
    /// What it did.
    private(set) var counters = DemoDriverCounters()
    private let accessToken: String
    private unowned let side: DemoBusinessSide
    private var customers: [PhoneNumber: Int] = [:]
    private var queue: [DemoSend] = []
    private var head = 0
    private var inFlight = 0

    /// A driver for `plan`, authenticated by `accessToken`.
    init(plan: DemoBusinessPlan, phoneNumberID: String, accessToken: String, side: DemoBusinessSide) {
        self.plan = plan
        self.phoneNumberID = phoneNumberID
        self.accessToken = accessToken
        self.side = side
    }

    /// Schedules the plan's outreach and the flash sale from `start`.
    func start(at start: MonotonicInstant) {
        let loop = side.loop
        for item in plan.outreach {
            let send: DemoSend
            switch item.recipient {
            case let .user(user):
                let phone = side.context.scenario.users[user]
                send = item.textFirst
                    ? DemoSend(recipient: phone, user: user, content: .text(side.context.canary.tag(DemoScript.coldText)), fallback: item.template)
                    : DemoSend(recipient: phone, user: user, content: .template(item.template), fallback: nil)
            case let .ghost(phone):
                send = DemoSend(recipient: phone, user: nil, content: .template(item.template), fallback: nil)
            }
            loop.scheduleTimer(at: start + .milliseconds(Int64(item.at * 1_000))) { [weak self] in self?.enqueue(send) }
        }
        if let at = plan.flashSaleAt {
            loop.scheduleTimer(at: start + .milliseconds(Int64(at * 1_000))) { [weak self] in self?.flashSale() }
        }
    }

    /// A customer wrote (from the webhook): answer after a moment, with text — the 24-hour window
    /// is open — and sometimes an order update on their second message.
    func received(from user: PhoneNumber, text: String) {
        let count = customers[user, default: 0] + 1
        customers[user] = count
        switch plan.role {
        case .utilitySender, .bulkBlaster, .slowDrip: return
        case .honestRetailer, .coldList, .reportBombingTarget, .ordinary: break
        }
        let context = side.context
        let userLabel = UInt64(context.userIndex(user) ?? 0)
        let draw = { (label: UInt64) in context.draw(0xB12, UInt64(self.plan.index), userLabel, UInt64(count), label) }
        let reply = context.canary.tag(DemoScript.reply(for: plan.role, pick: Int(draw(2) * 64)))
        let update = (plan.role == .ordinary || plan.role == .reportBombingTarget) && count == 2 && draw(3) < 0.5
        let index = context.userIndex(user)
        side.loop.scheduleTimer(after: .milliseconds(Int64(100 + 500 * draw(1)))) { [weak self] in
            guard let self else { return }
            self.counters.replies += 1
            self.enqueue(DemoSend(recipient: user, user: index, content: .text(reply), fallback: nil))
            if update { self.enqueue(DemoSend(recipient: user, user: index, content: .template(DemoScript.orderUpdate), fallback: nil)) }
        }
    }

    /// The retailer's burst: the flash-sale template to every customer who wrote so far.
    private func flashSale() {
        let recipients = customers.keys.sorted { $0.digits < $1.digits }
        counters.flashSaleRecipients = recipients.count
        for user in recipients {
            enqueue(DemoSend(recipient: user, user: side.context.userIndex(user), content: .template(DemoScript.flashSale), fallback: nil))
        }
    }

    // MARK: Graph API

    private func enqueue(_ send: DemoSend) {
        queue.append(send)
        counters.requested += 1
        pump()
    }

    private func pump() {
        while inFlight < Self.maximumInFlight, head < queue.count {
            let send = queue[head]
            head += 1
            inFlight += 1
            side.postMessage(phoneNumberID: phoneNumberID, accessToken: accessToken, body: body(for: send)) { [weak self] outcome in
                guard let self else { return }
                self.inFlight -= 1
                self.answered(send, outcome)
                self.pump()
            }
        }
        if head > 1_024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        counters.pending = queue.count - head + inFlight
    }

    private func answered(_ send: DemoSend, _ outcome: Result<(status: Int, body: [UInt8]), DemoError>) {
        switch outcome {
        case let .success((status, _)) where (200..<300).contains(status):
            counters.accepted += 1
            let isTemplate: Bool
            if case .template = send.content { isTemplate = true } else { isTemplate = false }
            if isTemplate { counters.acceptedTemplates += 1 } else { counters.acceptedTexts += 1 }
            if let user = send.user {
                counters.acceptedByPair[DemoPair(business: plan.index, user: user), default: DemoPairTally()].count(template: isTemplate)
            }
        case let .success((status, body)):
            let code = Self.graphErrorCode(body) ?? status
            counters.refused[code, default: 0] += 1
            if code == 131047, let fallback = send.fallback {
                enqueue(DemoSend(recipient: send.recipient, user: send.user, content: .template(fallback), fallback: nil))
            }
        case let .failure(error):
            counters.transportFailures += 1
            counters.lastError = "\(plan.name): \(error)"
        }
    }

    /// The Graph request body of `send`.
    private func body(for send: DemoSend) -> [UInt8] {
        let to = JSONObject.quote(String(send.recipient.digits))
        switch send.content {
        case let .text(text):
            return Array(#"{"messaging_product":"whatsapp","recipient_type":"individual","to":\#(to),"type":"text","text":{"body":\#(JSONObject.quote(text))}}"#.utf8)
        case let .template(template):
            let parameters = [template.text, side.context.canary.reference]
                .map { #"{"type":"text","text":\#(JSONObject.quote($0))}"# }.joined(separator: ",")
            return Array(("""
                {"messaging_product":"whatsapp","to":\(to),"type":"template","template":{"name":\(JSONObject.quote(template.name)),\
                "language":{"code":"en"},"category":\(JSONObject.quote(template.category.description)),\
                "components":[{"type":"body","parameters":[\(parameters)]}]}}
                """).utf8)
        }
    }

    /// `error.code` of a Graph error body.
    static func graphErrorCode(_ body: [UInt8]) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return (object["error"] as? [String: Any])?["code"] as? Int
    }
}

/// One Graph API send.
struct DemoSend {
    /// What is sent.
    enum Content {
        /// Free-form text.
        case text(String)
        /// A template.
        case template(DemoTemplate)
    }

    /// To whom.
    let recipient: PhoneNumber
    /// The demo user's index, if it is one.
    let user: Int?
    /// What.
    let content: Content
    /// Sent instead if the text is refused outside the 24-hour window.
    let fallback: DemoTemplate?
}

/// What one business's driver did.
struct DemoDriverCounters: Sendable {
    /// Graph sends queued.
    var requested = 0
    /// Sends answered 200.
    var accepted = 0
    /// … of which texts.
    var acceptedTexts = 0
    /// … of which templates.
    var acceptedTemplates = 0
    /// Accepted sends per pair.
    var acceptedByPair: [DemoPair: DemoPairTally] = [:]
    /// Refusals by Graph error code (131047 outside the window, 131026 undeliverable, …).
    var refused: [Int: Int] = [:]
    /// Requests that got no HTTP answer.
    var transportFailures = 0
    /// Answers to customers.
    var replies = 0
    /// Customers the flash sale went to.
    var flashSaleRecipients = 0
    /// Sends queued or in flight.
    var pending = 0
    /// The latest failure.
    var lastError: String?
}
