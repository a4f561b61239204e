import Transport

extension DemoRun {
    /// Plays the scenario for `--duration` seconds with a progress line a second; halfway
    /// through, the relay child's memory is scanned with envelopes in flight. Returns when that
    /// scan was taken and what it found.
    func runTraffic(businessThread: DemoLoopThread, side: LoopBound<DemoBusinessSide>) throws(DemoError) -> (Double?, DemoScanner.Result?) {
        let duration = Duration.milliseconds(Int64(options.duration * 1_000))
        let start = clock.now() + .milliseconds(200)
        let shardCount = shards.count
        for (index, (thread, shard)) in zip(phoneThreads, shards).enumerated() {
            let actions = scenario.userActions.filter { $0.user % shardCount == index }
            _ = thread.call { shard.value.startTraffic(at: start, duration: duration, actions: actions) }
        }
        _ = businessThread.call { side.value.startTraffic(at: start) }
        let featured = scenario.businesses.prefix(DemoRole.featured.count).map(\.role.title).joined(separator: ", ")
        let warp = options.speed > 1
            ? " (the analyzer's event time ×\(DemoReport.number(options.speed)): \(DemoReport.span(seconds: options.simulatedSeconds)) simulated)" : ""
        Console.progress("[\(stamp)] traffic: \(options.duration) s\(warp) — \(featured)\(scenario.businesses.count > DemoRole.featured.count ? " and \(scenario.businesses.count - DemoRole.featured.count) ordinary businesses" : "")")
        let end = start + duration
        let midpoint = start + .milliseconds(Int64(options.duration * 500))
        var nextLine = start + .seconds(1)
        var midScan: DemoScanner.Result?
        var midAt: Double?
        while clock.now() < end {
            let wake = min(nextLine, end)
            let now = clock.now()
            try interrupts.check(waiting: wake > now ? wake - now : .zero)
            if clock.now() >= nextLine {
                if let business = businessThread.call({ side.value.progress() }) {
                    Console.progress(progressLine("traffic", phones: phoneProgress(), business: business))
                }
                nextLine = nextLine + .seconds(1)
            }
            if midScan == nil, clock.now() >= midpoint, let relay {
                let controls = zip(phoneThreads, shards).flatMap { thread, shard in thread.call { shard.value.counters.controlCiphertexts } ?? [] }
                let scanner = DemoScanner(patterns: DemoAudit.patterns(canary: canary, controls: controls, businessNumber: scenario.businesses[0].phone))
                midAt = elapsed
                midScan = try scanner.scan(memoryOf: String(relay.pid))
            }
        }
        return (midAt, midScan)
    }

    /// Waits until every send is answered, every message reached its webhook or phone, and every
    /// receipt became a status (counts stable for 0.75 s), at most max(30 s, duration,
    /// users / 50 s).
    /// Returns whether it settled.
    func drain(businessThread: DemoLoopThread, side: LoopBound<DemoBusinessSide>) throws(DemoError) -> Bool {
        let deadline = clock.now() + .milliseconds(Int64(max(30, options.duration, Double(options.users) / 50) * 1_000))
        var lastKey: [Int] = []
        var stableSince = clock.now()
        var nextLine = clock.now() + .seconds(1)
        while true {
            let phones = phoneProgress()
            guard let business = businessThread.call({ side.value.progress() }) else { return false }
            let now = clock.now()
            let key = [
                phones.received, phones.writesAccepted, phones.pending, phones.deliveredReceipts,
                business.webhookMessages, business.webhookStatuses, business.accepted, business.pending,
            ]
            if key != lastKey {
                lastKey = key
                stableSince = now
            }
            let settled = phones.pending == 0 && business.pending == 0 && business.webhookMessages == phones.writesAccepted
                && business.sentStatuses == business.accepted && business.deliveredStatuses <= phones.deliveredReceipts
                && business.readStatuses <= phones.readReceipts
            if settled, now - stableSince >= .milliseconds(750) {
                Console.progress(progressLine("drained", phones: phones, business: business))
                return true
            }
            if now >= deadline {
                Console.progress(progressLine("drain timed out", phones: phones, business: business))
                return false
            }
            if now >= nextLine {
                Console.progress(progressLine("drain", phones: phones, business: business))
                nextLine = now + .seconds(1)
            }
            try interrupts.check(waiting: .milliseconds(200))
        }
    }

    /// One progress line.
    func progressLine(_ phase: String, phones: DemoProgress, business: DemoBusinessProgress) -> String {
        var line = "[\(stamp)] \(phase): users→businesses \(phones.writesAccepted) sent, \(business.webhookMessages) in webhooks"
        line += " · businesses→users \(business.accepted) accepted, \(phones.received) decrypted on phones"
        line += " · statuses \(business.webhookStatuses) · blocks \(phones.blocks), reports \(phones.reports)"
        let pending = phones.pending + business.pending
        if pending > 0 { line += " · \(pending) in flight" }
        return line
    }
}
