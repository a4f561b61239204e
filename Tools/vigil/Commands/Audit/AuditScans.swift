import Foundation

/// The byte scans of `vigil audit`: the canary and sample consumer numbers in the transport
/// side's files, the Cloud API's store, the positive controls, and the transport memory.
struct AuditScans {
    /// The data directory.
    let root: String
    /// The demo's inputs (nil for a `vigil serve` directory).
    let inputs: AuditInputs?
    /// A live process to scan too.
    let pid: Int32?

    /// The transport side's directories in a demo's layout (relay queue and tap, integrity state
    /// and report log, exports).
    var transportDirectories: [String] { ["relay", "integrity", "export"].map { root + "/" + $0 }.filter(Self.isDirectory) }
    /// Directories whose files must hold no consumer number (Integrity pseudonymizes at the door —
    /// `vigil serve` keeps its files in `relay/integrity` —; exports are non-identifying).
    var pseudonymousDirectories: [String] { ["relay/integrity", "integrity", "export"].map { root + "/" + $0 }.filter(Self.isDirectory) }

    func checks() -> [AuditCheck] {
        guard let inputs else {
            let why = "no demo canary in \(root) (a `vigil serve` directory): run `vigil demo --data DIR` for the content checks"
            var checks: [AuditCheck] = ["content/transport-files", "content/cloudapi-store", "control/scanner"].map { .skip($0, why) }
            checks.append(memoryCheck(canary: nil))
            return checks
        }
        let canary = DemoCanary(token: inputs.canary)
        let canaryScanner = DemoScanner(patterns: canary.patterns)
        var checks: [AuditCheck] = []

        var transport = DemoScanner.Result()
        for directory in transportDirectories { transport.merge(canaryScanner.scan(directory: directory)) }
        checks.append(.expect(transport.total == 0 && transport.sources > 0, "content/transport-files",
            "\(transport.sources) files, \(Self.size(transport.bytes)) under \(transportDirectories.map(Self.name).joined(separator: ", ")): "
            + "\(transport.total) canary hits\(transport.locations.isEmpty ? "" : " at " + transport.locations.prefix(3).joined(separator: "; "))"))
        checks.append(memoryCheck(canary: canary))

        let cloud = canaryScanner.scan(directory: root + "/cloudapi")
        checks.append(.expect(cloud.total == 0 && cloud.sources > 0, "content/cloudapi-store",
            "\(cloud.sources) files, \(Self.size(cloud.bytes)) under cloudapi/: \(cloud.total) canary hits (the store keeps content encrypted)"))
        let transcript = canaryScanner.scan(file: root + "/business/transcript.log")
        checks.append(.expect(transcript.total > 0, "control/scanner",
            "business/transcript.log (what the webhooks received, in plaintext): \(transcript.total) canary hits — the scan sees plaintext where it is"))

        let numbers = DemoScanner(patterns: inputs.consumers.map { DemoPattern(name: $0, bytes: Array($0.utf8)) })
        var pseudonymous = DemoScanner.Result()
        for directory in pseudonymousDirectories { pseudonymous.merge(numbers.scan(directory: directory)) }
        if pseudonymousDirectories.isEmpty {
            checks.append(.skip("numbers/integrity", "no integrity/ or export/ directory in \(root)"))
        } else {
            checks.append(.expect(pseudonymous.total == 0, "numbers/integrity",
                "\(inputs.consumers.count) consumer numbers in \(pseudonymous.sources) files under \(pseudonymousDirectories.map(Self.name).joined(separator: ", ")): \(pseudonymous.total) hits"))
        }
        let relay = numbers.scan(directory: root + "/relay")
        let seen = relay.hits.values.filter { $0 > 0 }.count
        checks.append(.expect(seen > 0, "control/numbers",
            "the relay's files hold \(seen) of the \(inputs.consumers.count) sample consumer numbers (it routes by number): the number scan can see them"))
        return checks
    }

    /// The transport process's memory: the demo's scans, and a live `--pid`.
    private func memoryCheck(canary: DemoCanary?) -> AuditCheck {
        var lines: [String] = []
        var ok = true
        for scan in inputs?.memory ?? [] {
            let blind = scan.controlTotal > 0 && scan.controlsFound < scan.controlTotal
            ok = ok && scan.canaryHits == 0 && !blind && scan.bytes > 0
            let controls = scan.controlTotal > 0 ? "\(scan.controlsFound)/\(scan.controlTotal)" : "\(scan.controlsFound)"
            lines.append("\(scan.label): \(Self.size(scan.bytes)), \(scan.canaryHits) canary hits, \(controls) control ciphertexts seen")
        }
        if let pid {
            if let canary {
                do {
                    let live = try DemoScanner(patterns: canary.patterns).scan(memoryOf: String(pid))
                    ok = ok && live.total == 0 && live.bytes > 0
                    lines.append("live pid \(pid): \(Self.size(live.bytes)), \(live.total) canary hits")
                } catch {
                    ok = false
                    lines.append("live pid \(pid): \(error)")
                }
            } else {
                lines.append("live pid \(pid): no canary to look for in a `vigil serve` directory")
            }
        }
        if lines.isEmpty { return .skip("content/transport-memory", "no memory scan recorded and no --pid") }
        if canary == nil, inputs?.memory.isEmpty ?? true {
            return .skip("content/transport-memory", lines.joined(separator: "; "))
        }
        return .expect(ok, "content/transport-memory", lines.joined(separator: "; "))
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    private static func name(_ path: String) -> String { (path as NSString).lastPathComponent + "/" }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : String(format: "%.1f KiB", Double(bytes) / 1024)
    }
}
