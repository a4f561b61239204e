import Transport

/// The Cloud API side of the send-flood attack, set up in both conditions: a `vigil cloudapi`
/// child on the `vigil serve` child's relay with two businesses — an honest one and the
/// attacker — and their users' phones (on their own load thread) with prekeys published.
/// Before measuring, the honest business opens a session with each of its users, so the
/// measured sends are ratchet steps, as in steady use.
final class CloudAPIStage {
    /// Users of the honest business.
    let honestRecipients: [PhoneNumber]
    /// Users the attacker floods: more than its tier allows in 24 h.
    let floodRecipients: [PhoneNumber]
    let child: CloudAPIChild
    /// The honest business's sends.
    let honest: HonestSends
    /// The attacker's sender.
    let attacker: GraphSender
    private let load: LoadThread
    private let phones: LoopBound<RecipientPhones>
    private var exitStatus: Int32??

    /// The two businesses' numbers (also given to `vigil serve` with `--business`).
    static let honestBusiness = PhoneNumber(digits: 15_556_000_000)
    static let attackingBusiness = PhoneNumber(digits: 15_556_000_001)

    init(directory: String, relay: SocketAddress, settings: HostileSettings) throws(CLIError) {
        guard let honestNumber = Self.honestBusiness, let attackerNumber = Self.attackingBusiness else {
            throw CLIError("bench: invalid business numbers")
        }
        var numbers: [PhoneNumber] = []
        for index in 0..<(settings.honestSendRecipients + settings.floodRecipients) {
            guard let number = PhoneNumber(digits: 15_556_100_000 + UInt64(index)) else { throw CLIError("bench: too many recipients") }
            numbers.append(number)
        }
        honestRecipients = Array(numbers.prefix(settings.honestSendRecipients))
        floodRecipients = Array(numbers.dropFirst(settings.honestSendRecipients))
        load = try LoadThread.start()
        let loop = load.loop
        guard let made = load.call({ LoopBound(RecipientPhones(loop: loop), on: loop) }) else {
            throw CLIError("bench: the phones' loop stopped")
        }
        phones = made
        do throws(CLIError) {
            let all = numbers
            if let error = load.call({ () -> CLIError? in
                do throws(CLIError) {
                    try made.value.start(all, relay: relay)
                    return nil
                } catch {
                    return error
                }
            }) ?? nil {
                throw error
            }
            guard load.wait(timeout: .seconds(30), { made.value.failure != nil || made.value.allReady ? true : nil }) != nil else {
                throw CLIError("bench: the users' phones did not publish their prekeys within 30 s")
            }
            if let failure = load.call({ made.value.failure }) ?? nil { throw CLIError("bench: \(failure)") }
            child = try CloudAPIChild(directory: directory, relay: relay, phones: [honestNumber, attackerNumber], sendsPerSecond: settings.sendLimit)
            let halfLimit = Double(settings.sendLimit) / 2
            honest = try HonestSends(sender: try GraphSender(api: child.apiAddress, business: child.businesses[0]),
                                     recipients: honestRecipients, rate: min(settings.honestSendRate, halfLimit))
            attacker = try GraphSender(api: child.apiAddress, business: child.businesses[1])
            try openSessions(perSecond: min(40, halfLimit))
        } catch {
            _ = load.call { made.value.close() }
            load.stop()
            throw error
        }
    }

    deinit { stop() }

    /// One template from the honest business to each of its users, `perSecond` a second (under
    /// every limit), re-sent while the endpoint answers 503 (its relay link still opening; 20 s at most).
    private func openSessions(perSecond: Double) throws(CLIError) {
        let client: HTTPBlockingClient
        do throws(SystemError) {
            client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
        } catch {
            throw CLIError("bench: cannot start an HTTP client: \(error)")
        }
        defer { client.close() }
        let sender = try GraphSender(api: child.apiAddress, business: child.businesses[0])
        let deadline = ContinuousClock.now + .seconds(20)
        var sent: [EnvelopeID] = []
        for recipient in honestRecipients {
            while true {
                switch sender.send(to: recipient, with: client) {
                case let .sent(id):
                    sent.append(id)
                case let .refused(status, _) where status == 503 && ContinuousClock.now < deadline:
                    sleepThread(for: .milliseconds(100))
                    continue
                case let .refused(status, code):
                    throw CLIError("bench: the honest business's first send to \(recipient) was refused: HTTP \(status), Graph code \(code); "
                        + "vigil cloudapi's log ends: \(child.process.logTail)")
                case let .failed(reason):
                    throw CLIError("bench: the honest business's first send to \(recipient) failed: \(reason)")
                }
                break
            }
            sleepThread(for: .milliseconds(Int64(1_000 / perSecond)))
        }
        let missing = undelivered(sent, from: child.businesses[0].phone, within: .seconds(10))
        guard missing == 0 else { throw CLIError("bench: \(missing) of the honest business's first sends were not delivered") }
    }

    /// How many of `ids` (sent by `sender`) the phones have not received after waiting up to `timeout`.
    func undelivered(_ ids: [EnvelopeID], from sender: PhoneNumber, within timeout: Duration) -> Int {
        let phones = self.phones
        let expected = Set(ids)
        let missing = { @Sendable () -> Int in expected.subtracting(phones.value.delivered[sender] ?? []).count }
        if load.wait(timeout: timeout, { missing() == 0 ? true : nil }) != nil { return 0 }
        return load.call(missing) ?? expected.count
    }

    /// The phones' first failure, if any.
    var phoneFailure: String? {
        let phones = self.phones
        return load.call { phones.value.failure } ?? nil
    }

    /// Stops the Cloud API child and closes the phones; the child's exit status (nil if killed).
    /// Idempotent.
    @discardableResult
    func stop() -> Int32? {
        if let exitStatus { return exitStatus }
        let status = child.process.stop()
        let phones = self.phones
        _ = load.call { phones.value.close() }
        load.stop()
        exitStatus = .some(status)
        return status
    }
}
