import CloudAPI
import Transport

/// What the run's parts counted, taken at the end of the drain.
struct DemoGathered {
    /// The phones'.
    let phones: DemoPhoneCounters
    /// The business side's.
    let business: DemoBusinessSnapshot
    /// The endpoint's.
    let endpoint: EndpointStatistics?
    /// The endpoint's last error that was not a client's fault, if any.
    let endpointLastError: String?
    /// How the relay child ended.
    let relayExit: String
}

extension DemoRun {
    /// Takes the counters, scans what runs (the relay's memory and files, the Cloud API's files,
    /// this process's memory), stops everything in order — phones, endpoint, business servers,
    /// relay (SIGTERM) — and scans the files again.
    func audit(
        relay: DemoRelayChild, businessThread: DemoLoopThread, side: LoopBound<DemoBusinessSide>, paths: DemoPaths
    ) throws(DemoError) -> (DemoGathered, DemoAudit) {
        let phones = phoneCounters()
        guard let business = businessThread.call({ side.value.snapshot() }) else { throw DemoError("the business loop stopped") }
        let endpoint = cloud?.withEndpoint { $0.statistics }
        let endpointLastError = cloud?.withEndpoint { $0.lastError } ?? nil
        Console.progress("[\(stamp)] audit: scanning the relay's memory (pid \(relay.pid)) and every file under \(paths.relay) and \(paths.cloud) for the canary")
        let scanner = DemoScanner(patterns: DemoAudit.patterns(
            canary: canary, controls: phones.controlCiphertexts, businessNumber: scenario.businesses[0].phone))
        var audit = DemoAudit()
        audit.controlTotal = phones.controlCiphertexts.count
        audit.relayMemory = DemoAudit.target(try scanner.scan(memoryOf: String(relay.pid)))
        audit.relayFilesLive = DemoAudit.target(scanner.scan(directory: paths.relay))
        audit.cloudFilesLive = DemoAudit.target(scanner.scan(directory: paths.cloud))
        audit.demoMemory = DemoAudit.target(try scanner.scan(memoryOf: "self"))

        Console.progress("[\(stamp)] stopping: phones, the Cloud API endpoint, the webhook servers, then the relay (SIGTERM)")
        for (thread, shard) in zip(phoneThreads, shards) { _ = thread.call { shard.value.close() } }
        cloud?.stop()
        cloud = nil
        _ = businessThread.call { side.value.shutdown() }
        _ = try interrupts.poll(timeout: .seconds(3), every: .milliseconds(5)) { businessThread.call { side.value.isShutDown } ?? true }
        let exit = relay.stop()
        Console.progress("[\(stamp)] relay: \(exit); scanning its files and the Cloud API's again")
        audit.transcript = DemoAudit.target(scanner.scan(file: paths.transcript))
        audit.relayFilesStopped = DemoAudit.target(scanner.scan(directory: paths.relay))
        audit.cloudFilesStopped = DemoAudit.target(scanner.scan(directory: paths.cloud))
        return (DemoGathered(phones: phones, business: business, endpoint: endpoint, endpointLastError: endpointLastError, relayExit: exit), audit)
    }
}
