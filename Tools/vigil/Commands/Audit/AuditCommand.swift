import Foundation
import Glibc

/// `vigil audit`: checks that the transport side is blind to content — on the package (module
/// rule), on what a run left on disk (canary scans, consumer numbers, permissions) and on the
/// transport process's memory — and prints the seed's visibility table with the evidence.
struct AuditCommand: Command {
    static let help = """
        USAGE: vigil audit --data DIR [--package PATH] [--pid PID] [--json]

        Inspects what `vigil demo --data DIR` (or `vigil serve --data DIR`) left in DIR, and the
        package, and exits non-zero on any violation:
          module-rule                 `swift package dump-package`: Transport, Integrity, Stats and
                                      Storage reach none of Crypto, COpenSSL, CloudAPI, Client
          content/transport-files     the run's canary (appended to every plaintext) is in no file
                                      of the transport side: relay queue and tap, integrity state,
                                      report log, snapshots, exports, logs
          content/transport-memory    … nor in the transport process's memory (the scans the demo
                                      took while it ran, or a live process with --pid)
          content/cloudapi-store      … nor in the Cloud API's store files (content is encrypted)
          control/scanner             positive control: the scan finds the canary where plaintext
                                      legitimately is (the businesses' webhook transcript)
          numbers/integrity           sample consumer numbers appear in no integrity or export file
                                      (pseudonymized at the door)
          control/numbers             positive control: they do appear in the relay's queue (it
                                      routes by number)
          permissions                 every file under DIR is 0600 and every directory 0700
        A `vigil serve` directory has no canary: the content checks are skipped and say so.

        OPTIONS:
          --data DIR        the run's data directory
          --package PATH    the Vigil checkout for the module rule (default: the working directory
                            or the checkout this binary was built in)
          --pid PID         also scan this live transport process's memory (`/proc/PID/mem`)
          --json            print the findings as JSON
        """

    let dataDirectory: String
    let packagePath: String?
    let pid: Int32?
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let data = try arguments.option("--data") else { throw CLIError("--data DIR is required") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("--data \(data): no such directory")
        }
        dataDirectory = data
        packagePath = try arguments.option("--package")
        pid = try arguments.integer("--pid", in: 1...Int(Int32.max)).map { Int32($0) }
        json = arguments.flag("--json")
    }

    func run() throws {
        let inputs = try AuditInputs.load(from: dataDirectory)
        var checks = [moduleRule()]
        checks += AuditScans(root: dataDirectory, inputs: inputs, pid: pid).checks()
        let loose = AuditPermissions.looseEntries(under: dataDirectory)
        checks.append(.expect(loose.isEmpty, "permissions", loose.isEmpty
            ? "every file under \(dataDirectory) is 0600 and every directory 0700"
            : "\(loose.count) entries grant group/other access: \(loose.prefix(5).joined(separator: ", "))"))
        let failed = checks.filter { $0.verdict == .fail }
        print(json ? AuditReport.json(checks, directory: dataDirectory) : AuditReport.text(checks, directory: dataDirectory, demo: inputs != nil))
        fflush(nil)
        if !failed.isEmpty { throw AuditFailure(names: failed.map(\.name)) }
    }

    /// A failed verdict (exit status 1, not a usage error).
    struct AuditFailure: Error, CustomStringConvertible {
        let names: [String]
        var description: String { "audit: \(names.count) violation\(names.count == 1 ? "" : "s"): \(names.joined(separator: ", "))" }
    }

    private func moduleRule() -> AuditCheck {
        guard let package = AuditModuleGraph.locatePackage(packagePath) else {
            return .fail("module-rule", "no Package.swift found (pass --package PATH to the Vigil checkout)")
        }
        do {
            let graph = try AuditModuleGraph(manifestJSON: try AuditModuleGraph.dump(packageAt: package))
            let violations = graph.violations
            let reach = AuditModuleGraph.blind.map { "\($0) → {\(graph.closure(of: $0).sorted().joined(separator: ", "))}" }
            return .expect(violations.isEmpty, "module-rule", violations.isEmpty
                ? "\(package)/Package.swift: " + reach.joined(separator: "; ")
                : violations.joined(separator: "; "))
        } catch {
            return .fail("module-rule", "\(error)")
        }
    }
}
