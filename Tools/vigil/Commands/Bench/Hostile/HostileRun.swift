import Foundation
import Transport

/// Honest traffic's figures in one condition (alone, or under attack).
struct HostileCondition: Sendable {
    /// Relay envelopes: saturating, then paced at the baseline's rate.
    var relay: PhaseFigures
    /// Report POSTs during both relay phases.
    var reports: HonestReportFigures
    /// That condition's `vigil serve` child's VmHWM at its end, MiB.
    var peakRSSMiB: Double?
    /// The honest business's sends through `vigil cloudapi` (send-flood only).
    var sends: HonestSendFigures?
    /// That condition's `vigil cloudapi` child's VmHWM at its end, MiB (send-flood only).
    var cloudAPIPeakRSSMiB: Double?
    /// `vigil serve`'s CPU seconds per second of the measurement (cores busy).
    var serveCPU: Double?
    /// The same for `vigil cloudapi` (send-flood only).
    var cloudAPICPU: Double?
}

/// One attack's result: the baseline, the same honest traffic under attack, and the checks.
struct HostileResult: Sendable {
    let attack: HostileAttackKind
    /// What the attack was configured with (e.g. "10000 connections").
    let scale: String
    var baseline: HostileCondition?
    var underAttack: HostileCondition?
    /// The attack's own counters.
    var attackCounters: [(String, Int)] = []
    /// Reports acknowledged (202 `accepted`) to anyone, and the analyzers' `counted_reports`
    /// over the businesses afterwards, both conditions summed: every acknowledged report must
    /// be counted.
    var reportsAcknowledged = 0
    var reportsCounted: Int?
    /// Business sends answered 200, honest and attacking, both conditions (send-flood only).
    var sendsAcknowledged = 0
    /// Of those, how many never reached their user's phone (nil: not checked).
    var sendsLost: Int?
    /// The attacked `vigil serve`'s exit status after SIGTERM (nil: had to be killed).
    var exitStatus: Int32?
    /// The attacked `vigil cloudapi`'s exit status after SIGTERM (send-flood only).
    var cloudAPIExitStatus: Int32?
    /// Why the run stopped early, if it did.
    var failure: String?
}

/// Runs one attack: honest traffic through a fresh `vigil serve` child alone, then through
/// another fresh child under the attack (the relay paced at the baseline's rate). A fresh child
/// per condition means both start from the same state (the relay's idempotency window would
/// otherwise take the second run's envelope ids for retransmissions) and each peak RSS is its
/// own. Per child: start it, give the businesses their contacts, measure, check that every
/// acknowledged report was counted, stop it with SIGTERM.
struct HostileRun {
    let settings: HostileSettings
    let load: LoadThread

    func run(_ attack: HostileAttackKind) -> HostileResult {
        var result = HostileResult(attack: attack, scale: settings.scale(of: attack))
        do throws(CLIError) {
            let baseline = try condition(attack, attacking: false, name: "\(attack.rawValue): alone", pacedRate: nil, into: &result)
            result.baseline = baseline
            result.underAttack = try condition(
                attack, attacking: true, name: "\(attack.rawValue): under attack", pacedRate: baseline.relay.pacedRate, into: &result)
        } catch {
            result.failure = error.description
        }
        return result
    }

