import Crypto
import Transport

/// A user's phone in the demo: a protocol ``Party`` and a non-blocking ``RelayLink`` on a load
/// loop (the `Client` module's blocking phone would need a thread per user). It registers,
/// publishes one prekey bundle, writes to businesses, decrypts and acknowledges what arrives,
/// sends delivered receipts (and read receipts, blocks and reports as its user decides), and
/// follows up on a business's answer. Loop-confined.
final class DemoPhone: RelayLinkDelegate {
    /// The user's index (``DemoPhoneShard/controlSenderIndex`` and below for the control pair).
    let index: Int
    /// The user's number.
    let number: PhoneNumber
    /// The shard it lives in (which owns it).
    unowned let shard: DemoPhoneShard
    private var party: Party
    private(set) var link: RelayLink?
    /// Whether its bundle is published.
    private(set) var isPublished = false
    private var nextMessageID: UInt64 = 0
    private var waitingForSession: [PhoneNumber: [(Bool) -> Void]] = [:]
    private var written: [Int: Int] = [:]
    private var received: [Int: Int] = [:]
    private var blocked: Set<Int> = []
    private var reported: Set<Int> = []
    private var seen: Set<EnvelopeID> = []

    /// A phone with a fresh identity.
    init(index: Int, number: PhoneNumber, shard: DemoPhoneShard) throws(DemoError) {
        self.index = index
        self.number = number
        self.shard = shard
        do throws(ProtocolError) {
            party = try Party()
        } catch {
            throw DemoError("cannot create the keys of \(number): \(error)")
        }
    }

    // MARK: Relay

