import Foundation

/// What a `vigil demo --data DIR` run leaves for `vigil audit` in `DIR/demo/audit-inputs.json`:
/// the run's canary, sample numbers to look for, and the memory scans the demo took while the
/// transport process ran (a finished run's memory cannot be read afterwards).
///
/// The file lives outside every directory the audit scans (it holds the canary itself).
struct AuditInputs: Codable, Sendable, Equatable {
    /// The memory scan of the transport process.
    struct MemoryScan: Codable, Sendable, Equatable {
        /// What was scanned and when ("relay process mid-traffic", …).
        var label: String
        /// Bytes read.
        var bytes: Int
        /// Canary hits (must be 0).
        var canaryHits: Int
        /// Control ciphertexts found of ``controlTotal`` (the scan's positive control).
        var controlsFound: Int
        /// Control ciphertexts the relay held.
        var controlTotal: Int

        enum CodingKeys: String, CodingKey {
            case label, bytes
            case canaryHits = "canary_hits"
            case controlsFound = "controls_found"
            case controlTotal = "control_total"
        }
    }

    /// The run's canary token (appended to every plaintext).
    var canary: String
    /// Some consumers' numbers (never to be found in Integrity's files or exports).
    var consumers: [String]
    /// The businesses' numbers (never in the platform export's statistics).
    var businesses: [String]
    /// The transport process's memory scans.
    var memory: [MemoryScan]

    /// Where a run keeps it.
    static func path(in directory: String) -> String { directory + "/demo/audit-inputs.json" }

    /// Reads `DIR/demo/audit-inputs.json`, nil if there is none (a `vigil serve` directory).
    static func load(from directory: String) throws(CLIError) -> AuditInputs? {
        let path = path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(AuditInputs.self, from: Data(try FileIO.read(path)))
        } catch {
            throw CLIError("\(path): not a demo's audit inputs (\(error))")
        }
    }

    /// Writes the file (0600, its directory 0700).
    func write(to directory: String) throws(CLIError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw CLIError("cannot encode the audit inputs: \(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/demo", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create \(directory)/demo: \(error.localizedDescription)")
        }
        try FileIO.write(Array(data), to: Self.path(in: directory))
    }
}