    /// One condition of `attack` on a fresh child (and, for the send flood, a fresh Cloud API
    /// child): alone, or with the attack running.
    private func condition(
        _ attack: HostileAttackKind, attacking: Bool, name: String, pacedRate: Double?, into result: inout HostileResult
    ) throws(CLIError) -> HostileCondition {
        Console.progress("\(name): starting vigil serve")
        let scratch = try RedisServerProcess.makeScratchDirectory(prefix: "vigil-bench-hostile")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let contacts = try HostileContacts(businessCount: settings.businessCount, perBusiness: settings.reportersPerBusiness)
        var known = contacts.businesses
        if attack.needsCloudAPI { known += [CloudAPIStage.honestBusiness, CloudAPIStage.attackingBusiness].compactMap(\.self) }
        let child = try ServeChild(directory: scratch, businesses: known)
        defer {
            let status = child.process.stop()
            if attacking { result.exitStatus = status }
        }
        do throws(CLIError) {
            var stage: CloudAPIStage?
            if attack.needsCloudAPI {
                Console.progress("\(name): starting vigil cloudapi and \(settings.honestSendRecipients + settings.floodRecipients) users' phones")
                stage = try CloudAPIStage(directory: scratch, relay: child.relayAddress, settings: settings)
            }
            defer {
                if let status = stage?.stop(), attacking { result.cloudAPIExitStatus = status }
            }
            return try measure(attacking ? attack : nil, name: name, pacedRate: pacedRate, child: child, stage: stage, contacts: contacts,
                               into: &result)
        } catch {
            throw CLIError("\(error.description); vigil serve's log ends: \(child.process.logTail)")
        }
    }

    private func measure(
        _ kind: HostileAttackKind?, name: String, pacedRate: Double?, child: ServeChild, stage: CloudAPIStage?, contacts: HostileContacts,
        into result: inout HostileResult
    ) throws(CLIError) -> HostileCondition {
        try contacts.establish(on: child.relayAddress)
        let poster = try ReportPoster(address: child.httpAddress, token: child.token)
        let honest = try HonestReports(poster: poster, contacts: contacts, rate: settings.reportRate)
        defer { honest.close() }
        let driver = PhaseDriver(load: load, pairs: settings.pairs, payloadSize: settings.payloadSize, window: settings.window,
                                 warmup: settings.warmup, seconds: settings.seconds)
        let server = (name: "vigil serve", pid: child.process.pid)
        let cpuBefore = (serve: child.process.cpuSeconds, cloudAPI: stage?.child.process.cpuSeconds, time: BenchClock.now())
        let attack = try kind.map { kind throws(CLIError) in try makeAttack(kind, child: child, stage: stage, contacts: contacts, poster: poster) }
        if let attack {
            Console.progress("\(name): starting the attack (\(result.scale))")
            try attack.start()
        }
        let outcome: Result<(PhaseFigures, HonestReportFigures, HonestSendFigures?), CLIError>
        do throws(CLIError) {
            let limit = settings.conditionLimit
            let relayAndReports = { () throws(CLIError) -> (PhaseFigures, HonestReportFigures) in
                try honest.measure(limit: limit) { () throws(CLIError) in
                    try driver.run(.relay(child.relayAddress), name: name, server: server, pacedRate: pacedRate)
                }
            }
            if let stage {
                let ((relay, reports), sends) = try stage.honest.measure(limit: limit, during: relayAndReports)
                outcome = .success((relay, reports, sends))
            } else {
                let (relay, reports) = try relayAndReports()
                outcome = .success((relay, reports, nil))
            }
        } catch {
            outcome = .failure(error)
        }
        var acknowledged = 0
        var floodSends: [EnvelopeID] = []
        if let attack {
            result.attackCounters = attack.stop()
            if let flood = attack as? ReportFlood { acknowledged += flood.accepted }
            if let flood = attack as? SendFlood { floodSends = flood.sent }
        }
        let seconds = Double(BenchClock.now() - cpuBefore.time) / 1e9
        let cpu = (serve: child.process.cpuSeconds.flatMap { after in cpuBefore.serve.map { (after - $0) / seconds } },
                   cloudAPI: stage?.child.process.cpuSeconds.flatMap { after in cpuBefore.cloudAPI.map { (after - $0) / seconds } })
        guard child.process.isRunning else { throw CLIError("vigil serve exited") }
        if let stage, !stage.child.process.isRunning { throw CLIError("vigil cloudapi exited; its log ends: \(stage.child.process.logTail)") }
        let (relay, reports, sends) = try outcome.get()
        acknowledged += reports.accepted
        let counted = try countedReports(child: child, businesses: contacts.businesses)
        result.reportsAcknowledged += acknowledged
        result.reportsCounted = (result.reportsCounted ?? 0) + counted
        if let stage, let sends {
            let lost = stage.undelivered(sends.sent, from: stage.child.businesses[0].phone, within: .seconds(15))
                + stage.undelivered(floodSends, from: stage.child.businesses[1].phone, within: .seconds(15))
            result.sendsAcknowledged += sends.sent.count + floodSends.count
            result.sendsLost = (result.sendsLost ?? 0) + lost
            if let failure = stage.phoneFailure { throw CLIError("bench: \(failure)") }
        }
        return HostileCondition(relay: relay, reports: reports, peakRSSMiB: child.process.peakResidentMiB, sends: sends,
                                cloudAPIPeakRSSMiB: stage?.child.process.peakResidentMiB, serveCPU: cpu.serve, cloudAPICPU: cpu.cloudAPI)
    }

