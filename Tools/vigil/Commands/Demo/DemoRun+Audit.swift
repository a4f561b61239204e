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
    /// How the relay child ended (or that `--open` keeps it serving).
    let relayExit: String
}

extension DemoRun {
    /// Takes the counters, scans what runs (the relay's memory and files, the Cloud API's files,
    /// this process's memory), stops everything in order — phones, endpoint, business servers,
    /// relay (SIGTERM) — and scans the files again. With `keepTransport` (`--open`) the relay
    /// child keeps serving; ``stopTransport()`` stops it and scans its files later.
    func audit(
        relay: DemoRelayChild, businessThread: DemoLoopThread, side: LoopBound<DemoBusinessSide>, paths: DemoPaths, keepTransport: Bool
    ) throws(DemoError) -> (DemoGathered, DemoAudit) {
        let phones = phoneCounters()
        guard let business = businessThread.call({ side.value.snapshot() }) else { throw DemoError("the business loop stopped") }
        let endpoint = cloud?.withEndpoint { $0.statistics }
        let endpointLastError = cloud?.withEndpoint { $0.lastError } ?? nil
        Console.progress("[\(stamp)] audit: scanning the relay's memory (pid \(relay.pid)) and every file under \(paths.relay) and \(paths.cloud) for the canary")
        let scanner = DemoScanner(patterns: DemoAudit.patterns(
            canary: canary, controls: phones.controlCiphertexts, businessNumber: scenario.businesses[0].phone))
        auditScanner = scanner
        var audit = DemoAudit()
        audit.controlTotal = phones.controlCiphertexts.count
        audit.relayMemory = DemoAudit.target(try scanner.scan(memoryOf: String(relay.pid)))
        audit.relayFilesLive = DemoAudit.target(scanner.scan(directory: paths.relay))
        audit.cloudFilesLive = DemoAudit.target(scanner.scan(directory: paths.cloud))
        audit.demoMemory = DemoAudit.target(try scanner.scan(memoryOf: "self"))

        let transport = keepTransport ? "the relay keeps serving (--open)" : "then the relay (SIGTERM)"
        Console.progress("[\(stamp)] stopping: phones, the Cloud API endpoint, the webhook servers; \(transport)")
        for (thread, shard) in zip(phoneThreads, shards) { _ = thread.call { shard.value.close() } }
        cloud?.stop()
        cloud = nil
        _ = businessThread.call { side.value.shutdown() }
        _ = try interrupts.poll(timeout: .seconds(3), every: .milliseconds(5)) { businessThread.call { side.value.isShutDown } ?? true }
        audit.transcript = DemoAudit.target(scanner.scan(file: paths.transcript))
        audit.cloudFilesStopped = DemoAudit.target(scanner.scan(directory: paths.cloud))
        var exit = "still serving (--open)"
        if !keepTransport, let stopped = stopTransport() {
            exit = stopped.exit
            audit.relayFilesStopped = stopped.files
        }
        return (DemoGathered(phones: phones, business: business, endpoint: endpoint, endpointLastError: endpointLastError, relayExit: exit), audit)
    }

    /// Stops the relay child (SIGTERM) and scans its files with the audit's patterns: how it
    /// ended and what the scan found; nil before ``audit(relay:businessThread:side:paths:keepTransport:)``.
    func stopTransport() -> (exit: String, files: DemoAudit.Target)? {
        guard let relay, let scanner = auditScanner, let directory = paths?.relay else { return nil }
        let exit = relay.stop()
        Console.progress("[\(stamp)] relay: \(exit); scanning its files (\(directory)) again")
        return (exit, DemoAudit.target(scanner.scan(directory: directory)))
    }
}
