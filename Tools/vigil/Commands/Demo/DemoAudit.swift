import Transport

/// The visibility audit: every byte the transport side holds — the relay process's memory while
/// it runs, and every file under `DIR/relay` (queue, WAL, shared memory, tap, logs) while it runs
/// and after it stopped — must hold no canary; the Cloud API's store files neither (content is
/// kept only encrypted). Positive controls show the scans can see what is there: the relay's
/// memory and queue do hold the control messages' ciphertext and the businesses' numbers, and
/// the demo's own memory and the businesses' transcript do hold the canary.
struct DemoAudit: Sendable {
    /// One scanned target.
    struct Target: Sendable {
        /// What was read.
        var scan = DemoScanner.Result()
        /// Canary hits (every encoding).
        var canaryHits = 0
        /// Control ciphertexts found (of ``DemoAudit/controlTotal``).
        var controlsFound = 0
        /// Occurrences of the first business's number.
        var numberHits = 0
    }

    /// The relay child's memory halfway through the traffic, with envelopes in flight.
    var relayMemoryMidTraffic: Target?
    /// When that scan was taken, in seconds since the run started.
    var midTrafficAt: Double?
    /// The relay child's memory after the drain, before SIGTERM.
    var relayMemory = Target()
    /// Files under `DIR/relay` while the relay runs.
    var relayFilesLive = Target()
    /// … after it stopped (nil while `--open` keeps it serving: scanned when it stops).
    var relayFilesStopped: Target?
    /// Files under `DIR/cloudapi` while the endpoint runs.
    var cloudFilesLive = Target()
    /// … after it stopped.
    var cloudFilesStopped = Target()
    /// The demo process's memory (positive control).
    var demoMemory = Target()
    /// The businesses' transcript (positive control).
    var transcript = Target()
    /// Control ciphertexts the relay accepted.
    var controlTotal = 0

    /// Canary hits anywhere on the transport side or in the Cloud API's files: must be 0.
    var forbiddenHits: Int {
        (relayMemoryMidTraffic?.canaryHits ?? 0) + relayMemory.canaryHits + relayFilesLive.canaryHits + (relayFilesStopped?.canaryHits ?? 0)
            + cloudFilesLive.canaryHits + cloudFilesStopped.canaryHits
    }

    /// Canary hits where plaintext legitimately is (must be > 0, or the scans are blind).
    var positiveHits: Int { demoMemory.canaryHits + transcript.canaryHits }

    /// What the audit found wrong.
    var violations: [String] {
        var found: [String] = []
        let forbidden: [(String, Target)] = [
            ("the relay process's memory (mid-traffic)", relayMemoryMidTraffic ?? Target()),
            ("the relay process's memory", relayMemory), ("the relay's files (live)", relayFilesLive),
            ("the relay's files (after stop)", relayFilesStopped ?? Target()), ("the Cloud API's store files (live)", cloudFilesLive),
            ("the Cloud API's store files (after stop)", cloudFilesStopped),
        ]
        for (name, target) in forbidden where target.canaryHits > 0 {
            found.append("canary found \(target.canaryHits)× in \(name): \(target.scan.locations.prefix(3).joined(separator: "; "))")
        }
        if relayMemory.scan.bytes == 0 { found.append("the relay process's memory could not be read") }
        if controlTotal == 0 {
            found.append("no control message was accepted, so the relay scans have no positive control")
        } else if relayMemory.controlsFound < controlTotal {
            found.append("only \(relayMemory.controlsFound) of \(controlTotal) queued control ciphertexts were found in the relay's memory: the memory scan is not seeing it")
        } else if relayFilesLive.controlsFound < controlTotal {
            found.append("only \(relayFilesLive.controlsFound) of \(controlTotal) queued control ciphertexts were found in the relay's files: the file scan is not seeing them")
        }
        if demoMemory.canaryHits == 0 { found.append("positive control failed: no canary in the demo process's own memory") }
        if transcript.canaryHits == 0 { found.append("positive control failed: no canary in the businesses' transcript") }
        return found
    }

    /// The patterns: the canary's encodings, each control ciphertext, the first business's number.
    static func patterns(canary: DemoCanary, controls: [[UInt8]], businessNumber: PhoneNumber) -> [DemoPattern] {
        canary.patterns
            + controls.enumerated().map { DemoPattern(name: "control \($0.offset + 1)", bytes: $0.element) }
            + [DemoPattern(name: "business number", bytes: Array(businessNumber.e164.utf8))]
    }

    /// Interprets a scan done with ``patterns(canary:controls:businessNumber:)``.
    static func target(_ scan: DemoScanner.Result) -> Target {
        var target = Target(scan: scan)
        for (name, count) in scan.hits {
            if name.hasPrefix("canary") { target.canaryHits += count }
            if name.hasPrefix("control"), count > 0 { target.controlsFound += 1 }
            if name == "business number" { target.numberHits += count }
        }
        target.scan.locations = target.scan.locations.filter { $0.contains("(canary") }
        return target
    }
}