    /// Registers with the relay and publishes one bundle (without a one-time prekey: it serves
    /// every business that writes first).
    func connect() {
        guard let device = DeviceID(rawValue: 1) else { return }
        do throws(SystemError) {
            link = try RelayLink(connectingTo: shard.context.relay, on: shard.loop, credentials: .register(number, device), delegate: self)
        } catch {
            shard.linkFailed(self, "connect: \(error)")
            return
        }
        let bundle: [UInt8]
        do throws(ProtocolError) {
            bundle = try party.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: nil).encoded
        } catch {
            shard.linkFailed(self, "prekey bundle: \(error)")
            return
        }
        link?.publishPreKeys([bundle]) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                self.isPublished = true
                self.shard.published(self)
            case let .failure(error):
                self.shard.linkFailed(self, "publishing prekeys: \(error)")
            }
        }
    }

    /// Closes the link (the phone goes offline).
    func disconnect() { link?.close() }

    func link(_ link: RelayLink, didReceiveError code: WireErrorCode, message: String) {
        shard.counters.lastError = "\(number): relay error \(code) \(message)"
    }

    func link(_ link: RelayLink, didCloseWith reason: String) {
        shard.linkClosed(self, reason)
    }

    // MARK: Sending

    /// Writes to `business` (a first message, or a follow-up once it answered).
    func write(to business: DemoBusinessPlan) {
        let turn = written[business.index, default: 0]
        written[business.index] = turn + 1
        let pick = Int(shard.context.draw(UInt64(index), UInt64(business.index), UInt64(turn), 6) * 64)
        let text = turn == 0 ? DemoScript.opening(for: business.role, pick: pick) : DemoScript.followUp(pick: pick)
        shard.counters.writesStarted += 1
        send(shard.context.canary.tag(text), to: business.phone) { [weak self] outcome in
            guard let self else { return }
            switch outcome {
            case .success:
                self.shard.counters.writesAccepted += 1
                self.shard.counters.writesByBusiness[business.index, default: 0] += 1
            case let .failure(reason):
                self.shard.counters.writesFailed += 1
                self.shard.counters.lastError = "\(self.number) → \(business.phone): \(reason)"
            }
        }
    }

    /// Encrypts `text` for `peer` (starting a session from its published bundle if needed) and
    /// sends it; `completion` gets the ciphertext once the relay accepted it.
    func send(_ text: String, to peer: PhoneNumber, completion: @escaping (Result<[UInt8], DemoError>) -> Void) {
        shard.counters.pending += 1
        let finish: (Result<[UInt8], DemoError>) -> Void = { [weak self] outcome in
            self?.shard.counters.pending -= 1
            completion(outcome)
        }
        withSession(peer) { [weak self] ready in
            guard let self else { return }
            guard ready, let link = self.link else { return finish(.failure(DemoError("no session with \(peer)"))) }
            let envelope: SessionEnvelope
            do throws(ProtocolError) {
                envelope = try self.party.encrypt(Array(text.utf8), for: peer.e164)
            } catch {
                return finish(.failure(DemoError("encrypt: \(error)")))
            }
            self.nextMessageID += 1
            let ciphertext = envelope.encoded
            link.send(OutgoingEnvelope(recipient: peer, clientMessageID: self.nextMessageID, kind: .user, ciphertext: ciphertext)) { result in
                switch result {
                case .success: finish(.success(ciphertext))
                case let .failure(error): finish(.failure(DemoError("\(error)")))
                }
            }
        }
    }

    /// Runs `body(true)` once a session with `peer` exists (fetching its bundle first), or
    /// `body(false)` if none can be made. Concurrent sends wait for the same fetch.
    private func withSession(_ peer: PhoneNumber, _ body: @escaping (Bool) -> Void) {
        if party.conversations[peer.e164] != nil { return body(true) }
        if waitingForSession[peer] != nil {
            waitingForSession[peer, default: []].append(body)
            return
        }
        guard let link else { return body(false) }
        waitingForSession[peer] = [body]
        link.fetchPreKeys(of: peer) { [weak self] result in
            guard let self else { return }
            let waiting = self.waitingForSession.removeValue(forKey: peer) ?? []
            var ready = false
            if case let .success(bytes) = result {
                do throws(ProtocolError) {
                    if self.party.conversations[peer.e164] == nil {
                        try self.party.initiate(with: peer.e164, bundle: try PreKeyBundle(encoded: bytes))
                    }
                    ready = true
                } catch {
                    self.shard.counters.lastError = "\(self.number): bundle of \(peer): \(error)"
                }
            } else if case let .failure(error) = result {
                self.shard.counters.lastError = "\(self.number): fetching the bundle of \(peer): \(error)"
            }
            for next in waiting { next(ready) }
        }
    }

    /// A report-bombing crowd member: reports `business` without ever having heard from it,
    /// and maybe blocks it too.
    func reportUnprompted(_ business: DemoBusinessPlan, reason: ReportReason, block: BlockReason?) {
        report(business, reason: reason, envelope: nil)
        if let block { self.block(business, reason: block) }
    }

    private func block(_ business: DemoBusinessPlan, reason: BlockReason) {
        guard let link, blocked.insert(business.index).inserted else { return }
        shard.counters.pending += 1
        link.request(.block(blocked: business.phone, reason: reason)) { [weak self] result in
            guard let self else { return }
            self.shard.counters.pending -= 1
            switch result {
            case .success:
                self.shard.counters.blockedPairs.insert(DemoPair(business: business.index, user: self.index))
                self.shard.counters.blocksByBusiness[business.index, default: 0] += 1
            case let .failure(error):
                self.shard.counters.requestFailures += 1
                self.shard.counters.lastError = "\(self.number): block: \(error)"
            }
        }
    }

    private func report(_ business: DemoBusinessPlan, reason: ReportReason, envelope: EnvelopeID?) {
        guard let link, reported.insert(business.index).inserted else { return }
        shard.counters.pending += 1
        link.request(.report(SpamReport(business: business.phone, reason: reason, envelopeID: envelope))) { [weak self] result in
            guard let self else { return }
            self.shard.counters.pending -= 1
            switch result {
            case .success:
                self.shard.counters.reportsByBusiness[business.index, default: 0] += 1
            case let .failure(error):
                self.shard.counters.requestFailures += 1
                self.shard.counters.lastError = "\(self.number): report: \(error)"
            }
        }
    }

    // MARK: Receiving

    func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope) {
        link.acknowledge([envelope.id])
        guard seen.insert(envelope.id).inserted else {
            shard.counters.duplicates += 1
            return
        }
        let plaintext: [UInt8]
        do throws(ProtocolError) {
            let peer = envelope.sender.e164
            plaintext = try party.decrypt(try party.envelope(decoding: envelope.ciphertext, from: peer), from: peer)
        } catch {
            shard.counters.undecryptable += 1
            shard.counters.lastError = "\(number): undecryptable envelope from \(envelope.sender): \(error)"
            return
        }
        let canary = Array(shard.context.canary.token.utf8)
        if plaintext.withUnsafeBytes({ DemoScanner.occurrences(of: canary, in: $0, endingAfter: 0) }) > 0 {
            shard.counters.canaryPlaintexts += 1
        }
        guard index >= 0, let business = shard.context.business(envelope.sender) else { return }
        var isTemplate = false
        if case let .business(category) = envelope.kind { isTemplate = category != .service }
        shard.counters.receivedByPair[DemoPair(business: business.index, user: index), default: DemoPairTally()].count(template: isTemplate)
        if isTemplate { shard.counters.receivedTemplates += 1 } else { shard.counters.receivedTexts += 1 }
        react(to: envelope, from: business, isTemplate: isTemplate, link: link)
    }

    /// The user's reaction to a business message: a delivered receipt at once; then, when the
    /// user opens the chat a moment later, maybe a read receipt, a block, a report, or a
    /// follow-up to an answer — each a draw keyed by (user, business, message number).
    private func react(to envelope: DeliveredEnvelope, from business: DemoBusinessPlan, isTemplate: Bool, link: RelayLink) {
        let count = received[business.index, default: 0] + 1
        received[business.index] = count
        let context = shard.context
        let user = index
        let draw = { (label: UInt64) in context.draw(UInt64(user), UInt64(business.index), UInt64(count), label) }
        link.sendReceipt(Receipt(kind: .delivered, counterpart: business.phone, envelopeIDs: [envelope.id]))
        shard.counters.deliveredReceipts += 1
        shard.counters.pending += 1
        shard.loop.scheduleTimer(after: .milliseconds(Int64(300 + 2_200 * draw(7)))) { [weak self] in
            guard let self else { return }
            self.shard.counters.pending -= 1
            self.open(envelope, from: business, isTemplate: isTemplate, draw: draw)
        }
    }

    /// The user reads the message.
    private func open(_ envelope: DeliveredEnvelope, from business: DemoBusinessPlan, isTemplate: Bool, draw: (UInt64) -> Double) {
        guard let link, link.state == .ready else { return }
        let reaction = business.role.reaction(wroteFirst: written[business.index] != nil)
        if draw(1) < reaction.read {
            link.sendReceipt(Receipt(kind: .read, counterpart: business.phone, envelopeIDs: [envelope.id]))
            shard.counters.readReceipts += 1
        }
        if draw(2) < reaction.block { block(business, reason: reaction.blockReason) }
        if draw(3) < reaction.report { report(business, reason: reaction.reportReason, envelope: envelope.id) }
        let turns = written[business.index, default: 0]
        guard !isTemplate, (1..<3).contains(turns), !blocked.contains(business.index), draw(4) < 0.55 else { return }
        let delay = Duration.milliseconds(Int64(300 + 1_200 * draw(5)))
        guard let end = shard.trafficEnd, shard.loop.now() + delay < end else { return }
        shard.loop.scheduleTimer(after: delay) { [weak self] in self?.write(to: business) }
    }
}
