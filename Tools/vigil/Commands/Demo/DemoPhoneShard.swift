import Transport

/// The phones that live on one load loop, with their counters. Loop-confined; the main thread
/// reaches it through ``DemoLoopThread/call(_:)`` and a `LoopBound`.
final class DemoPhoneShard {
    /// The index of the control pair's sender (the receiver is one below).
    static let controlSenderIndex = -1
    /// Messages the control sender queues for its offline receiver.
    static let controlMessageCount = 4

    /// The loop.
    let loop: EventLoop
    /// The run's shared facts.
    let context: DemoContext
    /// What happened so far.
    var counters = DemoPhoneCounters()
    /// When users stop starting conversations (follow-ups are not begun after it).
    private(set) var trafficEnd: MonotonicInstant?
    private var phones: [Int: DemoPhone] = [:]
    private var order: [DemoPhone] = []
    private var control: (sender: DemoPhone, receiver: DemoPhone)?
    private var isClosing = false

    /// Creates (on `loop`) the phones of `users`, and the control pair if `withControlPair`.
    init(loop: EventLoop, context: DemoContext, users: [Int], withControlPair: Bool) throws(DemoError) {
        self.loop = loop
        self.context = context
        for user in users {
            let phone = try DemoPhone(index: user, number: context.scenario.users[user], shard: self)
            phones[user] = phone
            order.append(phone)
        }
        if withControlPair {
            let sender = try DemoPhone(index: Self.controlSenderIndex, number: Self.controlNumber(1), shard: self)
            let receiver = try DemoPhone(index: Self.controlSenderIndex - 1, number: Self.controlNumber(2), shard: self)
            control = (sender, receiver)
            order += [sender, receiver]
        }
        counters.phones = order.count
    }

    /// The control pair's numbers (outside the users' range).
    private static func controlNumber(_ index: UInt64) -> PhoneNumber {
        guard let number = PhoneNumber(digits: 447_799_000_000 + index) else { preconditionFailure("control number out of range") }
        return number
    }

    /// Connects every phone, `batch` per `interval`, so the relay's accept backlog never overflows.
    func connectAll(batch: Int = 100, interval: Duration = .milliseconds(15)) {
        connect(from: 0, batch: batch, interval: interval)
    }

    private func connect(from start: Int, batch: Int, interval: Duration) {
        let end = min(order.count, start + batch)
        for phone in order[start..<end] { phone.connect() }
        guard end < order.count else { return }
        loop.scheduleTimer(after: interval) { [weak self] in self?.connect(from: end, batch: batch, interval: interval) }
    }

    /// Schedules the users' own actions from `start` and the control pair's messages.
    func startTraffic(at start: MonotonicInstant, duration: Duration, actions: [DemoUserAction]) {
        trafficEnd = start + duration
        for action in actions {
            guard let phone = phones[action.user] else { continue }
            let business = context.scenario.businesses[action.business]
            let at = start + .milliseconds(Int64(action.at * 1_000))
            loop.scheduleTimer(at: at) {
                switch action.kind {
                case .write: phone.write(to: business)
                case let .report(reason, block): phone.reportUnprompted(business, reason: reason, block: block)
                }
            }
        }
        if let control {
            loop.scheduleTimer(at: start + .milliseconds(300)) { [weak self] in self?.sendControlMessages(control.sender, to: control.receiver) }
        }
    }

    /// The positive control for the relay's memory and files: end-to-end encrypted messages
    /// with the canary, queued for a phone that went offline, so the relay holds their
    /// ciphertext (which the audit must find) and never their plaintext (which it must not).
    private func sendControlMessages(_ sender: DemoPhone, to receiver: DemoPhone) {
        for number in 1...Self.controlMessageCount {
            sender.send(context.canary.tag("control message \(number) for an offline phone"), to: receiver.number) { [weak self] outcome in
                guard let self else { return }
                switch outcome {
                case let .success(ciphertext):
                    self.counters.controlCiphertexts.append(Array(ciphertext.suffix(32)))
                case let .failure(error):
                    self.counters.lastError = "control message: \(error)"
                }
            }
        }
    }

    /// A phone's bundle is published; the control receiver then goes offline for good.
    func published(_ phone: DemoPhone) {
        counters.published += 1
        if let control, phone === control.receiver { phone.disconnect() }
    }

    /// A phone could not connect or publish.
    func linkFailed(_ phone: DemoPhone, _ reason: String) {
        counters.linkFailures += 1
        counters.lastError = "\(phone.number): \(reason)"
    }

    /// A phone's link closed; only unexpected while the shard runs and not for the control receiver.
    func linkClosed(_ phone: DemoPhone, _ reason: String) {
        guard !isClosing, control?.receiver !== phone else { return }
        linkFailed(phone, "link closed: \(reason)")
    }

    /// Closes every link.
    func close() {
        isClosing = true
        for phone in order { phone.disconnect() }
    }
}

