import Foundation

/// DESIGN.md rule 1 checked on the package itself: from the manifest (`swift package
/// dump-package`), no target reachable from Transport, Integrity, Stats or Storage is Crypto,
/// COpenSSL, CloudAPI or Client — the code that could decrypt is not linked into the relay or the
/// analyzer.
struct AuditModuleGraph {
    /// Targets that must stay blind.
    static let blind = ["Transport", "Integrity", "Stats", "Storage"]
    /// Targets that can decrypt or hold content.
    static let forbidden: Set<String> = ["Crypto", "COpenSSL", "CloudAPI", "Client"]

    /// Target name → its direct target dependencies.
    let dependencies: [String: [String]]

    /// The graph from `dump-package`'s JSON (`targets[].name`, `targets[].dependencies[]` as
    /// `{"byName":[name,…]}`, `{"target":[name,…]}` or `{"product":[name,…]}`).
    init(manifestJSON data: Data) throws(CLIError) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let targets = root["targets"] as? [[String: Any]] else {
            throw CLIError("dump-package did not print a manifest with targets")
        }
        var dependencies: [String: [String]] = [:]
        for target in targets {
            guard let name = target["name"] as? String else { continue }
            let listed = target["dependencies"] as? [[String: Any]] ?? []
            dependencies[name] = listed.compactMap { dependency in
                dependency.values.lazy.compactMap { ($0 as? [Any])?.first as? String }.first
            }
        }
        self.dependencies = dependencies
    }

    /// Every target reachable from `name`.
    func closure(of name: String) -> Set<String> {
        var seen: Set<String> = []
        var stack = [name]
        while let next = stack.popLast() {
            for dependency in dependencies[next] ?? [] where seen.insert(dependency).inserted {
                stack.append(dependency)
            }
        }
        return seen
    }

    /// One line per blind target: what it reaches that it must not (empty: clean).
    var violations: [String] {
        Self.blind.compactMap { name in
            guard dependencies[name] != nil else { return "\(name): not in the manifest" }
            let bad = closure(of: name).intersection(Self.forbidden)
            return bad.isEmpty ? nil : "\(name) reaches \(bad.sorted().joined(separator: ", "))"
        }
    }

    /// Runs `swift package dump-package` for the package at `path` (its own scratch directory, so
    /// a running build's lock does not block it).
    static func dump(packageAt path: String) throws(CLIError) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-audit-\(getpid())").path
        process.arguments = ["swift", "package", "--package-path", path, "--scratch-path", scratch, "dump-package"]
        // Standard error to a file: reading two pipes one after the other can deadlock once the
        // other fills its buffer.
        let errorPath = scratch + ".stderr"
        let output = Pipe()
        guard FileManager.default.createFile(atPath: errorPath, contents: nil), let errors = FileHandle(forWritingAtPath: errorPath) else {
            throw CLIError("cannot create \(errorPath)")
        }
        process.standardOutput = output
        process.standardError = errors
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run `swift package dump-package`: \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errors.close()
        let message = FileManager.default.contents(atPath: errorPath) ?? Data()
        guard process.terminationStatus == 0 else {
            throw CLIError("`swift package dump-package` failed: \(String(decoding: message, as: UTF8.self).prefix(400))")
        }
        return data
    }

    /// The package to check: `given`, else the first directory with a Package.swift among the
    /// working directory and the binary's ancestors (`.build/release/vigil` → the checkout).
    static func locatePackage(_ given: String?) -> String? {
        if let given { return given }
        var candidates = [FileManager.default.currentDirectoryPath]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.path)
            directory.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/Package.swift") }
    }
}