    private func makeAttack(
        _ kind: HostileAttackKind, child: ServeChild, stage: CloudAPIStage?, contacts: HostileContacts, poster: ReportPoster
    ) throws(CLIError) -> any HostileAttack {
        let limit = settings.conditionLimit
        switch kind {
        case .slowloris:
            return ConnectionSwarm(address: child.httpAddress, count: settings.slowlorisConnections, behavior: .slowloris, limit: limit)
        case .idleConnections:
            return ConnectionSwarm(address: child.relayAddress, count: settings.idleConnections, behavior: .idle, limit: limit)
        case .badFrames:
            return HostileAttackGroup([
                FrameFlood(address: child.relayAddress, threads: settings.floodThreads, limit: limit),
                ConnectionSwarm(address: child.relayAddress, count: settings.stalledConnections,
                                behavior: .stalled(HostileSettings.stalledFrame), limit: limit),
            ])
        case .reportFlood:
            return ReportFlood(poster: poster, reporters: .one(contacts.attacker), businesses: contacts.businesses,
                               budget: settings.floodReports, limit: limit)
        case .sybilReports:
            return ReportFlood(poster: poster, reporters: .sybils(count: settings.sybils), businesses: contacts.businesses,
                               budget: settings.sybilReportBudget, limit: limit)
        case .sendFlood:
            guard let stage else { throw CLIError("bench: the send flood needs the Cloud API stage") }
            return SendFlood(sender: stage.attacker, recipients: stage.floodRecipients, threads: settings.sendFloodThreads, limit: limit)
        }
    }

    /// The sum of `counted_reports` over `businesses` (`GET /v1/signals/{business}`).
    private func countedReports(child: ServeChild, businesses: [PhoneNumber]) throws(CLIError) -> Int {
        let client: HTTPBlockingClient
        do throws(SystemError) {
            client = try HTTPBlockingClient()
        } catch {
            throw CLIError("bench: cannot start an HTTP client: \(error)")
        }
        defer { client.close() }
        var total = 0
        for business in businesses {
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Bearer " + child.token)
            do {
                let url = try HTTPURL(parsing: "http://\(child.httpAddress)/v1/signals/\(business)")
                let response = try client.execute(HTTPClientRequest(method: .get, url: url, headers: headers, timeout: .seconds(10)))
                guard response.status.code == 200, let count = Self.integerField("counted_reports", in: response.body) else {
                    throw CLIError("bench: GET /v1/signals/\(business) answered \(response.status.code)")
                }
                total += count
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("bench: GET /v1/signals/\(business): \(error)")
            }
        }
        return total
    }

    /// The integer after `"name":` in a JSON text.
    static func integerField(_ name: String, in body: [UInt8]) -> Int? {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: "\"\(name)\":") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Several attacks started and stopped together; their counters are concatenated.
final class HostileAttackGroup: HostileAttack {
    private let members: [any HostileAttack]

    init(_ members: [any HostileAttack]) { self.members = members }

    func start() throws(CLIError) {
        for member in members { try member.start() }
    }

    func stop() -> [(String, Int)] { members.flatMap { $0.stop() } }
}