/// What a shard's phones did. Sendable, so the main thread can read a copy.
struct DemoPhoneCounters: Sendable {
    /// Phones in the shard (the control pair included).
    var phones = 0
    /// Phones whose bundle is published.
    var published = 0
    /// Links that failed to connect, publish, or closed unexpectedly.
    var linkFailures = 0
    /// Messages users began writing to businesses.
    var writesStarted = 0
    /// … that the relay accepted.
    var writesAccepted = 0
    /// … that failed.
    var writesFailed = 0
    /// Accepted user messages per business index.
    var writesByBusiness: [Int: Int] = [:]
    /// Business text messages decrypted on phones.
    var receivedTexts = 0
    /// Business template messages decrypted on phones.
    var receivedTemplates = 0
    /// Business messages decrypted, per pair.
    var receivedByPair: [DemoPair: DemoPairTally] = [:]
    /// Envelopes that did not decrypt.
    var undecryptable = 0
    /// Envelopes delivered twice (recognised by id).
    var duplicates = 0
    /// Decrypted plaintexts carrying the canary (the positive control on the user side).
    var canaryPlaintexts = 0
    /// Delivered receipts sent.
    var deliveredReceipts = 0
    /// Read receipts sent.
    var readReceipts = 0
    /// Blocks the relay confirmed, as pairs.
    var blockedPairs: Set<DemoPair> = []
    /// Confirmed blocks per business index.
    var blocksByBusiness: [Int: Int] = [:]
    /// Confirmed reports per business index.
    var reportsByBusiness: [Int: Int] = [:]
    /// Block or report requests refused.
    var requestFailures = 0
    /// Sends, blocks and reports awaiting the relay's answer.
    var pending = 0
    /// The last 32 bytes of each control ciphertext the relay accepted.
    var controlCiphertexts: [[UInt8]] = []
    /// The latest error seen, for diagnostics.
    var lastError: String?

    /// The sum of several shards' counters.
    static func sum(_ shards: [DemoPhoneCounters]) -> DemoPhoneCounters {
        var total = DemoPhoneCounters()
        for shard in shards {
            total.phones += shard.phones
            total.published += shard.published
            total.linkFailures += shard.linkFailures
            total.writesStarted += shard.writesStarted
            total.writesAccepted += shard.writesAccepted
            total.writesFailed += shard.writesFailed
            total.writesByBusiness.merge(shard.writesByBusiness, uniquingKeysWith: +)
            total.receivedTexts += shard.receivedTexts
            total.receivedTemplates += shard.receivedTemplates
            total.receivedByPair.merge(shard.receivedByPair, uniquingKeysWith: { $0.adding($1) })
            total.undecryptable += shard.undecryptable
            total.duplicates += shard.duplicates
            total.canaryPlaintexts += shard.canaryPlaintexts
            total.deliveredReceipts += shard.deliveredReceipts
            total.readReceipts += shard.readReceipts
            total.blockedPairs.formUnion(shard.blockedPairs)
            total.blocksByBusiness.merge(shard.blocksByBusiness, uniquingKeysWith: +)
            total.reportsByBusiness.merge(shard.reportsByBusiness, uniquingKeysWith: +)
            total.requestFailures += shard.requestFailures
            total.pending += shard.pending
            total.controlCiphertexts += shard.controlCiphertexts
            total.lastError = shard.lastError ?? total.lastError
        }
        return total
    }
}

extension DemoPhoneShard {
    /// The scalar counters only, computed on the loop: cheap enough to take every few hundred
    /// milliseconds without copying the per-pair ledgers.
    func progress() -> DemoProgress {
        var progress = DemoProgress()
        progress.phones = counters.phones
        progress.published = counters.published
        progress.linkFailures = counters.linkFailures
        progress.writesAccepted = counters.writesAccepted
        progress.received = counters.receivedTexts + counters.receivedTemplates
        progress.deliveredReceipts = counters.deliveredReceipts
        progress.readReceipts = counters.readReceipts
        progress.blocks = counters.blockedPairs.count
        progress.reports = counters.reportsByBusiness.values.reduce(0, +)
        progress.pending = counters.pending
        progress.lastError = counters.lastError
        return progress
    }
}

/// Scalar counters of phones and business side, for progress lines and the drain.
struct DemoProgress: Sendable {
    /// Phones.
    var phones = 0
    /// … with a published bundle.
    var published = 0
    /// Phone links that failed.
    var linkFailures = 0
    /// User messages the relay accepted.
    var writesAccepted = 0
    /// Business messages decrypted on phones.
    var received = 0
    /// Delivered receipts phones sent.
    var deliveredReceipts = 0
    /// Read receipts phones sent.
    var readReceipts = 0
    /// Confirmed blocks.
    var blocks = 0
    /// Confirmed reports.
    var reports = 0
    /// Phone requests awaiting the relay.
    var pending = 0
    /// The latest phone error.
    var lastError: String?

    /// Several shards' progress summed.
    static func sum(_ parts: [DemoProgress]) -> DemoProgress {
        parts.reduce(into: DemoProgress()) { total, part in
            total.phones += part.phones
            total.published += part.published
            total.linkFailures += part.linkFailures
            total.writesAccepted += part.writesAccepted
            total.received += part.received
            total.deliveredReceipts += part.deliveredReceipts
            total.readReceipts += part.readReceipts
            total.blocks += part.blocks
            total.reports += part.reports
            total.pending += part.pending
            total.lastError = part.lastError ?? total.lastError
        }
    }
}
