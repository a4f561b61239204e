import CloudAPI
import Foundation
import Transport

/// Everything `vigil bench cloudapi` runs in this one process: a durable relay (its own thread),
/// the Cloud API endpoint with B businesses (`CloudAPIHost`: endpoint, Graph API server and
/// webhook client on their own thread, configured as `vigil cloudapi` runs it), and the load
/// generator (phones, the businesses' HTTP client, the webhook server) on a third thread.
final class CloudAPIBenchSystem {
    static let verifyToken = "bench-verify-token"
    static let appSecret = "bench-app-secret"

    let scratch: String
    let relay: RelayHost
    let host: CloudAPIHost
    let load: LoadThread
    let generator: LoopBound<CloudAPILoadGenerator>

    /// Starts everything and primes every flow (the phone's first message opens its session and
    /// its 24-hour window); throws with the reason if any part does not come up within its time.
    init(businesses: Int, phones: Int, connections: Int, textLength: Int) throws(CLIError) {
        scratch = try Self.makeScratchDirectory()
        do {
            relay = try RelayHost.start(RelayConfiguration(listenAddress: .loopbackIPv4(port: 0), dataDirectory: scratch + "/relay", tokenHasher: .sha256))
        } catch {
            throw CLIError("bench: cannot start the relay: \(error)")
        }
        load = try LoadThread.start()
        var numbers: [PhoneNumber] = []
        for index in 0..<businesses {
            guard let number = PhoneNumber(digits: 15_554_000_000 + UInt64(index)) else { throw CLIError("bench: too many businesses") }
            numbers.append(number)
        }
        let loop = load.loop
        let businessNumbers = numbers
        let made = load.call { () -> Result<LoopBound<CloudAPILoadGenerator>, CLIError> in
            do throws(CLIError) {
                let generator = try CloudAPILoadGenerator(
                    loop: loop, businessNumbers: businessNumbers, phones: phones, textLength: textLength, verifyToken: Self.verifyToken)
                return .success(LoopBound(generator, on: loop))
            } catch {
                return .failure(error)
            }
        }
        guard let made else { throw CLIError("bench: the load generator's loop stopped") }
        generator = try made.get()
        let generator = self.generator
        guard let webhookAddress = load.call({ generator.value.webhooks?.address }) ?? nil else {
            throw CLIError("bench: the webhook server did not start")
        }

        // The businesses, added as `vigil business add` does, before the endpoint starts.
        let directory = scratch + "/cloudapi"
        var accounts: [CloudAPIBenchBusiness] = []
        let masterKey: MasterKey
        do {
            try BusinessCommand.ensureDirectory(directory)
            masterKey = try MasterKey.loadOrCreate(path: directory + "/master.key")
            let registry = try BusinessRegistry(directory: directory, masterKey: masterKey)
            defer { registry.close() }
            for number in numbers {
                let (account, token, _) = try registry.add(
                    phone: number, name: "Bench \(number.digits % 10_000)", webhookURL: "http://\(webhookAddress)/webhook",
                    verifyToken: Self.verifyToken, appSecret: Self.appSecret, region: .na, localStorageDirectory: nil,
                    now: Int64(Date().timeIntervalSince1970 * 1000))
                accounts.append(CloudAPIBenchBusiness(phone: number, phoneNumberID: account.phoneNumberID, accessToken: token))
            }
        } catch {
            throw CLIError("bench: cannot create the businesses: \(error)")
        }
        do {
            host = try CloudAPIHost.start(
                // The bench measures the endpoint's capacity over a relay without admission: the
                // per-number throughput (Meta's 80/s) is lifted, as `vigil cloudapi --sends-per-second` can.
                EndpointConfiguration(relayAddress: relay.address, dataDirectory: directory, sendsPerSecond: 1_000_000, upgradedSendsPerSecond: 1_000_000),
                listen: .loopbackIPv4(port: 0),
                masterKey: masterKey)
        } catch {
            throw CLIError("bench: cannot start the Cloud API endpoint: \(error)")
        }
        let api = host.address
        let created = accounts
        let configured = load.call { () -> CLIError? in
            do throws(CLIError) {
                try generator.value.configure(api: api, businesses: created, connections: connections)
                return nil
            } catch {
                return error
            }
        }
        if let error = configured ?? nil { throw error }

        // Businesses connected with prekeys published, webhooks verified, phones registered.
        let count = businesses
        guard waitFor(seconds: 20, { [host] in
            (host.withEndpoint { $0.connectedCount } ?? 0) == count
                && (self.load.call { generator.value.webhooks?.verificationCount ?? 0 } ?? 0) >= count
        }) else {
            throw CLIError("bench: the businesses did not connect to the relay and verify their webhooks within 20 s")
        }
        let relayAddress = relay.address
        if let error = load.call({ () -> CLIError? in
            do throws(CLIError) {
                try generator.value.connectPhones(relay: relayAddress)
                return nil
            } catch {
                return error
            }
        }) ?? nil {
            throw error
        }
        try waitOrThrow(seconds: 30, "phones registered") { $0.allPhonesReady }
        _ = load.call { generator.value.prime() }
        try waitOrThrow(seconds: 60, "every phone's first message in a webhook") { $0.allPrimed }
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    private func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            sleepThread(for: .milliseconds(20))
        }
        return condition()
    }

    /// Waits until `condition` holds on the generator, throwing its failure or a timeout.
    func waitOrThrow(seconds: Double, _ what: String, _ condition: @escaping @Sendable (CloudAPILoadGenerator) -> Bool) throws(CLIError) {
        let generator = self.generator
        let done = load.wait(timeout: .seconds(seconds)) { () -> Bool? in
            generator.value.failure != nil || condition(generator.value) ? true : nil
        }
        try check()
        guard done != nil else { throw CLIError("bench: \(what): not within \(Int(seconds)) s") }
    }

    /// Throws the generator's first failure, if any.
    func check() throws(CLIError) {
        let generator = self.generator
        if let failure = load.call({ generator.value.failure }) ?? nil { throw CLIError("bench: \(failure)") }
    }

    /// Stops the load side, the endpoint and the relay, and removes the scratch directory.
    func stop() {
        let generator = self.generator
        let closed = LockedFlag()
        _ = load.call { generator.value.closeAll { closed.set() } }
        let deadline = Date().addingTimeInterval(5)
        while !closed.isSet, Date() < deadline { sleepThread(for: .milliseconds(10)) }
        host.stop()
        relay.stop()
        load.stop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// A fresh directory under $TMPDIR (or /tmp), mode 0700.
    private static func makeScratchDirectory() throws(CLIError) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/vigil-bench-cloudapi-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard created else { throw CLIError("cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))") }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A flag set from the loop thread and read from the orchestrating one.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
